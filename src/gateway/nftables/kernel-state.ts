/**
 * Reads Portico's state back out of `nft -j` JSON (pure; tested with recorded fixtures). This is what
 * lets a restarted Portico (even after kill -9) pick up the devices, counters and quotas the kernel kept
 * enforcing while it was down, instead of flushing them.
 *
 * @example
 *   const state = parseTable(JSON.parse(await exec('nft -j list table inet portico')).nftables);
 *   state.devices.get('dev_1')?.ips4; // ['10.0.0.23']
 */
import { parseObjectName } from './names.js';

export interface KernelDevice {
  mac: string | null;
  ips4: string[];
  ips6: string[];
  /** Pool id whose quota the device's chains reference, if any. */
  poolId: string | null;
  /** Bytes of addresses it no longer has (its named counters). */
  retired: ByteCounters;
  /** Handles of `counter name … accept` rules in its chains (a legacy table: legacy-migration.ts). */
  legacyRules: { up: number[]; down: number[] };
}

export interface KernelQuota {
  bytes: number;
  used: number;
}

export interface KernelState {
  devices: Map<string, KernelDevice>;
  quotas: Map<string, KernelQuota>;
  /** Device maps without the `counter` flag (made by an older Portico), to be re-created. */
  legacyMaps: string[];
}

const DEVICE_MAPS = new Set(['up4', 'up6', 'down4', 'down6']);

type Obj = Record<string, unknown>;

function device(map: Map<string, KernelDevice>, id: string): KernelDevice {
  let d = map.get(id);
  if (!d) map.set(id, (d = { mac: null, ips4: [], ips6: [], poolId: null, retired: { up: 0, down: 0 }, legacyRules: { up: [], down: [] } }));
  return d;
}

export function parseTable(items: unknown[]): KernelState {
  const devices = new Map<string, KernelDevice>();
  const quotas = new Map<string, KernelQuota>();
  const legacyMaps: string[] = [];
  for (const item of items as Obj[]) {
    const counter = item.counter as Obj | undefined;
    if (counter) {
      const n = parseObjectName(String(counter.name));
      if (n?.kind === 'cu') device(devices, n.id).retired.up = Number(counter.bytes ?? 0);
      if (n?.kind === 'cd') device(devices, n.id).retired.down = Number(counter.bytes ?? 0);
    }
    const quota = item.quota as Obj | undefined;
    if (quota) {
      const n = parseObjectName(String(quota.name));
      if (n?.kind === 'q') quotas.set(n.id, { bytes: Number(quota.bytes ?? 0), used: Number(quota.used ?? 0) });
    }
    const map = item.map as Obj | undefined;
    // A map with the `counter` flag carries `"stmt": [{"counter": null}]`.
    const counted = Array.isArray(map?.stmt) && (map.stmt as Obj[]).some((s) => 'counter' in s);
    if (map && DEVICE_MAPS.has(String(map.name)) && !counted) legacyMaps.push(String(map.name));
    if (map && (map.name === 'up4' || map.name === 'up6') && Array.isArray(map.elem)) {
      for (const el of map.elem as unknown[]) {
        const [key, verdict] = el as [Obj, Obj];
        // With per-element counters the key is wrapped: {"elem": {"val": …, "counter": …}}.
        const val = ((key.elem as Obj | undefined)?.val ?? key) as Obj;
        const concat = val.concat as [string, string] | undefined;
        const target = (verdict.goto as Obj | undefined)?.target;
        const n = typeof target === 'string' ? parseObjectName(target) : null;
        if (!concat || n?.kind !== 'up') continue;
        const d = device(devices, n.id);
        d.mac = concat[1];
        (map.name === 'up4' ? d.ips4 : d.ips6).push(concat[0]);
      }
    }
    const rule = item.rule as Obj | undefined;
    if (rule && Array.isArray(rule.expr)) {
      const n = parseObjectName(String(rule.chain));
      if (n?.kind !== 'up' && n?.kind !== 'dn') continue;
      for (const e of rule.expr as Obj[]) {
        if (typeof e.counter === 'string') device(devices, n.id).legacyRules[n.kind === 'up' ? 'up' : 'down'].push(Number(rule.handle));
        if (n.kind === 'up' && typeof e.quota === 'string') {
          const qn = parseObjectName(e.quota);
          if (qn?.kind === 'q') device(devices, n.id).poolId = qn.id;
        }
      }
    }
  }
  return { devices, quotas, legacyMaps };
}

export interface ByteCounters {
  up: number;
  down: number;
}

/**
 * `list map inet <t> up4` (and up6, down4, down6) → bytes per device, added into `into`: each element
 * counts one address, its `goto` target names the device. `only(deviceId, ip)` picks elements.
 */
export function parseElementCounters(
  items: unknown[],
  into: Map<string, ByteCounters>,
  only: (deviceId: string, ip: string) => boolean = () => true,
): Map<string, ByteCounters> {
  for (const item of items as Obj[]) {
    const map = item.map as Obj | undefined;
    if (!map || !Array.isArray(map.elem)) continue;
    for (const el of map.elem as unknown[]) {
      const [key, verdict] = el as [Obj, Obj];
      const target = (verdict.goto as Obj | undefined)?.target;
      const n = typeof target === 'string' ? parseObjectName(target) : null;
      const bytes = Number(((key.elem as Obj | undefined)?.counter as Obj | undefined)?.bytes ?? 0);
      if (!n || (n.kind !== 'up' && n.kind !== 'dn')) continue;
      const val = ((key.elem as Obj | undefined)?.val ?? key) as Obj | string;
      const ip = typeof val === 'string' ? val : String((val.concat as unknown[] | undefined)?.[0]);
      if (!only(n.id, ip)) continue;
      let v = into.get(n.id);
      if (!v) into.set(n.id, (v = { up: 0, down: 0 }));
      if (n.kind === 'up') v.up += bytes;
      else v.down += bytes;
    }
  }
  return into;
}

/** `list quotas table inet <t>` → pool id → quota. */
export function parseQuotas(items: unknown[]): Map<string, KernelQuota> {
  return parseTable(items).quotas;
}
