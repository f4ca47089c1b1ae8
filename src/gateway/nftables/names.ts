/**
 * Kernel object names for Portico's devices and pools. Ids from the database may hold characters nft
 * identifiers cannot (`-`), so they are hex-encoded: reversible, which lets a restarted Portico read its
 * devices back out of the kernel (`cu_<hex>` → device id) without a side file.
 *
 * @example
 *   deviceNames('dev_1'); // { hex: '6465765f31', up: 'up_6465765f31', down: 'dn_6465765f31', ... }
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
  /** Regular chain every upload packet of the device goes through. */
  up: string;
  /** Regular chain every download packet to the device goes through. */
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
