/**
 * Vendor-Specific attribute dictionaries (RFC 2865 §5.26) as data tables, one per vendor a captive-portal
 * NAS speaks. Every number was checked, not recalled:
 * - MikroTik 14988: FreeRADIUS `share/dictionary.mikrotik` (Debian 3.2.1 /usr/share/freeradius).
 * - ChilliSpot/CoovaChilli 14559: FreeRADIUS `share/dictionary.chillispot` for 1–9, 100–102; the
 *   gigawords 21–23 and Session-State 15 only exist in coova/coova-chilli `doc/dictionary.coovachilli`
 *   (FreeRADIUS's copy lacks them; CoovaChilli reads them as bits 32–63 of the Max-*-Octets).
 * - WISPr 14122: FreeRADIUS `share/dictionary.wispr`.
 * - pfSense 13644: FreeRADIUS `share/dictionary.pfsense`.
 * FreeRADIUS dictionaries are CC-BY 4.0 (their headers); credited here. All four vendors use the RFC 2865
 * §5.26 "SHOULD" format: one-octet vendor type, one-octet vendor length.
 *
 * Attributes of other vendors, and unknown numbers of these ones, decode as raw octets and round-trip.
 *
 * @example VENDOR_ATTRIBUTES['Mikrotik-Total-Limit']; // { vendor: 14988, type: 17, kind: 'integer' }
 */
import type { AttributeKind } from './dictionary.js';

export const Vendor = { Mikrotik: 14988, ChilliSpot: 14559, WISPr: 14122, pfSense: 13644 } as const;

export interface VendorDef {
  readonly vendor: number;
  readonly type: number;
  readonly kind: AttributeKind;
}

const M = Vendor.Mikrotik;
const C = Vendor.ChilliSpot;
const W = Vendor.WISPr;
const P = Vendor.pfSense;

