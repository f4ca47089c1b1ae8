/**
 * The `routeros` driver: Portico is the ledger, one or more MikroTik Hotspots enforce it. Every router
 * gets every pool (same user, same profile), so a voucher works on any tower; devices are logged in on
 * the router that sees them. Each router enforces `limit-bytes-total` on its own, so with several
 * routers a pool may overshoot by what the others let through between two sweeps: core's sweep pushes
 * fresh `bytesRemaining` with `setPool`, and the routers converge.
 *
 * A router that is down does not block the others: pushes it missed are replayed before its next call;
 * counters of its devices stay at their last known values. A device's own router being down is a
 * GatewayError, so core applies nothing.
 *
 * This file is the glue: the pool/device tables and the GatewayDriver methods. The fan-out and replay
 * policy is fleet.ts, which router a device is on is placement.ts, the wire is router.ts and below.
 *
 * @example
 *   const driver = createRouterOsDriverWith({ routers: [{ name: 'tower1', ops }], log, randomPassword });
 */
import type { Logger } from '../../lib/log.js';
import { isValidIp, isIpv6, normalizeMac } from '../../lib/net.js';
import { GatewayError, type DeviceCounters, type DeviceGrant, type GatewayDriver, type PoolLimits } from '../driver.js';
import { RouterOsTrap } from './client.js';
import { foldRouterRead, startSession, total, zero, type Tally, type Traffic } from './counters.js';
import { createFleet, OWNER } from './fleet.js';
import { createPlacement } from './placement.js';
import type { RouterOps } from './router.js';

export interface RouterOsDriverDeps {
  routers: RouterOps[];
  log: Logger;
  /** A fresh password for a pool's hotspot user (never shown to anyone). */
  randomPassword: () => string;
}

interface Device {
  grant: DeviceGrant;
  router: string;
  ip: string;
  tally: Tally;
}

