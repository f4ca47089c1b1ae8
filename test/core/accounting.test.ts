/**
 * Accounting and lifecycle across restarts: usage is batched, a restart keeps devices online and
 * counts what the gateway counted while Portico was down, events follow commits, and the gateway and the
 * database never disagree after a failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/domain/code.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { fakeClock } from '../../src/lib/clock.js';
import { harness } from '../helpers/harness.js';
import { createTestPortico } from '../helpers/portico.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A Portico "process" over a database file and a gateway that both outlive it. */
async function boot(file: string, network: SimulatedNetwork, clock = fakeClock()) {
  const { store, core } = await createTestPortico({ config: { accounting: { intervalMs: 60_000, pollMs: 1000 } }, dbFile: file, network, clock });
  return { store, core, clock };
}

describe('accounting', () => {
  it('writes usage at most once per interval, and catches up after a crash from the gateway’s counters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-acc-'));
    dirs.push(dir);
    const file = join(dir, 'p.db');
    const network = new SimulatedNetwork(false);
    network.setMac('10.0.0.5', '02:00:00:00:00:05');
    const clock = fakeClock();
    const a = await boot(file, network, clock);
    const { vouchers } = a.core.createBatch({ count: 1, plan: { dataBytes: 10_000_000 } }, { type: 'system' });
    await a.core.login({ ip: '10.0.0.5', code: formatCode(vouchers[0]!.code) });
    const entId = a.store.entitlements.allActiveDevices()[0]!.entitlementId;

    network.transfer('10.0.0.5', 1_000_000, 0);
    clock.advance(1000);
    await a.core.accounting.sweep();
    // Read for display, not yet written.
    expect(a.store.entitlements.get(entId)!.usedBytes).toBe(0);
    expect((await a.core.deviceStatus('10.0.0.5')).authorized && (await a.core.deviceStatus('10.0.0.5'))).toMatchObject({ bytesRemaining: 9_000_000 });
    clock.advance(60_000);
    await a.core.accounting.sweep();
    expect(a.store.entitlements.get(entId)!.usedBytes).toBe(1_000_000);

    // More traffic, then a crash (no flush): the process is simply dropped.
    network.transfer('10.0.0.5', 2_000_000, 0);
    clock.advance(1000);
    await a.core.accounting.sweep();
    a.store.close();
    network.transfer('10.0.0.5', 500_000, 0); // while Portico is down

    const b = await boot(file, network, clock);
    expect(network.allowed('10.0.0.5')).toBe(true); // never cut
    // Start-up counted everything from the stored baselines: nothing lost.
    expect(b.store.entitlements.get(entId)!.usedBytes).toBe(3_500_000);
    const s = await b.core.deviceStatus('10.0.0.5');
    expect(s).toMatchObject({ authorized: true, bytesRemaining: 6_500_000 });
    // The kernel-side quota was reconciled to what is really left.
    expect(network.transfer('10.0.0.5', 7_000_000, 0).down).toBe(6_500_000);
    b.store.close();
  });

  it('publishes transitions only after they are stored', async () => {
    const h = await harness();
    const seen: string[] = [];
    h.core.bus.on('entitlement.changed', 'test', (e) => {
      seen.push(`${e.status}:${h.store.entitlements.get(e.entitlementId)!.status}`);
    });
    h.core.bus.on('voucher.redeemed', 'test', (e) => {
      seen.push(`redeemed:${h.store.vouchers.get(e.voucherId)!.status}`);
    });
    const { codes } = h.vouchers(1, { durationSec: 60 });
    await h.device().login(codes[0]!);
    h.clock.advance(60_000);
    await h.sweep();
    expect(seen).toEqual(['redeemed:active', 'expired:expired']);
  });

  it('publishes live usage every sweep with remaining time, data and rates', async () => {
    const h = await harness();
    const usage: unknown[] = [];
    h.core.bus.on('usage', 'test', (u) => usage.push(u));
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 1e9 });
    const phone = h.device();
    await phone.login(codes[0]!);
    phone.download(250_000);
    h.clock.advance(1000);
    await h.sweep();
    expect(usage.at(-1)).toMatchObject({ devicesOnline: 1, pools: [{ bytesRemaining: 1e9 - 250_000, secondsRemaining: 3599, downBps: 2_000_000 }] });
  });

  it('reads the active devices once a pass, and again only when one came or went meanwhile', async () => {
    const h = await harness();
    const usage: Array<{ devicesOnline: number }> = [];
    h.core.bus.on('usage', 'test', (u) => usage.push(u));
    const { codes } = h.vouchers(2, { durationSec: 3600, devices: 2 });
    await h.device().login(codes[0]!);
    const all = h.store.entitlements.allActiveDevices.bind(h.store.entitlements);
    let reads = 0;
    h.store.entitlements.allActiveDevices = () => (reads++, all());
    await h.sweep();
    expect(reads).toBe(1);
    expect(usage.at(-1)!.devicesOnline).toBe(1);
    // A second phone logs in while the gateway's counters are being read: the pass's figures include it.
    const read = h.driver.readCounters.bind(h.driver);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    h.driver.readCounters = async () => {
      await held;
      return read();
    };
    reads = 0;
    const pass = h.sweep();
    await new Promise((r) => setTimeout(r, 10));
    expect((await h.device().login(codes[1]!)).status).toBe(303);
    release();
    await pass;
    expect(reads).toBe(2);
    expect(usage.at(-1)!.devicesOnline).toBe(2);
  });

  it('publishes a pass’s figures from one read of its pools, before its transitions and its usage write', async () => {
    const h = await harness();
    const seen: string[] = [];
    const { codes } = h.vouchers(2, { durationSec: 3600, dataBytes: 1e9 });
    const phone = h.device();
    await phone.login(codes[0]!);
    const poolId = h.store.entitlements.allActiveDevices()[0]!.entitlementId;
    const many = h.store.entitlements.getMany.bind(h.store.entitlements);
    let reads = 0;
    h.store.entitlements.getMany = (ids) => (reads++, many(ids));
    h.core.bus.on('usage', 'test', (u) => seen.push(`usage ${u.pools[0]!.usedBytes} stored ${h.store.entitlements.get(poolId)!.usedBytes}`));
    h.core.bus.on('sweep', 'test', (e) => seen.push(`sweep ${e.ms > 0} stored ${h.store.entitlements.get(poolId)!.usedBytes}`));
    phone.download(250_000);
    h.clock.advance(120_000); // past accounting.intervalMs: this pass also writes the usage
    await h.sweep();
    expect(reads).toBe(1);
    expect(seen).toEqual(['usage 250000 stored 0', 'sweep true stored 250000']);
  });

  it('lets only one of two devices racing for the last slot in', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 1 });
    const [a, b] = [h.device(), h.device()];
    const results = await Promise.all([a.login(codes[0]!), b.login(codes[0]!)]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect([a.online(), b.online()].filter(Boolean)).toHaveLength(1);
    expect(h.store.entitlements.allActiveDevices()).toHaveLength(1);
  });

  it('consumes nothing when the gateway fails half-way through a login', async () => {
    const h = await harness();
    const { codes, ids } = h.vouchers(1);
    const phone = h.device();
    const authorize = h.driver.authorize;
    h.driver.authorize = async () => {
      throw new Error('router went away');
    };
    expect((await phone.login(codes[0]!)).status).toBe(503);
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('unused');
    expect(h.network.pools.size).toBe(0); // the pool it had set up was taken down again
    h.driver.authorize = authorize;
    expect((await phone.login(codes[0]!)).status).toBe(303);
  });

  it('undoes the gateway change when storage fails', async () => {
    const h = await harness();
    const { codes, ids } = h.vouchers(1);
    const phone = h.device();
    const insert = h.store.entitlements.insertDevice;
    h.store.entitlements.insertDevice = () => {
      // What better-sqlite3 throws: a SqliteError whose `code` names the SQLite result code.
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const res = await phone.login(codes[0]!, {}, { accept: 'application/json' });
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('STORAGE_FAILED');
    expect(phone.online()).toBe(false);
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('unused');
    h.store.entitlements.insertDevice = insert;
  });

  it('revoking cuts the devices, and the revoke is stored first', async () => {
    const h = await harness();
    const { codes, ids } = h.vouchers(1, { durationSec: 3600, devices: 2 });
    const [a, b] = [h.device(), h.device()];
    await a.login(codes[0]!);
    await b.login(codes[0]!);
    await h.core.revokeVoucher(ids[0]!, 'chargeback', { type: 'system' });
    expect([a.online(), b.online()]).toEqual([false, false]);
    expect(h.store.vouchers.get(ids[0]!)).toMatchObject({ status: 'revoked', revokeReason: 'chargeback' });
    expect(h.store.events.list({ type: 'voucher.revoked' })).toHaveLength(1);
    expect((await a.login(codes[0]!)).status).toBe(403);
  });

  it('pushes fresh remaining bytes after each sweep to drivers that enforce one pool in several places', async () => {
    const h = await harness();
    const calls: (number | null)[] = [];
    const setPool = h.driver.setPool;
    Object.assign(h.driver, { resyncPools: true });
    h.driver.setPool = async (limits) => {
      calls.push(limits.bytesRemaining);
      return setPool(limits);
    };
    const { codes } = h.vouchers(1, { dataBytes: 1_000_000 });
    const phone = h.device();
    await phone.login(codes[0]!);
    phone.download(300_000);
    await h.sweep();
    await h.sweep(); // no new usage: no push
    expect(calls).toEqual([1_000_000, 700_000]);
  });

  it('records a pool as used up when the gateway cut it off within its quota slack', async () => {
    const h = await harness();
    Object.assign(h.driver, { quotaSlackBytes: 65_536 });
    const { codes, ids } = h.vouchers(1, { dataBytes: 1_000_000 });
    const phone = h.device();
    await phone.login(codes[0]!);
    phone.download(950_000); // a kernel quota may stop here: the next 64 KiB packet would cross it
    await h.sweep();
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('exhausted');
    expect(phone.online()).toBe(false);
    expect((await phone.login(codes[0]!)).status).toBe(403);
  });

  it('marks unused codes past their deadline expired', async () => {
    const h = await harness();
    const { ids } = h.vouchers(2, { durationSec: 3600, redeemBy: h.clock.now() + 5000 });
    h.clock.advance(70_000);
    await h.sweep();
    expect(ids.map((id) => h.store.vouchers.get(id)!.status)).toEqual(['expired', 'expired']);
  });
});
