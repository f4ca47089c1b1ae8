/**
 * Kernel object names for Portico's devices, pools and rate classes. Ids from the database may hold
 * characters nft identifiers cannot (`-`), so they are hex-encoded: reversible, which lets a restarted
 * Portico read its devices back out of the kernel (`cu_<hex>` → device id) without a side file. A
 * device's map elements carry its id as their comment (elementComment), since their `goto` target is a
 * rate class shared by many devices (ruleset.ts).
 *
 * `up_<hex>` / `dn_<hex>` are the per-device chains of releases before rate classes (legacy-migration.ts).
 *
 * @example
 *   deviceNames('dev_1'); // { hex: '6465765f31', up: 'up_6465765f31', down: 'dn_6465765f31', ... }
 *   rateChain('up', 4, 125000); // 'rc_up4_125000'
 */
import { GatewayError } from '../driver.js';

/** nft names are at most 255 bytes; prefixes take 3, hex doubles the id. */
const MAX_ID_BYTES = 120;

export function idToHex(id: string): string {
  const buf = Buffer.from(id, 'utf8');
  if (buf.length === 0 || buf.length > MAX_ID_BYTES) {
    throw new GatewayError(`id "${id.slice(0, 40)}" must be 1..${MAX_ID_BYTES} bytes to name nft objects`);
  }
  return buf.toString('hex');
}

export function hexToId(hex: string): string | null {
  if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return null;
  return Buffer.from(hex, 'hex').toString('utf8');
}

export interface DeviceNames {
  hex: string;
  /** Per-device chains of older releases (legacy-migration.ts removes them). */
  up: string;
  down: string;
  /** Named counters: bytes of the addresses the device no longer has (ruleset.ts). */
  counterUp: string;
  counterDown: string;
}

export function deviceNames(deviceId: string): DeviceNames {
  const hex = idToHex(deviceId);
  return { hex, up: `up_${hex}`, down: `dn_${hex}`, counterUp: `cu_${hex}`, counterDown: `cd_${hex}` };
}

/** The named quota shared by both directions of every device of the pool. */
export function quotaName(poolId: string): string {
  return `q_${idToHex(poolId)}`;
}

/** Parses a kernel object name back to its kind and id; null for names Portico does not own. */
export function parseObjectName(name: string): { kind: 'cu' | 'cd' | 'up' | 'dn' | 'q'; id: string } | null {
  const m = /^(cu|cd|up|dn|q)_([0-9a-f]+)$/.exec(name);
  if (!m) return null;
  const id = hexToId(m[2]!);
  return id === null ? null : { kind: m[1] as 'cu' | 'cd' | 'up' | 'dn' | 'q', id };
}

export type Direction = 'up' | 'dn';

/**
 * The chain (and, with a rate, the meter set `rl_…`) of a rate class: every device whose pool has this
 * per-device rate in this direction and family goes there. `bytesPerSecond` null = no limit.
 */
export function rateChain(dir: Direction, fam: 4 | 6, bytesPerSecond: number | null): string {
  return `rc_${dir}${fam}_${bytesPerSecond === null ? 'none' : String(bytesPerSecond)}`;
}

export function meterSet(dir: Direction, fam: 4 | 6, bytesPerSecond: number): string {
  return `rl_${dir}${fam}_${bytesPerSecond}`;
}

export function parseRateChain(name: string): { dir: Direction; fam: 4 | 6; rate: number | null } | null {
  const m = /^rc_(up|dn)([46])_(none|[1-9][0-9]*)$/.exec(name);
  if (!m) return null;
  return { dir: m[1] as Direction, fam: m[2] === '4' ? 4 : 6, rate: m[3] === 'none' ? null : Number(m[3]) };
}

const SAFE_ID = /^[A-Za-z0-9_.:@\-+]{1,120}$/;

/** The comment naming a device on its elements: the id itself when it is plain, else `%<hex>` (nft comments hold 128 bytes). */
export function elementComment(deviceId: string): string {
  if (SAFE_ID.test(deviceId)) return deviceId;
  const hex = idToHex(deviceId);
  if (hex.length > 126) throw new GatewayError(`device id "${deviceId.slice(0, 40)}" is too long to name nft elements`);
  return `%${hex}`;
}

export function parseElementComment(comment: string): string | null {
  if (comment.startsWith('%')) return hexToId(comment.slice(1));
  return SAFE_ID.test(comment) ? comment : null;
}
