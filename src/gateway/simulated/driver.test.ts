/** The simulated gateway's traffic generator respects plan rates and the pool quota. */
import { describe, expect, it } from 'vitest';
import { createSimulatedDriver } from './driver.js';
import { SimulatedNetwork } from './network.js';

describe('simulated driver traffic', () => {
  it('makes online devices use data at the configured rate, capped by their plan and quota', async () => {
    const network = new SimulatedNetwork();
    const d = createSimulatedDriver({ network, downBps: 8_000_000, upBps: 800_000, tickMs: 0 });
    await d.start();
    await d.setPool({ id: 'p', downBps: 800_000, upBps: null, bytesRemaining: 1_000_000 });
    await d.authorize({ deviceId: 'd', poolId: 'p', mac: network.macFor('10.0.0.9'), ips: ['10.0.0.9'] });
    d.tick(1000);
    const [c] = await d.readCounters();
    // 800 kbit/s plan limit = 100 kB/s (±20 % jitter); upload at the demo rate 800 kbit/s.
    expect(c!.bytesDown).toBeGreaterThanOrEqual(80_000);
    expect(c!.bytesDown).toBeLessThanOrEqual(120_000);
    expect(c!.bytesUp).toBeGreaterThanOrEqual(80_000);
    for (let i = 0; i < 20; i++) d.tick(1000);
    const [after] = await d.readCounters();
    expect(after!.bytesDown + after!.bytesUp).toBe(1_000_000); // the quota is a hard stop
    expect(network.allowed('10.0.0.9')).toBe(false);
  });

  it('fails every call while the gateway is unreachable', async () => {
    const network = new SimulatedNetwork();
    const d = createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 });
    network.reachable = false;
    await expect(d.lookupClient('10.0.0.1')).rejects.toThrow(/unreachable/);
    expect(d.health().ok).toBe(false);
  });
});
