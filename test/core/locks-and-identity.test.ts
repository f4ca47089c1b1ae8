/**
 * Issue 11 items 3 and 4: the per-pool lock (two codes of one pool racing for its last device slot; a
 * re-login while the sweep ends the pool) and identity once (a typo costs no gateway lookup; the status
 * of a device already online is answered without one; login and top-up answer with the status they computed).
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../helpers/harness.js';

/** Counts lookupClient calls and lets a test hold the driver's authorize/deauthorize. */
function instrument(h: Awaited<ReturnType<typeof harness>>) {
  const counts = { lookup: 0 };
  const lookup = h.driver.lookupClient.bind(h.driver);
  h.driver.lookupClient = async (ip, hint) => {
    counts.lookup++;
    return lookup(ip, hint);
  };
  return counts;
}

describe('per-pool lock', () => {
  it('two codes of one pool cannot both take its last device slot', async () => {
    const h = await harness();
    const { codes } = h.vouchers(2, { durationSec: 3600, devices: 1 });
    const a = h.device();
    expect((await a.login(codes[0]!)).status).toBe(303);
    const top = h.device();
    // Code 2 joins code 1's pool as a top-up (its own pool is code 1's now); then two new phones race.
    await h.core.logout({ ip: a.ip });
    expect((await a.login(codes[0]!)).status).toBe(303);
    expect((await a.post('/topup', { code: codes[1]! })).status).toBeLessThan(400);
    await h.core.logout({ ip: a.ip });
    void top;
    // Slow the gateway so both logins are inside redeem at once without the lock.
    const authorize = h.driver.authorize.bind(h.driver);
    h.driver.authorize = async (g) => {
      await new Promise((r) => setTimeout(r, 20));
      return authorize(g);
    };
    const p1 = h.device();
    const p2 = h.device();
    const [r1, r2] = await Promise.all([
      p1.login(codes[0]!, {}, { accept: 'application/json' }),
      p2.login(codes[1]!, {}, { accept: 'application/json' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const ent = h.store.vouchers.findByCode(codes[0]!.replace(/-/g, ''))!.entitlementId!;
    expect(h.store.entitlements.activeDevices(ent)).toHaveLength(1);
    expect([p1.online(), p2.online()].filter(Boolean)).toHaveLength(1);
  });

  it('a re-login cannot land while the sweep is ending the pool', async () => {
    const h = await harness();
    const { codes, ids } = h.vouchers(1, { durationSec: 60, devices: 2 });
    const a = h.device();
    expect((await a.login(codes[0]!)).status).toBe(303);
    h.clock.advance(61_000);
    // The sweep ends the pool; its removePool is slow, and a second phone logs in meanwhile.
    const removePool = h.driver.removePool.bind(h.driver);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    h.driver.removePool = async (id) => {
      await held;
      return removePool(id);
    };
    const sweep = h.sweep();
    const b = h.device();
    const login = b.login(codes[0]!, {}, { accept: 'application/json' });
    await new Promise((r) => setTimeout(r, 30));
    release();
    await sweep;
    const res = await login;
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('VOUCHER_EXPIRED');
    expect(b.online()).toBe(false);
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('expired');
    const ent = h.store.vouchers.get(ids[0]!)!.entitlementId!;
    expect(h.store.entitlements.activeDevices(ent)).toHaveLength(0);
  });
});

describe('the voucher read once', () => {
  it('a first use nobody else is deciding takes the row its code lookup read; two phones racing for one code share one pool', async () => {
    const h = await harness();
    const { codes } = h.vouchers(2, { durationSec: 3600, devices: 2 });
    const get = h.store.vouchers.get.bind(h.store.vouchers);
    let reads = 0;
    h.store.vouchers.get = (id) => {
      reads++;
      return get(id);
    };
    expect((await h.device().login(codes[0]!)).status).toBe(303);
    expect(reads).toBe(0);
    // The second phone's lookup reads the code while the first holds its lock (the gateway is slow):
    // it must read the voucher again under the lock, see the pool just made and join it.
    const authorize = h.driver.authorize.bind(h.driver);
    h.driver.authorize = async (g) => {
      await new Promise((r) => setTimeout(r, 20));
      return authorize(g);
    };
    const [p1, p2] = [h.device(), h.device()];
    const [r1, r2] = await Promise.all([p1.login(codes[1]!, {}, { accept: 'application/json' }), p2.login(codes[1]!, {}, { accept: 'application/json' })]);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    const ent = h.store.vouchers.findByCode(codes[1]!.replace(/-/g, ''))!.entitlementId!;
    expect(h.store.entitlements.activeDevices(ent)).toHaveLength(2);
    expect(reads).toBeGreaterThan(0);
  });
});

describe('identity once', () => {
  it('a typo or a malformed code costs no gateway lookup', async () => {
    const h = await harness();
    const counts = instrument(h);
    const { codes } = h.vouchers(1);
    const phone = h.device();
    const typo = codes[0]!.slice(0, -1) + (codes[0]!.endsWith('A') ? 'B' : 'A');
    expect((await phone.login(typo)).status).toBe(400);
    expect((await phone.login('hello')).status).toBe(400);
    expect(counts.lookup).toBe(0);
  });

  it('a device already online gets its status, /api/captive and /api/session without a gateway lookup', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1);
    const phone = h.device();
    expect((await phone.login(codes[0]!)).status).toBe(303);
    // The first status page may ask once for the device's host name (core/device-names.ts caches it).
    expect((await phone.get('/status')).status).toBe(200);
    const counts = instrument(h);
    expect((await phone.get('/status')).status).toBe(200);
    const captive = await (await phone.get('/api/captive', { accept: 'application/captive+json' })).json();
    expect(captive.captive).toBe(false);
    const session = await (await phone.get('/api/session')).json();
    expect(session.authorized).toBe(true);
    expect(counts.lookup).toBe(0);
  });

  it('login answers with the status it computed: one gateway lookup per JSON login', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const phone = h.device();
    const counts = instrument(h);
    const res = await phone.login(codes[0]!, {}, { accept: 'application/json' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.session.authorized).toBe(true);
    expect(body.session.secondsRemaining).toBe(3600);
    expect(counts.lookup).toBe(1);
  });
});
