/**
 * The nftables gateway driver (SPEC §4), the glue: the desired state (device-table.ts) turns every
 * change into nft commands; group-commit.ts sends the commands of calls that arrive together as ONE
 * atomic batch over a persistent `nft -i` (transport.ts). The rules alone cut a device's stale flows
 * off at login and at logout (ruleset.ts: conntrack zones); the conntrack entries left behind are
 * deleted in the background (conntrack-cleanup.ts), never on a login's or a logout's path. A first
 * login is one transaction: the pool's quota waits for its first device (device-table.ts). The driver never flushes its table: `start()`
 * re-applies the base chains and the rate classes atomically and reads the devices back from the kernel
 * (their elements name them: ruleset.ts), so a restart or a kill -9 does not cut anyone; `reconcile()`
 * then converges to the database in one batch. The console's walled garden (host names resolved and
 * refreshed) is kept by walled-garden.ts.
 *
 * @example
 *   const driver = createNftablesDriverWith(options, { log, runner: nodeRunner(), readFile, procNetDir: '/proc/net' });
 *   await driver.start();
 */
import { isIP } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { GatewayError, type DeviceCounters, type DeviceGrant, type GatewayDriver, type GatewayHealth, type PoolLimits } from '../driver.js';
import { createClientLookup } from './client-lookup.js';
import { createConntrackCleanup } from './conntrack-cleanup.js';
import { createDeviceTable } from './device-table.js';
import { createGroupCommit } from './group-commit.js';
import { parseElements, parseQuotas, parseTable, type ByteCounters, type KernelState } from './kernel-state.js';
import { migrationCommands } from './legacy-migration.js';
import { parseRateChain } from './names.js';
import { baseRuleset, bypassCommands, coalesceElementAdds, rateClassCommands, type BaseOptions } from './ruleset.js';
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

