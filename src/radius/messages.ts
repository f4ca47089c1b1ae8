/**
 * Whole-message encode/decode with authentication: what a server (NAS-facing) and a client (authority
 * mode) call. Decoding never trusts a packet by itself — it returns the packet together with `ok` and
 * stable `reasons`, so the server drops and counts (RFC 2865 §3, RFC 5080 §2.3.3: bad authenticators are
 * silently discarded). Malformed framing throws `RadiusError` from packet.ts.
 *
 * Rules applied here:
 * - Accounting/CoA/Disconnect-Request authenticators are verified (RFC 2866 §3, RFC 5176 §2.3).
 * - Message-Authenticator, when present, is verified; more than one is an error (RFC 3579 §3.3).
 *   It is required for Status-Server (RFC 5997 §3), with EAP-Message (RFC 3579 §3.2), and — BlastRADIUS,
 *   CVE-2024-3596, radius.md §c — for every Access-Request unless the NAS is opted out; opted-out NASes
 *   still may not send Proxy-State without it (FreeRADIUS `limit_proxy_state`).
 * - Replies carry Message-Authenticator as the FIRST attribute (FreeRADIUS ≥ 3.2.5 does the same) —
 *   all but a plain Accounting-Response, where no RFC defines it — and echo every Proxy-State in order
 *   (RFC 2865 §5.33).
 *
 * @example
 *   const { packet, ok, reasons } = decodeRequest(datagram, nas.secret);
 *   if (!ok) return count(reasons);
 *   socket.send(encodeResponse(packet, Code.AccessAccept, [['Session-Timeout', 3600]], nas.secret), port, address);
 */
import { Buffer } from 'node:buffer';
import { toRawAttribute, toRawAttributes, type AttributeInput } from './attributes.js';
import {
  hidePassword,
  messageAuthenticator,
  messageAuthenticatorOffsets,
  requestAuthenticator,
  responseAuthenticator,
  safeEqual,
  unhidePassword,
  verifyChap,
  type Secret,
} from './auth.js';
import { AttributeType } from './dictionary.js';
import { Code, decodePacket, encodePacket, type RadiusPacket, type RawAttribute } from './packet.js';

export type VerifyReason =
  /** The code is not a request a server accepts (a reply, or unknown). */
  | 'NOT_A_REQUEST'
  /** A reply whose code does not answer this request, or whose Identifier differs. */
  | 'UNEXPECTED_REPLY'
  /** Request Authenticator (accounting-style) or Response Authenticator does not match: wrong secret or forged. */
  | 'BAD_AUTHENTICATOR'
  | 'BAD_MESSAGE_AUTHENTICATOR'
  | 'DUPLICATE_MESSAGE_AUTHENTICATOR'
  | 'MISSING_MESSAGE_AUTHENTICATOR'
  /** Proxy-State without Message-Authenticator from a NAS opted out of requiring it (BlastRADIUS vector). */
  | 'PROXY_STATE_WITHOUT_MESSAGE_AUTHENTICATOR';

export interface Decoded {
  packet: RadiusPacket;
  /** True when `reasons` is empty: the packet may be acted upon. */
  ok: boolean;
  reasons: VerifyReason[];
  messageAuthenticator: 'valid' | 'invalid' | 'absent';
  /** Whether Message-Authenticator is the first attribute (informational: radclient 3.2.1 puts it later). */
  messageAuthenticatorFirst: boolean;
}

export interface DecodeRequestOptions {
  /** Require Message-Authenticator in Access-Requests (SPEC §9 default true). */
  requireMessageAuthenticator?: boolean;
}

const ACCOUNTING_STYLE = new Set<number>([Code.AccountingRequest, Code.CoARequest, Code.DisconnectRequest]);
const REQUESTS = new Set<number>([Code.AccessRequest, Code.StatusServer, ...ACCOUNTING_STYLE]);

/** Which reply codes answer which request (RFC 2865 §4, RFC 2866 §4, RFC 5176 §3, RFC 5997 §3). */
export const REPLIES: Readonly<Record<number, readonly number[]>> = {
  [Code.AccessRequest]: [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge],
  [Code.AccountingRequest]: [Code.AccountingResponse],
  [Code.StatusServer]: [Code.AccessAccept, Code.AccountingResponse],
  [Code.CoARequest]: [Code.CoAACK, Code.CoANAK],
  [Code.DisconnectRequest]: [Code.DisconnectACK, Code.DisconnectNAK],
};

/**
 * Message-Authenticator in an Accounting-Response is defined by no RFC (RFC 3579 §3.2 covers Access-*,
 * RFC 5176 §3.3 CoA/Disconnect). FreeRADIUS 3.2.1's radclient verifies it with the authenticator field
 * zeroed, and rejects one computed over the request's authenticator (proven in
 * test/radius/radclient-interop.test.ts), except in the reply to a Status-Server. So: off by default,
 * and when asked for, FreeRADIUS's way.
 */
