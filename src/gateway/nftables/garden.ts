/**
 * Walled-garden addresses → elements of the `garden4`/`garden6` interval sets (pure). nft refuses
 * overlapping intervals in one batch ("conflicting intervals specified") and prefixes with host bits
 * set, while operators type both (`10.0.0.5` next to `10.0.0.0/24`, a host name resolving into a listed
 * CIDR): entries are masked to their prefix, sorted and merged here, and written back as an address, a
 * prefix or a range.
 *
 * @example
 *   gardenElements(['10.0.0.5', '10.0.0.1/24', '2001:db8::1']); // { v4: ['10.0.0.0/24'], v6: ['2001:db8::1'], invalid: [] }
 */
import { isIP } from 'node:net';

export interface GardenElements {
  v4: string[];
  v6: string[];
  /** Entries that are neither an address nor a CIDR (host names to resolve, or typos). */
  invalid: string[];
}

function toBig(addr: string, fam: 4 | 6): bigint {
  if (fam === 4) return addr.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function fromBig(n: bigint, fam: 4 | 6): string {
  if (fam === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // RFC 5952 §4.2: the longest run (of two or more) of zero groups becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** One entry → [first, last] address, or null when it is not an address or CIDR. */
function parse(entry: string): { fam: 4 | 6; lo: bigint; hi: bigint } | null {
  const [addr, len, extra] = entry.split('/');
  const fam = isIP(addr ?? '');
  if ((fam !== 4 && fam !== 6) || extra !== undefined || addr!.includes('.') !== (fam === 4)) return null;
  const bits = fam === 4 ? 32 : 128;
  if (len !== undefined && (!/^\d{1,3}$/.test(len) || Number(len) > bits)) return null;
  const host = BigInt(bits - (len === undefined ? bits : Number(len)));
  const lo = (toBig(addr!, fam) >> host) << host;
  return { fam, lo, hi: lo + (1n << host) - 1n };
}

/** Writes [lo, hi] as an address, a prefix when it is one, or a range. */
function element(lo: bigint, hi: bigint, fam: 4 | 6): string {
  if (lo === hi) return fromBig(lo, fam);
  const size = hi - lo + 1n;
  const host = size.toString(2).length - 1;
  if (size === 1n << BigInt(host) && lo % size === 0n) return `${fromBig(lo, fam)}/${(fam === 4 ? 32 : 128) - host}`;
  return `${fromBig(lo, fam)}-${fromBig(hi, fam)}`;
}

export function gardenElements(entries: string[]): GardenElements {
  const out: GardenElements = { v4: [], v6: [], invalid: [] };
  const ranges: Record<4 | 6, Array<[bigint, bigint]>> = { 4: [], 6: [] };
  for (const e of entries) {
    const p = parse(e.trim().toLowerCase());
    if (p) ranges[p.fam].push([p.lo, p.hi]);
    else out.invalid.push(e);
  }
  for (const fam of [4, 6] as const) {
    const sorted = ranges[fam].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const merged: Array<[bigint, bigint]> = [];
    for (const [lo, hi] of sorted) {
      const last = merged[merged.length - 1];
      if (last && lo <= last[1] + 1n) last[1] = hi > last[1] ? hi : last[1];
      else merged.push([lo, hi]);
    }
    (fam === 4 ? out.v4 : out.v6).push(...merged.map(([lo, hi]) => element(lo, hi, fam)));
  }
  return out;
}
