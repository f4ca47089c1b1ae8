/**
 * The driver's desired state: the devices and pools the kernel should hold, and the nft commands that
 * take the kernel there (ruleset.ts builds each command). No process, no kernel: the one kernel read a
 * plan may need (the bytes counted by elements about to be deleted) is the `readBytes` capability, so
 * the table is unit-tested with a fake (device-table.test.ts) against golden scripts.
 *
 * Every method changes the table at once and returns the commands that make the kernel match; the
 * caller sends them (group-commit.ts batches several callers' commands into one nft transaction) and
 * puts a `snapshot()` back with `restore()` when the kernel refused the batch.
 *
 * A pool is written to the kernel with its first device, not when it is set: a pool nobody is in
 * cannot use a byte, so a first login is one transaction (quota, chains and elements together) instead
 * of two, and a pool set for a login that then fails never reaches the kernel.
 *
 * @example
 *   const table = createDeviceTable({ table: 'portico', ipv6: 'enforce' }, readBytes);
 *   table.setPool({ id: 'ent_1', downBps: null, upBps: null, bytesRemaining: 5e8 }); // [] (no device yet)
 *   const { cmds } = await table.grant({ deviceId: 'dev_1', poolId: 'ent_1', mac: '02:00:00:aa:bb:cc', ips: ['10.0.0.23'] });
 */
import { isIP } from 'node:net';
import { normalizeIp } from '../../lib/net.js';
import { GatewayError, type DeviceGrant, type PoolLimits } from '../driver.js';
import type { ByteCounters, KernelQuota, KernelState } from './kernel-state.js';
import { deviceNames, quotaName } from './names.js';
import {
  deviceAddressCommands,
  deviceChainCommands,
  deviceRemoveCommands,
  poolQuotaCommands,
  poolRemoveCommands,
  retiredCommands,
  type DeviceSpec,
  type PoolSpec,
} from './ruleset.js';

export interface Device {
  id: string;
  poolId: string | null;
  mac: string;
  ips4: Set<string>;
  ips6: Set<string>;
  /** Bytes of addresses it no longer has, as its named counters hold them (ruleset.ts). */
  retired: ByteCounters;
}

export interface Pool {
  limits: PoolLimits;
  /** Whether a quota object exists in the kernel for it (or will, once the batch being built commits). */
  hasQuota: boolean;
  /** Limits set but not written yet: the pool has no device in the kernel (see the module comment). */
  pending: boolean;
}

/** Bytes counted so far by the elements of the given (device id → addresses), per device. */
export type ReadBytes = (picked: Map<string, Set<string>>) => Promise<Map<string, ByteCounters>>;

export interface TableOptions {
  table: string;
  ipv6: 'enforce' | 'refuse';
}

export type DeviceTable = ReturnType<typeof createDeviceTable>;

