/**
 * Counters for `GET /metrics`, fed from the event bus (so they count only what was committed) and read
 * at scrape time. Gauges that the store knows exactly (devices online, today's traffic) are read from it
 * when scraped instead of being mirrored here.
 *
 * Bytes: the gateway reports per-pool usage on every `usage` event; the counter adds each pool's growth
 * since the previous event (a pool whose usage went down was reset by its plan and counts from zero).
 *
 * @example
 *   const metrics = createMetrics(core.bus);
 *   metrics.snapshot().logins; // 12
 */
import type { EventBus } from './events.js';

export interface MetricsSnapshot {
  /** Successful logins (first use or re-login) and top-ups since start. */
  logins: number;
  topUps: number;
  /** Failed logins by DomainError code. */
  failures: Record<string, number>;
  /** Bytes counted by the gateway (up + down) since start. */
  bytes: number;
  /** Duration of the last accounting sweep, ms, and how many sweeps ran. */
  sweepMs: number;
  sweeps: number;
  sweepMsSum: number;
  devicesOnline: number;
}

export function createMetrics(bus: EventBus) {
  const s: MetricsSnapshot = { logins: 0, topUps: 0, failures: {}, bytes: 0, sweepMs: 0, sweeps: 0, sweepMsSum: 0, devicesOnline: 0 };
  const poolUsed = new Map<string, number>();

  let off: (() => void)[] = [];
  const subscribe = () => [
    bus.on('voucher.redeemed', 'metrics', (e) => {
      if (e.topUp) s.topUps += 1;
      else s.logins += 1;
    }),
    bus.on('login.failed', 'metrics', (e) => {
      s.failures[e.code] = (s.failures[e.code] ?? 0) + 1;
    }),
    bus.on('sweep', 'metrics', (e) => {
      s.sweepMs = e.ms;
      s.sweeps += 1;
      s.sweepMsSum += e.ms;
    }),
    bus.on('usage', 'metrics', (e) => {
      s.devicesOnline = e.devicesOnline;
      const seen = new Set<string>();
      for (const p of e.pools) {
        seen.add(p.entitlementId);
        const before = poolUsed.get(p.entitlementId);
        if (before !== undefined) s.bytes += p.usedBytes >= before ? p.usedBytes - before : p.usedBytes;
        poolUsed.set(p.entitlementId, p.usedBytes);
      }
      // Pools that left are forgotten so the map stays as small as the set of online pools.
      for (const id of poolUsed.keys()) if (!seen.has(id)) poolUsed.delete(id);
    }),
  ];

  return {
    /** Subscribes to the bus (core.start() calls it). */
    start(): void {
      if (!off.length) off = subscribe();
    },
    snapshot(): MetricsSnapshot {
      return { ...s, failures: { ...s.failures } };
    },
    /** Unsubscribes from the bus. */
    close(): void {
      for (const f of off) f();
      off = [];
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
