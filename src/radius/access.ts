/**
 * Access-Request → Access-Accept / Access-Reject for one authenticated request (RFC 2865 §4.1–4.3).
 * The code arrives as User-Name; the password (PAP, RFC 2865 §5.2, or CHAP, §5.3) must be the same code
 * (any spelling the portal accepts) or empty, as MikroTik/CoovaChilli login pages send it. CHAP only
 * carries a hash of what was typed, so the spellings a login page may send are tried: as typed, the
 * normalized code, and dashed. The grant comes from core (`core.radius.authorize`), which applies the
 * portal's rules; the Accept carries what the NAS profile enforces, and a Reject a Reply-Message in the
 * network's language.
 *
 * @example
 *   const reply = await handleAccess({ core, nas, packet, translate, interimSec: 300 });
 */
import { Buffer } from 'node:buffer';
import type { NasConfig } from '../config/schema.js';
import type { RadiusAuthorizeInput, RadiusGrant, SliceRule } from '../core/radius.js';
import { formatCode, parseCode } from '../domain/code.js';
import { isDomainError } from '../domain/errors.js';
import { normalizeMac } from '../lib/net.js';
import { get, has, type AttributeInput } from './attributes.js';
import { encodeResponse, userPassword, verifyChapRequest } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';
import { grantAttributesFor, NAS_PROFILES } from './profiles.js';

const MAX_32 = 0xffff_ffff;

/** Our grant id from State, when the NAS echoes it (printable ids only). */
function stateOf(packet: RadiusPacket): string | null {
  const st = get(packet, 'State');
  const text = st ? st.toString('utf8') : '';
  return /^[\w-]{1,64}$/.test(text) ? text : null;
}

/** Localized resident text for a refusal code (the composition passes the portal's sentences). */
export type Translate = (code: string, vars: Record<string, string | number>) => string;

export interface AccessDeps {
  authorize: (input: RadiusAuthorizeInput) => Promise<RadiusGrant>;
  /** MAC authentication: User-Name is the device's MAC (radius.md §a). */
  authorizeMac: (input: RadiusAuthorizeInput) => Promise<RadiusGrant>;
  translate: Translate;
  interimSec: number;
  /** Slice bounds (radius.server.sliceMinBytes/sliceMaxBytes, radius.md §b). */
  slice: { minBytes: number; maxBytes: number };
  /** Source address of the request: where a Disconnect-Request for this session goes. */
  nasIp: string;
  /** Whether a MAC is on the operator's bypass list: its MAC authentication is accepted without a code or limits. */
  isBypassed?: (mac: string) => boolean;
}

/** The slice rule for a NAS profile: none when it enforces no data; pfSense's attribute has 32 bits. */
export function sliceRuleFor(profile: NasConfig['profile'], slice: AccessDeps['slice']): SliceRule | null {
  const data = NAS_PROFILES[profile].data;
  if (data === null) return null;
  return { ...slice, capBytes: data === 'pfsense-total' ? MAX_32 : Number.MAX_SAFE_INTEGER };
}

/** Whether the request's password (PAP or CHAP) is the User-Name's code, or empty. */
export function passwordMatches(packet: RadiusPacket, userName: string, secret: string): boolean {
  const parsed = parseCode(userName);
  const spellings = new Set(['', userName, ...(parsed.ok ? [parsed.code, formatCode(parsed.code)] : [])]);
  if (has(packet, 'CHAP-Password')) return [...spellings].some((s) => verifyChapRequest(packet, s));
  if (!has(packet, 'User-Password')) return false;
  const pap = userPassword(packet, secret);
  if (pap === undefined) return false;
  if (spellings.has(pap)) return true;
  const typed = parseCode(pap);
  return parsed.ok && typed.ok && typed.code === parsed.code;
}

/** The spellings of a MAC a NAS may send as MAC-auth password: as typed, colon/dash, either case, bare. */
function macSpellings(mac: string): Set<string> {
  const bare = mac.replace(/:/g, '');
  const dashed = mac.replace(/:/g, '-');
  return new Set(['', mac, mac.toUpperCase(), dashed, dashed.toUpperCase(), bare, bare.toUpperCase()]);
}

/**
 * MAC authentication (radius.md §a): MikroTik `mac-as-username` (empty password by default), CoovaChilli
 * `macauth` (the MAC as password unless `macpasswd`). Returns the MAC when User-Name is one and the
 * request is consistent (Calling-Station-Id, when present, is the same device; the password is empty or
 * that MAC), false when User-Name is a MAC but the request is not, and null when User-Name is no MAC.
 */
