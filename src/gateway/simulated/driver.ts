/**
 * The `simulated` driver: an in-memory gateway for the demo and the tests. It enforces exactly what the
 * real drivers enforce (authorization, per-pool byte quota, per-device rates) and, when `traffic` is on,
 * makes every authorized device "use" data at the configured rate (capped by its plan's rate limits) so
 * quotas count down live in the demo and really run out.
 *
 * @example
 *   const driver = createSimulatedDriver({ network: new SimulatedNetwork(), downBps: 2e6, upBps: 4e5, tickMs: 1000 });
 */
import { GatewayError, type DeviceGrant, type GatewayDriver, type PoolLimits } from '../driver.js';
import { SimulatedNetwork } from './network.js';

export interface SimulatedDriverOptions {
  network?: SimulatedNetwork;
  /** Rates demo devices use; 0 turns generated traffic off. */
  downBps: number;
  upBps: number;
  /** Traffic tick; 0 = no timer (tests call `tick` themselves). */
  tickMs: number;
}

export interface SimulatedDriver extends GatewayDriver {
  readonly network: SimulatedNetwork;
  /** Advances generated traffic by `ms` of simulated time. */
  tick(ms: number): void;
}

export function createSimulatedDriver(opts: SimulatedDriverOptions): SimulatedDriver {
  const network = opts.network ?? new SimulatedNetwork();
  let timer: NodeJS.Timeout | undefined;
  let last = 0;

  const reachable = () => {
    if (!network.reachable) throw new GatewayError('simulated gateway is unreachable');
  };

  function tick(ms: number): void {
    for (const d of network.devices.values()) {
      const pool = network.pools.get(d.grant.poolId);
      const down = Math.min(opts.downBps, pool?.limits.downBps ?? Infinity);
      const up = Math.min(opts.upBps, pool?.limits.upBps ?? Infinity);
      // ±20 % jitter so the live figures look like real use
      const jitter = 0.8 + Math.random() * 0.4;
      network.transferDevice(d, Math.round(((down / 8) * ms * jitter) / 1000), Math.round(((up / 8) * ms * jitter) / 1000));
    }
  }

  const driver: SimulatedDriver = {
    name: 'simulated',
    network,
    tick,
    async start() {
      reachable();
      if (opts.tickMs > 0 && (opts.downBps > 0 || opts.upBps > 0) && !timer) {
        last = Date.now();
        timer = setInterval(() => {
          const now = Date.now();
          tick(now - last);
          last = now;
        }, opts.tickMs);
        timer.unref();
      }
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    async lookupClient(ip) {
      reachable();
      if (!network.knows(ip)) return null;
      const hostName = network.hostNameFor(ip);
      return { mac: network.macFor(ip), ip, ...(hostName ? { hostName } : {}) };
    },
    async setPool(limits: PoolLimits) {
      reachable();
      network.pools.set(limits.id, { limits: { ...limits }, used: 0 });
    },
    async removePool(poolId) {
      reachable();
      network.pools.delete(poolId);
      for (const [id, d] of network.devices) if (d.grant.poolId === poolId) network.devices.delete(id);
    },
    async authorize(grant: DeviceGrant) {
      reachable();
      if (!network.pools.has(grant.poolId)) throw new GatewayError(`pool ${grant.poolId} is not set`);
      const existing = network.devices.get(grant.deviceId);
      if (existing && existing.grant.poolId === grant.poolId) {
        existing.grant = { ...grant, ips: [...new Set([...existing.grant.ips, ...grant.ips])] };
      } else {
        network.devices.set(grant.deviceId, { grant: { ...grant, ips: [...grant.ips] }, up: 0, down: 0 });
      }
    },
    async deauthorize(deviceId) {
      reachable();
      network.devices.delete(deviceId);
    },
    async readCounters() {
      reachable();
      return [...network.devices.values()].map((d) => ({ deviceId: d.grant.deviceId, bytesUp: d.up, bytesDown: d.down }));
    },
    async reconcile(state) {
      reachable();
      const poolIds = new Set(state.pools.map((p) => p.id));
      for (const id of network.pools.keys()) if (!poolIds.has(id)) network.pools.delete(id);
      for (const p of state.pools) {
        const current = network.pools.get(p.id);
        if (!current) network.pools.set(p.id, { limits: { ...p }, used: 0 });
        else current.limits = { ...p, bytesRemaining: p.bytesRemaining === null ? null : p.bytesRemaining + current.used };
      }
      const deviceIds = new Set(state.devices.map((d) => d.deviceId));
      for (const id of network.devices.keys()) if (!deviceIds.has(id)) network.devices.delete(id);
      for (const g of state.devices) {
        const current = network.devices.get(g.deviceId);
        if (!current) network.devices.set(g.deviceId, { grant: { ...g }, up: 0, down: 0 });
        else current.grant = { ...g, ips: [...new Set([...current.grant.ips, ...g.ips])] };
      }
    },
    async setWalledGarden(entries) {
      reachable();
      network.walledGarden = [...entries];
    },
    async setBypass(macs) {
      reachable();
      network.bypass = new Set(macs);
    },
    health() {
      return network.reachable ? { ok: true, detail: 'simulated gateway' } : { ok: false, detail: 'simulated gateway unreachable' };
    },
  };
  return driver;
}
