/**
 * Value codecs for the attribute kinds of RFC 8044 §3 that NASes use: integer (4 octets, unsigned),
 * ipaddr (4), ipv6addr (16), ipv6prefix (RFC 3162 §2.3: reserved, prefix-length, prefix), ifid (8),
 * date (RFC 2865 §5: seconds since 1970, 4 octets), string (UTF-8 text) and octets.
 *
 * Decoding never throws: a value of the wrong size is an "invalid attribute" (RFC 6929 §2.8), which
 * the caller treats as unknown — `decodeValue` returns undefined and the raw octets stay in the packet.
 * Encoding throws `RadiusError('BAD_VALUE')`, because that is our own bug or bad configuration.
 *
 * @example decodeValue('ipaddr', Buffer.from([10, 1, 2, 3])); // '10.1.2.3'
 */
import { Buffer } from 'node:buffer';
import type { AttributeKind } from './dictionary.js';
import { RadiusError } from './errors.js';

/** What `get()` returns per kind. */
export type ValueOf<K extends AttributeKind> = K extends 'integer'
  ? number
  : K extends 'date'
    ? Date
    : K extends 'octets' | 'ifid'
      ? Buffer
      : string;

/** What an encoder accepts per kind (octets also take text, dates also take Unix seconds). */
export type InputOf<K extends AttributeKind> = K extends 'integer'
  ? number
  : K extends 'date'
    ? Date | number
    : K extends 'octets' | 'ifid' | 'string'
      ? Buffer | string
      : string;

export function decodeValue<K extends AttributeKind>(kind: K, raw: Buffer): ValueOf<K> | undefined;
export function decodeValue(kind: AttributeKind, raw: Buffer): unknown {
  switch (kind) {
    case 'string':
      return raw.toString('utf8');
    case 'octets':
      return Buffer.from(raw);
    case 'ifid':
      return raw.length === 8 ? Buffer.from(raw) : undefined;
    case 'integer':
      return raw.length === 4 ? raw.readUInt32BE(0) : undefined;
    case 'date':
      return raw.length === 4 ? new Date(raw.readUInt32BE(0) * 1000) : undefined;
    case 'ipaddr':
      return raw.length === 4 ? Array.from(raw).join('.') : undefined;
    case 'ipv6addr':
      return raw.length === 16 ? formatIpv6(raw) : undefined;
    case 'ipv6prefix': {
      // RFC 3162 §2.3: Reserved, Prefix-Length (0..128), then only as many prefix octets as needed.
      if (raw.length < 2 || raw.length > 18) return undefined;
      const bits = raw[1]!;
      if (bits > 128 || (raw.length - 2) * 8 < bits) return undefined;
      const full = Buffer.alloc(16);
      raw.copy(full, 0, 2);
      return `${formatIpv6(full)}/${bits}`;
    }
  }
}

export function encodeValue<K extends AttributeKind>(kind: K, value: InputOf<K>, label: string): Buffer;
export function encodeValue(kind: AttributeKind, value: unknown, label: string): Buffer {
  const bad = (why: string): never => {
    throw new RadiusError('BAD_VALUE', `${label}: ${why}`);
  };
  switch (kind) {
    case 'string':
    case 'octets':
    case 'ifid': {
      const b = Buffer.isBuffer(value) ? Buffer.from(value) : typeof value === 'string' ? Buffer.from(value, 'utf8') : bad('expects a string or Buffer');
      if (kind === 'ifid' && b.length !== 8) bad('an interface id has 8 octets');
      return b;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
        bad(`${String(value)} is not an integer in 0..2^32-1 (use the gigawords helpers for more)`);
      }
      const b = Buffer.alloc(4);
      b.writeUInt32BE(value as number);
      return b;
    }
    case 'date': {
      const secs = value instanceof Date ? Math.floor(value.getTime() / 1000) : value;
      if (typeof secs !== 'number' || !Number.isInteger(secs) || secs < 0 || secs > 0xffffffff) bad('not a date in 1970..2106');
      const b = Buffer.alloc(4);
      b.writeUInt32BE(secs as number);
      return b;
    }
    case 'ipaddr': {
      const parts = typeof value === 'string' ? parseIpv4(value) : undefined;
      return parts ? Buffer.from(parts) : bad(`${String(value)} is not a dotted IPv4 address`);
    }
    case 'ipv6addr': {
      const b = typeof value === 'string' ? parseIpv6(value) : undefined;
      return b ?? bad(`${String(value)} is not an IPv6 address`);
    }
    case 'ipv6prefix': {
      const m = typeof value === 'string' ? /^(.+)\/(\d{1,3})$/.exec(value) : null;
      const addr = m ? parseIpv6(m[1]!) : undefined;
      const bits = m ? Number(m[2]) : NaN;
      if (!addr || !(bits <= 128)) return bad(`${String(value)} is not an IPv6 prefix like 2001:db8::/32`);
      // Send only the octets the prefix needs (RFC 3162 §2.3 allows it; FreeRADIUS does the same).
      return Buffer.concat([Buffer.from([0, bits]), addr.subarray(0, Math.ceil(bits / 8))]);
    }
  }
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : undefined;
}

/** Parses RFC 4291 §2.2 text (with `::` and an optional dotted-quad tail) into 16 octets. */
export function parseIpv6(s: string): Buffer | undefined {
  let text = s;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.') && lastColon >= 0) {
    const v4 = parseIpv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    // Keep '::' intact ('::1.2.3.4'); otherwise drop the colon that preceded the dotted quad.
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const hex = [...head, ...rest];
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const total = hex.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const words = [
    ...head.map((g) => parseInt(g, 16)),
    ...new Array<number>(8 - total).fill(0),
    ...rest.map((g) => parseInt(g, 16)),
    ...tail,
  ];
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** RFC 5952 text: lower case, longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(b: Buffer): string {
  const words = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
