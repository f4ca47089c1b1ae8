/**
 * Pending usage per pool (the ledger keeps a per-pool running total so a 2,000-device sweep does not
 * rescan every device for every pool): what residents see is stored + pending, across devices of one
 * pool, untouched by other pools, and exactly the stored value after a flush.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../security/harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness({ autoClients: false });
});
afterEach(() => h.close());

describe('ledger pending usage', () => {
  it('sums a pool over its devices, keeps pools apart, and survives a flush exactly', async () => {
    const [shared, other] = h.vouchers(2, { durationSec: 3600, dataBytes: 10_000_000, devices: 2 });
    const ips = ['10.0.0.2', '10.0.0.3', '10.0.0.4'];
    ips.forEach((ip, i) => h.network.setMac(ip, `02:00:00:00:00:0${i + 2}`));
    expect((await h.post(ips[0]!, '/login', { code: shared! })).status).toBe(200);
    expect((await h.post(ips[1]!, '/login', { code: shared! })).status).toBe(200);
    expect((await h.post(ips[2]!, '/login', { code: other! })).status).toBe(200);
    const used = async (ip: string) => ((await (await h.get(ip, '/api/session')).json()) as { usedBytes: number }).usedBytes;

    h.network.transfer(ips[0]!, 1000, 100);
    h.network.transfer(ips[1]!, 2000, 200);
    h.network.transfer(ips[2]!, 5000, 0);
    await h.core.accounting.sweep();
    h.network.transfer(ips[0]!, 10, 0);
    await h.core.accounting.sweep();
    expect(h.core.usage.pending()).toBe(3);
    expect(await used(ips[0]!)).toBe(3310);
    expect(await used(ips[1]!)).toBe(3310);
    expect(await used(ips[2]!)).toBe(5000);

    h.core.usage.flush();
    expect(h.core.usage.pending()).toBe(0);
    expect(await used(ips[0]!)).toBe(3310);
    expect(await used(ips[2]!)).toBe(5000);
    h.network.transfer(ips[1]!, 1, 0);
    await h.core.accounting.sweep();
    expect(await used(ips[0]!)).toBe(3311);
    expect(await used(ips[2]!)).toBe(5000);
  });
});
