/**
 * The last 24 hours of the network in 5-minute buckets, for the chart on /network: the most devices
 * online at once in each bucket and the traffic (bytes up + down) in it. Fed from the accounting sweep's
 * `usage` events on the bus (rates × time between sweeps), kept in memory in a bounded ring (288
 * points): no schema change, nothing personal, and after a restart the chart starts again empty.
 *
 * @example
 *   const h = createNetworkHistory(ctx.bus);
 *   h.points(clock.now()); // [{ at, devices, bytes }, …] oldest first, only buckets with samples
 */
import type { EventBus } from './events.js';

export interface HistoryPoint {
  /** Start of the bucket (ms). */
  at: number;
  /** Most devices online at once in the bucket. */
  devices: number;
  /** Bytes up + down in the bucket. */
  bytes: number;
}

export interface NetworkHistoryOptions {
  bucketMs?: number;
  /** Buckets kept (24 h of 5-minute buckets by default). */
  points?: number;
  /** A gap between sweeps longer than this (a stopped process, a stalled gateway) is not counted as traffic. */
  maxGapMs?: number;
}

export function createNetworkHistory(bus: Pick<EventBus, 'on'>, opts: NetworkHistoryOptions = {}) {
  const bucketMs = opts.bucketMs ?? 300_000;
  const size = opts.points ?? 288;
  const maxGapMs = opts.maxGapMs ?? 60_000;
  const ring: HistoryPoint[] = [];
  let last: { at: number; bps: number } | null = null;

  function add(at: number, devices: number, bps: number): void {
    const start = Math.floor(at / bucketMs) * bucketMs;
    let p = ring[ring.length - 1];
    if (!p || p.at !== start) {
      if (p && start < p.at) return; // the clock went back: ignore rather than reorder
      p = { at: start, devices: 0, bytes: 0 };
      ring.push(p);
      while (ring.length > size || ring[0]!.at <= start - size * bucketMs) ring.shift();
    }
    p.devices = Math.max(p.devices, devices);
    // The traffic since the previous sweep, at the mean of the two rates.
    if (last && at > last.at && at - last.at <= maxGapMs) p.bytes += Math.round((((last.bps + bps) / 2 / 8) * (at - last.at)) / 1000);
    last = { at, bps };
  }

  const unsubscribe = bus.on('usage', 'network-history', (u) => add(u.at, u.devicesOnline, u.downBps + u.upBps));
  return {
    bucketMs,
    /** Buckets of the 24 hours before `now`, oldest first. */
    points(now: number): HistoryPoint[] {
      return ring.filter((p) => p.at > now - size * bucketMs).map((p) => ({ ...p }));
    },
    stop: unsubscribe,
  };
}

export type NetworkHistory = ReturnType<typeof createNetworkHistory>;
