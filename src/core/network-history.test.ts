import { describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.js';
import { EventBus } from './events.js';
import { createNetworkHistory } from './network-history.js';

const usage = (bus: EventBus, at: number, devicesOnline: number, bps: number) =>
  bus.emit('usage', { at, pools: [], devicesOnline, downBps: bps, upBps: 0 });

describe('network history', () => {
  it('keeps the most devices and the traffic per 5-minute bucket, from the sweep’s rates', () => {
    const bus = new EventBus(silentLogger);
    const h = createNetworkHistory(bus);
    const t0 = 1_800_000_000_000 - (1_800_000_000_000 % 300_000);
    usage(bus, t0, 2, 8_000_000);
    usage(bus, t0 + 10_000, 5, 8_000_000); // 10 s at 1 MB/s
    usage(bus, t0 + 20_000, 3, 0); // 10 s from 1 MB/s down to 0: 5 MB
    usage(bus, t0 + 300_000, 1, 0); // the next bucket; a 280 s gap is not counted
    expect(h.points(t0 + 300_000)).toEqual([
      { at: t0, devices: 5, bytes: 15_000_000 },
      { at: t0 + 300_000, devices: 1, bytes: 0 },
    ]);
  });

  it('is a bounded 24-hour ring', () => {
    const bus = new EventBus(silentLogger);
    const h = createNetworkHistory(bus);
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 400; i++) usage(bus, t0 + i * 300_000, i % 7, 1000);
    const now = t0 + 399 * 300_000;
    const points = h.points(now);
    expect(points).toHaveLength(288);
    expect(points[0]!.at).toBeGreaterThan(now - 86_400_000);
    h.stop();
    usage(bus, now + 300_000, 9, 0);
    expect(h.points(now + 300_000).at(-1)!.devices).not.toBe(9);
  });
});
