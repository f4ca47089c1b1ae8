/**
 * 64-bit byte counts over 32-bit RADIUS integers. Accounting carries octets modulo 2^32 plus a
 * Gigawords attribute counting the wraps (RFC 2869 §5.1–5.2: Acct-Input/Output-Gigawords); grants go
 * the other way as value + gigawords pairs (Mikrotik-Total-Limit + -Gigawords, ChilliSpot-Max-*-Octets +
 * -Gigawords as bits 32–63). Values are `bigint` so nothing rounds past 2^53.
 *
 * @example
 *   octets64(packet, 'input');                 // 8590058048n for Octets 123456 + Gigawords 2
 *   splitGigawords(5_000_000_000n);            // { octets: 705032704, gigawords: 1 }
 *   grantAttributes('mikrotik-total', 5_000_000_000n);
 */
import { get } from './attributes.js';
import type { AttributeInput } from './attributes.js';
import { RadiusError } from './errors.js';
import type { RadiusPacket } from './packet.js';

const WORD = 1n << 32n;
const MAX_64 = (1n << 64n) - 1n;

/** octets + gigawords × 2^32. */
export function joinGigawords(octets: number, gigawords = 0): bigint {
  return BigInt(octets >>> 0) + BigInt(gigawords >>> 0) * WORD;
}

/** Splits a 64-bit count into the low 32 bits and the number of 2^32 wraps. */
export function splitGigawords(total: bigint | number): { octets: number; gigawords: number } {
  const t = typeof total === 'number' ? BigInt(Math.floor(total)) : total;
  if (t < 0n || t > MAX_64) throw new RadiusError('BAD_VALUE', `${t} is not a 64-bit byte count`);
  return { octets: Number(t % WORD), gigawords: Number(t / WORD) };
}

/**
 * The 64-bit Acct-Input (from the client) or Acct-Output (to the client) count of an
 * Accounting-Request; undefined when the Octets attribute is absent. Missing Gigawords counts as 0.
 */
export function octets64(packet: RadiusPacket, direction: 'input' | 'output'): bigint | undefined {
  const octets = get(packet, direction === 'input' ? 'Acct-Input-Octets' : 'Acct-Output-Octets');
  if (octets === undefined) return undefined;
  return joinGigawords(octets, get(packet, direction === 'input' ? 'Acct-Input-Gigawords' : 'Acct-Output-Gigawords') ?? 0);
}

/** Attribute pairs each NAS reads as one 64-bit byte grant (names verified in vendors.ts). */
export const GRANT_ATTRIBUTES = {
  'mikrotik-total': ['Mikrotik-Total-Limit', 'Mikrotik-Total-Limit-Gigawords'],
  'mikrotik-recv': ['Mikrotik-Recv-Limit', 'Mikrotik-Recv-Limit-Gigawords'],
  'mikrotik-xmit': ['Mikrotik-Xmit-Limit', 'Mikrotik-Xmit-Limit-Gigawords'],
  'chillispot-total': ['ChilliSpot-Max-Total-Octets', 'ChilliSpot-Max-Total-Gigawords'],
  'chillispot-input': ['ChilliSpot-Max-Input-Octets', 'ChilliSpot-Max-Input-Gigawords'],
  'chillispot-output': ['ChilliSpot-Max-Output-Octets', 'ChilliSpot-Max-Output-Gigawords'],
} as const;

/**
 * The `[name, value]` pairs granting `bytes` through one NAS's attribute pair; the Gigawords attribute is
 * left out when zero (older firmware does not know it). pfSense-Max-Total-Octets has no gigawords
 * partner, so it is not here: a pfSense grant above 2^32-1 must be capped by the caller.
 */
export function grantAttributes(pair: keyof typeof GRANT_ATTRIBUTES, bytes: bigint | number): AttributeInput[] {
  const [low, high] = GRANT_ATTRIBUTES[pair];
  const { octets, gigawords } = splitGigawords(bytes);
  if (gigawords > 0xffffffff) throw new RadiusError('BAD_VALUE', `${bytes} exceeds what a gigawords pair can carry`);
  const out: AttributeInput[] = [[low, octets]];
  if (gigawords > 0) out.push([high, gigawords]);
  return out;
}