export const VENDOR_ATTRIBUTES = {
  // MikroTik (router's view: Recv = from the client = upload, Xmit = to the client = download)
  'Mikrotik-Recv-Limit': { vendor: M, type: 1, kind: 'integer' },
  'Mikrotik-Xmit-Limit': { vendor: M, type: 2, kind: 'integer' },
  'Mikrotik-Group': { vendor: M, type: 3, kind: 'string' },
  'Mikrotik-Wireless-Forward': { vendor: M, type: 4, kind: 'integer' },
  'Mikrotik-Wireless-Skip-Dot1x': { vendor: M, type: 5, kind: 'integer' },
  'Mikrotik-Wireless-Enc-Algo': { vendor: M, type: 6, kind: 'integer' },
  'Mikrotik-Wireless-Enc-Key': { vendor: M, type: 7, kind: 'string' },
  'Mikrotik-Rate-Limit': { vendor: M, type: 8, kind: 'string' },
  'Mikrotik-Realm': { vendor: M, type: 9, kind: 'string' },
  'Mikrotik-Host-IP': { vendor: M, type: 10, kind: 'ipaddr' },
  'Mikrotik-Mark-Id': { vendor: M, type: 11, kind: 'string' },
  'Mikrotik-Advertise-URL': { vendor: M, type: 12, kind: 'string' },
  'Mikrotik-Advertise-Interval': { vendor: M, type: 13, kind: 'integer' },
  'Mikrotik-Recv-Limit-Gigawords': { vendor: M, type: 14, kind: 'integer' },
  'Mikrotik-Xmit-Limit-Gigawords': { vendor: M, type: 15, kind: 'integer' },
  'Mikrotik-Wireless-PSK': { vendor: M, type: 16, kind: 'string' },
  'Mikrotik-Total-Limit': { vendor: M, type: 17, kind: 'integer' },
  'Mikrotik-Total-Limit-Gigawords': { vendor: M, type: 18, kind: 'integer' },
  'Mikrotik-Address-List': { vendor: M, type: 19, kind: 'string' },
  'Mikrotik-Wireless-MPKey': { vendor: M, type: 20, kind: 'string' },
  'Mikrotik-Wireless-Comment': { vendor: M, type: 21, kind: 'string' },
  'Mikrotik-Delegated-IPv6-Pool': { vendor: M, type: 22, kind: 'string' },
  'Mikrotik-DHCP-Option-Set': { vendor: M, type: 23, kind: 'string' },
  'Mikrotik-DHCP-Option-Param-STR1': { vendor: M, type: 24, kind: 'string' },
  'Mikrotik-DHCP-Option-Param-STR2': { vendor: M, type: 25, kind: 'string' },
  'Mikrotik-Wireless-VLANID': { vendor: M, type: 26, kind: 'integer' },
  'Mikrotik-Wireless-VLANID-Type': { vendor: M, type: 27, kind: 'integer' },
  'Mikrotik-Wireless-Minsignal': { vendor: M, type: 28, kind: 'string' },
  'Mikrotik-Wireless-Maxsignal': { vendor: M, type: 29, kind: 'string' },
  'Mikrotik-Switching-Filter': { vendor: M, type: 30, kind: 'string' },
  // ChilliSpot / CoovaChilli (Input = from the client)
  'ChilliSpot-Max-Input-Octets': { vendor: C, type: 1, kind: 'integer' },
  'ChilliSpot-Max-Output-Octets': { vendor: C, type: 2, kind: 'integer' },
  'ChilliSpot-Max-Total-Octets': { vendor: C, type: 3, kind: 'integer' },
  'ChilliSpot-Bandwidth-Max-Up': { vendor: C, type: 4, kind: 'integer' },
  'ChilliSpot-Bandwidth-Max-Down': { vendor: C, type: 5, kind: 'integer' },
  'ChilliSpot-Config': { vendor: C, type: 6, kind: 'string' },
  'ChilliSpot-Lang': { vendor: C, type: 7, kind: 'string' },
  'ChilliSpot-Version': { vendor: C, type: 8, kind: 'string' },
  'ChilliSpot-OriginalURL': { vendor: C, type: 9, kind: 'string' },
  'ChilliSpot-Session-State': { vendor: C, type: 15, kind: 'integer' },
  'ChilliSpot-Max-Input-Gigawords': { vendor: C, type: 21, kind: 'integer' },
  'ChilliSpot-Max-Output-Gigawords': { vendor: C, type: 22, kind: 'integer' },
  'ChilliSpot-Max-Total-Gigawords': { vendor: C, type: 23, kind: 'integer' },
  'ChilliSpot-UAM-Allowed': { vendor: C, type: 100, kind: 'string' },
  'ChilliSpot-MAC-Allowed': { vendor: C, type: 101, kind: 'string' },
  'ChilliSpot-Interval': { vendor: C, type: 102, kind: 'integer' },
  // WISPr (bandwidth in bit/s; Session-Terminate-Time is ISO 8601 text)
  'WISPr-Location-ID': { vendor: W, type: 1, kind: 'string' },
  'WISPr-Location-Name': { vendor: W, type: 2, kind: 'string' },
  'WISPr-Logoff-URL': { vendor: W, type: 3, kind: 'string' },
  'WISPr-Redirection-URL': { vendor: W, type: 4, kind: 'string' },
  'WISPr-Bandwidth-Min-Up': { vendor: W, type: 5, kind: 'integer' },
  'WISPr-Bandwidth-Min-Down': { vendor: W, type: 6, kind: 'integer' },
  'WISPr-Bandwidth-Max-Up': { vendor: W, type: 7, kind: 'integer' },
  'WISPr-Bandwidth-Max-Down': { vendor: W, type: 8, kind: 'integer' },
  'WISPr-Session-Terminate-Time': { vendor: W, type: 9, kind: 'string' },
  'WISPr-Session-Terminate-End-Of-Day': { vendor: W, type: 10, kind: 'string' },
  'WISPr-Billing-Class-Of-Service': { vendor: W, type: 11, kind: 'string' },
  // pfSense
  'pfSense-Bandwidth-Max-Up': { vendor: P, type: 1, kind: 'integer' },
  'pfSense-Bandwidth-Max-Down': { vendor: P, type: 2, kind: 'integer' },
  'pfSense-Max-Total-Octets': { vendor: P, type: 3, kind: 'integer' },
} as const satisfies Record<string, VendorDef>;

export type VendorName = keyof typeof VENDOR_ATTRIBUTES;

const BY_KEY = new Map<string, { name: VendorName; def: VendorDef }>(
  Object.entries(VENDOR_ATTRIBUTES).map(([name, def]) => [`${def.vendor}:${def.type}`, { name: name as VendorName, def }]),
);

/** Looks up a vendor attribute (undefined: unknown vendor or number, keep raw). */
export function vendorByNumber(vendor: number, type: number): { name: VendorName; def: VendorDef } | undefined {
  return BY_KEY.get(`${vendor}:${type}`);
}
