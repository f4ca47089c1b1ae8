/**
 * Two Portico cores in this process on one PostgreSQL database (each with its own store and locks, as
 * two machines would have, in front of one simulated gateway): every instance sees the other's vouchers, batches, plans,
 * operators, sessions and settings; and a login decided on both instances before either committed
 * (a slow gateway holds each between its decision and its commit, where one process's locks would
 * have serialized them) gets one device in: the commit's own checks (core/authority-local.ts) refuse
 * the second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { silentLogger } from '../../src/lib/log.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { relayLive } from '../../src/store/pg/live.js';
import { createTestPortico, type TestPortico } from '../helpers/portico.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/** The simulated gateway, with `authorize` and `setPool` taking `ms`: the window between a decision and its commit. */
function slowGateway(ms: number): GatewayDriver {
  const inner = createSimulatedDriver({ network: new SimulatedNetwork(true), downBps: 0, upBps: 0, tickMs: 0 });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'authorize' || prop === 'setPool') {
        return async (arg: never) => {
          if (ms) await new Promise((r) => setTimeout(r, ms));
          return (target[prop] as (a: never) => Promise<void>)(arg);
        };
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe.skipIf(!hasPostgres)('one ledger, two instances (in process)', () => {
  let pg: TestPostgres;
  const open: TestPortico[] = [];
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    for (const p of open) {
      await p.core.stop?.();
      p.store.close();
    }
    pg?.close();
  });

  async function pair(gatewayMs = 0): Promise<[TestPortico, TestPortico, string]> {
    const url = await pg.createDatabase();
    const db = new URL(url).pathname.slice(1);
    // One enforcement point for both (the set-up SPEC §11 supports: central instances answering the
    // NASes and portal of one network), so what is tested is the ledger, not two gateways' views.
    const driver = slowGateway(gatewayMs);
    // Wired as openRuntime wires a PostgreSQL store: the live relay (and with it the settings view's invalidation).
    const make = async () => {
      const store = openPgStore({ url, timeoutMs: 5000 });
      const p = await createTestPortico({ store, driver });
      relayLive(store, p.core.bus, silentLogger);
      return p;
    };
    const a = await make();
    const b = await make();
    open.push(a, b);
    return [a, b, db];
  }

  it("each instance sees the other's vouchers, batches, plans, operators, sessions and settings", async () => {
    const [a, b] = await pair();
    const batch = a.core.createBatch({ count: 3, plan: { durationSec: 3600, devices: 2 }, note: 'market day' }, { type: 'system' });
    await a.core.savePlan('Week', { durationSec: 7 * 86_400, devices: 3 }, 4.5, { type: 'system' });
    const op = await a.core.addOperator({ name: 'rosa', role: 'admin', password: 'rosa-password-1' }, { type: 'system' });
    await a.core.admin.saveSettings({ networkName: 'Barrio Wi-Fi', welcome: 'Bienvenidos' }, op);
    await a.core.login({ ip: '10.0.0.5', code: batch.vouchers[0]!.code });

    expect(b.store.vouchers.listBatches().map((x) => x.id)).toEqual([batch.batch.id]);
    expect(b.store.vouchers.getBatch(batch.batch.id)?.note).toBe('market day');
    expect(b.store.vouchers.findByCode(batch.vouchers[1]!.code)?.status).toBe('unused');
    expect(b.store.vouchers.findPlan('week')).toMatchObject({ price: 4.5, plan: { devices: 3 } });
    // Settings are read from a one-second view; another instance's save clears it when its NOTIFY arrives.
    const t0 = Date.now();
    while (b.core.admin.settings().networkName !== 'Barrio Wi-Fi' && Date.now() - t0 < 1500) await new Promise((r) => setTimeout(r, 20));
    expect(b.core.admin.settings()).toMatchObject({ networkName: 'Barrio Wi-Fi', welcome: 'Bienvenidos' });
    // The operator signs in on B; A honours the session B created.
    const signed = await b.core.loginOperator('rosa', 'rosa-password-1');
    expect(a.core.operatorForToken(signed.token)?.operator.name).toBe('rosa');
    // The device A let in is online for B's views, and its pool is B's pool too.
    const v = b.store.vouchers.findByCode(batch.vouchers[0]!.code)!;
    expect(v.status).toBe('active');
    expect(b.store.entitlements.activeDevices(v.entitlementId!).map((d) => d.ip)).toEqual(['10.0.0.5']);
    expect(b.core.poolView(v.entitlementId!)).toMatchObject({ authorized: true });
  });

  it('two instances bootstrapping the first admin on an empty database at once: one admin, no failed start', async () => {
    const [a, b] = await pair();
    const made = await Promise.all([a.core.bootstrapAdmin(), b.core.bootstrapAdmin()]);
    expect(made.filter(Boolean)).toHaveLength(1);
    expect(a.store.operators.list().map((o) => o.name)).toEqual(['admin']);
    expect(await b.core.loginOperator('admin', made.find(Boolean)!.password)).toMatchObject({ operator: { name: 'admin' } });
  });

  it('a 1-device code decided on both instances before either commits: one device gets in', async () => {
    const [a, b, db] = await pair(60);
    const [code] = a.core.createBatch({ count: 1, plan: { durationSec: 3600, devices: 1 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const results = await Promise.allSettled([a.core.login({ ip: '10.0.1.5', code }), b.core.login({ ip: '10.0.1.6', code })]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(isDomainError(refused[0]) && refused[0].code).toBe('DEVICE_LIMIT');
    const v = a.store.vouchers.findByCode(code!)!;
    expect(a.store.entitlements.activeDevices(v.entitlementId!)).toHaveLength(1);
    // Nothing of the refused login is left: one pool for the code, one device row in all.
    expect(pg.psql(db, `SELECT count(*) FROM entitlements WHERE voucher_id = '${v.id}'`)).toBe('1');
    expect(pg.psql(db, 'SELECT count(*) FROM devices')).toBe('1');
  });

  it('a used 1-device code with its slot free, joined on both instances at once: one device gets in', async () => {
    const [a, b] = await pair(60);
    const [code] = a.core.createBatch({ count: 1, plan: { durationSec: 3600, devices: 2 } }, { type: 'system' }).vouchers.map((v) => v.code);
    await a.core.login({ ip: '10.0.2.5', code });
    const results = await Promise.allSettled([a.core.login({ ip: '10.0.2.6', code }), b.core.login({ ip: '10.0.2.7', code })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const v = a.store.vouchers.findByCode(code!)!;
    expect(b.store.entitlements.activeDevices(v.entitlementId!)).toHaveLength(2);
  });

  it('one unused code added to two pools on two instances at once (top-up): it lands in one', async () => {
    const [a, b] = await pair(60);
    const codes = a.core.createBatch({ count: 3, plan: { durationSec: 3600, devices: 1 } }, { type: 'system' }).vouchers.map((v) => v.code);
    await a.core.login({ ip: '10.0.4.5', code: codes[0] });
    await b.core.login({ ip: '10.0.4.6', code: codes[1] });
    const results = await Promise.allSettled([a.core.topUp({ ip: '10.0.4.5', code: codes[2] }), b.core.topUp({ ip: '10.0.4.6', code: codes[2] })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(isDomainError(refused[0]) && refused[0].code).toBe('CONFLICT');
    const v = a.store.vouchers.findByCode(codes[2]!)!;
    const pools = [codes[0], codes[1]].map((c) => a.store.vouchers.findByCode(c!)!.entitlementId);
    expect(pools).toContain(v.entitlementId);
    // The pool that lost keeps its one hour; the winner has two.
    const hours = pools.map((p) => (a.store.entitlements.get(p!)!.expiresAt! - a.store.entitlements.get(p!)!.activatedAt) / 3_600_000);
    expect(hours.sort()).toEqual([1, 2]);
  });

  it('one device logging in on both instances at once with two codes: one login stands, the other is a sentence, not a 500', async () => {
    const [a, b, db] = await pair(60);
    const codes = a.core.createBatch({ count: 2, plan: { durationSec: 3600, devices: 1 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const results = await Promise.allSettled([a.core.login({ ip: '10.0.5.5', code: codes[0] }), b.core.login({ ip: '10.0.5.5', code: codes[1] })]);
    for (const r of results) if (r.status === 'rejected') expect(isDomainError(r.reason) ? r.reason.code : r.reason).toBe('CONFLICT');
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect(pg.psql(db, 'SELECT count(*) FROM devices WHERE active = 1')).toBe('1');
    // Trying again as told switches the device to that code's pool.
    const lost = results.findIndex((r) => r.status === 'rejected');
    if (lost >= 0) {
      await [a, b][lost]!.core.login({ ip: '10.0.5.5', code: codes[lost] });
      const pool = a.store.vouchers.findByCode(codes[lost]!)!.entitlementId!;
      expect(a.store.entitlements.activeDevices(pool).map((d) => d.ip)).toEqual(['10.0.5.5']);
      expect(pg.psql(db, 'SELECT count(*) FROM devices WHERE active = 1')).toBe('1');
    }
  });

  it('a first use on both instances at once of a 2-device code: one pool; the loser is told to try again and then joins it', async () => {
    const [a, b] = await pair(60);
    const [code] = a.core.createBatch({ count: 1, plan: { durationSec: 3600, devices: 2 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const results = await Promise.allSettled([a.core.login({ ip: '10.0.3.5', code }), b.core.login({ ip: '10.0.3.6', code })]);
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(refused).toHaveLength(1);
    expect(isDomainError(refused[0]) && refused[0].code).toBe('CONFLICT');
    const loser = results[0]!.status === 'rejected' ? a : b;
    const ip = loser === a ? '10.0.3.5' : '10.0.3.6';
    await loser.core.login({ ip, code });
    const v = a.store.vouchers.findByCode(code!)!;
    expect(a.store.entitlements.activeDevices(v.entitlementId!).map((d) => d.ip).sort()).toEqual(['10.0.3.5', '10.0.3.6']);
  });
});