function accountingResponseField(code: number, request: RadiusPacket): Buffer {
  return code === Code.AccountingResponse && request.code !== Code.StatusServer ? Buffer.alloc(16) : request.authenticator;
}

function checkMessageAuthenticator(bytes: Buffer, fields: Buffer[], secret: Secret, reasons: VerifyReason[]) {
  const offsets = messageAuthenticatorOffsets(bytes);
  const first = bytes.length > 20 && bytes[20] === AttributeType.MessageAuthenticator;
  if (offsets.length === 0) return { state: 'absent' as const, first };
  if (offsets.length > 1) reasons.push('DUPLICATE_MESSAGE_AUTHENTICATOR');
  const at = offsets[0]!;
  const okLength = bytes[at - 1] === 18;
  const got = bytes.subarray(at, at + 16);
  // Evaluate every candidate (no early exit) so timing does not reveal which convention matched.
  const matches = fields.map((f) => okLength && safeEqual(got, messageAuthenticator(bytes, at, f, secret)));
  const valid = matches.some(Boolean);
  if (!valid) reasons.push('BAD_MESSAGE_AUTHENTICATOR');
  return { state: valid ? ('valid' as const) : ('invalid' as const), first };
}

/**
 * Decodes and authenticates a request from a NAS (or, for CoA/Disconnect, from a server to our DAS).
 *
 * @example decodeRequest(buf, 'secret', { requireMessageAuthenticator: nas.requireMessageAuthenticator })
 */
export function decodeRequest(datagram: Buffer, secret: Secret, options: DecodeRequestOptions = {}): Decoded {
  const packet = decodePacket(datagram);
  const bytes = encodePacket(packet); // lossless: the exact octets up to Length
  const reasons: VerifyReason[] = [];
  if (!REQUESTS.has(packet.code)) reasons.push('NOT_A_REQUEST');
  const accountingStyle = ACCOUNTING_STYLE.has(packet.code);
  if (accountingStyle && !safeEqual(packet.authenticator, requestAuthenticator(bytes, secret))) {
    reasons.push('BAD_AUTHENTICATOR');
  }
  const field = accountingStyle ? Buffer.alloc(16) : packet.authenticator;
  const ma = checkMessageAuthenticator(bytes, [field], secret, reasons);
  if (ma.state === 'absent') {
    const has = (t: number) => packet.attributes.some((a) => a.type === t);
    const required =
      packet.code === Code.StatusServer ||
      has(AttributeType.EAPMessage) ||
      (packet.code === Code.AccessRequest && (options.requireMessageAuthenticator ?? true));
    if (required) reasons.push('MISSING_MESSAGE_AUTHENTICATOR');
    else if (packet.code === Code.AccessRequest && has(AttributeType.ProxyState)) {
      reasons.push('PROXY_STATE_WITHOUT_MESSAGE_AUTHENTICATOR');
    }
  }
  return { packet, ok: reasons.length === 0, reasons, messageAuthenticator: ma.state, messageAuthenticatorFirst: ma.first };
}

export interface EncodeResponseOptions {
  /**
   * Add Message-Authenticator (first). Default true for Access-Accept/Reject/Challenge (BlastRADIUS),
   * CoA/Disconnect ACK/NAK and Status-Server replies; false for an ordinary Accounting-Response (see
   * `accountingResponseField`).
   */
  messageAuthenticator?: boolean;
  /** Copy the request's Proxy-State attributes, in order, to the end (RFC 2865 §5.33). Default true. */
  echoProxyState?: boolean;
}

/**
 * Builds a signed reply: Message-Authenticator first, then `attrs`, then echoed Proxy-State, then the
 * Response Authenticator over it all (RFC 2865 §3; MA is computed first, with the request's authenticator
 * in the field, RFC 3579 §3.2).
 *
 * @example encodeResponse(req, Code.AccessReject, [['Reply-Message', 'Code used up']], secret)
 */
export function encodeResponse(
  request: RadiusPacket,
  code: number,
  attrs: readonly AttributeInput[],
  secret: Secret,
  options: EncodeResponseOptions = {},
): Buffer {
  const plainAccounting = code === Code.AccountingResponse && request.code !== Code.StatusServer;
  const withMa = options.messageAuthenticator ?? !plainAccounting;
  const body = toRawAttributes(attrs).filter(
    (a) => a.type !== AttributeType.MessageAuthenticator && !(options.echoProxyState !== false && a.type === AttributeType.ProxyState),
  );
  const echoed = options.echoProxyState === false ? [] : request.attributes.filter((a) => a.type === AttributeType.ProxyState);
  const attributes: RawAttribute[] = [
    ...(withMa ? [{ type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) }] : []),
    ...body,
    ...echoed,
  ];
  const bytes = encodePacket({ code, identifier: request.identifier, authenticator: request.authenticator, attributes });
  if (withMa) messageAuthenticator(bytes, 22, accountingResponseField(code, request), secret).copy(bytes, 22);
  responseAuthenticator(bytes, request.authenticator, secret).copy(bytes, 4);
  return bytes;
}

