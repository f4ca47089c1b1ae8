/**
 * The nftables gateway driver (SPEC §4): keeps the desired devices and pools in memory, turns every
 * change into one atomic nft batch (ruleset.ts) sent over a persistent `nft -i` (transport.ts), and
 * flushes conntrack around logins and logouts (conntrack.ts; a login's stale flows are cut off by the
 * pre-login conntrack zone in the same batch, so only logouts wait for the flush). It never flushes its table: `start()`
 * re-applies the base chains atomically and reads the devices back from the kernel, so a restart or a
 * kill -9 does not cut anyone; `reconcile()` then converges to the database. The console's walled
 * garden (host names resolved and refreshed) is kept by walled-garden.ts.
 *
 * @example
 *   const driver = createNftablesDriverWith(options, { log, runner: nodeRunner(), readFile, procNetDir: '/proc/net' });
 *   await driver.start();
 */
import { isIP } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { normalizeIp } from '../../lib/net.js';
import {
  GatewayError,
  type ClientInfo,
  type DeviceCounters,
  type DeviceGrant,
  type GatewayDriver,
  type GatewayHealth,
  type PoolLimits,
} from '../driver.js';
import { flushConntrack } from './conntrack.js';
import { parseElementCounters, parseQuotas, parseTable, type ByteCounters, type KernelState } from './kernel-state.js';
import { deviceNames, quotaName } from './names.js';
import { parseIpNeighJson, parseLeases, parseProcArp } from './neighbours.js';
import {
  baseRuleset,
  deviceAddressCommands,
  deviceChainCommands,
  deviceRemoveCommands,
  legacyDeviceCommands,
  legacyMapCommands,
  poolQuotaCommands,
  poolRemoveCommands,
  PRE_LOGIN_ZONE,
  retiredCommands,
  type BaseOptions,
  type DeviceSpec,
  type PoolSpec,
} from './ruleset.js';
import { createNftSession, type CommandRunner, type NftSession } from './transport.js';
import { createWalledGarden, dnsResolver, type Resolver } from './walled-garden.js';

export interface NftablesOptions extends BaseOptions {
  leasesFile: string;
  nftPath: string;
  conntrackPath: string;
  ipPath: string;
  /** How often authorized MACs' new addresses are learned from the neighbour table (0 = never). */
  learnIntervalMs: number;
}

export interface NftablesDeps {
  log: Logger;
  runner: CommandRunner;
  readFile(path: string): Promise<string>;
  /** `/proc/net` of the gateway's network namespace (tests pass `/proc/<pid>/net`). */
  procNetDir: string;
  /** Resolves walled-garden host names (default: the system resolver, walled-garden.ts dnsResolver). */
  resolve?: Resolver;
  /** How often walled-garden host names are resolved again (default 10 minutes; 0 = never). */
  gardenRefreshMs?: number;
}

interface Device {
  id: string;
  poolId: string | null;
  mac: string;
  ips4: Set<string>;
  ips6: Set<string>;
  /** Bytes of addresses it no longer has, as its named counters hold them (ruleset.ts). */
  retired: ByteCounters;
}

interface Pool {
  limits: PoolLimits;
  /** Whether a quota object exists in the kernel for it. */
  hasQuota: boolean;
}