export function createDeviceTable(o: TableOptions, readBytes: ReadBytes) {
  const t = o.table;
  let devices = new Map<string, Device>();
  let pools = new Map<string, Pool>();
  let ipOwner = new Map<string, string>();
  /** Quotas created by the batch being built: `reset quota` of those would fail (ruleset.ts poolQuotaCommands). */
  let created = new Set<string>();

  const spec = (d: Device, ips4 = [...d.ips4], ips6 = [...d.ips6]): DeviceSpec => ({ names: deviceNames(d.id), mac: d.mac, ips4, ips6 });

  const poolSpec = (poolId: string | null): PoolSpec => {
    const p = poolId === null ? undefined : pools.get(poolId);
    if (!p) return { id: poolId ?? '', quota: null, downBps: null, upBps: null };
    return { id: p.limits.id, quota: p.hasQuota ? quotaName(p.limits.id) : null, downBps: p.limits.downBps, upBps: p.limits.upBps };
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

  const members = (poolId: string): Device[] => [...devices.values()].filter((d) => d.poolId === poolId);

  /** Writes a pool's limits: its quota, and the chains of its devices (`rewrite`) that reference it. */
  const writePool = (limits: PoolLimits, rewrite: Device[]): string[] => {
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
    for (const d of rewrite) cmds.push(...deviceChainCommands(t, spec(d, [], []), poolSpec(limits.id)));
    // After the chains that referenced it stopped doing so.
    if (bytes === null && prev?.hasQuota) cmds.push(...poolRemoveCommands(t, quota));
    return cmds;
  };

  /** Moves what the elements of `leaving` counted into their devices' retired-bytes counters. */
  const retire = async (leaving: Map<string, Set<string>>): Promise<string[]> => {
    if (leaving.size === 0) return [];
    // Addresses rarely move, so this read of the whole maps stays off the common login path. Bytes
    // counted between the read and the batch are lost (never counted twice).
    const sums = await readBytes(leaving);
    const cmds: string[] = [];
    for (const id of leaving.keys()) {
      const d = devices.get(id);
      const s = sums.get(id);
      if (!d || !s) continue;
      d.retired = { up: d.retired.up + s.up, down: d.retired.down + s.down };
      cmds.push(...retiredCommands(t, spec(d), d.retired.up, d.retired.down));
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
    cmds.push(...deviceAddressCommands(t, 'add', spec(d, fresh4, fresh6)));
    for (const ip of [...fresh4, ...fresh6]) {
      ipOwner.set(ip, d.id);
      (isIP(ip) === 4 ? d.ips4 : d.ips6).add(ip);
    }
    return cmds;
  };

  const unbind = (d: Device): string[] => [...deviceAddressCommands(t, 'delete', spec(d)), ...deviceRemoveCommands(t, spec(d))];

  const forget = (d: Device): void => {
    for (const ip of [...d.ips4, ...d.ips6]) if (ipOwner.get(ip) === d.id) ipOwner.delete(ip);
    devices.delete(d.id);
  };

  return {
    splitIps,
    device: (id: string): Device | undefined => devices.get(id),
    devices: (): Device[] => [...devices.values()],
    pool: (id: string): Pool | undefined => pools.get(id),
    poolIds: (): string[] => [...pools.keys()],
    get size() {
      return { devices: devices.size, pools: pools.size };
    },

    /**
     * Creates or updates a pool. With devices in the kernel the quota and their chains are rewritten;
     * without, the limits wait for the first device's grant (returns no commands).
     */
    setPool(limits: PoolLimits): string[] {
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
      const cmds: string[] = [];
      let d = devices.get(grant.deviceId);
      if (d && d.mac !== mac) {
        // A new MAC: every element is keyed anew, so what the old ones counted becomes retired bytes.
        const s = (await readBytes(new Map([[d.id, new Set([...d.ips4, ...d.ips6])]]))).get(d.id) ?? { up: 0, down: 0 };
        d.retired = { up: d.retired.up + s.up, down: d.retired.down + s.down };
        cmds.push(...deviceAddressCommands(t, 'delete', spec(d)), ...retiredCommands(t, spec(d), d.retired.up, d.retired.down));
        for (const ip of [...d.ips4, ...d.ips6]) if (ipOwner.get(ip) === d.id) ipOwner.delete(ip);
        d.mac = mac;
        d.ips4.clear();
        d.ips6.clear();
      }
      if (!d) {
        d = { id: grant.deviceId, poolId: grant.poolId, mac, ips4: new Set(), ips6: new Set(), retired: { up: 0, down: 0 } };
        devices.set(d.id, d);
      }
      d.poolId = grant.poolId;
      if (pool.pending) cmds.push(...writePool(pool.limits, []));
      cmds.push(...deviceChainCommands(t, spec(d, [], []), poolSpec(grant.poolId)));
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
    reconcilePools(wanted: PoolLimits[], kernel: Map<string, KernelQuota>): string[] {
      const cmds: string[] = [];
      for (const p of wanted) {
        const k = kernel.get(p.id);
        const left = k ? Math.max(0, k.bytes - k.used) : null;
        const bytes = p.bytesRemaining === null ? null : left !== null ? Math.min(p.bytesRemaining, left) : p.bytesRemaining;
        const prev = pools.get(p.id);
        if (k && prev && bytes !== null && prev.limits.downBps === p.downBps && prev.limits.upBps === p.upBps && left === bytes) {
          pools.set(p.id, { limits: { ...p, bytesRemaining: bytes }, hasQuota: true, pending: false });
          continue;
        }
        pools.set(p.id, { limits: { ...p, bytesRemaining: bytes }, hasQuota: k !== undefined, pending: false });
        cmds.push(...writePool({ ...p, bytesRemaining: bytes }, members(p.id)));
      }
      return cmds;
    },

    /** Drops pools that are not wanted (and their kernel quotas, which no chain references any more). */
    dropPools(wanted: Set<string>, kernel: Map<string, KernelQuota>): string[] {
      const cmds: string[] = [];
      for (const id of kernel.keys()) if (!wanted.has(id)) cmds.push(...poolRemoveCommands(t, quotaName(id)));
      for (const id of [...pools.keys()]) if (!wanted.has(id)) pools.delete(id);
      return cmds;
    },

    /** Replaces the table with what the kernel holds (start-up: a restart or a kill -9 cuts nobody). */
    load(state: KernelState | null): void {
      devices = new Map();
      ipOwner = new Map();
      if (!state) return;
      for (const [id, k] of state.devices) {
        const d: Device = { id, poolId: k.poolId, mac: k.mac ?? '00:00:00:00:00:00', ips4: new Set(k.ips4), ips6: new Set(k.ips6), retired: k.retired };
        devices.set(id, d);
        for (const ip of [...d.ips4, ...d.ips6]) ipOwner.set(ip, id);
      }
      for (const [id, q] of state.quotas) {
        if (!pools.has(id)) pools.set(id, { limits: { id, downBps: null, upBps: null, bytesRemaining: Math.max(0, q.bytes - q.used) }, hasQuota: true, pending: false });
      }
    },

    /** Starts a batch (group-commit.ts): commands from here on go into one nft transaction. */
    begin(): void {
      created = new Set();
    },

    /** A copy to `restore()` when the kernel refuses a batch (the table must not run ahead of it). */
    snapshot(): unknown {
      const copy = new Map([...devices].map(([id, d]) => [id, { ...d, ips4: new Set(d.ips4), ips6: new Set(d.ips6), retired: { ...d.retired } }]));
      return { devices: copy, pools: new Map([...pools].map(([id, p]) => [id, { ...p, limits: { ...p.limits } }])), ipOwner: new Map(ipOwner), created: new Set(created) };
    },

    restore(s: unknown): void {
      const x = s as { devices: Map<string, Device>; pools: Map<string, Pool>; ipOwner: Map<string, string>; created: Set<string> };
      devices = x.devices;
      pools = x.pools;
      ipOwner = x.ipOwner;
      created = x.created;
    },
  };
}
