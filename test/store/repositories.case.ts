/**
 * The store's repository suite, one body for every engine (Kysely runs one suite against each
 * dialect; Hono's common.case.test.ts against each router): `repositoryCases(name, open)` registers the
 * cases for a store factory. repositories.test.ts runs it on SQLite (:memory:) and on a real
 * PostgreSQL 15 cluster. What is asserted is what the Store port promises (core/ports/store.ts), read
 * back through the port: no engine-specific SQL here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/ports/store.js';
import type { DeviceRow, EntitlementRow, RadiusSessionRow } from '../../src/core/ports/model.js';
import { activate } from '../../src/domain/entitlement.js';
import { DomainError, isDomainError } from '../../src/domain/errors.js';
import { validatePlan } from '../../src/domain/plan.js';

const T0 = 1_780_000_000_000; // 2026-05-28: ms timestamps are past 2^31 (BIGINT on PostgreSQL)
const plan = validatePlan({ durationSec: 86_400, dataBytes: 5_000_000_000, devices: 2 });

function batch(store: Store, id: string, codes: string[], opts: { sellerId?: string | null; price?: number | null; at?: number; note?: string | null } = {}) {
  store.vouchers.insertBatch(
    { id, planName: 'Day', plan, count: codes.length, note: opts.note ?? null, price: opts.price === undefined ? 1.5 : opts.price, sellerId: opts.sellerId ?? null, createdAt: opts.at ?? T0 },
    codes.map((code, i) => ({ id: `${id}-v${i}`, code })),
  );
}

const entitlement = (id: string, voucherId: string): EntitlementRow => ({ id, voucherId, updatedAt: T0, ...activate(plan, T0) });

const device = (id: string, entitlementId: string, mac: string, ip: string, at = T0): DeviceRow => ({
  id, entitlementId, mac, ip, site: null, attachedAt: at, lastSeen: at, active: true, endedAt: null, endReason: null,
  bytesUp: 0, bytesDown: 0, counterUp: 0, counterDown: 0,
});

const session = (id: string, entitlementId: string, mac: string, at = T0): RadiusSessionRow => ({
  id, nas: 'mikrotik-1', entitlementId, mac, ip: '10.9.0.2', acctSessionId: null, grantedAt: at, lastSeen: at, active: true,
  endedAt: null, endReason: null, inOctets: 0, outOctets: 0, sliceBytes: 100_000_000, sliceBase: 0, userName: 'K7QM4XPA9TR', nasIp: '127.0.0.1',
  epochIn: 0, epochOut: 0, resumes: 0,
});

export function repositoryCases(engine: string, open: () => Promise<Store> | Store): void {
  describe(`store repositories on ${engine}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it('vouchers: a batch and its codes, found by code and id, in insertion order', () => {
      batch(store, 'b1', ['CCCC', 'AAAA', 'BBBB']);
      expect(store.vouchers.codeExists('AAAA')).toBe(true);
      expect(store.vouchers.codeExists('ZZZZ')).toBe(false);
      const v = store.vouchers.findByCode('AAAA')!;
      expect(v).toMatchObject({ id: 'b1-v1', batchId: 'b1', status: 'unused', plan, createdAt: T0, entitlementId: null, redeemedAt: null });
      expect(store.vouchers.get('b1-v1')?.code).toBe('AAAA');
      expect(store.vouchers.resolve('b1-v2')?.code).toBe('BBBB');
      expect(store.vouchers.resolve('CCCC')?.id).toBe('b1-v0');
      expect(store.vouchers.batchVouchers('b1').map((x) => x.code)).toEqual(['CCCC', 'AAAA', 'BBBB']);
      expect(store.vouchers.getBatch('b1')).toMatchObject({ id: 'b1', planName: 'Day', count: 3, price: 1.5, createdAt: T0, plan });
      // Several at once, by id and by code: unknown ones and repeats left out.
      expect(store.vouchers.getMany(['b1-v2', 'nope', 'b1-v0', 'b1-v2']).map((x) => x.code).sort()).toEqual(['BBBB', 'CCCC']);
      expect(store.vouchers.findManyByCode(['AAAA', 'ZZZZ', 'AAAA']).map((x) => x.id)).toEqual(['b1-v1']);
      expect(store.vouchers.getMany([])).toEqual([]);
      expect(store.vouchers.findManyByCode([])).toEqual([]);
      expect(store.vouchers.findManyByCode(Array.from({ length: 1203 }, (_, i) => (i === 1000 ? 'CCCC' : `Q${i}`))).map((x) => x.id)).toEqual(['b1-v0']); // chunks of 500
    });

    it('vouchers: a duplicate code rolls the whole batch back', () => {
      batch(store, 'b1', ['AAAA']);
      expect(() => batch(store, 'b2', ['BBBB', 'AAAA'])).toThrow();
      expect(store.vouchers.getBatch('b2')).toBeUndefined();
      expect(store.vouchers.codeExists('BBBB')).toBe(false);
    });

    it('vouchers: redeem, mirror status, revoke, expire unredeemed', () => {
      batch(store, 'b1', ['AAAA', 'BBBB', 'CCCC']);
      store.tx(() => {
        store.entitlements.insert(entitlement('e1', 'b1-v0'));
        store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0 + 5);
      });
      expect(store.vouchers.get('b1-v0')).toMatchObject({ status: 'active', entitlementId: 'e1', redeemedAt: T0 + 5 });
      expect(store.vouchers.batchUsed('b1')).toBe(true);
      store.vouchers.setStatusForEntitlement('e1', 'exhausted');
      expect(store.vouchers.get('b1-v0')?.status).toBe('exhausted');
      store.vouchers.revoke('b1-v1', 'lost', T0 + 9);
      expect(store.vouchers.get('b1-v1')).toMatchObject({ status: 'revoked', revokedAt: T0 + 9, revokeReason: 'lost' });
      store.vouchers.setStatusForEntitlement('e1', 'active'); // never un-revokes
      expect(store.vouchers.get('b1-v1')?.status).toBe('revoked');
      expect(store.vouchers.countByStatus()).toEqual({ unused: 1, active: 1, exhausted: 0, expired: 0, revoked: 1 });
    });

    it('vouchers: first use is taken once (markRedeemed of a code already redeemed changes nothing)', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      store.entitlements.insert(entitlement('e2', 'b1-v0'));
      expect(store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0)).toBe(true);
      expect(store.vouchers.markRedeemed('b1-v0', 'e2', 'active', T0 + 1, { firstUse: true })).toBe(false);
      expect(store.vouchers.get('b1-v0')?.entitlementId).toBe('e1');
    });

    it('vouchers and devices: a write that must change a row throws its own error when it changes none, in or out of a transaction', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0, { firstUse: true });
      const taken = () => new DomainError('CONFLICT', 'taken');
      expect(() => store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0, { firstUse: true, orElse: taken })).toThrow('taken');
      expect(() => store.tx(() => store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0, { firstUse: true, orElse: taken }))).toThrow('taken');
      store.entitlements.insertDevice(device('d1', 'e1', 'aa:aa:aa:aa:aa:01', '10.0.0.5'), taken);
      expect(() => store.tx(() => store.entitlements.insertDevice(device('d2', 'e1', 'aa:aa:aa:aa:aa:01', '10.0.0.6'), taken))).toThrow('taken');
      expect(store.entitlements.activeDevices('e1').map((d) => d.id)).toEqual(['d1']);
    });

    it('one transaction of grants, each in a savepoint (the group commits): a grant whose code is taken fails alone, a refusal right after it undoes nothing before it, the rest commit', () => {
      batch(store, 'b1', ['AAAA', 'BBBB', 'CCCC', 'DDDD']);
      // BBBB is taken before the transaction (by another instance, say).
      store.entitlements.insert(entitlement('e0', 'b1-v1'));
      store.vouchers.markRedeemed('b1-v1', 'e0', 'active', T0, { firstUse: true });
      const taken = () => new DomainError('CONFLICT', 'taken');
      const grant = (i: number) => () => {
        store.entitlements.insert(entitlement(`e${i + 1}`, `b1-v${i}`));
        store.vouchers.markRedeemed(`b1-v${i}`, `e${i + 1}`, 'active', T0, { firstUse: true, orElse: taken });
        store.entitlements.insertDevice(device(`d${i + 1}`, `e${i + 1}`, `aa:aa:aa:aa:aa:0${i + 1}`, `10.0.0.${i + 1}`), taken);
        return i;
      };
      const refused = () => {
        throw new DomainError('VOUCHER_EXHAUSTED', 'used up');
      };
      const tasks = [grant(0), grant(1), refused, grant(2), grant(3)];
      const outcomes = store.tx(() =>
        tasks.map((task) => {
          try {
            return store.tx(task);
          } catch (err) {
            if (!isDomainError(err)) throw err;
            return err.code;
          }
        }),
      );
      expect(outcomes).toEqual([0, 'CONFLICT', 'VOUCHER_EXHAUSTED', 2, 3]);
      // What each grant was told is what is stored.
      expect(['e1', 'e2', 'e3', 'e4'].map((id) => store.entitlements.get(id)?.id ?? null)).toEqual(['e1', null, 'e3', 'e4']);
      expect(['b1-v0', 'b1-v1', 'b1-v2', 'b1-v3'].map((id) => [id, store.vouchers.get(id)?.entitlementId])).toEqual([
        ['b1-v0', 'e1'], ['b1-v1', 'e0'], ['b1-v2', 'e3'], ['b1-v3', 'e4'],
      ]);
      expect(['e1', 'e2', 'e3', 'e4'].map((id) => store.entitlements.activeDevices(id).length)).toEqual([1, 0, 1, 1]);
    });

    it("vouchers: a pool's codes, the first one first (top-ups after)", () => {
      batch(store, 'b1', ['AAAA', 'BBBB', 'CCCC']);
      store.entitlements.insert(entitlement('e1', 'b1-v1'));
      store.vouchers.markRedeemed('b1-v1', 'e1', 'active', T0 + 1, { firstUse: true });
      store.vouchers.markRedeemed('b1-v0', 'e1', 'active', T0 + 9);
      expect(store.vouchers.ofPool('e1').map((v) => v.id)).toEqual(['b1-v1', 'b1-v0']);
      expect(store.vouchers.ofPool('nope')).toEqual([]);
    });

    it('vouchers: redeem-by deadlines expire only unused codes', () => {
      const soon = validatePlan({ durationSec: 3600, redeemBy: T0 + 1000 });
      store.vouchers.insertBatch({ id: 'b1', planName: null, plan: soon, count: 2, note: null, price: null, sellerId: null, createdAt: T0 }, [
        { id: 'v1', code: 'AAAA' },
        { id: 'v2', code: 'BBBB' },
      ]);
      store.vouchers.revoke('v2', null, T0);
      expect(store.vouchers.expireUnredeemed(T0 + 500)).toEqual([]);
      expect(store.vouchers.expireUnredeemed(T0 + 2000)).toEqual(['v1']);
      expect(store.vouchers.get('v1')?.status).toBe('expired');
      expect(store.vouchers.get('v2')?.status).toBe('revoked');
    });

    it('vouchers: list filters, search (case-insensitive note, escaped wildcards), paging, no limit', () => {
      store.operators.insert({ id: 'op1', name: 'Ana', role: 'seller', passwordHash: 'h', createdAt: T0, disabled: false });
      batch(store, 'b1', ['AAAA1111', 'AAAA2222'], { note: 'Market 50%', sellerId: 'op1', at: T0 });
      batch(store, 'b2', ['BBBB1111'], { note: 'school', at: T0 + 10 });
      expect(store.vouchers.list().total).toBe(3);
      expect(store.vouchers.list().items[0]!.code).toBe('BBBB1111'); // newest first
      expect(store.vouchers.list({ batchId: 'b1' }).total).toBe(2);
      expect(store.vouchers.list({ sellerId: 'op1' }).items.every((i) => i.sellerId === 'op1' && i.note === 'Market 50%')).toBe(true);
      expect(store.vouchers.list({ q: 'aaaa-2222' }).items.map((i) => i.code)).toEqual(['AAAA2222']);
      expect(store.vouchers.list({ q: 'MARKET' }).total).toBe(2);
      expect(store.vouchers.list({ q: '50%' }).total).toBe(2);
      expect(store.vouchers.list({ q: '_' }).total).toBe(0);
      expect(store.vouchers.list({ status: 'unused', limit: 1, offset: 1 })).toMatchObject({ total: 3, items: [{ code: 'AAAA1111' }] });
      expect(store.vouchers.list({ limit: Infinity }).items).toHaveLength(3);
    });

    it('batches: list per seller, delete an unused batch, sales per day and seller', () => {
      store.operators.insert({ id: 'op1', name: 'Ana', role: 'seller', passwordHash: 'h', createdAt: T0, disabled: false });
      batch(store, 'b1', ['AAAA', 'BBBB'], { sellerId: 'op1', price: 2, at: T0 });
      batch(store, 'b2', ['CCCC'], { sellerId: 'op1', price: 3, at: T0 + 60_000 });
      batch(store, 'b3', ['DDDD'], { sellerId: null, price: null, at: T0 + 120_000 });
      expect(store.vouchers.listBatches().map((b) => b.id)).toEqual(['b3', 'b2', 'b1']);
      expect(store.vouchers.listBatches({ sellerId: 'op1', limit: 1 }).map((b) => b.id)).toEqual(['b2']);
      const sales = store.vouchers.sales();
      const ana = sales.find((s) => s.sellerId === 'op1')!;
      expect(ana).toMatchObject({ seller: 'Ana', vouchers: 3, amount: 7 });
      expect(sales.find((s) => s.sellerId === null)).toMatchObject({ seller: null, vouchers: 1, amount: 0 });
      expect(store.vouchers.sales({ since: T0 + 1 }).reduce((n, s) => n + s.vouchers, 0)).toBe(2);
      expect(store.vouchers.batchUsed('b3')).toBe(false);
      expect(store.tx(() => store.vouchers.deleteBatch('b3'))).toBe(1);
      expect(store.vouchers.getBatch('b3')).toBeUndefined();
      expect(store.vouchers.codeExists('DDDD')).toBe(false);
    });

    it('plans: upsert by name (case-insensitive), archive, list', () => {
      store.vouchers.upsertPlan({ id: 'p1', name: 'Day', plan, price: 1, createdAt: T0 });
      store.vouchers.upsertPlan({ id: 'p2', name: 'DAY', plan: { ...plan, devices: 3 }, price: 2, createdAt: T0 });
      store.vouchers.upsertPlan({ id: 'p3', name: 'Week', plan, price: 5, createdAt: T0 });
      expect(store.vouchers.listPlans().map((p) => [p.name, p.price])).toEqual([['Day', 2], ['Week', 5]]);
      expect(store.vouchers.findPlan('day')?.plan.devices).toBe(3);
      expect(store.vouchers.archivePlan('day')).toBe(true);
      expect(store.vouchers.archivePlan('day')).toBe(false);
      expect(store.vouchers.listPlans().map((p) => p.name)).toEqual(['Week']);
      store.vouchers.upsertPlan({ id: 'p4', name: 'Day', plan, price: 1, createdAt: T0 }); // un-archives
      expect(store.vouchers.listPlans()).toHaveLength(2);
    });

    it('entitlements: insert, update, live pools, 64-bit usage', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      expect(store.entitlements.get('e1')).toMatchObject({ status: 'active', dataTotal: 5_000_000_000, usedBytes: 0, expiresAt: T0 + 86_400_000, plan });
      store.entitlements.addUsage('e1', 4_300_000_000, T0 + 1);
      store.entitlements.addUsage('e1', 1, T0 + 2);
      expect(store.entitlements.get('e1')).toMatchObject({ usedBytes: 4_300_000_001, updatedAt: T0 + 2 });
      expect(store.entitlements.listLive().map((e) => e.id)).toEqual(['e1']);
      store.entitlements.insert(entitlement('e2', 'b1-v0'));
      expect(store.entitlements.getMany(['e2', 'nope', 'e1']).map((e) => e.id).sort()).toEqual(['e1', 'e2']);
      expect(store.entitlements.getMany([])).toEqual([]);
      const many = Array.from({ length: 1203 }, (_, i) => `e${i % 3 ? 'x' + i : '1'}`);
      expect(store.entitlements.getMany(many).every((e) => e.id === 'e1')).toBe(true); // chunks of 500
      // Due: past expiry, at its data (within the slack), or on a reset plan; not a pool with time and data left.
      expect(store.entitlements.listDue(T0 + 1, 0).map((e) => e.id)).toEqual([]);
      expect(store.entitlements.listDue(T0 + 86_400_000, 0).map((e) => e.id).sort()).toEqual(['e1', 'e2']);
      expect(store.entitlements.listDue(T0 + 1, 700_000_000).map((e) => e.id)).toEqual(['e1']);
      store.entitlements.update({ ...store.entitlements.get('e2')!, status: 'revoked', updatedAt: T0 + 3 });
      store.entitlements.update({ ...store.entitlements.get('e1')!, status: 'expired', updatedAt: T0 + 3 });
      expect(store.entitlements.listLive()).toEqual([]);
      expect(store.entitlements.get('e1')?.status).toBe('expired');
    });

    it('devices: attach, look up by MAC and IP, move, usage, end; one active row per MAC', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      expect(store.entitlements.insertDevice(device('d1', 'e1', 'aa:aa:aa:aa:aa:01', '10.0.0.5', T0))).toBe(true);
      expect(store.entitlements.insertDevice(device('d2', 'e1', 'aa:aa:aa:aa:aa:02', '10.0.0.6', T0 + 1))).toBe(true);
      // A MAC that has an active row already: refused, nothing written.
      expect(store.entitlements.insertDevice(device('d3', 'e1', 'aa:aa:aa:aa:aa:01', '10.0.0.7'))).toBe(false);
      expect(store.entitlements.getDevice('d3')).toBeUndefined();
      expect(store.entitlements.activeDeviceByMac('aa:aa:aa:aa:aa:01')?.id).toBe('d1');
      expect(store.entitlements.isActiveIp('10.0.0.5')).toBe(true);
      expect(store.entitlements.isActiveIp('10.0.0.9')).toBe(false);
      store.entitlements.updateDeviceAddress('d1', '10.0.0.9', 'lan2', T0 + 5);
      expect(store.entitlements.activeDeviceByIp('10.0.0.9')).toMatchObject({ id: 'd1', site: 'lan2', lastSeen: T0 + 5, active: true });
      store.entitlements.addDeviceUsage('d1', 3_000_000_000, 2_000_000_000, 3_000_000_000, 2_000_000_000, T0 + 6);
      expect(store.entitlements.getDevice('d1')).toMatchObject({ bytesUp: 3_000_000_000, bytesDown: 2_000_000_000, counterUp: 3_000_000_000 });
      expect(store.entitlements.activeDevices('e1').map((d) => d.id)).toEqual(['d1', 'd2']);
      store.entitlements.endDevice('d1', 'logout', T0 + 7);
      store.entitlements.endDevice('d1', 'again', T0 + 8); // ended once
      expect(store.entitlements.getDevice('d1')).toMatchObject({ active: false, endedAt: T0 + 7, endReason: 'logout' });
      expect(store.entitlements.allActiveDevices().map((d) => d.id)).toEqual(['d2']);
      store.entitlements.insertDevice(device('d3', 'e1', 'aa:aa:aa:aa:aa:01', '10.0.0.7')); // the MAC is free again
      expect(store.entitlements.activeDevices('e1')).toHaveLength(2);
    });

    it('a usage flush in batches: devices, pools and the day, 64-bit, across several statements', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      store.entitlements.insert(entitlement('e2', 'b1-v0'));
      const ids = Array.from({ length: 150 }, (_, i) => `dv${i}`);
      store.tx(() => ids.forEach((id, i) => store.entitlements.insertDevice(device(id, i % 2 ? 'e2' : 'e1', `aa:aa:aa:aa:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, `10.1.0.${i}`, T0))));
      const flush = (at: number, k: number) =>
        store.tx(() =>
          store.entitlements.addUsageBatch({
            day: '2026-05-28', at,
            devices: ids.map((id, i) => ({ id, up: i * k, down: 2 * i * k, counterUp: 3_000_000_000 + i, counterDown: i })),
            pools: [{ id: 'e1', up: 4_000_000_000 * k, down: 1 }, { id: 'e2', up: 5, down: 6 * k }],
          }),
        );
      flush(T0 + 10, 1);
      flush(T0 + 20, 2);
      expect(store.entitlements.getDevice('dv149')).toMatchObject({ bytesUp: 149 * 3, bytesDown: 298 * 3, counterUp: 3_000_000_149, counterDown: 149, lastSeen: T0 + 20 });
      expect(store.entitlements.getDevice('dv0')).toMatchObject({ bytesUp: 0, counterUp: 3_000_000_000, lastSeen: T0 + 20 });
      expect(store.entitlements.get('e1')).toMatchObject({ usedBytes: 12_000_000_002, updatedAt: T0 + 20 });
      expect(store.entitlements.get('e2')).toMatchObject({ usedBytes: 5 + 6 + 5 + 12 });
      expect(store.entitlements.trafficOn('2026-05-28')).toEqual({ up: 12_000_000_010, down: 20 });
      store.tx(() => store.entitlements.addUsageBatch({ day: '2026-05-29', at: T0 + 30, devices: [], pools: [] }));
      expect(store.entitlements.trafficOn('2026-05-29')).toEqual({ up: 0, down: 0 });
    });

    it('daily traffic adds up per day', () => {
      store.entitlements.addDaily('2026-05-28', 'e1', 100, 200);
      store.entitlements.addDaily('2026-05-28', 'e1', 1, 2);
      store.entitlements.addDaily('2026-05-28', 'e2', 10, 20);
      store.entitlements.addDaily('2026-05-29', 'e1', 5, 5);
      expect(store.entitlements.trafficOn('2026-05-28')).toEqual({ up: 111, down: 222 });
      expect(store.entitlements.trafficOn('2026-01-01')).toEqual({ up: 0, down: 0 });
    });

    it('operators and their sessions', () => {
      expect(store.operators.count()).toBe(0);
      store.operators.insert({ id: 'op1', name: 'Admin', role: 'admin', passwordHash: 'h1', createdAt: T0, disabled: false });
      store.operators.insert({ id: 'op2', name: 'bea', role: 'seller', passwordHash: 'h2', createdAt: T0, disabled: false });
      expect(() => store.operators.insert({ id: 'op3', name: 'ADMIN', role: 'seller', passwordHash: 'h', createdAt: T0, disabled: false })).toThrow();
      expect(store.operators.findByName('admin')?.id).toBe('op1');
      expect(store.operators.list().map((o) => o.name)).toEqual(['Admin', 'bea']);
      store.operators.update({ id: 'op2', role: 'admin', passwordHash: 'h3', disabled: true });
      expect(store.operators.get('op2')).toMatchObject({ role: 'admin', passwordHash: 'h3', disabled: true });
      store.operators.insertSession({ tokenHash: 't1', operatorId: 'op1', csrf: 'c', createdAt: T0, expiresAt: T0 + 10 });
      store.operators.insertSession({ tokenHash: 't2', operatorId: 'op1', csrf: 'c', createdAt: T0, expiresAt: T0 + 1000 });
      store.operators.insertSession({ tokenHash: 't3', operatorId: 'op2', csrf: 'c', createdAt: T0, expiresAt: T0 + 1000 });
      expect(store.operators.findSession('t1')).toEqual({ tokenHash: 't1', operatorId: 'op1', csrf: 'c', createdAt: T0, expiresAt: T0 + 10 });
      store.operators.pruneSessions(T0 + 100);
      expect(store.operators.findSession('t1')).toBeUndefined();
      store.operators.deleteSession('t2');
      expect(store.operators.findSession('t2')).toBeUndefined();
      store.operators.deleteSessionsOf('op2');
      expect(store.operators.findSession('t3')).toBeUndefined();
    });

    it('events: appendMany returns increasing ids in the rows’ order, list filters, prune by age and by count', () => {
      const row = (i: number) => ({ at: T0 + i, type: i % 2 ? 'voucher.revoked' : 'device.attached', actorType: 'operator' as const, actorId: `op${i % 2}`, subject: `s${i}`, data: { i } });
      const ids = [...store.events.appendMany([0, 1, 2].map(row)), ...store.events.appendMany([3, 4].map(row))];
      expect(store.events.appendMany([])).toEqual([]);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(5);
      expect(store.events.list().map((e) => e.data)).toEqual([{ i: 4 }, { i: 3 }, { i: 2 }, { i: 1 }, { i: 0 }]);
      expect(store.events.list({ type: 'voucher.*' }).map((e) => e.subject)).toEqual(['s3', 's1']);
      expect(store.events.list({ subject: 's2' })).toHaveLength(1);
      expect(store.events.list({ actorId: 'op1', limit: 1 })).toMatchObject([{ subject: 's3', actorType: 'operator' }]);
      expect(store.events.list({ before: ids[2] }).map((e) => e.subject)).toEqual(['s1', 's0']);
      expect(store.tx(() => store.events.prune(T0 + 2, 100, 10))).toBe(2);
      expect(store.tx(() => store.events.prune(0, 1, 10))).toBe(2);
      expect(store.events.list().map((e) => e.subject)).toEqual(['s4']);
    });

    it('events: appendMany over several statements keeps each row with its id', () => {
      const rows = Array.from({ length: 120 }, (_, i) => ({ at: T0 + i, type: 'device.attached', actorType: 'system' as const, actorId: null, subject: `r${i}`, data: null }));
      const ids = store.events.appendMany(rows);
      expect(ids).toHaveLength(120);
      expect(new Set(ids).size).toBe(120);
      const listed = store.events.list({ limit: 200 });
      // Newest (highest id) first: row 119 has the highest id, row 0 the lowest.
      expect(listed.map((e) => e.subject)).toEqual(rows.map((r) => r.subject).reverse());
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    });

    it('settings: JSON values by key, overwritten', () => {
      store.settings.set('welcome', { en: 'Hi' });
      store.settings.set('welcome', { en: 'Hello', es: 'Hola' });
      store.settings.set('bypass', ['aa:bb:cc:dd:ee:ff']);
      expect(store.settings.get('welcome')).toEqual({ en: 'Hello', es: 'Hola' });
      expect(store.settings.get('missing')).toBeUndefined();
      expect(store.settings.all()).toEqual({ welcome: { en: 'Hello', es: 'Hola' }, bypass: ['aa:bb:cc:dd:ee:ff'] });
    });

    it('RADIUS sessions: grant, accounting binds the session id, slices, resume, NAS reset', () => {
      batch(store, 'b1', ['AAAA']);
      store.entitlements.insert(entitlement('e1', 'b1-v0'));
      store.radiusSessions.insert(session('r1', 'e1', 'aa:00:00:00:00:01', T0));
      store.radiusSessions.insert(session('r2', 'e1', 'aa:00:00:00:00:01', T0 + 10));
      expect(store.radiusSessions.get('r1')).toMatchObject({ nas: 'mikrotik-1', active: true, sliceBytes: 100_000_000, userName: 'K7QM4XPA9TR' });
      expect(store.radiusSessions.latestForMac('aa:00:00:00:00:01')?.id).toBe('r2');
      store.radiusSessions.updateCounters('r1', 5_000_000_000, 7, T0 + 20, '80000001', '10.9.0.3');
      store.radiusSessions.updateCounters('r1', 5_000_000_001, 8, T0 + 21, 'other', null); // the first id stays
      expect(store.radiusSessions.get('r1')).toMatchObject({ inOctets: 5_000_000_001, outOctets: 8, acctSessionId: '80000001', ip: '10.9.0.3', lastSeen: T0 + 21 });
      expect(store.radiusSessions.byAcctSession('mikrotik-1', '80000001')?.id).toBe('r1');
      expect(store.radiusSessions.livePoolSessions('e1', T0 + 15).map((s) => s.id)).toEqual(['r1']);
      expect(store.radiusSessions.activeOfPool('e1').map((s) => s.id)).toEqual(['r1', 'r2']);
      store.radiusSessions.setSlice('r2', 50, 3, T0 + 30);
      expect(store.radiusSessions.get('r2')).toMatchObject({ sliceBytes: 50, sliceBase: 3 });
      expect(store.radiusSessions.end('r1', 'stop', T0 + 40)).toBe(true);
      expect(store.radiusSessions.end('r1', 'stop', T0 + 41)).toBe(false);
      expect(store.radiusSessions.resume('r1', T0 + 50)).toBe(true);
      expect(store.radiusSessions.get('r1')).toMatchObject({ active: true, epochIn: 5_000_000_001, epochOut: 8, resumes: 1, endedAt: null });
      expect(store.radiusSessions.listActive().map((s) => s.id)).toEqual(['r1', 'r2']);
      expect(store.radiusSessions.endAllOfNas('mikrotik-1', 'nas-reboot', T0 + 60)).toBe(2);
      expect(store.radiusSessions.listActive()).toEqual([]);
    });

    it('tx: all or nothing; a nested tx that fails rolls back only itself', () => {
      batch(store, 'b1', ['AAAA', 'BBBB']);
      expect(() =>
        store.tx(() => {
          store.vouchers.revoke('b1-v0', 'x', T0);
          throw new Error('rule says no');
        }),
      ).toThrow('rule says no');
      expect(store.vouchers.get('b1-v0')?.status).toBe('unused');
      store.tx(() => {
        store.vouchers.revoke('b1-v0', 'kept', T0);
        expect(() =>
          store.tx(() => {
            store.vouchers.revoke('b1-v1', 'dropped', T0);
            throw new Error('inner');
          }),
        ).toThrow('inner');
      });
      expect(store.vouchers.get('b1-v0')?.status).toBe('revoked');
      expect(store.vouchers.get('b1-v1')?.status).toBe('unused');
      expect(store.health.state().ok).toBe(true);
    });
  });
}
