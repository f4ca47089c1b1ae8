/**
 * The driver's desired state: the devices and pools the kernel should hold, and the nft commands that
 * take the kernel there (ruleset.ts builds each command). No process, no kernel: the one kernel read a
 * plan may need (the bytes counted by elements about to be deleted or moved) is the `readBytes`
 * capability, so the table is unit-tested with a fake (device-table.test.ts) against golden scripts.
 *
 * Every method changes the table at once and returns the commands that make the kernel match; the
 * caller sends them (group-commit.ts batches several callers' commands into one nft transaction) and
 * puts a `snapshot()` back with `restore()` when the kernel refused the batch.
 *
 * A device is only elements (ruleset.ts): its addresses point to the rate classes of its pool and to
 * its pool's quota. A login adds elements, and the class chains its pool's rates need the first time
 * they are used; a rate change moves the elements to other classes with their counters; a quota
 * change is `add quota` + `reset quota`. None of it grows with the number of devices online.
 *
 * A pool is written to the kernel with its first device, not when it is set: a pool nobody is in
 * cannot use a byte, so a first login is one transaction (quota, classes and elements together) instead
 * of two, and a pool set for a login that then fails never reaches the kernel.
 *
 * @example
 *   const table = createDeviceTable({ table: 'portico', ipv6: 'enforce' }, readBytes);
 *   table.setPool({ id: 'ent_1', downBps: null, upBps: null, bytesRemaining: 5e8 }); // [] (no device yet)
 *   const { cmds } = await table.grant({ deviceId: 'dev_1', poolId: 'ent_1', mac: '02:00:00:aa:bb:cc', ips: ['10.0.0.23'] });
 */
import { JournaledMap } from './journal.js';
import { isIP } from 'node:net';
import { normalizeIp } from '../../lib/net.js';
import { GatewayError, type DeviceGrant, type PoolLimits } from '../driver.js';
import type { ByteCounters, KernelQuota, KernelState } from './kernel-state.js';
import { parseRateChain, quotaName, rateChain, type Direction } from './names.js';
import {
  classElementCommands,
  classRate,
  deviceAddressCommands,
  poolQuotaCommands,
  poolRemoveCommands,
  quotaElementCommands,
  rateClassCommands,
  rateClassRemoveCommands,
  retiredCommands,
  retiredRemoveCommands,
  type DeviceSpec,
} from './ruleset.js';

export interface Device {
  id: string;
  poolId: string | null;
  mac: string;
  ips4: Set<string>;
  ips6: Set<string>;
  /** Bytes of addresses it no longer has, as its named counters hold them (ruleset.ts). */
  retired: ByteCounters;
  /** Whether those named counters exist (created by the first retired address). */
  hasRetired: boolean;
  /** The rate classes its elements point to (bytes/s; null = no limit). */
  up: number | null;
  down: number | null;
  /** The pool whose quota its addresses' object-map elements name (null: none). */
  quota: string | null;
  /**
   * The batch that last created the device or deleted, moved or re-keyed one of its counting elements
   * (see `fence()`): a counter reading taken while that batch was on its way must not be put to it.
   */
  epoch: number;
}

export interface Pool {
  limits: PoolLimits;
  /** Whether a quota object exists in the kernel for it (or will, once the batch being built commits). */
  hasQuota: boolean;
  /** Limits set but not written yet: the pool has no device in the kernel (see the module comment). */
  pending: boolean;
}

/** Bytes counted so far by the elements of the given addresses, per address. */
export type ReadBytes = (ips: Set<string>) => Promise<Map<string, ByteCounters>>;

export interface TableOptions {
  table: string;
  ipv6: 'enforce' | 'refuse';
}

export type DeviceTable = ReturnType<typeof createDeviceTable>;

