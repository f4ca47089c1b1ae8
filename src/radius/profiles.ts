/**
 * NAS profiles as data (SPEC §9): for each kind of NAS, which reply attributes carry the data grant and
 * the rates. Facts from reference/radius.md §a, with its sources:
 * - MikroTik: Mikrotik-Total-Limit(+Gigawords) is up+down for the session; Mikrotik-Rate-Limit is
 *   `rx/tx` in the router's view, rx = client upload, tx = client download, `k` = 10³, `M` = 10⁶, and it
 *   beats WISPr, so WISPr is not sent as well (RouterOS v2.9 manual).
 * - CoovaChilli: ChilliSpot-Max-Total-Octets with gigawords 23 in bits 32–63; WISPr-Bandwidth-Max-* in
 *   bit/s and ChilliSpot-Bandwidth-Max-* in kbit/s (`config_radius_session()`, src/chilli.c).
 * - uspot (2025+): the ChilliSpot-Max-* limits and WISPr rates.
 * - pfSense: pfSense-Max-Total-Octets (32 bits, no gigawords partner: capped), WISPr rates; both used
 *   only when the operator ticks them.
 * - OPNsense, UniFi, Omada: time only (Session-Timeout); no data grant, no rates.
 * - portico (a Portico gateway in authority mode, SPEC §10) and generic: the ChilliSpot/WISPr pair for
 *   portico; WISPr rates only for generic.
 * Every profile gets Session-Timeout and Acct-Interim-Interval (RFC 2865 §5.27, RFC 2869 §5.16).
 *
 * @example
 *   grantAttributesFor('mikrotik', { bytesLeft: 5e9, downBps: 2e6, upBps: 512e3 });
 *   // [['Mikrotik-Total-Limit', 705032704], ['Mikrotik-Total-Limit-Gigawords', 1], ['Mikrotik-Rate-Limit', '512k/2M']]
 */
import type { AttributeInput } from './attributes.js';
import { grantAttributes } from './gigawords.js';

export type NasProfileName = 'mikrotik' | 'coovachilli' | 'uspot' | 'pfsense' | 'opnsense' | 'unifi' | 'omada' | 'portico' | 'generic';
export type DataGrant = 'mikrotik-total' | 'chillispot-total' | 'pfsense-total';
export type RateFormat = 'mikrotik' | 'wispr' | 'chillispot';

export interface NasProfile {
  /** Attribute(s) the NAS reads as the session's byte allowance, or null when it enforces time only. */
  data: DataGrant | null;
  /** Rate attributes to send (each in its own unit). */
  rates: readonly RateFormat[];
  /** What the README may promise for this NAS. */
  enforces: 'time, data and rates' | 'time, data (minute-granular) and rates' | 'time only' | 'time and rates';
}

export const NAS_PROFILES: Readonly<Record<NasProfileName, NasProfile>> = {
  mikrotik: { data: 'mikrotik-total', rates: ['mikrotik'], enforces: 'time, data and rates' },
  coovachilli: { data: 'chillispot-total', rates: ['wispr', 'chillispot'], enforces: 'time, data and rates' },
  uspot: { data: 'chillispot-total', rates: ['wispr'], enforces: 'time, data and rates' },
  pfsense: { data: 'pfsense-total', rates: ['wispr'], enforces: 'time, data (minute-granular) and rates' },
  opnsense: { data: null, rates: [], enforces: 'time only' },
  unifi: { data: null, rates: [], enforces: 'time only' },
  omada: { data: null, rates: [], enforces: 'time only' },
  portico: { data: 'chillispot-total', rates: ['wispr'], enforces: 'time, data and rates' },
  generic: { data: null, rates: ['wispr'], enforces: 'time and rates' },
};

const MAX_32 = 0xffff_ffff;

/**
 * MikroTik's rate text: whole megabits as `M`, whole kilobits as `k`, else bits (RouterOS reads all three).
 *
 * @example mikrotikRate(2_000_000); // '2M'
 */
export function mikrotikRate(bps: number): string {
  if (bps >= 1_000_000 && bps % 1_000_000 === 0) return `${bps / 1_000_000}M`;
  if (bps >= 1000 && bps % 1000 === 0) return `${bps / 1000}k`;
  return String(Math.round(bps));
}

export interface GrantFigures {
  /** Bytes left in the pool; null = unlimited (or throttled to a rate). */
  bytesLeft: number | null;
  downBps: number | null;
  upBps: number | null;
}

/** The vendor attributes of an Access-Accept for this profile (Session-Timeout etc. are added by the caller). */
export function grantAttributesFor(profile: NasProfileName, g: GrantFigures): AttributeInput[] {
  const p = NAS_PROFILES[profile];
  const out: AttributeInput[] = [];
  if (g.bytesLeft !== null && p.data) {
    const bytes = Math.max(0, Math.floor(g.bytesLeft));
    if (p.data === 'mikrotik-total') out.push(...grantAttributes('mikrotik-total', bytes));
    else if (p.data === 'chillispot-total') out.push(...grantAttributes('chillispot-total', bytes));
    // pfSense's attribute is one 32-bit integer: cap at 4 GiB − 1; the next re-auth grants the rest.
    else out.push(['pfSense-Max-Total-Octets', Math.min(bytes, MAX_32)]);
  }
  const { downBps: down, upBps: up } = g;
  for (const r of p.rates) {
    if (r === 'mikrotik' && (down !== null || up !== null)) {
      // "0" is unlimited in RouterOS; a missing tx would copy rx, so both are always written.
      out.push(['Mikrotik-Rate-Limit', `${up !== null ? mikrotikRate(up) : '0'}/${down !== null ? mikrotikRate(down) : '0'}`]);
    }
    if (r === 'wispr') {
      if (up !== null) out.push(['WISPr-Bandwidth-Max-Up', Math.min(MAX_32, up)]);
      if (down !== null) out.push(['WISPr-Bandwidth-Max-Down', Math.min(MAX_32, down)]);
    }
    if (r === 'chillispot') {
      // kbit/s, rounded down so the NAS never allows more than the plan (at least 1).
      if (up !== null) out.push(['ChilliSpot-Bandwidth-Max-Up', Math.max(1, Math.floor(up / 1000))]);
      if (down !== null) out.push(['ChilliSpot-Bandwidth-Max-Down', Math.max(1, Math.floor(down / 1000))]);
    }
  }
  return out;
}
