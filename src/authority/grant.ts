/**
 * What a central server's reply means for this gateway (SPEC §10): an Access-Accept becomes a grant the
 * local gateway driver enforces, an Access-Reject a refusal the portal shows. Pure: packets in, figures
 * out. The attributes read are the ones SPEC §9 names for a NAS (radius.md §a), in this order:
 * - time: Session-Timeout (RFC 2865 §5.27), seconds from now;
 * - data: ChilliSpot-Max-Total-Octets + -Gigawords (bits 32–63, CoovaChilli's reading), else
 *   Mikrotik-Total-Limit + -Gigawords; a session-total: what the session may use since it started;
 * - rates: WISPr-Bandwidth-Max-Down/Up (bit/s), else ChilliSpot-Bandwidth-Max-* (kbit/s), else
 *   Mikrotik-Rate-Limit (`rx/tx` in the router's view: rx = client upload, tx = client download);
 * - Class (echoed in accounting, RFC 2865 §5.25), State and Termination-Action = RADIUS-Request (the
 *   server wants a new Access-Request before the grant ends, RFC 2865 §5.29), Acct-Interim-Interval.
 *
 * @example
 *   const g = grantOf(accept);   // { secondsLeft: 3600, bytes: 1e9, downBps: 2e6, … }
 */
import { get, getVendor } from '../radius/attributes.js';
import { TerminationAction } from '../radius/dictionary.js';
import { joinGigawords } from '../radius/gigawords.js';
import type { RadiusPacket } from '../radius/packet.js';

export interface Grant {
  secondsLeft: number | null;
  /** Bytes the session may use since it started (up + down); null = no data limit. */
  bytes: number | null;
  downBps: number | null;
  upBps: number | null;
  /** Class and State as hex (JSON-safe), echoed back as the server sent them. */
  classHex: string | null;
  stateHex: string | null;
  /** The server asked to be asked again before the grant ends (Termination-Action RADIUS-Request). */
  reauth: boolean;
  /** Acct-Interim-Interval, at least 60 s (RFC 2869 §5.16); null = none sent. */
  interimSec: number | null;
}

/** A MikroTik rate figure: `2M`, `512k`, `1000000` → bit/s; null when unreadable or 0 (unlimited). */
function mikrotikBps(text: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec((text ?? '').trim());
  if (!m) return null;
  const n = Number(m[1]) * (m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000);
  return n > 0 ? Math.round(n) : null;
}

function dataOf(p: RadiusPacket): number | null {
  const chilli = getVendor(p, 'ChilliSpot-Max-Total-Octets');
  if (chilli !== undefined) return Number(joinGigawords(chilli, getVendor(p, 'ChilliSpot-Max-Total-Gigawords') ?? 0));
  const mk = getVendor(p, 'Mikrotik-Total-Limit');
  if (mk !== undefined) return Number(joinGigawords(mk, getVendor(p, 'Mikrotik-Total-Limit-Gigawords') ?? 0));
  return null;
}

function ratesOf(p: RadiusPacket): { downBps: number | null; upBps: number | null } {
  const wDown = getVendor(p, 'WISPr-Bandwidth-Max-Down');
  const wUp = getVendor(p, 'WISPr-Bandwidth-Max-Up');
  if (wDown !== undefined || wUp !== undefined) return { downBps: wDown || null, upBps: wUp || null };
  const cDown = getVendor(p, 'ChilliSpot-Bandwidth-Max-Down');
  const cUp = getVendor(p, 'ChilliSpot-Bandwidth-Max-Up');
  if (cDown !== undefined || cUp !== undefined) return { downBps: cDown ? cDown * 1000 : null, upBps: cUp ? cUp * 1000 : null };
  const mk = getVendor(p, 'Mikrotik-Rate-Limit');
  if (mk !== undefined) {
    // Only the first pair (rx/tx) matters; bursts and priorities after it are ignored.
    const [rx, tx] = mk.trim().split(/\s+/)[0]!.split('/');
    return { upBps: mikrotikBps(rx), downBps: mikrotikBps(tx ?? rx) };
  }
  return { downBps: null, upBps: null };
}

/** The grant an Access-Accept carries. */
export function grantOf(accept: RadiusPacket): Grant {
  const timeout = get(accept, 'Session-Timeout');
  const cls = get(accept, 'Class');
  const state = get(accept, 'State');
  const interim = get(accept, 'Acct-Interim-Interval');
  return {
    secondsLeft: timeout !== undefined && timeout > 0 ? timeout : null,
    bytes: dataOf(accept),
    ...ratesOf(accept),
    classHex: cls ? cls.toString('hex') : null,
    stateHex: state ? state.toString('hex') : null,
    reauth: get(accept, 'Termination-Action') === TerminationAction.RADIUSRequest,
    interimSec: interim !== undefined && interim > 0 ? Math.max(60, interim) : null,
  };
}

/** Reply-Message of a Reject (several are concatenated, RFC 2865 §5.18), trimmed to what a page shows. */
export function replyMessageOf(reject: RadiusPacket): string | null {
  const text = reject.attributes.filter((a) => a.type === 18).map((a) => a.value.toString('utf8')).join('').trim();
  return text ? text.slice(0, 253) : null;
}