export function createNftablesDriverWith(o: NftablesOptions, deps: NftablesDeps): GatewayDriver {
  const { log, runner } = deps;
  const t = o.table;
  let nft: NftSession | null = null;
  let started = false;
  let lastError: string | null = null;
  let learner: NodeJS.Timeout | null = null;
  const devices = new Map<string, Device>();
  const pools = new Map<string, Pool>();
  const ipOwner = new Map<string, string>();
  const garden = createWalledGarden({
    table: t,
    apply: (cmds) => apply(cmds),
    resolve: deps.resolve ?? dnsResolver(),
    log,
    refreshMs: deps.gardenRefreshMs ?? 600_000,
    timeoutMs: 3000,
  });

  const session = (): NftSession => {
    if (!nft) throw new GatewayError('the nftables driver is not started');
    return nft;
  };

  const spec = (d: Device, ips4 = [...d.ips4], ips6 = [...d.ips6]): DeviceSpec => ({
    names: deviceNames(d.id),
    mac: d.mac,
    ips4,
    ips6,
  });

  const poolSpec = (poolId: string | null): PoolSpec => {
    const p = poolId === null ? undefined : pools.get(poolId);
    if (!p) return { id: poolId ?? '', quota: null, downBps: null, upBps: null };
    return {
      id: p.limits.id,
      quota: p.hasQuota ? quotaName(p.limits.id) : null,
      downBps: p.limits.downBps,
      upBps: p.limits.upBps,
    };
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

  const apply = async (cmds: string[]): Promise<void> => {
    try {
      await session().apply(cmds);
      lastError = null;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      throw err instanceof GatewayError ? err : new GatewayError(String(err), { cause: err });
    }
  };

  /** Ordered so that the two readers of listAll() share the work evenly (up4 + up6, down4 + down6). */
  const counterMaps = (): string[] => (o.ipv6 === 'enforce' ? ['up4', 'down4', 'up6', 'down6'] : ['up4', 'down4']);

  /** Bytes counted so far by the elements of the given (device, address) pairs, per device. */
  const elementBytes = async (picked: Map<string, Set<string>>): Promise<Map<string, ByteCounters>> => {
    const sums = new Map<string, ByteCounters>();
    const fams = new Set([...picked.values()].flatMap((ips) => [...ips].map((ip) => String(isIP(ip)))));
    const maps = counterMaps().filter((m) => fams.has(m.slice(-1)));
    const lists = await session().listAll(maps.map((m) => `list map inet ${t} ${m}`));
    for (const items of lists) parseElementCounters(items, sums, (id, ip) => picked.get(id)?.has(ip) ?? false);
    return sums;
  };

  /**
   * Commands that move the bytes counted by the elements of `leaving` (device id → its addresses about
   * to be unbound, while the device stays) into the devices' retired-bytes counters, and the commit
   * that does the same in memory. An element's counter goes with the element; bytes counted between
   * this read and the batch are lost (never counted twice). Addresses rarely move, so the read of the
   * whole maps stays off the common login path.
   */
  const retirePlan = async (leaving: Map<string, Set<string>>): Promise<{ cmds: string[]; commit: () => void }> => {
    if (leaving.size === 0) return { cmds: [], commit: () => {} };
    const sums = await elementBytes(leaving);
    const cmds: string[] = [];
    const next = new Map<string, ByteCounters>();
    for (const id of leaving.keys()) {
      const d = devices.get(id);
      const s = sums.get(id);
      if (!d || !s) continue;
      const r = { up: d.retired.up + s.up, down: d.retired.down + s.down };
      cmds.push(...retiredCommands(t, spec(d), r.up, r.down));
      next.set(id, r);
    }
    return {
      cmds,
      commit: () => {
        for (const [id, r] of next) {
          const d = devices.get(id);
          if (d) d.retired = r;
        }
      },
    };
  };

  /** Commands that bind `ips` to device `d` (taking them away from any other device first), and a commit. */
  const bindPlan = async (d: Device, v4: string[], v6: string[]): Promise<{ cmds: string[]; commit: () => void }> => {
    const cmds: string[] = [];
    const leaving = new Map<string, Set<string>>();
    for (const ip of [...v4, ...v6]) {
      const owner = ipOwner.get(ip);
      if (owner === undefined || owner === d.id) continue;
      const other = devices.get(owner);
      if (!other) continue;
      const fam4 = isIP(ip) === 4;
      cmds.push(...deviceAddressCommands(t, 'delete', spec(other, fam4 ? [ip] : [], fam4 ? [] : [ip])));
      if (!leaving.has(owner)) leaving.set(owner, new Set());
      leaving.get(owner)!.add(ip);
    }
    const retire = await retirePlan(leaving);
    cmds.push(...retire.cmds);
    const fresh4 = v4.filter((ip) => !d.ips4.has(ip));
    const fresh6 = v6.filter((ip) => !d.ips6.has(ip));
    cmds.push(...deviceAddressCommands(t, 'add', spec(d, fresh4, fresh6)));
    return {
      cmds,
      commit: () => {
        retire.commit();
        commitBind(d, v4, v6);
      },
    };
  };

  const commitBind = (d: Device, v4: string[], v6: string[]): void => {
    for (const ip of [...v4, ...v6]) {
      const owner = ipOwner.get(ip);
      if (owner !== undefined && owner !== d.id) {
        devices.get(owner)?.ips4.delete(ip);
        devices.get(owner)?.ips6.delete(ip);
      }
      ipOwner.set(ip, d.id);
      (isIP(ip) === 4 ? d.ips4 : d.ips6).add(ip);
    }
  };

  const removeCommands = (d: Device): string[] => [
    ...deviceAddressCommands(t, 'delete', spec(d)),
    ...deviceRemoveCommands(t, spec(d)),
  ];

  const forget = (d: Device): void => {
    for (const ip of [...d.ips4, ...d.ips6]) if (ipOwner.get(ip) === d.id) ipOwner.delete(ip);
    devices.delete(d.id);
  };

  /** Builds the batch for a grant; returns the commands, the addresses new to the device, and a commit. */
  const grantPlan = async (grant: DeviceGrant): Promise<{ cmds: string[]; fresh: string[]; commit: () => void }> => {
    if (!pools.has(grant.poolId)) throw new GatewayError(`pool ${grant.poolId} is not set on the gateway (call setPool first)`);
    const mac = grant.mac.toLowerCase();
    const { v4, v6 } = splitIps(grant.ips);
    const cmds: string[] = [];
    let d = devices.get(grant.deviceId);
    let retired = d?.retired ?? { up: 0, down: 0 };
    if (d && d.mac !== mac) {
      // A new MAC: every element is keyed anew, so what the old ones counted becomes retired bytes.
      const own = new Map([[d.id, new Set([...d.ips4, ...d.ips6])]]);
      const s = (await elementBytes(own)).get(d.id) ?? { up: 0, down: 0 };
      retired = { up: retired.up + s.up, down: retired.down + s.down };
      cmds.push(...deviceAddressCommands(t, 'delete', spec(d)), ...retiredCommands(t, spec(d), retired.up, retired.down));
      d = { ...d, mac, ips4: new Set(), ips6: new Set() };
    }
    const next: Device = d
      ? { ...d, poolId: grant.poolId, ips4: new Set(d.ips4), ips6: new Set(d.ips6), retired }
      : { id: grant.deviceId, poolId: grant.poolId, mac, ips4: new Set(), ips6: new Set(), retired };
    cmds.push(...deviceChainCommands(t, spec(next, [], []), poolSpec(grant.poolId)));
    const bind = await bindPlan(next, v4, v6);
    cmds.push(...bind.cmds);
    const fresh = [...v4.filter((ip) => !next.ips4.has(ip)), ...v6.filter((ip) => !next.ips6.has(ip))];
    return {
      cmds,
      fresh,
      commit: () => {
        const old = devices.get(next.id);
        if (old && old.mac !== next.mac) for (const ip of [...old.ips4, ...old.ips6]) ipOwner.delete(ip);
        devices.set(next.id, next);
        bind.commit();
      },
    };
  };

  const poolPlan = (limits: PoolLimits, bytes: number | null): { cmds: string[]; commit: () => void } => {
    const cmds: string[] = [];
    const prev = pools.get(limits.id);
    const quota = quotaName(limits.id);
    if (bytes !== null) cmds.push(...poolQuotaCommands(t, quota, bytes, prev?.hasQuota ?? false));
    const next: Pool = { limits: { ...limits, bytesRemaining: bytes }, hasQuota: bytes !== null };
    const members = [...devices.values()].filter((d) => d.poolId === limits.id);
    const spec2 = { id: limits.id, quota: next.hasQuota ? quota : null, downBps: limits.downBps, upBps: limits.upBps };
    for (const d of members) cmds.push(...deviceChainCommands(t, spec(d, [], []), spec2));
    if (bytes === null && prev?.hasQuota) cmds.push(...poolRemoveCommands(t, quota));
    return { cmds, commit: () => pools.set(limits.id, next) };
  };

  /** The table as the kernel holds it; null when it does not exist yet. */
  const readKernel = async (): Promise<KernelState | null> => {
    const r = await runner.exec([o.nftPath, '-j', 'list', 'table', 'inet', t]);
    if (r.code !== 0 && /No such file or directory/.test(r.stderr)) return null;
    if (r.code !== 0) throw new GatewayError(`nft list table inet ${t}: ${r.stderr.trim()}`);
    return parseTable((JSON.parse(r.stdout) as { nftables: unknown[] }).nftables);
  };

  /**
   * Re-creates a table from an older Portico (maps without per-element counters) in the batch that
   * applies the base ruleset: the device maps are dropped and re-filled, the device chains stop
   * feeding their named counters, which keep their bytes as the retired bytes. Nobody is cut off.
   */
  const migrationCommands = (state: KernelState | null): { before: string[]; after: string[] } => {
    if (!state || state.legacyMaps.length === 0) return { before: [], after: [] };
    const after: string[] = [];
    for (const [id, k] of state.devices) {
      if (!k.mac) continue;
      after.push(...legacyDeviceCommands(t, { names: deviceNames(id), mac: k.mac, ips4: k.ips4, ips6: o.ipv6 === 'enforce' ? k.ips6 : [] }, k.legacyRules));
    }
    log.info('gateway/nftables', 'moving counters onto the device maps (table from an older Portico)', { devices: state.devices.size });
    return { before: legacyMapCommands(t, state.legacyMaps), after };
  };

  const loadKernel = (state: KernelState | null): void => {
    devices.clear();
    ipOwner.clear();
    if (!state) return;
    for (const [id, k] of state.devices) {
      const d: Device = { id, poolId: k.poolId, mac: k.mac ?? '00:00:00:00:00:00', ips4: new Set(k.ips4), ips6: new Set(k.ips6), retired: k.retired };
      devices.set(id, d);
      for (const ip of [...d.ips4, ...d.ips6]) ipOwner.set(ip, id);
    }
    for (const [id, q] of state.quotas) {
      if (!pools.has(id)) pools.set(id, { limits: { id, downBps: null, upBps: null, bytesRemaining: Math.max(0, q.bytes - q.used) }, hasQuota: true });
    }
    log.info('gateway/nftables', 'kernel state loaded', { devices: devices.size, quotas: state.quotas.size });
  };

  const ipv6Guard = async (): Promise<void> => {
    if (o.ipv6 !== 'refuse') return;
    for (const dev of o.interfaces) {
      const r = await runner.exec([o.ipPath, '-j', '-6', 'addr', 'show', 'dev', dev, 'scope', 'global']);
      const rows = r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Array<{ addr_info?: Array<{ local?: string }> }>) : [];
      const addr = rows.flatMap((x) => x.addr_info ?? []).find((a) => a.local)?.local;
      if (addr) {
        throw new GatewayError(
          `IPv6 would leak past the portal: ${dev} has the global address ${addr} while gateway.nftables.ipv6 is "refuse". ` +
            `Set gateway.nftables.ipv6 to "enforce", or stop announcing a global prefix on ${dev} (OpenWrt: uci set network.lan.ip6assign='0').`,
        );
      }
    }
  };

  /**
   * Flows a device opened before its login sit in the pre-login conntrack zone, which its packets
   * left in the batch that authorized it (ruleset.ts raw_pre): they can no longer match anything, so
   * the login does not wait for the conntrack walk. Deleting them is clean-up, done in the background
   * one address at a time (each `conntrack -D` walks the whole hash: a burst of logins must not start
   * a burst of walks competing with the logins for the CPU).
   */
  const preLogin = { pending: new Set<string>(), running: false };
  const drainPreLogin = async (): Promise<void> => {
    for (const ip of preLogin.pending) {
      preLogin.pending.delete(ip);
      await flushConntrack(runner, o.conntrackPath, [ip], 'source', PRE_LOGIN_ZONE).catch((err: unknown) =>
        log.warn('gateway/nftables', 'pre-login conntrack clean-up failed', { ip, err: String(err) }),
      );
    }
    preLogin.running = false;
  };
  const flushPreLogin = (ips: string[]): void => {
    for (const ip of ips) preLogin.pending.add(ip);
    if (preLogin.running || preLogin.pending.size === 0) return;
    preLogin.running = true;
    // After the caller's continuation (the 303): spawning a process blocks the event loop for a while.
    setImmediate(() => void drainPreLogin());
  };

  const learn = async (): Promise<void> => {
    if (devices.size === 0) return;
    const r = await runner.exec([o.ipPath, '-j', 'neigh', 'show']);
    if (r.code !== 0) return;
    const byMac = new Map<string, Device>();
    for (const d of devices.values()) byMac.set(d.mac, d);
    for (const n of parseIpNeighJson(r.stdout)) {
      if (n.dev && !o.interfaces.includes(n.dev)) continue;
      const d = byMac.get(n.mac);
      if (!d || d.ips4.has(n.ip) || d.ips6.has(n.ip) || n.ip.startsWith('fe80:')) continue;
      const { v4, v6 } = splitIps([n.ip]);
      if (v4.length + v6.length === 0) continue;
      const plan = await bindPlan(d, v4, v6);
      await apply(plan.cmds);
      plan.commit();
      log.info('gateway/nftables', 'learned address', { deviceId: d.id, ip: n.ip });
    }
  };

  return {
    name: 'nftables',
    // A quota drops the whole packet that would cross it; with GSO on a veth/bridge that is up to 64 KiB.
    quotaSlackBytes: 65_536,

    async start() {
      if (started) return;
      await ipv6Guard();
      nft ??= createNftSession({ runner, nftPath: o.nftPath, table: t });
      const state = await readKernel();
      const migration = migrationCommands(state);
      // The console's walled garden (if this instance had one) replaces the config file's in the same batch.
      await apply([...migration.before, ...baseRuleset(o), ...(garden.commands() ?? []), ...migration.after]);
      loadKernel(state);
      started = true;
      if (o.learnIntervalMs > 0) {
        learner = setInterval(() => {
          learn().catch((err: unknown) => log.warn('gateway/nftables', 'address learning failed', { err: String(err) }));
        }, o.learnIntervalMs);
        learner.unref();
      }
    },

    async stop() {
      if (learner) clearInterval(learner);
      learner = null;
      garden.stop();
      started = false;
      await nft?.close();
      nft = null;
    },

    async lookupClient(rawIp) {
      const ip = normalizeIp(rawIp);
      let mac: string | undefined;
      if (isIP(ip) === 4) {
        mac = parseProcArp(await deps.readFile(`${deps.procNetDir}/arp`).catch(() => '')).get(ip);
      } else if (isIP(ip) === 6) {
        const r = await runner.exec([o.ipPath, '-j', '-6', 'neigh', 'show', 'to', ip]);
        mac = r.code === 0 ? parseIpNeighJson(r.stdout).find((n) => n.ip === ip)?.mac : undefined;
      } else {
        return null;
      }
      if (!mac && isIP(ip) === 4) mac = parseLeases(await deps.readFile(o.leasesFile).catch(() => '')).get(ip);
      return mac ? ({ mac, ip } satisfies ClientInfo) : null;
    },

    async setPool(limits) {
      const plan = poolPlan(limits, limits.bytesRemaining);
      await apply(plan.cmds);
      plan.commit();
    },

    async removePool(poolId) {
      const cmds: string[] = [];
      const members = [...devices.values()].filter((d) => d.poolId === poolId);
      for (const d of members) cmds.push(...removeCommands(d));
      if (pools.get(poolId)?.hasQuota) cmds.push(...poolRemoveCommands(t, quotaName(poolId)));
      if (cmds.length) await apply(cmds);
      for (const d of members) forget(d);
      pools.delete(poolId);
      const ips = members.flatMap((d) => [...d.ips4, ...d.ips6]);
      if (ips.length) await flushConntrack(runner, o.conntrackPath, ips, 'both');
    },

    async authorize(grant) {
      const plan = await grantPlan(grant);
      await apply(plan.cmds);
      plan.commit();
      // Every address of the grant, not only new ones: a pre-login flow redirected to the portal must go.
      const { v4, v6 } = splitIps(grant.ips);
      flushPreLogin([...v4, ...v6]);
    },

    async deauthorize(deviceId) {
      const d = devices.get(deviceId);
      if (!d) return;
      await apply(removeCommands(d));
      forget(d);
      await flushConntrack(runner, o.conntrackPath, [...d.ips4, ...d.ips6], 'both');
    },

    async readCounters(): Promise<DeviceCounters[]> {
      // One `list map` per device map, side by side (ruleset.ts: `list counters` would load the whole ruleset).
      const sums = new Map<string, ByteCounters>();
      const lists = await session().listAll(counterMaps().map((m) => `list map inet ${t} ${m}`));
      for (const items of lists) parseElementCounters(items, sums);
      return [...devices.values()].map((d) => ({
        deviceId: d.id,
        bytesUp: d.retired.up + (sums.get(d.id)?.up ?? 0),
        bytesDown: d.retired.down + (sums.get(d.id)?.down ?? 0),
      }));
    },

    async reconcile(state) {
      const kernelQuotas = parseQuotas(await session().list(`list quotas table inet ${t}`));
      const cmds: string[] = [];
      const commits: Array<() => void> = [];
      const wantedPools = new Set(state.pools.map((p) => p.id));
      // A pool's kernel quota may have run on while Portico was down: never hand back more than either
      // side knows is left (the database lags by up to one poll, the kernel counted every byte).
      for (const p of state.pools) {
        const k = kernelQuotas.get(p.id);
        const bytes = p.bytesRemaining === null ? null : k ? Math.min(p.bytesRemaining, Math.max(0, k.bytes - k.used)) : p.bytesRemaining;
        const prev = pools.get(p.id);
        if (k && prev && bytes !== null && prev.limits.downBps === p.downBps && prev.limits.upBps === p.upBps && k.bytes - k.used === bytes) continue;
        pools.set(p.id, { limits: { ...p, bytesRemaining: bytes }, hasQuota: k !== undefined });
        const plan = poolPlan(p, bytes);
        cmds.push(...plan.cmds);
        commits.push(plan.commit);
      }
      const wanted = new Set(state.devices.map((d) => d.deviceId));
      const gone = [...devices.values()].filter((d) => !wanted.has(d.id));
      for (const d of gone) cmds.push(...removeCommands(d));
      await apply(cmds);
      for (const c of commits) c();
      for (const d of gone) forget(d);
      const fresh: string[] = [];
      for (const g of state.devices) {
        const plan = await grantPlan(g);
        await apply(plan.cmds);
        plan.commit();
        fresh.push(...plan.fresh);
      }
      const stale: string[] = [];
      for (const [id, q] of kernelQuotas) if (!wantedPools.has(id) && q) stale.push(...poolRemoveCommands(t, quotaName(id)));
      for (const id of [...pools.keys()]) if (!wantedPools.has(id)) pools.delete(id);
      if (stale.length) await apply(stale);
      const goneIps = gone.flatMap((d) => [...d.ips4, ...d.ips6]);
      if (goneIps.length) await flushConntrack(runner, o.conntrackPath, goneIps, 'both');
      if (fresh.length) flushPreLogin(fresh);
    },

    async setWalledGarden(entries) {
      session();
      await garden.set(entries);
    },

    health(): GatewayHealth {
      if (!started) return { ok: false, detail: 'not started' };
      if (lastError) return { ok: false, detail: lastError };
      return { ok: true, detail: `nftables table inet ${t}: ${devices.size} devices, ${pools.size} pools` };
    },
  };
}