export function createDeviceTable(o: TableOptions, readBytes: ReadBytes) {
  const t = o.table;
  const families: Array<4 | 6> = o.ipv6 === 'enforce' ? [4, 6] : [4];
  // Records change in place (a device's addresses, classes); pools and owners are replaced, never changed.
  const copyDevice = (d: Device): Device => ({ ...d, ips4: new Set(d.ips4), ips6: new Set(d.ips6), retired: { ...d.retired } });
  let devices = JournaledMap.of<string, Device>(copyDevice);
  let pools = JournaledMap.of<string, Pool>();
  let ipOwner = JournaledMap.of<string, string>();
  /** Rate-class chains in the kernel (or in the batch being built). */
  let classes = new Set<string>();
  /** Quotas created by the batch being built: `reset quota` of those would fail (ruleset.ts poolQuotaCommands). */
  let created = new Set<string>();
  /** The batch being built (or the last one built) and whether it is still on its way to the kernel. */
  let epoch = 0;
  let open = false;

  const spec = (d: Device, ips4 = [...d.ips4], ips6 = [...d.ips6]): DeviceSpec => ({ id: d.id, mac: d.mac, ips4, ips6, up: d.up, down: d.down, poolQuota: d.quota });

  /** What a member of the pool should point to. */
  const wanted = (poolId: string): { up: number | null; down: number | null; quota: string | null } => {
    const p = pools.get(poolId);
    if (!p) return { up: null, down: null, quota: null };
    return { up: classRate(p.limits.upBps), down: classRate(p.limits.downBps), quota: p.hasQuota ? poolId : null };
  };

  /** Whether a member's elements point where its pool wants them, to classes that exist. */
  const settled = (d: Device): boolean => {
    if (d.poolId === null) return false;
    const w = wanted(d.poolId);
    return d.up === w.up && d.down === w.down && d.quota === w.quota && families.every((f) => classes.has(rateChain('up', f, w.up)) && classes.has(rateChain('dn', f, w.down)));
  };

  /** The commands creating a rate class the first time it is used (kept afterwards). */
  const ensureClass = (dir: Direction, rate: number | null): string[] => {
    const cmds: string[] = [];
    for (const fam of families) {
      const name = rateChain(dir, fam, rate);
      if (classes.has(name)) continue;
      classes.add(name);
      cmds.push(...rateClassCommands(t, dir, fam, rate));
    }
    return cmds;
  };

  const splitIps = (ips: string[]): { v4: string[]; v6: string[] } => {
    const v4: string[] = [];
    const v6: string[] = [];
    for (const raw of ips) {
      const ip = normalizeIp(raw);
      const fam = isIP(ip);
      if (fam === 4) v4.push(ip);
      else if (fam === 6 && o.ipv6 === 'enforce') v6.push(ip);
    }
    return { v4, v6 };
  };

  /** A pool's devices (kept by the journal: the caller may change them). */
  const members = (poolId: string): Device[] => {
    const out: Device[] = [];
    for (const d of devices.peekValues()) if (d.poolId === poolId) out.push(devices.get(d.id)!);
    return out;
  };

  /**
   * Points `d`'s addresses where its pool wants them: classes moved with their counters (one read for
   * all of `ds`), quota elements replaced. Nothing for devices already there.
   */
  const converge = async (ds: Device[]): Promise<string[]> => {
    const cmds: string[] = [];
    const moving = ds.filter((d) => d.poolId !== null && (d.up !== wanted(d.poolId).up || d.down !== wanted(d.poolId).down) && d.ips4.size + d.ips6.size > 0);
    const ips = new Set(moving.flatMap((d) => [...d.ips4, ...d.ips6]));
    // Bytes counted between this read and the batch are lost, never counted twice.
    const read = ips.size ? await readBytes(ips) : new Map<string, ByteCounters>();
    for (const d of ds) {
      if (d.poolId === null) continue;
      const w = wanted(d.poolId);
      for (const dir of ['up', 'dn'] as const) {
        const key = dir === 'up' ? 'up' : 'down';
        if (d[key] === w[key]) continue;
        cmds.push(...ensureClass(dir, w[key]));
        if (d.ips4.size + d.ips6.size) {
          const bytes = new Map([...d.ips4, ...d.ips6].map((ip) => [ip, read.get(ip)?.[key] ?? 0]));
          d.epoch = epoch;
          cmds.push(...classElementCommands(t, 'delete', dir, spec(d)));
          d[key] = w[key];
          cmds.push(...classElementCommands(t, 'add', dir, spec(d), bytes));
        }
        d[key] = w[key];
      }
      if (d.quota !== w.quota) {
        cmds.push(...quotaElementCommands(t, 'delete', spec(d)));
        d.quota = w.quota;
        cmds.push(...quotaElementCommands(t, 'add', spec(d)));
      }
    }
    return cmds;
  };

  /** Writes a pool's limits: its quota, and its members' elements (`rewrite`) that point to it. */
  const writePool = async (limits: PoolLimits, rewrite: Device[]): Promise<string[]> => {
    const cmds: string[] = [];
    const prev = pools.get(limits.id);
    const quota = quotaName(limits.id);
    const bytes = limits.bytesRemaining;
    const inKernel = (prev?.hasQuota ?? false) && !created.has(limits.id);
    if (bytes !== null) {
      cmds.push(...poolQuotaCommands(t, quota, bytes, inKernel));
      if (!inKernel) created.add(limits.id);
    }
    pools.set(limits.id, { limits: { ...limits }, hasQuota: bytes !== null, pending: false });
    cmds.push(...(await converge(rewrite)));
    // After the elements that named it stopped doing so.
    if (bytes === null && prev?.hasQuota) cmds.push(...poolRemoveCommands(t, quota));
    return cmds;
  };

  /** Adds what the given addresses' elements counted to their devices' retired-bytes counters. */
  const retire = async (leaving: Map<string, Set<string>>): Promise<string[]> => {
    if (leaving.size === 0) return [];
    // Addresses rarely move, so this read of the maps stays off the common login path. Bytes counted
    // between the read and the batch are lost (never counted twice).
    const read = await readBytes(new Set([...leaving.values()].flatMap((s) => [...s])));
    const cmds: string[] = [];
    for (const [id, ips] of leaving) {
      const d = devices.get(id);
      if (!d) continue;
      let up = 0;
      let down = 0;
      for (const ip of ips) {
        up += read.get(ip)?.up ?? 0;
        down += read.get(ip)?.down ?? 0;
      }
      d.retired = { up: d.retired.up + up, down: d.retired.down + down };
      d.epoch = epoch;
      cmds.push(...retiredCommands(t, d.id, d.retired.up, d.retired.down, d.hasRetired));
      d.hasRetired = true;
    }
    return cmds;
  };

  /** Binds addresses to `d` (taking them away from any other device first). */
  const bind = async (d: Device, v4: string[], v6: string[]): Promise<string[]> => {
    const cmds: string[] = [];
    const leaving = new Map<string, Set<string>>();
    for (const ip of [...v4, ...v6]) {
      const owner = ipOwner.get(ip);
      const other = owner === undefined || owner === d.id ? undefined : devices.get(owner);
      if (!other) continue;
      const fam4 = isIP(ip) === 4;
      cmds.push(...deviceAddressCommands(t, 'delete', spec(other, fam4 ? [ip] : [], fam4 ? [] : [ip])));
      if (!leaving.has(other.id)) leaving.set(other.id, new Set());
      leaving.get(other.id)!.add(ip);
    }
    cmds.push(...(await retire(leaving)));
    for (const [id, ips] of leaving) {
      const other = devices.get(id)!;
      for (const ip of ips) (isIP(ip) === 4 ? other.ips4 : other.ips6).delete(ip);
    }
    const fresh4 = v4.filter((ip) => !d.ips4.has(ip));
    const fresh6 = v6.filter((ip) => !d.ips6.has(ip));
    // An address new to it may have counted for someone else until this batch (their logout).
    if (fresh4.length + fresh6.length) d.epoch = epoch;
    cmds.push(...deviceAddressCommands(t, 'add', spec(d, fresh4, fresh6)));
    for (const ip of [...fresh4, ...fresh6]) {
      ipOwner.set(ip, d.id);
      (isIP(ip) === 4 ? d.ips4 : d.ips6).add(ip);
    }
    return cmds;
  };

  const unbind = (d: Device): string[] => [...deviceAddressCommands(t, 'delete', spec(d)), ...(d.hasRetired ? retiredRemoveCommands(t, d.id) : [])];

  const forget = (d: Device): void => {
    for (const ip of [...d.ips4, ...d.ips6]) if (ipOwner.get(ip) === d.id) ipOwner.delete(ip);
    devices.delete(d.id);
  };

  return {
    splitIps,
    device: (id: string): Device | undefined => devices.get(id),
    /** Every device, to read (not kept by the journal). */
    devices: (): Device[] => [...devices.peekValues()],
    /** The device an address (and, for an upload element, its MAC) belongs to. */
    owner(ip: string, mac: string | null): Device | undefined {
      const id = ipOwner.get(ip);
      const d = id === undefined ? undefined : devices.get(id);
      return d && (mac === null || d.mac === mac) ? d : undefined;
    },
    pool: (id: string): Pool | undefined => pools.get(id),
    poolIds: (): string[] => [...pools.keys()],
    /** Rate-class chains in the kernel. */
    classes: (): string[] => [...classes],
    get size() {
      return { devices: devices.size, pools: pools.size };
    },

    /**
     * Creates or updates a pool. With devices in the kernel the quota is rewritten and their elements
     * follow a rate change; without, the limits wait for the first device's grant (returns no commands).
     */
    async setPool(limits: PoolLimits): Promise<string[]> {
      const m = members(limits.id);
      if (m.length) return writePool(limits, m);
      const prev = pools.get(limits.id);
      pools.set(limits.id, { limits: { ...limits }, hasQuota: prev?.hasQuota ?? false, pending: true });
      return [];
    },

    /** The commands for a grant, and the addresses that are new to the device. */
    async grant(grant: DeviceGrant): Promise<{ cmds: string[]; fresh: string[] }> {
      const pool = pools.get(grant.poolId);
      if (!pool) throw new GatewayError(`pool ${grant.poolId} is not set on the gateway (call setPool first)`);
      const mac = grant.mac.toLowerCase();
      const { v4, v6 } = splitIps(grant.ips);
      let d = devices.get(grant.deviceId);
      // Already as wanted (a reconcile after a restart: every device): nothing to plan.
      if (d && !pool.pending && d.mac === mac && d.poolId === grant.poolId && settled(d) && v4.every((ip) => d!.ips4.has(ip)) && v6.every((ip) => d!.ips6.has(ip))) {
        return { cmds: [], fresh: [] };
      }
      const cmds: string[] = [];
      if (d && d.mac !== mac) {
        // A new MAC: every element is keyed anew, so what the old ones counted becomes retired bytes.
        const all = new Set([...d.ips4, ...d.ips6]);
        cmds.push(...deviceAddressCommands(t, 'delete', spec(d)), ...(await retire(new Map([[d.id, all]]))));
        for (const ip of all) if (ipOwner.get(ip) === d.id) ipOwner.delete(ip);
        d.mac = mac;
        d.epoch = epoch;
        d.ips4.clear();
        d.ips6.clear();
      }
      if (pool.pending) cmds.push(...(await writePool(pool.limits, [])));
      const w = wanted(grant.poolId);
      if (!d) {
        d = { id: grant.deviceId, poolId: grant.poolId, mac, ips4: new Set(), ips6: new Set(), retired: { up: 0, down: 0 }, hasRetired: false, ...w, epoch };
        devices.set(d.id, d);
      }
      d.poolId = grant.poolId;
      cmds.push(...ensureClass('up', w.up), ...ensureClass('dn', w.down));
      // A device already in the kernel (another pool, a restart) follows its pool's classes and quota.
      cmds.push(...(await converge([d])));
      const fresh = [...v4.filter((ip) => !d.ips4.has(ip)), ...v6.filter((ip) => !d.ips6.has(ip))];
      cmds.push(...(await bind(d, v4, v6)));
      return { cmds, fresh };
    },

    /** Binds an address learned from the neighbour table to a device; [] when it has it already. */
    async learn(deviceId: string, ip: string): Promise<string[]> {
      const d = devices.get(deviceId);
      if (!d) return [];
      const { v4, v6 } = splitIps([ip]);
      if (v4.length + v6.length === 0 || d.ips4.has(ip) || d.ips6.has(ip)) return [];
      return bind(d, v4, v6);
    },

    /** Removes a device; returns its addresses (for the conntrack flush), or null when it is unknown. */
    remove(deviceId: string): { cmds: string[]; ips: string[] } | null {
      const d = devices.get(deviceId);
      if (!d) return null;
      const cmds = unbind(d);
      forget(d);
      return { cmds, ips: [...d.ips4, ...d.ips6] };
    },

    /** Removes a pool and every device in it. */
    removePool(poolId: string): { cmds: string[]; ips: string[] } {
      const cmds: string[] = [];
      const ips: string[] = [];
      for (const d of members(poolId)) {
        cmds.push(...unbind(d));
        ips.push(...d.ips4, ...d.ips6);
        forget(d);
      }
      if (pools.get(poolId)?.hasQuota) cmds.push(...poolRemoveCommands(t, quotaName(poolId)));
      pools.delete(poolId);
      return { cmds, ips };
    },

    /**
     * The pools of a reconcile. A pool's kernel quota may have run on while Portico was down: never hand
     * back more than either side knows is left (the database lags by up to one poll, the kernel counted
     * every byte). Pools whose kernel state already matches get no commands.
     */
    async reconcilePools(want: PoolLimits[], kernel: Map<string, KernelQuota>): Promise<string[]> {
      const cmds: string[] = [];
      // Members by pool, once: a reconcile after a restart has every pool and device (O(pools × devices) otherwise).
      const byPool = new Map<string, Device[]>();
      for (const d of devices.values()) {
        if (d.poolId === null) continue;
        const m = byPool.get(d.poolId);
        if (m) m.push(d);
        else byPool.set(d.poolId, [d]);
      }
      const members = (id: string): Device[] => byPool.get(id) ?? [];
      for (const p of want) {
        const k = kernel.get(p.id);
        const left = k ? Math.max(0, k.bytes - k.used) : null;
        const bytes = p.bytesRemaining === null ? null : left !== null ? Math.min(p.bytesRemaining, left) : p.bytesRemaining;
        const limits = { ...p, bytesRemaining: bytes };
        if (k && bytes !== null && left === bytes) {
          // The quota stands as it is; only members whose classes differ move.
          pools.set(p.id, { limits, hasQuota: true, pending: false });
          cmds.push(...(await converge(members(p.id))));
          continue;
        }
        pools.set(p.id, { limits, hasQuota: k !== undefined, pending: false });
        cmds.push(...(await writePool(limits, members(p.id))));
      }
      return cmds;
    },

    /** Drops pools that are not wanted (and their kernel quotas, which no element names any more). */
    dropPools(want: Set<string>, kernel: Map<string, KernelQuota>): string[] {
      const cmds: string[] = [];
      for (const id of kernel.keys()) if (!want.has(id)) cmds.push(...poolRemoveCommands(t, quotaName(id)));
      for (const id of [...pools.keys()]) if (!want.has(id)) pools.delete(id);
      return cmds;
    },

    /** Replaces the table with what the kernel holds (start-up: a restart or a kill -9 cuts nobody). */
    load(state: KernelState | null): void {
      devices = JournaledMap.of<string, Device>(copyDevice);
      ipOwner = JournaledMap.of<string, string>();
      classes = new Set(state?.classes ?? []);
      if (!state) return;
      for (const [id, k] of state.devices) {
        const d: Device = {
          id,
          poolId: k.poolId,
          mac: k.mac ?? '00:00:00:00:00:00',
          ips4: new Set(k.ips4),
          ips6: new Set(o.ipv6 === 'enforce' ? k.ips6 : []),
          retired: { ...k.retired },
          hasRetired: k.hasRetired,
          up: k.up ?? null,
          down: k.down ?? null,
          quota: k.poolId !== null && state.quotas.has(k.poolId) ? k.poolId : null,
          epoch: 0,
        };
        devices.set(id, d);
        for (const ip of [...d.ips4, ...d.ips6]) ipOwner.set(ip, id);
      }
      for (const [id, q] of state.quotas) {
        if (!pools.has(id)) pools.set(id, { limits: { id, downBps: null, upBps: null, bytesRemaining: Math.max(0, q.bytes - q.used) }, hasQuota: true, pending: false });
      }
    },

    /**
     * The rate classes no device points to (a restart after rates went out of use), with the commands
     * removing them; `done()` once the kernel took them.
     */
    unusedClasses(): { cmds: string[]; done(): void } {
      const used = new Set<string>();
      for (const d of devices.values()) {
        for (const fam of [4, 6] as const) used.add(rateChain('up', fam, d.up)).add(rateChain('dn', fam, d.down));
      }
      const gone = [...classes].filter((name) => !used.has(name));
      const cmds = gone.flatMap((name) => {
        const c = parseRateChain(name);
        return c ? rateClassRemoveCommands(t, c.dir, c.fam, c.rate) : [];
      });
      return { cmds, done: () => gone.forEach((name) => classes.delete(name)) };
    },

    /** Starts a batch (group-commit.ts): commands from here on go into one nft transaction. */
    begin(): void {
      created = new Set();
      epoch++;
      open = true;
    },

    /**
     * For a counter reading that does not wait for batches (driver.ts readCounters): the devices with
     * `epoch >= fence()` when it started are left out of it. The batch on its way and every later one
     * may delete, move or re-key their elements while the maps are read (a logout and a login again, an
     * address passed to another device, a class move that carries the counters over), and such a
     * reading would count their bytes twice or put them to the wrong device. They are in the next one.
     */
    fence(): number {
      return open ? epoch : epoch + 1;
    },

    /**
     * Marks the state to `restore()` when the kernel refuses a batch (the table must not run ahead of
     * it): the journals keep what the batch touches (journal.ts); `release()` once the batch is in.
     */
    snapshot(): unknown {
      for (const m of [devices, pools, ipOwner]) m.open();
      return { classes: new Set(classes), created: new Set(created) };
    },

    /** The batch is in the kernel: the journals close. */
    release(): void {
      for (const m of [devices, pools, ipOwner]) m.close();
      open = false;
    },

    restore(s: unknown): void {
      const x = s as { classes: Set<string>; created: Set<string> };
      for (const m of [devices, pools, ipOwner]) m.rollback();
      open = false;
      classes = x.classes;
      created = x.created;
    },
  };
}