export function createNftablesDriverWith(o: NftablesOptions, deps: NftablesDeps): GatewayDriver & { batches(): { batches: number; calls: number } } {
  const { log, runner } = deps;
  const t = o.table;
  let nft: NftSession | null = null;
  let started = false;
  let lastError: string | null = null;
  let learner: NodeJS.Timeout | null = null;
  /**
   * The kernel as start() read it, until the next batch: the first counter sweep and the reconcile
   * that follow a start use it instead of reading the maps and quotas again (with 1,000 devices each
   * read costs a fresh `nft` loading them, ~50 ms, several times that on a busy router). Element
   * counters and quota usage only grow, so a reading from a moment earlier is as good as a new one:
   * what was counted since is in the next sweep, never twice.
   */
  let startCounters: KernelState | null = null;
  let startQuotas: KernelState | null = null;

  const session = (): NftSession => {
    if (!nft) throw new GatewayError('the nftables driver is not started');
    return nft;
  };

  const apply = async (cmds: string[]): Promise<void> => {
    startCounters = startQuotas = null;
    try {
      // One add per set for a whole group commit (ruleset.ts: nft's cost is per command).
      await session().apply(coalesceElementAdds(cmds));
      lastError = null;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
      throw err instanceof GatewayError ? err : new GatewayError(String(err), { cause: err });
    }
  };

  /** Ordered so that the two readers of listAll() share the work evenly (up4 + up6, down4 + down6). */
  const counterMaps = (): string[] => (o.ipv6 === 'enforce' ? ['up4', 'down4', 'up6', 'down6'] : ['up4', 'down4']);

  /** Bytes counted so far by the elements of the given addresses, per address. */
  const elementBytes = async (ips: Set<string>): Promise<Map<string, ByteCounters>> => {
    const sums = new Map<string, ByteCounters>();
    const fams = new Set([...ips].map((ip) => String(isIP(ip))));
    const maps = counterMaps().filter((m) => fams.has(m.slice(-1)));
    const lists = await session().listAll(maps.map((m) => `list map inet ${t} ${m}`));
    for (const e of lists.flatMap(parseElements)) {
      if (!ips.has(e.ip)) continue;
      let v = sums.get(e.ip);
      if (!v) sums.set(e.ip, (v = { up: 0, down: 0 }));
      v[e.map.startsWith('up') ? 'up' : 'down'] += e.bytes;
    }
    return sums;
  };

  const table = createDeviceTable({ table: t, ipv6: o.ipv6 }, elementBytes);
  const commit = createGroupCommit({ apply, snapshot: table.snapshot, restore: table.restore, release: table.release, begin: table.begin });
  const cleanup = createConntrackCleanup({ runner, conntrackPath: o.conntrackPath, log, bound: (ip) => table.owner(ip, null) !== undefined });
  /** The bypass list as last set by this process (a shrink clears the bypass zone's flows). */
  let bypassed = new Set<string>();
  const lookup = createClientLookup({ ...deps, ipPath: o.ipPath, leasesFile: o.leasesFile, interfaces: o.interfaces });
  const garden = createWalledGarden({
    table: t,
    apply: (cmds) => apply(cmds),
    resolve: deps.resolve ?? dnsResolver(),
    log,
    refreshMs: deps.gardenRefreshMs ?? 600_000,
    timeoutMs: 3000,
  });

  /**
   * The table as the kernel holds it; null when it does not exist yet. Read in parts, side by side (a
   * restart waits for it): the table without set elements (`-t`: chains, rules, quotas, counters) and
   * the maps whose elements name the devices, on the two readers. Not `list table` whole: one process
   * then parses everything alone, the auth and download-quota sets included (~0.7 MB of JSON with
   * 1,000 devices: 90 ms here against ~45 ms).
   */
  const readKernel = async (nft: NftSession): Promise<KernelState | null> => {
    const maps = ['up4', 'down4', 'uq4', 'up6', 'down6', 'uq6'];
    const [r, lists] = await Promise.all([
      runner.exec([o.nftPath, '-j', '-t', 'list', 'table', 'inet', t]),
      // A map an older release did not create reads as empty; a missing table is told by the first read.
      nft.listAll(maps.map((m) => `list map inet ${t} ${m}`), { missing: 'empty' }),
    ]);
    if (r.code !== 0 && /No such file or directory/.test(r.stderr)) return null;
    if (r.code !== 0) throw new GatewayError(`nft list table inet ${t}: ${r.stderr.trim()}`);
    const terse = (JSON.parse(r.stdout) as { nftables: unknown[] }).nftables.filter((x) => !(x as { map?: unknown }).map);
    return parseTable([...terse, ...lists.flat()]);
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

  /** A grant (after its pool's limits, when given) as one call of the group commit. */
  const grantPlanned = (limits: PoolLimits | null, grant: DeviceGrant): Promise<void> => {
    session();
    return commit.run(async () => {
      const pool = limits ? await table.setPool(limits) : [];
      const { cmds } = await table.grant(grant);
      // Every address of the grant, not only new ones: a pre-login flow redirected to the portal must go.
      const { v4, v6 } = table.splitIps(grant.ips);
      return { cmds: [...pool, ...cmds], done: () => cleanup.loggedIn([...v4, ...v6]) };
    });
  };

  /** Binds the addresses the neighbour table shows for authorized MACs, all in one batch. */
  const learn = async (): Promise<void> => {
    if (table.size.devices === 0) return;
    const found = await lookup.neighbours();
    await commit.run(async () => {
      const byMac = new Map(table.devices().map((d) => [d.mac, d.id]));
      const cmds: string[] = [];
      for (const n of found) {
        const id = byMac.get(n.mac);
        const learned = id === undefined ? [] : await table.learn(id, n.ip);
        if (learned.length) log.info('gateway/nftables', 'learned address', { deviceId: id, ip: n.ip });
        cmds.push(...learned);
      }
      return { cmds };
    });
  };

  return {
    name: 'nftables',
    // A quota drops the whole packet that would cross it; with GSO on a veth/bridge that is up to 64 KiB.
    quotaSlackBytes: 65_536,

    async start() {
      if (started) return;
      await ipv6Guard();
      nft ??= createNftSession({ runner, nftPath: o.nftPath, table: t });
      // The writer's process starts while the table is read (each costs a process start).
      nft.warm();
      const state = await readKernel(nft);
      // The rate classes kept from before are rewritten with this release's rules (atomically, like the base chains).
      const classes = [...(state?.classes ?? [])].flatMap((name) => {
        const c = parseRateChain(name);
        return c && (c.fam === 4 || o.ipv6 === 'enforce') ? rateClassCommands(t, c.dir, c.fam, c.rate) : [];
      });
      // After that list: the classes a migration creates are added to `state` by it.
      const migration = migrationCommands(state, o, log);
      // The console's walled garden (if this instance had one) replaces the config file's in the same batch.
      await apply([...migration.before, ...baseRuleset(o), ...(garden.commands() ?? []), ...classes, ...migration.after]);
      table.load(state);
      // Classes of rates nobody has any more: their own batch, best effort (a refusal must not stop the start).
      const unused = table.unusedClasses();
      if (unused.cmds.length) {
        await session().apply(unused.cmds).then(unused.done, (err: unknown) => log.warn('gateway/nftables', 'cannot drop unused rate classes', { err: String(err) }));
      }
      // Not after a migration: the bytes it moved into elements were in per-device chains when read.
      if (migration.before.length + migration.after.length === 0) startCounters = startQuotas = state;
      log.info('gateway/nftables', 'kernel state loaded', { devices: state?.devices.size ?? 0, quotas: state?.quotas.size ?? 0 });
      started = true;
      if (o.learnIntervalMs > 0) {
        learner = setInterval(() => {
          learn().catch((err: unknown) => log.warn('gateway/nftables', 'address learning failed', { err: String(err) }));
        }, o.learnIntervalMs);
        learner.unref();
      }
    },

    async stop() {
      startCounters = startQuotas = null;
      if (learner) clearInterval(learner);
      learner = null;
      garden.stop();
      started = false;
      await commit.idle();
      await cleanup.stop();
      await nft?.close();
      nft = null;
    },

    lookupClient: (ip) => lookup.client(ip),

    async setPool(limits) {
      session();
      return commit.run(async () => ({ cmds: await table.setPool(limits) }));
    },

    async removePool(poolId) {
      session();
      return commit.run(async () => {
        const r = table.removePool(poolId);
        return { cmds: r.cmds, done: () => cleanup.left(r.ips) };
      });
    },

    authorize: (grant) => grantPlanned(null, grant),

    // A first login: the pool's limits wait for their first device anyway (device-table.ts), so both
    // are planned in one call of the group commit, one batch.
    authorizeWithPool: (limits, grant) => grantPlanned(limits, grant),

    async deauthorize(deviceId) {
      session();
      return commit.run(async () => {
        const r = table.remove(deviceId);
        return r ? { cmds: r.cmds, done: () => cleanup.left(r.ips) } : { cmds: [] };
      });
    },

    async readCounters(): Promise<DeviceCounters[]> {
      // One `list map` per device map, side by side (ruleset.ts: `list counters` would load the whole ruleset).
      // Each element is its device's through the address → device map (its class chain is shared).
      const sums = new Map<string, ByteCounters>();
      const add = (d: { id: string } | undefined, dir: 'up' | 'down', bytes: number) => {
        if (!d) return;
        let v = sums.get(d.id);
        if (!v) sums.set(d.id, (v = { up: 0, down: 0 }));
        v[dir] += bytes;
      };
      const read = startCounters;
      // Once only: a later sweep must see what was counted since.
      startCounters = null;
      // The maps are read alongside batches (a login must not wait ~40 ms for a sweep): devices that
      // a batch may change meanwhile sit this reading out (device-table.ts fence()).
      const fence = read ? Infinity : table.fence();
      if (read) {
        for (const k of read.devices.values()) {
          for (const [ip, b] of k.bytes) {
            add(table.owner(ip, k.mac), 'up', b.up);
            add(table.owner(ip, null), 'down', b.down);
          }
        }
      } else {
        const lists = await session().listAll(counterMaps().map((m) => `list map inet ${t} ${m}`), { alongside: true });
        for (const e of lists.flatMap(parseElements)) add(table.owner(e.ip, e.mac), e.map.startsWith('up') ? 'up' : 'down', e.bytes);
      }
      return table.devices().filter((d) => d.epoch < fence).map((d) => ({
        deviceId: d.id,
        bytesUp: d.retired.up + (sums.get(d.id)?.up ?? 0),
        bytesDown: d.retired.down + (sums.get(d.id)?.down ?? 0),
      }));
    },

    async reconcile(state) {
      // Right after start(): the quotas as it read them (see startCounters), once.
      const kernelQuotas = startQuotas ? startQuotas.quotas : parseQuotas(await session().list(`list quotas table inet ${t}`));
      startQuotas = null;
      // One batch for the whole database (it used to be one per device: 1,000 batches after a restart).
      await commit.run(async () => {
        const wanted = new Set(state.devices.map((d) => d.deviceId));
        const cmds = await table.reconcilePools(state.pools, kernelQuotas);
        const goneIps: string[] = [];
        for (const d of table.devices()) {
          if (wanted.has(d.id)) continue;
          const r = table.remove(d.id)!;
          cmds.push(...r.cmds);
          goneIps.push(...r.ips);
        }
        const fresh: string[] = [];
        for (const g of state.devices) {
          const r = await table.grant(g);
          cmds.push(...r.cmds);
          fresh.push(...r.fresh);
        }
        cmds.push(...table.dropPools(new Set(state.pools.map((p) => p.id)), kernelQuotas));
        return {
          cmds,
          done: () => {
            cleanup.left(goneIps);
            cleanup.loggedIn(fresh);
          },
        };
      });
    },

    async setWalledGarden(entries) {
      session();
      await garden.set(entries);
    },

    async setBypass(macs) {
      await apply(bypassCommands(t, macs));
      const now = new Set(macs);
      if ([...bypassed].some((m) => !now.has(m))) cleanup.bypassShrank();
      bypassed = now;
    },

    health(): GatewayHealth {
      if (!started) return { ok: false, detail: 'not started' };
      if (lastError) return { ok: false, detail: lastError };
      const n = table.size;
      return { ok: true, detail: `nftables table inet ${t}: ${n.devices} devices, ${n.pools} pools` };
    },

    batches: () => commit.stats(),
  };
}
