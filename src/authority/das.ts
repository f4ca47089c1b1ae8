/**
 * What a central server's Disconnect-Request or CoA-Request means for this gateway (RFC 5176), given
 * to radius/das-server.ts as its handler:
 * - identification: Acct-Session-Id (the device id this gateway sent), else User-Name,
 *   Calling-Station-Id and Framed-IP-Address, every one present must match; none → NAK 402
 *   Missing-Attribute; no such session → NAK 503 Session-Context-Not-Found; a NAS-Identifier that is not
 *   ours → NAK 403 NAS-Identification-Mismatch;
 * - a CoA that changes nothing (only identification) → NAK 404 Invalid-Request;
 * - an attribute we cannot honour (Service-Type Authorize-Only, filters, anything unknown) → NAK 401
 *   Unsupported-Attribute, changing nothing (RFC 5176 §3.5: a NAS must not apply part of a CoA);
 * - Disconnect: every matching device leaves the gateway at once (a gateway that fails → NAK 506);
 * - CoA: the grant changes to what the request carries (grant.ts); absent figures stay.
 *
 * @example
 *   createDasServer({ …, handle: dasHandler({ sessions, grants, nasIdentifier }) });
 */
import { normalizeMac } from '../lib/net.js';
import { get, vendorAttributes } from '../radius/attributes.js';
import type { DasAnswer } from '../radius/das-server.js';
import { ErrorCause } from '../radius/dictionary.js';
import type { RadiusPacket } from '../radius/packet.js';
import { Vendor } from '../radius/vendors.js';
import { grantOf } from './grant.js';
import type { PoolGrants } from './pool-grants.js';
import type { Sessions } from './sessions.js';

/** Identification and protocol attributes (RFC 5176 §3): User-Name, NAS-IP, Framed-IP, Reply-Message, State, Class, Calling-Station-Id, NAS-Identifier, Proxy-State, Acct-Session-Id, Event-Timestamp, Message-Authenticator. */
const IDENTIFY = new Set([1, 4, 8, 18, 24, 25, 31, 32, 33, 44, 55, 80]);
/** CoA may also carry Session-Timeout, Termination-Action, Acct-Interim-Interval and the vendor grant attributes. */
const COA_STANDARD = new Set([27, 29, 85]);
const COA_VENDOR: Record<number, Set<number>> = {
  [Vendor.ChilliSpot]: new Set([3, 4, 5, 23]), // Max-Total-Octets, Bandwidth-Max-Up/Down, Max-Total-Gigawords
  [Vendor.WISPr]: new Set([7, 8]), // Bandwidth-Max-Up/Down
  [Vendor.Mikrotik]: new Set([8, 17, 18]), // Rate-Limit, Total-Limit(+Gigawords)
};

export interface DasHandlerDeps {
  sessions: Sessions;
  grants: Pick<PoolGrants, 'disconnect' | 'change'>;
  nasIdentifier: string;
}

function unsupported(p: RadiusPacket, coa: boolean): boolean {
  for (const a of p.attributes) {
    if (IDENTIFY.has(a.type) || (coa && COA_STANDARD.has(a.type))) continue;
    if (coa && a.type === 26) continue; // checked per sub-attribute below
    return true;
  }
  if (!coa) return p.attributes.some((a) => a.type === 26);
  return vendorAttributes(p).some((v) => !COA_VENDOR[v.vendor]?.has(v.type)) || p.attributes.filter((a) => a.type === 26).length > vendorAttributes(p).length;
}

/** The device ids a request names (every identifying attribute present must match). */
export function targetsOf(p: RadiusPacket, sessions: Sessions): string[] | null {
  const acct = get(p, 'Acct-Session-Id');
  const user = get(p, 'User-Name');
  const csi = get(p, 'Calling-Station-Id');
  const ip = get(p, 'Framed-IP-Address');
  if (acct === undefined && user === undefined && csi === undefined && ip === undefined) return null;
  const mac = csi !== undefined ? normalizeMac(csi) : undefined;
  return sessions
    .all()
    .filter((s) => (acct === undefined || s.deviceId === acct) && (user === undefined || s.userName === user) && (csi === undefined || s.mac === mac) && (ip === undefined || s.ip === ip))
    .map((s) => s.deviceId);
}

export function dasHandler(deps: DasHandlerDeps) {
  return async function handleDas(kind: 'disconnect' | 'coa', p: RadiusPacket): Promise<DasAnswer> {
    if (unsupported(p, kind === 'coa')) return { ack: false, errorCause: ErrorCause.UnsupportedAttribute };
    const nasId = get(p, 'NAS-Identifier');
    if (nasId !== undefined && nasId !== deps.nasIdentifier) return { ack: false, errorCause: ErrorCause.NASIdentificationMismatch };
    // A CoA that changes nothing we enforce is not a request we can act on (RFC 5176 §3.5 Invalid-Request).
    if (kind === 'coa' && !p.attributes.some((a) => COA_STANDARD.has(a.type) || a.type === 26)) return { ack: false, errorCause: ErrorCause.InvalidRequest };
    const targets = targetsOf(p, deps.sessions);
    if (targets === null) return { ack: false, errorCause: ErrorCause.MissingAttribute };
    if (!targets.length) return { ack: false, errorCause: ErrorCause.SessionContextNotFound };
    let done = 0;
    for (const id of targets) {
      try {
        if (kind === 'disconnect' ? await deps.grants.disconnect(id) : await deps.grants.change(id, grantOf(p))) done++;
      } catch {
        return { ack: false, errorCause: ErrorCause.ResourcesUnavailable };
      }
    }
    return done ? { ack: true } : { ack: false, errorCause: ErrorCause.SessionContextNotFound };
  };
}
