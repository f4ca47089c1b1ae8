/**
 * A first login on a driver that can set a pool and authorize its device in one step
 * (`authorizeWithPool`, the nftables driver: one nft batch): core uses it for a login that brings its
 * pool onto the gateway, `authorize` alone for a pool already there, and on a failure stores nothing
 * and takes the pool off again, as with the two calls.
 */
import { describe, expect, it } from 'vitest';
import type { DeviceGrant, PoolLimits } from '../../src/gateway/driver.js';
import { harness } from '../helpers/harness.js';

async function withTogether(fail = false) {
  const h = await harness();
  const calls: string[] = [];
  const setPool = h.driver.setPool.bind(h.driver);
  const authorize = h.driver.authorize.bind(h.driver);
  const removePool = h.driver.removePool.bind(h.driver);
  h.driver.setPool = async (l: PoolLimits) => {
    calls.push('setPool');
    return setPool(l);
  };
  h.driver.authorize = async (g: DeviceGrant) => {
    calls.push('authorize');
    return authorize(g);
  };
  h.driver.removePool = async (id: string) => {
    calls.push('removePool');
    return removePool(id);
  };
  h.driver.authorizeWithPool = async (l: PoolLimits, g: DeviceGrant) => {
    calls.push('authorizeWithPool');
    await setPool(l);
    if (fail) throw new Error('nft refused the batch');
    await authorize(g);
  };
  return { h, calls };
}

describe('a first login in one gateway step', () => {
  it('brings the pool and the device on in one call; a second device of the pool is authorize alone', async () => {
    const { h, calls } = await withTogether();
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 2 });
    const a = h.device();
    expect((await a.login(codes[0]!)).status).toBe(303);
    expect(calls).toEqual(['authorizeWithPool']);
    expect(a.online()).toBe(true);
    const b = h.device();
    expect((await b.login(codes[0]!)).status).toBe(303);
    expect(calls).toEqual(['authorizeWithPool', 'authorize']);
    expect(b.online()).toBe(true);
  });

  it('a failure stores nothing and takes the pool off the gateway again', async () => {
    const { h, calls } = await withTogether(true);
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const a = h.device();
    const res = await a.login(codes[0]!, {}, { accept: 'application/json' });
    expect(res.status).toBe(503);
    expect(calls).toEqual(['authorizeWithPool', 'removePool']);
    expect(a.online()).toBe(false);
    expect(h.store.vouchers.findByCode(codes[0]!.replace(/-/g, ''))?.status).toBe('unused');
  });
});

describe('the status a first login answers with', () => {
  it('is what its commit wrote, with nothing read back (nor the RADIUS slices of a pool nobody knows yet), and equals a fresh reading', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 1e9, devices: 2 });
    const phone = h.device();
    const e = h.store.entitlements;
    const reads: string[] = [];
    const get = e.get.bind(e);
    const activeDevices = e.activeDevices.bind(e);
    const voucher = h.store.vouchers.get.bind(h.store.vouchers);
    let counting = false;
    e.get = (id) => (counting && reads.push('pool'), get(id));
    e.activeDevices = (id) => (counting && reads.push('devices'), activeDevices(id));
    h.store.vouchers.get = (id) => (counting && reads.push('voucher'), voucher(id));
    h.core.bus.on('voucher.redeemed', 'test', () => void (counting = true)); // from the commit on
    // Nor does it ask which RADIUS slices the new pool holds: none can, nobody else knows it yet.
    const sessions = h.store.radiusSessions.livePoolSessions.bind(h.store.radiusSessions);
    const asked: string[] = [];
    h.store.radiusSessions.livePoolSessions = (id, since) => (asked.push(id), sessions(id, since));
    const res = await phone.login(codes[0]!, {}, { accept: 'application/json' });
    expect(res.status).toBe(200);
    expect(asked).toEqual([]);
    const answered = ((await res.json()) as { session: Record<string, unknown> }).session;
    expect(reads).toEqual([]);
    counting = false;
    const fresh = await (await phone.get('/api/session')).json();
    expect(answered).toEqual(fresh);
    expect(answered).toMatchObject({ authorized: true, bytesRemaining: 1e9, secondsRemaining: 3600, devices: [{ isCaller: true }] });
  });
});
