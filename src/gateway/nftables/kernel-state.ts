/**
 * Reads Portico's state back out of `nft -j` JSON (pure; tested with recorded fixtures). This is what
 * lets a restarted Portico (even after kill -9) pick up the devices, counters and quotas the kernel kept
 * enforcing while it was down, instead of flushing them.
 *
 * A device is known by the comment on its elements (names.ts elementComment); in a table from a release
 * with per-device chains, by the chain its elements `goto` (`up_<hex>`), whose rules then give its rates
 * and pool (legacy-migration.ts moves such a table to rate classes).
 *
 * @example
 *   const state = parseTable(JSON.parse(await exec('nft -j list table inet portico')).nftables);
 *   state.devices.get('dev_1')?.ips4; // ['10.0.0.23']
 */
import { parseElementComment, parseObjectName, parseRateChain } from './names.js';

export interface ByteCounters {
  up: number;
  down: number;
}

export interface KernelDevice {
  mac: string | null;
  ips4: string[];
  ips6: string[];
  /** Pool whose quota the device's addresses are charged to, if any. */
  poolId: string | null;
  /** Rate classes its elements point to (bytes/s, null = no limit; undefined = no element seen). */
  up: number | null | undefined;
  down: number | null | undefined;
  /** Bytes of addresses it no longer has (its named counters), and whether those exist. */
  retired: ByteCounters;
  hasRetired: boolean;
  /** What each address's elements counted so far. */
  bytes: Map<string, ByteCounters>;
  /** The device has chains of its own (`up_<hex>`/`dn_<hex>`): a table from an older release. */
  legacyChains: boolean;
}

export interface KernelQuota {
  bytes: number;
  used: number;
}

export interface KernelState {
  devices: Map<string, KernelDevice>;
  quotas: Map<string, KernelQuota>;
  /** Rate-class chains present (`rc_…`). */
  classes: Set<string>;
  /** Device maps without the `counter` flag (made by an older Portico), to be re-created. */
  legacyMaps: string[];
}

const DEVICE_MAPS = new Set(['up4', 'up6', 'down4', 'down6']);
const QUOTA_MAPS = new Set(['uq4', 'uq6']);
const UNIT: Record<string, number> = { bytes: 1, kbytes: 1024, mbytes: 1024 * 1024 };

type Obj = Record<string, unknown>;

function device(map: Map<string, KernelDevice>, id: string): KernelDevice {
  let d = map.get(id);
  if (!d) {
    d = { mac: null, ips4: [], ips6: [], poolId: null, up: undefined, down: undefined, retired: { up: 0, down: 0 }, hasRetired: false, bytes: new Map(), legacyChains: false };
    map.set(id, d);
  }
  return d;
}

/** One element of a device map, as `nft -j list map` prints it. */
export interface MapElement {
  map: string;
  ip: string;
  mac: string | null;
  bytes: number;
  target: string | null;
  comment: string | null;
}

/** The elements of the device maps (`up4`…`down6`) in a listing. */
export function parseElements(items: unknown[]): MapElement[] {
  const out: MapElement[] = [];
  for (const item of items as Obj[]) {
    const map = item.map as Obj | undefined;
    if (!map || !DEVICE_MAPS.has(String(map.name)) || !Array.isArray(map.elem)) continue;
    for (const el of map.elem as unknown[]) {
      const [key, verdict] = el as [Obj, Obj];
      // With per-element counters or a comment the key is wrapped: {"elem": {"val": …, "counter": …, "comment": …}}.
      const wrap = key.elem as Obj | undefined;
      const val = (wrap?.val ?? key) as Obj | string;
      const concat = typeof val === 'string' ? undefined : (val.concat as [string, string] | undefined);
      const ip = typeof val === 'string' ? val : concat?.[0];
      if (typeof ip !== 'string') continue;
      const target = (verdict?.goto as Obj | undefined)?.target;
      out.push({
        map: String(map.name),
        ip,
        mac: concat ? String(concat[1]) : null,
        bytes: Number((wrap?.counter as Obj | undefined)?.bytes ?? 0),
        target: typeof target === 'string' ? target : null,
        comment: typeof wrap?.comment === 'string' ? wrap.comment : null,
      });
    }
  }
  return out;
}

