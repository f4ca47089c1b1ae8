/**
 * The standard attribute dictionary as a data table: name → type number and value kind, from RFC 2865
 * §5, RFC 2866 §5, RFC 2869 §5, RFC 3162 §2, RFC 3576/5176 §3.5 (Error-Cause), RFC 4372 (CUI), RFC 4818,
 * RFC 6911. Numbers were checked against FreeRADIUS's `share/dictionary.rfc*` (Debian 3.2.1 copies in
 * /usr/share/freeradius; CC-BY 4.0, credited here). Attributes absent from the table still decode — as raw
 * octets — and round-trip unchanged.
 *
 * `encrypt: 'user-password'` marks RFC 2865 §5.2 hiding: `get()` returns the hidden octets; use
 * `unhidePassword()` with the secret (auth.ts). `kind` decides the typed value (attributes.ts).
 *
 * @example STANDARD_ATTRIBUTES['Session-Timeout']; // { type: 27, kind: 'integer' }
 */

/** Value kinds of RFC 8044 §3 that captive-portal NASes use. */
export type AttributeKind = 'string' | 'octets' | 'integer' | 'ipaddr' | 'ipv6addr' | 'ipv6prefix' | 'ifid' | 'date';

export interface StandardDef {
  readonly type: number;
  readonly kind: AttributeKind;
  readonly encrypt?: 'user-password';
}

export const STANDARD_ATTRIBUTES = {
  // RFC 2865 §5
  'User-Name': { type: 1, kind: 'string' },
  'User-Password': { type: 2, kind: 'octets', encrypt: 'user-password' },
  'CHAP-Password': { type: 3, kind: 'octets' },
  'NAS-IP-Address': { type: 4, kind: 'ipaddr' },
  'NAS-Port': { type: 5, kind: 'integer' },
  'Service-Type': { type: 6, kind: 'integer' },
  'Framed-Protocol': { type: 7, kind: 'integer' },
  'Framed-IP-Address': { type: 8, kind: 'ipaddr' },
  'Framed-IP-Netmask': { type: 9, kind: 'ipaddr' },
  'Framed-Routing': { type: 10, kind: 'integer' },
  'Filter-Id': { type: 11, kind: 'string' },
  'Framed-MTU': { type: 12, kind: 'integer' },
  'Framed-Compression': { type: 13, kind: 'integer' },
  'Login-IP-Host': { type: 14, kind: 'ipaddr' },
  'Login-Service': { type: 15, kind: 'integer' },
  'Login-TCP-Port': { type: 16, kind: 'integer' },
  'Reply-Message': { type: 18, kind: 'string' },
  'Callback-Number': { type: 19, kind: 'string' },
  'Callback-Id': { type: 20, kind: 'string' },
  'Framed-Route': { type: 22, kind: 'string' },
  'Framed-IPX-Network': { type: 23, kind: 'ipaddr' },
  State: { type: 24, kind: 'octets' },
  Class: { type: 25, kind: 'octets' },
  'Vendor-Specific': { type: 26, kind: 'octets' },
  'Session-Timeout': { type: 27, kind: 'integer' },
  'Idle-Timeout': { type: 28, kind: 'integer' },
  'Termination-Action': { type: 29, kind: 'integer' },
  'Called-Station-Id': { type: 30, kind: 'string' },
  'Calling-Station-Id': { type: 31, kind: 'string' },
  'NAS-Identifier': { type: 32, kind: 'string' },
  'Proxy-State': { type: 33, kind: 'octets' },
  'Login-LAT-Service': { type: 34, kind: 'string' },
  'Login-LAT-Node': { type: 35, kind: 'string' },
  'Login-LAT-Group': { type: 36, kind: 'octets' },
  'Framed-AppleTalk-Link': { type: 37, kind: 'integer' },
  'Framed-AppleTalk-Network': { type: 38, kind: 'integer' },
  'Framed-AppleTalk-Zone': { type: 39, kind: 'string' },
  // RFC 2866 §5
  'Acct-Status-Type': { type: 40, kind: 'integer' },
  'Acct-Delay-Time': { type: 41, kind: 'integer' },
  'Acct-Input-Octets': { type: 42, kind: 'integer' },
  'Acct-Output-Octets': { type: 43, kind: 'integer' },
  'Acct-Session-Id': { type: 44, kind: 'string' },
  'Acct-Authentic': { type: 45, kind: 'integer' },
  'Acct-Session-Time': { type: 46, kind: 'integer' },
  'Acct-Input-Packets': { type: 47, kind: 'integer' },
  'Acct-Output-Packets': { type: 48, kind: 'integer' },
  'Acct-Terminate-Cause': { type: 49, kind: 'integer' },
  'Acct-Multi-Session-Id': { type: 50, kind: 'string' },
  'Acct-Link-Count': { type: 51, kind: 'integer' },
  // RFC 2869 §5
  'Acct-Input-Gigawords': { type: 52, kind: 'integer' },
  'Acct-Output-Gigawords': { type: 53, kind: 'integer' },
  'Event-Timestamp': { type: 55, kind: 'date' },
  // RFC 2865 §5.40–5.43
  'CHAP-Challenge': { type: 60, kind: 'octets' },
  'NAS-Port-Type': { type: 61, kind: 'integer' },
  'Port-Limit': { type: 62, kind: 'integer' },
  'Login-LAT-Port': { type: 63, kind: 'string' },
  // RFC 2869 §5
  'ARAP-Password': { type: 70, kind: 'octets' },
  'ARAP-Features': { type: 71, kind: 'octets' },
  'ARAP-Zone-Access': { type: 72, kind: 'integer' },
  'ARAP-Security': { type: 73, kind: 'integer' },
  'ARAP-Security-Data': { type: 74, kind: 'string' },
  'Password-Retry': { type: 75, kind: 'integer' },
  Prompt: { type: 76, kind: 'integer' },
  'Connect-Info': { type: 77, kind: 'string' },
  'Configuration-Token': { type: 78, kind: 'string' },
  'EAP-Message': { type: 79, kind: 'octets' },
  'Message-Authenticator': { type: 80, kind: 'octets' },
  'ARAP-Challenge-Response': { type: 84, kind: 'octets' },
  'Acct-Interim-Interval': { type: 85, kind: 'integer' },
  'NAS-Port-Id': { type: 87, kind: 'string' },
  'Framed-Pool': { type: 88, kind: 'string' },
  // RFC 4372
  'Chargeable-User-Identity': { type: 89, kind: 'octets' },
  // RFC 3162 §2
  'NAS-IPv6-Address': { type: 95, kind: 'ipv6addr' },
  'Framed-Interface-Id': { type: 96, kind: 'ifid' },
  'Framed-IPv6-Prefix': { type: 97, kind: 'ipv6prefix' },
  'Login-IPv6-Host': { type: 98, kind: 'ipv6addr' },
  'Framed-IPv6-Route': { type: 99, kind: 'string' },
  'Framed-IPv6-Pool': { type: 100, kind: 'string' },
  // RFC 5176 §3.5 (first defined in RFC 3576)
  'Error-Cause': { type: 101, kind: 'integer' },
  // RFC 4818
  'Delegated-IPv6-Prefix': { type: 123, kind: 'ipv6prefix' },
  // RFC 6911
  'Framed-IPv6-Address': { type: 168, kind: 'ipv6addr' },
  'DNS-Server-IPv6-Address': { type: 169, kind: 'ipv6addr' },
  'Route-IPv6-Information': { type: 170, kind: 'ipv6prefix' },
  'Delegated-IPv6-Prefix-Pool': { type: 171, kind: 'string' },
} as const satisfies Record<string, StandardDef>;

