/**
 * Issue 12 item 6, Portico to Portico: one central Portico (its RADIUS server, profile `portico`, real
 * UDP on loopback) and two gateway Porticos in authority mode (simulated drivers), one code used on
 * both. One pool: the device limit counts across gateways; data is granted in slices and re-authorized
 * before a slice runs out; the pool is cut when used up, with what passed beyond it bounded by one
 * slice per device; accounting arrives exactly once. Then the central goes down: a new login answers
 * GATEWAY_UNAVAILABLE within the timeout, the resident online keeps going, accounting waits on disk; the
 * central comes back on the same ports and both work again without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/domain/code.js';
import { isDomainError } from '../../src/domain/errors.js';
import { fakeClock } from '../../src/lib/clock.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { createTestPortico, type TestPortico } from '../helpers/portico.js';
import { startTestRadius } from '../radius/nas-peer.js';
import { startGateway, type Gateway } from './gateway.js';

const SECRET = 'gateway-to-central-secret-24';
const MB = 1_000_000;
const SLICE_MAX = 4 * MB;

const clock = fakeClock();
let central: TestPortico;
let radius: RadiusServer | null = null;
let ports = { auth: 0, acct: 0 };
let a: Gateway;
let b: Gateway;

async function startCentral(): Promise<void> {
  radius = await startTestRadius({
    core: central.core, clock, nas: [{ name: 'towers', secret: SECRET, profile: 'portico' }],
    sliceMinBytes: MB, sliceMaxBytes: SLICE_MAX, ...(ports.auth ? { authPort: ports.auth, acctPort: ports.acct } : {}),
  });
  ports = radius.ports();
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (isDomainError(err)) return err.code;
    throw err;
  }
  return 'OK';
}

beforeAll(async () => {
  central = await createTestPortico({ clock });
  await startCentral();
  const servers = [{ host: '127.0.0.1', authPort: ports.auth, acctPort: ports.acct, secret: SECRET }];
  a = await startGateway({ clock, servers });
  b = await startGateway({ clock, servers });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await radius?.stop();
});

describe('one central Portico, two gateway Porticos', () => {
  let code = '';
  let poolId = '';
  let online = 0;

  it('one code on both gateways is one pool; the device limit counts across gateways', async () => {
    const { vouchers } = central.core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: 20 * MB, devices: 2, downBps: 4_000_000 } }, { type: 'system' });
    code = formatCode(vouchers[0]!.code);
    a.network.setMac('10.0.0.5', '02:00:00:00:0a:05');
    b.network.setMac('10.0.1.5', '02:00:00:00:0b:05');
    b.network.setMac('10.0.1.6', '02:00:00:00:0b:06');

    const ra = await a.core.login({ ip: '10.0.0.5', code });
    expect(a.network.allowed('10.0.0.5')).toBe(true);
    const s = ra.status;
    expect(s.authorized && s.bytesRemaining).toBeGreaterThan(0);
    expect(s.authorized && s.bytesRemaining).toBeLessThanOrEqual(SLICE_MAX);
    expect(s.authorized && s.secondsRemaining).toBe(3600);
    expect(s.authorized && s.plan.downBps).toBe(4_000_000);

    await b.core.login({ ip: '10.0.1.5', code });
    expect(b.network.allowed('10.0.1.5')).toBe(true);
    // The third device anywhere is over the limit of 2, though gateway B has only one.
    expect(await failure(b.core.login({ ip: '10.0.1.6', code }))).toBe('DEVICE_LIMIT');
    expect(b.network.allowed('10.0.1.6')).toBe(false);

    poolId = central.store.vouchers.findByCode(vouchers[0]!.code)!.entitlementId!;
    expect(central.store.radiusSessions.activeOfPool(poolId)).toHaveLength(2);
    await a.sweep();
    await b.sweep();
  });

  it('slices are re-authorized before they run out; the pool is cut when used up, overshoot ≤ one slice per device', async () => {
    const step = 500_000;
    for (let i = 0; i < 200; i++) {
      const passA = a.network.transfer('10.0.0.5', step, 0);
      const passB = b.network.transfer('10.0.1.5', step, 0);
      online += passA.down + passB.down;
      clock.advance(5_000);
      await central.core.accounting.sweep();
      await a.sweep();
      await b.sweep();
      if (!a.network.allowed('10.0.0.5') && !b.network.allowed('10.0.1.5')) break;
    }
    expect(a.network.allowed('10.0.0.5')).toBe(false);
    expect(b.network.allowed('10.0.1.5')).toBe(false);
    // Re-authorization kept both going to the end of the pool, far past one slice each…
    expect(online).toBeGreaterThanOrEqual(20 * MB);
    // …and the pool was never handed out twice: beyond it at most one slice per device.
    expect(online).toBeLessThanOrEqual(20 * MB + 2 * SLICE_MAX);
    await central.core.accounting.sweep();
    expect(central.store.entitlements.get(poolId)!.status).toBe('exhausted');
  });

  it('every byte reached the central ledger once (Interim-Updates and Stops, replays counted once)', async () => {
    await a.sweep();
    await b.sweep();
    expect(a.remote.accounting!.pending()).toBe(0);
    expect(b.remote.accounting!.pending()).toBe(0);
    expect(central.store.entitlements.get(poolId)!.usedBytes).toBe(online);
  });

  it("two devices of one code on one gateway: the local pool is the sum of both devices' slices", async () => {
    const { vouchers } = central.core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: 100 * MB, devices: 3 } }, { type: 'system' });
    const code2 = formatCode(vouchers[0]!.code);
    a.network.setMac('10.0.0.21', '02:00:00:00:0a:21');
    a.network.setMac('10.0.0.22', '02:00:00:00:0a:22');
    const one = await a.core.login({ ip: '10.0.0.21', code: code2 });
    const two = await a.core.login({ ip: '10.0.0.22', code: code2 });
    expect(two.entitlementId).toBe(one.entitlementId);
    const held = a.remote.radius!.sessions.ofPool(one.entitlementId).map((s) => s.limitBytes!);
    expect(held).toHaveLength(2);
    const view = a.core.poolView(one.entitlementId);
    expect(view.authorized && view.bytesRemaining).toBe(held[0]! + held[1]!);
    expect(a.network.pools.get(one.entitlementId)!.limits.bytesRemaining).toBe(held[0]! + held[1]!);
    // The central holds the same two slices for this pool, no more.
    const pool = central.store.vouchers.get(vouchers[0]!.id)!.entitlementId!;
    expect(central.store.radiusSessions.activeOfPool(pool).reduce((n, s) => n + (s.sliceBytes ?? 0), 0)).toBe(held[0]! + held[1]!);
    // An operator of gateway A revokes the code there: both devices leave, both Stops reach the central, and A refuses it from now on.
    await a.core.revokeVoucher(a.store.vouchers.findByCode(vouchers[0]!.code)!.id, 'sold by mistake', { type: 'operator', id: 'op-a' });
    await a.sweep();
    expect(a.network.allowed('10.0.0.21') || a.network.allowed('10.0.0.22')).toBe(false);
    expect(central.store.radiusSessions.activeOfPool(pool)).toHaveLength(0);
    expect(await failure(a.core.login({ ip: '10.0.0.21', code: code2 }))).toBe('VOUCHER_REVOKED');
  });

  it('central down: a new login answers GATEWAY_UNAVAILABLE within the timeout, online residents keep going, accounting waits on disk', async () => {
    const { vouchers } = central.core.createBatch({ count: 2, plan: { durationSec: 3600, dataBytes: 50 * MB } }, { type: 'system' });
    a.network.setMac('10.0.0.7', '02:00:00:00:0a:07');
    a.network.setMac('10.0.0.8', '02:00:00:00:0a:08');
    await a.core.login({ ip: '10.0.0.7', code: formatCode(vouchers[0]!.code) });
    await radius!.stop();
    radius = null;

    const started = performance.now();
    expect(await failure(a.core.login({ ip: '10.0.0.8', code: formatCode(vouchers[1]!.code) }))).toBe('GATEWAY_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(800 + 400);
    expect(a.network.allowed('10.0.0.8')).toBe(false);
    // The portal's answer to the same: 503 with the sentence that the code was not used.
    const env = { incoming: { socket: { remoteAddress: '::ffff:10.0.0.8', localAddress: '10.0.0.1' } } };
    const res = await a.app.request('/login', { method: 'POST', headers: { host: '127.0.0.1:8080', 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: `code=${vouchers[1]!.code}` }, env);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { message: string }).message).toContain('Your code was not used');

    const moved = a.network.transfer('10.0.0.7', 3 * MB, 0).down;
    expect(moved).toBe(3 * MB);
    clock.advance(61_000);
    await a.core.accounting.sweep();
    expect(a.network.allowed('10.0.0.7')).toBe(true);
    expect(a.remote.accounting!.pending()).toBeGreaterThan(0);

    await startCentral();
    await new Promise((r) => setTimeout(r, 600)); // the spool's retry (200 ms in tests)
    await a.remote.accounting!.drain();
    expect(a.remote.accounting!.pending()).toBe(0);
    const pool2 = central.store.vouchers.findByCode(vouchers[0]!.code)!.entitlementId!;
    expect(central.store.entitlements.get(pool2)!.usedBytes).toBe(3 * MB);
    // Replaying what was already acknowledged changes nothing.
    await a.remote.accounting!.drain();
    expect(central.store.entitlements.get(pool2)!.usedBytes).toBe(3 * MB);

    await a.core.login({ ip: '10.0.0.8', code: formatCode(vouchers[1]!.code) });
    expect(a.network.allowed('10.0.0.8')).toBe(true);
  });
});