/** The device an element belongs to: its comment, or (older tables) its per-device chain. */
function elementDevice(e: MapElement): string | null {
  if (e.comment !== null) return parseElementComment(e.comment);
  const n = e.target === null ? null : parseObjectName(e.target);
  return n && (n.kind === 'up' || n.kind === 'dn') ? n.id : null;
}

function limitRate(e: Obj): number | null {
  const l = e.limit as Obj | undefined;
  if (!l || l.per !== 'second' || !(String(l.rate_unit) in UNIT)) return null;
  return Number(l.rate) * UNIT[String(l.rate_unit)]!;
}

export function parseTable(items: unknown[]): KernelState {
  const devices = new Map<string, KernelDevice>();
  const quotas = new Map<string, KernelQuota>();
  const classes = new Set<string>();
  const legacyMaps: string[] = [];
  const quotaOf = new Map<string, string>(); // ip . mac → pool id
  const legacyRate = new Map<string, { up: number | null; down: number | null; poolId: string | null }>();
  for (const item of items as Obj[]) {
    const counter = item.counter as Obj | undefined;
    if (counter) {
      const n = parseObjectName(String(counter.name));
      if (n?.kind === 'cu' || n?.kind === 'cd') {
        const d = device(devices, n.id);
        d.retired[n.kind === 'cu' ? 'up' : 'down'] = Number(counter.bytes ?? 0);
        d.hasRetired = true;
      }
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
    if (map && QUOTA_MAPS.has(String(map.name)) && Array.isArray(map.elem)) {
      for (const [key, q] of map.elem as Array<[Obj, unknown]>) {
        const concat = (((key.elem as Obj | undefined)?.val ?? key) as Obj).concat as [string, string] | undefined;
        const n = typeof q === 'string' ? parseObjectName(q) : null;
        if (concat && n?.kind === 'q') quotaOf.set(`${concat[0]} . ${concat[1]}`, n.id);
      }
    }
    const chain = item.chain as Obj | undefined;
    if (chain) {
      const name = String(chain.name);
      if (parseRateChain(name)) classes.add(name);
      const n = parseObjectName(name);
      if (n?.kind === 'up' || n?.kind === 'dn') device(devices, n.id).legacyChains = true;
    }
    const rule = item.rule as Obj | undefined;
    if (rule && Array.isArray(rule.expr)) {
      const n = parseObjectName(String(rule.chain));
      if (n?.kind !== 'up' && n?.kind !== 'dn') continue;
      let r = legacyRate.get(n.id);
      if (!r) legacyRate.set(n.id, (r = { up: null, down: null, poolId: null }));
      for (const e of rule.expr as Obj[]) {
        const rate = limitRate(e);
        if (rate !== null) r[n.kind === 'up' ? 'up' : 'down'] = rate;
        if (n.kind === 'up' && typeof e.quota === 'string') {
          const qn = parseObjectName(e.quota);
          if (qn?.kind === 'q') r.poolId = qn.id;
        }
      }
    }
  }
  for (const e of parseElements(items)) {
    const id = elementDevice(e);
    if (id === null) continue;
    const d = device(devices, id);
    const up = e.map.startsWith('up');
    let b = d.bytes.get(e.ip);
    if (!b) d.bytes.set(e.ip, (b = { up: 0, down: 0 }));
    b[up ? 'up' : 'down'] += e.bytes;
    const cls = e.target === null ? null : parseRateChain(e.target);
    if (cls) d[up ? 'up' : 'down'] = cls.rate;
    if (!up) continue;
    d.mac = e.mac;
    (e.map === 'up4' ? d.ips4 : d.ips6).push(e.ip);
    const pool = quotaOf.get(`${e.ip} . ${e.mac}`);
    if (pool !== undefined) d.poolId = pool;
  }
  for (const [id, r] of legacyRate) {
    const d = device(devices, id);
    d.legacyChains = true;
    d.up = r.up;
    d.down = r.down;
    d.poolId = r.poolId;
  }
  return { devices, quotas, classes, legacyMaps };
}

/** `list quotas table inet <t>` → pool id → quota. */
export function parseQuotas(items: unknown[]): Map<string, KernelQuota> {
  return parseTable(items).quotas;
}