export interface EncodeRequestOptions {
  identifier: number;
  /** Injected randomness (STYLE rule 2): `crypto.randomBytes` in production, a fixed source in tests. */
  randomBytes: (n: number) => Buffer;
  /** Default: true for Access-Request (BlastRADIUS) and Status-Server (RFC 5997 §3), false otherwise. */
  messageAuthenticator?: boolean;
}

/**
 * Builds a signed request as a client or DAS initiator. `['User-Password', text]` is hidden with the
 * request's authenticator (RFC 2865 §5.2). Returns the bytes and the packet (keep it to check the reply).
 *
 * @example
 *   const { bytes, packet } = encodeRequest(Code.AccessRequest, [['User-Name', code], ['User-Password', code]],
 *     secret, { identifier: 7, randomBytes });
 */
export function encodeRequest(
  code: number,
  attrs: readonly AttributeInput[],
  secret: Secret,
  options: EncodeRequestOptions,
): { bytes: Buffer; packet: RadiusPacket } {
  const accountingStyle = ACCOUNTING_STYLE.has(code);
  const authenticator = accountingStyle ? Buffer.alloc(16) : Buffer.from(options.randomBytes(16));
  const withMa = options.messageAuthenticator ?? (code === Code.AccessRequest || code === Code.StatusServer);
  const body = attrs
    .filter((a) => (Array.isArray(a) ? a[0] !== 'Message-Authenticator' : (a as RawAttribute).type !== AttributeType.MessageAuthenticator))
    .map((a): RawAttribute => {
      if (Array.isArray(a) && a[0] === 'User-Password') {
        return { type: AttributeType.UserPassword, value: hidePassword(a[1] as Buffer | string, secret, authenticator) };
      }
      return toRawAttribute(a);
    });
  const attributes: RawAttribute[] = [
    ...(withMa ? [{ type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) }] : []),
    ...body,
  ];
  const bytes = encodePacket({ code, identifier: options.identifier, authenticator, attributes });
  if (withMa) messageAuthenticator(bytes, 22, authenticator, secret).copy(bytes, 22);
  if (accountingStyle) requestAuthenticator(bytes, secret).copy(bytes, 4);
  return { bytes, packet: decodePacket(bytes) };
}

export interface DecodeResponseOptions {
  /** Require Message-Authenticator in Access-Accept/Reject/Challenge (radius.md §c; opt out for Debian 3.2.1). */
  requireMessageAuthenticator?: boolean;
}

/** Decodes and authenticates a reply to `request` (client side). */
export function decodeResponse(
  datagram: Buffer,
  request: RadiusPacket,
  secret: Secret,
  options: DecodeResponseOptions = {},
): Decoded {
  const packet = decodePacket(datagram);
  const bytes = encodePacket(packet);
  const reasons: VerifyReason[] = [];
  if (packet.identifier !== request.identifier || !(REPLIES[request.code] ?? []).includes(packet.code)) {
    reasons.push('UNEXPECTED_REPLY');
  }
  if (!safeEqual(packet.authenticator, responseAuthenticator(bytes, request.authenticator, secret))) {
    reasons.push('BAD_AUTHENTICATOR');
  }
  // For an Accounting-Response accept FreeRADIUS's zeroed field and the RFC 3579-style request authenticator.
  const fields = [request.authenticator];
  if (packet.code === Code.AccountingResponse && request.code !== Code.StatusServer) fields.push(Buffer.alloc(16));
  const ma = checkMessageAuthenticator(bytes, fields, secret, reasons);
  const accessReply = [Code.AccessAccept, Code.AccessReject, Code.AccessChallenge].includes(packet.code as 2);
  if (ma.state === 'absent' && accessReply && (options.requireMessageAuthenticator ?? true)) {
    reasons.push('MISSING_MESSAGE_AUTHENTICATOR');
  }
  return { packet, ok: reasons.length === 0, reasons, messageAuthenticator: ma.state, messageAuthenticatorFirst: ma.first };
}

/** The clear-text User-Password of an Access-Request, or undefined if absent or not decodable. */
export function userPassword(packet: RadiusPacket, secret: Secret): string | undefined {
  const raw = packet.attributes.find((a) => a.type === AttributeType.UserPassword);
  if (!raw || raw.value.length < 16 || raw.value.length > 128 || raw.value.length % 16 !== 0) return undefined;
  return unhidePassword(raw.value, secret, packet.authenticator).toString('utf8');
}

/** RFC 2865 §2.2: CHAP-Challenge when present, else the Request Authenticator. */
export function chapChallengeOf(packet: RadiusPacket): Buffer {
  return packet.attributes.find((a) => a.type === AttributeType.CHAPChallenge)?.value ?? packet.authenticator;
}

/** Whether the request's CHAP-Password was made from `password` (false when there is none). */
export function verifyChapRequest(packet: RadiusPacket, password: string | Buffer): boolean {
  const chap = packet.attributes.find((a) => a.type === AttributeType.CHAPPassword);
  return chap !== undefined && verifyChap(chap.value, password, chapChallengeOf(packet));
}
