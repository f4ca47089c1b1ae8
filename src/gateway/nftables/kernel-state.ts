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
}

export interface KernelQuota {
  bytes: number;
  used: number;
}

export interface KernelState {
  devices: Map<string, KernelDevice>;
  quotas: Map<string, KernelQuota>;
}

type Obj = Record<string, unknown>;

function device(map: Map<string, KernelDevice>, id: string): KernelDevice {
  let d = map.get(id);
  if (!d) map.set(id, (d = { mac: null, ips4: [], ips6: [], poolId: null }));
  return d;
}

export function parseTable(items: unknown[]): KernelState {
  const devices = new Map<string, KernelDevice>();
  const quotas = new Map<string, KernelQuota>();
  for (const item of items as Obj[]) {
    const counter = item.counter as Obj | undefined;
    if (counter) {
      const n = parseObjectName(String(counter.name));
      if (n && (n.kind === 'cu' || n.kind === 'cd')) device(devices, n.id);
    }
    const quota = item.quota as Obj | undefined;
    if (quota) {
      const n = parseObjectName(String(quota.name));
      if (n?.kind === 'q') quotas.set(n.id, { bytes: Number(quota.bytes ?? 0), used: Number(quota.used ?? 0) });
    }
    const map = item.map as Obj | undefined;
    if (map && (map.name === 'up4' || map.name === 'up6') && Array.isArray(map.elem)) {
      for (const el of map.elem as unknown[]) {
        const [key, verdict] = el as [Obj, Obj];
        const concat = key.concat as [string, string] | undefined;
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
      if (n?.kind !== 'up') continue;
      for (const e of rule.expr as Obj[]) {
        if (typeof e.quota === 'string') {
          const qn = parseObjectName(e.quota);
          if (qn?.kind === 'q') device(devices, n.id).poolId = qn.id;
        }
      }
    }
  }
  // Only devices with both counters are whole; chains without counters are leftovers to ignore.
  return { devices, quotas };
}

export interface ByteCounters {
  up: number;
  down: number;
}

/** `list counters table inet <t>` → per-device byte counters. */
export function parseCounters(items: unknown[]): Map<string, ByteCounters> {
  const out = new Map<string, ByteCounters>();
  for (const item of items as Obj[]) {
    const c = item.counter as Obj | undefined;
    if (!c) continue;
    const n = parseObjectName(String(c.name));
    if (!n || (n.kind !== 'cu' && n.kind !== 'cd')) continue;
    let v = out.get(n.id);
    if (!v) out.set(n.id, (v = { up: 0, down: 0 }));
    if (n.kind === 'cu') v.up = Number(c.bytes ?? 0);
    else v.down = Number(c.bytes ?? 0);
  }
  return out;
}

/** `list quotas table inet <t>` → pool id → quota. */
export function parseQuotas(items: unknown[]): Map<string, KernelQuota> {
  return parseTable(items).quotas;
}