export function createRouterOsDriverWith(deps: RouterOsDriverDeps): GatewayDriver {
  const fleet = createFleet({ routers: deps.routers, log: deps.log, replay: apply });
  const { routers, on, everywhere } = fleet;
  const { candidates, routerFor } = createPlacement(fleet);
  const pools = new Map<string, PoolLimits>();
  const passwords = new Map<string, string>();
  const devices = new Map<string, Device>();
  /** Each (router, pool) user's accumulated counters at the last read: recovers ended sessions' tails. */
  const userSeen = new Map<string, Traffic>();
  const userKey = (router: string, poolId: string) => `${router}\u0000${poolId}`;
  const forgetPool = (poolId: string) => {
    for (const r of routers.keys()) userSeen.delete(userKey(r, poolId));
  };
  let started = false;

  /**
   * Host names from each router's DHCP leases, for the status page: asked once per MAC per NAME_TTL_MS
   * (a login's lookup would otherwise cost a second API call), bounded; a router without a DHCP server
   * simply has none.
   */
  const NAME_TTL_MS = 10 * 60_000;
  const nameCache = new Map<string, { name: string | null; at: number }>();
  const names = {
    async of(router: string, mac: string): Promise<string | null> {
      const key = `${router}\u0000${mac}`;
      const hit = nameCache.get(key);
      const now = Date.now();
      if (hit && now - hit.at < NAME_TTL_MS) return hit.name;
      const r = routers.get(router);
      const name = r ? await r.hostName(mac) : null;
      nameCache.delete(key);
      nameCache.set(key, { name, at: now });
      if (nameCache.size > 4096) nameCache.delete(nameCache.keys().next().value!);
      return name;
    },
  };

  const password = (poolId: string) => {
    let p = passwords.get(poolId);
    if (!p) passwords.set(poolId, (p = deps.randomPassword()));
    return p;
  };
  const sharedUsers = (router: string, poolId: string) => [...devices.values()].filter((d) => d.router === router && d.grant.poolId === poolId).length;

  async function apply(r: RouterOps, poolId: string): Promise<void> {
    const limits = pools.get(poolId);
    if (limits) await r.pushPool(limits, { password: password(poolId), sharedUsers: sharedUsers(r.name, poolId) });
    else await r.removePool(poolId);
  }

  const ipv4Of = (grant: DeviceGrant) => grant.ips.find((ip) => isValidIp(ip) && !isIpv6(ip));

  async function login(r: RouterOps, grant: DeviceGrant, ip: string): Promise<Device> {
    const previous = devices.get(grant.deviceId);
    const s = await r.login({ poolId: grant.poolId, password: password(grant.poolId), ip, mac: grant.mac });
    const keep = previous && previous.router === r.name && previous.grant.poolId === grant.poolId;
    const tally: Tally = keep ? previous.tally : { mac: grant.mac, poolId: grant.poolId, base: previous ? total(previous.tally) : zero(), last: zero(), ended: false };
    if (keep) startSession(tally, s);
    else Object.assign(tally, { sessionId: s.id, last: { up: s.bytesUp, down: s.bytesDown } });
    return { grant, router: r.name, ip, tally };
  }

  /** Logs back in the pool's devices a router dropped (its `limit-bytes-total` was reached). */
  async function revive(r: RouterOps, poolId: string): Promise<void> {
    const mine = [...devices.values()].filter((d) => d.router === r.name && d.grant.poolId === poolId);
    if (!mine.length) return;
    const active = new Set((await r.sessions()).map((s) => s.id));
    for (const d of mine) {
      if (d.tally.sessionId && active.has(d.tally.sessionId)) continue;
      try {
        devices.set(d.grant.deviceId, await login(r, d.grant, d.ip));
      } catch (err) {
        deps.log.info(OWNER, 'could not log a device back in', { router: r.name, deviceId: d.grant.deviceId, err: String(err) });
      }
    }
  }

  const driver: GatewayDriver = {
    name: 'routeros',
    resyncPools: true,

    async start() {
      if (started) return;
      const results = await Promise.allSettled([...routers.values()].map((r) => on(r, () => r.verify())));
      const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
      for (const f of failed) deps.log.warn(OWNER, 'router not ready', { err: String(f.reason) });
      if (failed.length === routers.size)
        throw new GatewayError(
          `no MikroTik answered the API (${failed.map((f) => String((f.reason as Error)?.message ?? f.reason)).join('; ')}). Check gateway.routeros.routers (host, port, user, password), that /ip service api (or api-ssl) is enabled for Portico's address, and the hotspot name.`,
        );
      started = true;
    },

    async stop() {
      started = false;
      await Promise.all([...routers.values()].map((r) => r.client.close()));
    },

    async lookupClient(ip, hint) {
      if (!isValidIp(ip) || isIpv6(ip)) return null; // HotSpot is IPv4-only (Part 1b)
      const { found, failed } = await candidates(ip);
      let pick = found;
      if (pick.length > 1 && hint?.site !== undefined) pick = pick.filter((c) => c.router === hint.site);
      const hintMac = hint?.mac ? normalizeMac(hint.mac) : null;
      if (pick.length > 1 && hintMac) pick = pick.filter((c) => c.mac === hintMac);
      if (pick.length === 1) {
        const { mac, router } = pick[0]!;
        const hostName = await names.of(router, mac);
        return { mac, ip, site: router, ...(hostName ? { hostName } : {}) };
      }
      if (found.length === 0 && failed.length) throw failed[0] instanceof GatewayError ? failed[0] : new GatewayError(String(failed[0]));
      return null; // unknown, or ambiguous without a hint that settles it
    },

    async setPool(limits) {
      pools.set(limits.id, { ...limits });
      await everywhere(
        `setPool ${limits.id}`,
        async (r) => {
          await apply(r, limits.id);
          if (limits.bytesRemaining === null || limits.bytesRemaining > 0) await revive(r, limits.id);
        },
        (r) => fleet.markDirty(r, limits.id),
      );
    },

    async removePool(poolId) {
      pools.delete(poolId);
      for (const [id, d] of devices) if (d.grant.poolId === poolId) devices.delete(id);
      await everywhere(`removePool ${poolId}`, (r) => apply(r, poolId), (r) => fleet.markDirty(r, poolId));
      passwords.delete(poolId);
      forgetPool(poolId);
    },

    async authorize(grant) {
      const limits = pools.get(grant.poolId);
      if (!limits) throw new GatewayError(`pool ${grant.poolId} is not set`);
      const ip = ipv4Of(grant);
      if (!ip) throw new GatewayError(`device ${grant.deviceId} has no IPv4 address; the MikroTik Hotspot is IPv4-only`);
      const r = await routerFor(grant, ip);
      const previous = devices.get(grant.deviceId);
      if (previous && previous.router !== r.name) {
        // Roamed to another tower: end the old session where it was, if that router answers.
        const old = routers.get(previous.router);
        if (old) await on(old, () => old.kick(previous.grant.poolId, previous.grant.mac)).catch((err) => deps.log.info(OWNER, 'could not end a roamed session', { err: String(err) }));
      }
      await on(r, async () => {
        // shared-users must allow this device before the login (profile is per router).
        const count = [...devices.values()].filter((d) => d.router === r.name && d.grant.poolId === grant.poolId && d.grant.deviceId !== grant.deviceId).length + 1;
        const used = await r.pushPool(limits, { password: password(grant.poolId), sharedUsers: count });
        if (!userSeen.has(userKey(r.name, grant.poolId))) userSeen.set(userKey(r.name, grant.poolId), used);
        const d = await login(r, { ...grant, site: r.name }, ip);
        devices.set(grant.deviceId, d);
      });
    },

    async deauthorize(deviceId) {
      const d = devices.get(deviceId);
      if (!d) return;
      const r = routers.get(d.router);
      if (r) await on(r, () => r.kick(d.grant.poolId, d.grant.mac));
      devices.delete(deviceId);
    },

    async readCounters() {
      const byRouter = new Map<string, Device[]>();
      for (const d of devices.values()) byRouter.set(d.router, [...(byRouter.get(d.router) ?? []), d]);
      await everywhere('readCounters', async (r) => {
        const mine = byRouter.get(r.name) ?? [];
        if (!mine.length) return;
        const sessions = await r.sessions();
        const users = await r.userCounters();
        for (const poolId of new Set(mine.map((d) => d.grant.poolId))) {
          const key = userKey(r.name, poolId);
          const now = users.get(poolId);
          const before = userSeen.get(key);
          const growth = now && before ? { up: now.up - before.up, down: now.down - before.down } : undefined;
          foldRouterRead(mine.filter((d) => d.grant.poolId === poolId).map((d) => d.tally), sessions, growth);
          if (now) userSeen.set(key, now);
        }
      });
      return [...devices.values()].map((d): DeviceCounters => {
        const t = total(d.tally);
        return { deviceId: d.grant.deviceId, bytesUp: t.up, bytesDown: t.down };
      });
    },

    async setWalledGarden(entries) {
      await everywhere('setWalledGarden', (r) => r.setGarden(entries));
    },

    async setBypass(macs) {
      await everywhere('setBypass', (r) => r.setBypass(macs));
    },

    async reconcile(state) {
      const wanted = new Set(state.pools.map((p) => p.id));
      const stale = new Set([...pools.keys()].filter((id) => !wanted.has(id)));
      pools.clear();
      for (const p of state.pools) pools.set(p.id, { ...p });
      for (const id of stale) forgetPool(id);
      const keep = new Map(devices);
      devices.clear();
      await everywhere(
        'reconcile',
        async (r) => {
          const managed = await r.managed();
          for (const id of new Set([...managed.users.keys(), ...managed.profiles.keys(), ...stale])) if (!wanted.has(id)) await r.removePool(id);
          const sessions = await r.sessions();
          const grants = state.devices.filter((g) => g.site === undefined || g.site === r.name);
          for (const p of state.pools) {
            const here = grants.filter((g) => g.poolId === p.id && sessions.some((s) => s.user === p.id && s.mac === g.mac)).length;
            await r.pushPool(p, { password: password(p.id), sharedUsers: Math.max(here, grants.filter((g) => g.poolId === p.id).length) });
          }
          const owned = sessions.filter((s) => wanted.has(s.user) || managed.users.has(s.user));
          const extra: string[] = [];
          for (const s of owned) {
            const g = grants.find((x) => x.poolId === s.user && x.mac === s.mac);
            if (!g) {
              extra.push(s.id);
              continue;
            }
            const prev = keep.get(g.deviceId);
            const same = prev && prev.router === r.name && prev.tally.sessionId === s.id;
            const tally: Tally = same
              ? prev.tally
              : { mac: g.mac, poolId: g.poolId, sessionId: s.id, base: zero(), last: { up: s.bytesUp, down: s.bytesDown }, ended: false };
            devices.set(g.deviceId, { grant: { ...g, site: r.name }, router: r.name, ip: s.ip, tally });
          }
          await r.removeActive(extra);
        },
        (r) => {
          for (const id of new Set([...wanted, ...stale])) fleet.markDirty(r, id);
          // Its devices keep their last known counters until it answers again.
          for (const g of state.devices) {
            const prev = keep.get(g.deviceId);
            if (prev && prev.router === r.name && wanted.has(g.poolId)) devices.set(g.deviceId, { ...prev, grant: { ...g, site: r.name } });
          }
        },
      );
      // Grants with no session anywhere: log them in where their host is seen (offline ones wait).
      for (const g of state.devices) {
        if (devices.has(g.deviceId)) continue;
        const ip = ipv4Of(g);
        if (!ip) continue;
        try {
          const r = await routerFor(g, ip);
          await on(r, async () => devices.set(g.deviceId, await login(r, { ...g, site: r.name }, ip)));
        } catch (err) {
          const quiet = err instanceof RouterOsTrap || err instanceof GatewayError;
          deps.log[quiet ? 'info' : 'warn'](OWNER, 'device not restored', { deviceId: g.deviceId, err: String(err) });
        }
      }
    },

    health() {
      const all = [...routers.values()].map((r) => r.client.status());
      const bad = all.filter((s) => !s.ok);
      return { ok: bad.length === 0, detail: all.map((s) => s.detail).join('; ') };
    },
  };
  return driver;
}