export type StandardName = keyof typeof STANDARD_ATTRIBUTES;

/** Attribute type numbers the codec itself relies on. */
export const AttributeType = {
  UserPassword: 2,
  CHAPPassword: 3,
  VendorSpecific: 26,
  ProxyState: 33,
  CHAPChallenge: 60,
  EAPMessage: 79,
  MessageAuthenticator: 80,
} as const;

const BY_TYPE = new Map<number, { name: StandardName; def: StandardDef }>(
  Object.entries(STANDARD_ATTRIBUTES).map(([name, def]) => [def.type, { name: name as StandardName, def }]),
);

/** Looks up a standard attribute by type number (undefined: unknown, keep raw). */
export function standardByType(type: number): { name: StandardName; def: StandardDef } | undefined {
  return BY_TYPE.get(type);
}

// Enumerated values, from the same RFC sections (FreeRADIUS VALUE lines agree).

/** RFC 2865 §5.6; Authorize-Only 17 from RFC 3576 / RFC 5176 §3.2. */
export const ServiceType = {
  LoginUser: 1, FramedUser: 2, CallbackLoginUser: 3, CallbackFramedUser: 4, OutboundUser: 5,
  AdministrativeUser: 6, NASPromptUser: 7, AuthenticateOnly: 8, CallbackNASPrompt: 9, CallCheck: 10,
  CallbackAdministrative: 11, AuthorizeOnly: 17,
} as const;

/** RFC 2866 §5.1 (Accounting-On/Off 7/8); Failed 15 per RFC 2866 registry. */
export const AcctStatusType = { Start: 1, Stop: 2, InterimUpdate: 3, AccountingOn: 7, AccountingOff: 8, Failed: 15 } as const;

/** RFC 2866 §5.10. */
export const AcctTerminateCause = {
  UserRequest: 1, LostCarrier: 2, LostService: 3, IdleTimeout: 4, SessionTimeout: 5, AdminReset: 6,
  AdminReboot: 7, PortError: 8, NASError: 9, NASRequest: 10, NASReboot: 11, PortUnneeded: 12,
  PortPreempted: 13, PortSuspended: 14, ServiceUnavailable: 15, Callback: 16, UserError: 17, HostRequest: 18,
} as const;

/** RFC 2865 §5.29. */
export const TerminationAction = { Default: 0, RADIUSRequest: 1 } as const;

/** RFC 2865 §5.41 (the values captive portals send). */
export const NASPortType = { Async: 0, Virtual: 5, Ethernet: 15, WirelessOther: 18, Wireless80211: 19 } as const;

/** RFC 5176 §3.5. */
export const ErrorCause = {
  ResidualContextRemoved: 201, InvalidEAPPacket: 202, UnsupportedAttribute: 401, MissingAttribute: 402,
  NASIdentificationMismatch: 403, InvalidRequest: 404, UnsupportedService: 405, UnsupportedExtension: 406,
  InvalidAttributeValue: 407, AdministrativelyProhibited: 501, RequestNotRoutable: 502,
  SessionContextNotFound: 503, SessionContextNotRemovable: 504, OtherProxyProcessingError: 505,
  ResourcesUnavailable: 506, RequestInitiated: 507, MultipleSessionSelectionUnsupported: 508,
} as const;