function macAuthOf(packet: RadiusPacket, userName: string | undefined, secret: string): string | false | null {
  const mac = userName === undefined ? null : normalizeMac(userName);
  if (!mac) return null;
  const csi = get(packet, 'Calling-Station-Id');
  if (csi !== undefined && normalizeMac(csi) !== mac) return false;
  const spellings = macSpellings(mac);
  if (has(packet, 'CHAP-Password')) return [...spellings, userName!].some((s) => verifyChapRequest(packet, s)) ? mac : false;
  const pap = has(packet, 'User-Password') ? userPassword(packet, secret) : '';
  return pap !== undefined && (spellings.has(pap) || pap === userName) ? mac : false;
}

function reject(packet: RadiusPacket, nas: NasConfig, deps: AccessDeps, code: string, vars: Record<string, string | number> = {}): Buffer {
  // Reply-Message is at most 253 octets (RFC 2865 §5); the portal's sentences are far shorter.
  const text = Buffer.from(deps.translate(code, vars), 'utf8').subarray(0, 253).toString('utf8');
  return encodeResponse(packet, Code.AccessReject, [['Reply-Message', text]], nas.secret);
}

/**
 * The reply to an authenticated Access-Request. Throws only for failures that deserve no answer (a bug or
 * failing storage, not a refusal): the NAS will retry and the duplicate cache forgets the request.
 */
export async function handleAccess(packet: RadiusPacket, nas: NasConfig, deps: AccessDeps): Promise<{ reply: Buffer; outcome: string }> {
  const userName = get(packet, 'User-Name');
  const mac = macAuthOf(packet, userName, nas.secret);
  if (mac === false || userName === undefined || (mac === null && !passwordMatches(packet, userName, nas.secret))) {
    return { reply: reject(packet, nas, deps, 'VOUCHER_UNKNOWN'), outcome: 'BAD_PASSWORD' };
  }
  if (mac && deps.isBypassed?.(mac)) {
    // The bypass list (a till, a printer): let it through with no Class, so its accounting binds to no pool.
    return { reply: encodeResponse(packet, Code.AccessAccept, [['Acct-Interim-Interval', deps.interimSec]], nas.secret), outcome: 'BYPASS' };
  }
  let grant: RadiusGrant;
  try {
    grant = await (mac ? deps.authorizeMac : deps.authorize)({
      nas: nas.name,
      code: userName,
      mac: get(packet, 'Calling-Station-Id') ?? null,
      ip: get(packet, 'Framed-IP-Address') ?? null,
      interimSec: deps.interimSec,
      slice: sliceRuleFor(nas.profile, deps.slice),
      state: stateOf(packet),
      nasIp: deps.nasIp,
      userName,
    });
  } catch (err) {
    // Storage failing (a full disk, PostgreSQL away) is no refusal: no answer, so the NAS retransmits or
    // fails over to its secondary server (a second Portico on the same PostgreSQL), instead of telling
    // the resident their valid code is wrong.
    if (!isDomainError(err) || err.code === 'STORAGE_FAILED') throw err;
    const retryAfter = typeof err.details.retryAfter === 'number' ? err.details.retryAfter : 60;
    return { reply: reject(packet, nas, deps, err.code, { s: retryAfter }), outcome: err.code };
  }
  const attrs: AttributeInput[] = [];
  // RFC 2865 §5.27: the most seconds the session may last; wall-clock expiry makes it exact (radius.md §b 6).
  if (grant.secondsLeft !== null) attrs.push(['Session-Timeout', Math.max(1, grant.secondsLeft)]);
  attrs.push(['Acct-Interim-Interval', deps.interimSec]);
  // RFC 2865 §5.25: echoed unmodified in accounting; binds the NAS session to this grant.
  attrs.push(['Class', grant.sessionId]);
  attrs.push(...grantAttributesFor(nas.profile, grant));
  if (grant.sliceBytes !== null) {
    // RFC 2865 §5.29/§5.24: at Session-Timeout the NAS may re-authorize with our State and get a new slice.
    attrs.push(['Termination-Action', 1], ['State', grant.sessionId]);
  }
  return { reply: encodeResponse(packet, Code.AccessAccept, attrs, nas.secret), outcome: 'ACCEPT' };
}
