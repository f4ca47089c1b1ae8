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

/** What a CoA-Request (RFC 5176 §3.2) may change on this NAS when a pool is topped up. */
export type CoaItem = 'time' | 'data' | 'rates' | 'interim';

export interface NasProfile {
  /** Attribute(s) the NAS reads as the session's byte allowance, or null when it enforces time only. */
  data: DataGrant | null;
  /** Rate attributes to send (each in its own unit). */
  rates: readonly RateFormat[];
  /** What the README may promise for this NAS. */
  enforces: 'time, data and rates' | 'time, data (minute-granular) and rates' | 'time only' | 'time and rates';
  /** What a top-up CoA carries; empty: the NAS has no CoA and the top-up arrives at the next re-authorization. */
  coa: readonly CoaItem[];
  /** Whether its DAS takes Message-Authenticator and Event-Timestamp (RFC 5176 §3, §6.3) without a NAK. */
  dasSigned: boolean;
}

/**
 * CoA per NAS (radius.md §a, §b point 4):
 * - MikroTik: Session-Timeout and the rate; Total-Limit is not CoA-changeable [I], so a data top-up
 *   reaches the session at its next login (cookie / MAC) with a new slice.
 * - CoovaChilli: attributes absent from a CoA reset to 0 (`config_radius_session(…, reconfig=0)`), so
 *   the full set, with the data limit = used in the session + the new slice.
 * - uspot (`src/radius-das.c`): CoA takes Session-Timeout, Idle-Timeout and Acct-Interim-Interval and
 *   NAKs anything else — Event-Timestamp and Message-Authenticator included, in Disconnect too.
 * - pfSense, OPNsense, UniFi, Omada: no CoA listener; re-authorization is the only lever.
 */
export const NAS_PROFILES: Readonly<Record<NasProfileName, NasProfile>> = {
  mikrotik: { data: 'mikrotik-total', rates: ['mikrotik'], enforces: 'time, data and rates', coa: ['time', 'rates'], dasSigned: true },
  coovachilli: { data: 'chillispot-total', rates: ['wispr', 'chillispot'], enforces: 'time, data and rates', coa: ['time', 'data', 'rates', 'interim'], dasSigned: true },
  uspot: { data: 'chillispot-total', rates: ['wispr'], enforces: 'time, data and rates', coa: ['time', 'interim'], dasSigned: false },
  pfsense: { data: 'pfsense-total', rates: ['wispr'], enforces: 'time, data (minute-granular) and rates', coa: [], dasSigned: true },
  opnsense: { data: null, rates: [], enforces: 'time only', coa: [], dasSigned: true },
  unifi: { data: null, rates: [], enforces: 'time only', coa: [], dasSigned: true },
  omada: { data: null, rates: [], enforces: 'time only', coa: [], dasSigned: true },
  portico: { data: 'chillispot-total', rates: ['wispr'], enforces: 'time, data and rates', coa: ['time', 'data', 'rates'], dasSigned: true },
  generic: { data: null, rates: ['wispr'], enforces: 'time and rates', coa: ['time'], dasSigned: true },
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

export interface CoaFigures extends GrantFigures {
  /** Seconds left in the pool; null = no time limit. */
  secondsLeft: number | null;
}

/**
 * The authorization part of a top-up CoA-Request for this profile (identification attributes are the
 * caller's). Session-Timeout counts from the NAS session's start on CoovaChilli, uspot and RouterOS, so
 * it is the session's age plus what is left.
 *
 * @example coaAttributesFor('coovachilli', { secondsLeft: 3000, bytesLeft: 2e9, downBps: null, upBps: null }, 600, 300);
 */
export function coaAttributesFor(profile: NasProfileName, g: CoaFigures, ageSec: number, interimSec: number): AttributeInput[] {
  const items = NAS_PROFILES[profile].coa;
  const out: AttributeInput[] = [];
  if (items.includes('time') && g.secondsLeft !== null) out.push(['Session-Timeout', Math.min(MAX_32, Math.max(1, Math.floor(ageSec + g.secondsLeft)))]);
  if (items.includes('interim')) out.push(['Acct-Interim-Interval', interimSec]);
  if (items.includes('data')) out.push(...grantAttributesFor(profile, { bytesLeft: g.bytesLeft, downBps: null, upBps: null }));
  if (items.includes('rates')) out.push(...grantAttributesFor(profile, { bytesLeft: null, downBps: g.downBps, upBps: g.upBps }));
  return out;
}
