/**
 * Pipelined writes on PostgreSQL (store/pg/db.ts `later` / `laterOne`): inside a transaction a write
 * whose answer nobody reads is posted, not waited for, and its failure surfaces at the next statement
 * that is waited for, or at the COMMIT. What must hold is what held when every write was waited for:
 * a transaction whose write failed never reports success, and a clean one runs once. (The grants of
 * one transaction failing alone is the repository suite's, on both engines.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntitlementRow } from '../../src/core/ports/model.js';
import { activate } from '../../src/domain/entitlement.js';
import { validatePlan } from '../../src/domain/plan.js';
import { openPgStore, type PgStore } from '../../src/store/pg/index.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';

const T0 = 1_780_000_000_000;
const plan = validatePlan({ durationSec: 3600, devices: 1 });
const pool = (id: string, voucherId: string): EntitlementRow => ({ id, voucherId, updatedAt: T0, ...activate(plan, T0) });

describe.skipIf(!hasPostgres)('pipelined writes on PostgreSQL', () => {
  let pg: TestPostgres;
  let store: PgStore;

  beforeAll(async () => {
    pg = await startPostgres();
    store = openPgStore({ url: await pg.createDatabase(), timeoutMs: 5000 });
    store.vouchers.insertBatch({ id: 'b1', planName: null, plan, count: 3, note: null, price: null, sellerId: null, createdAt: T0 }, [
      { id: 'v1', code: 'AAAA' },
      { id: 'v2', code: 'BBBB' },
      { id: 'v3', code: 'CCCC' },
    ]);
  }, 60_000);

  afterAll(() => {
    store?.close();
    pg?.close();
  });

  it('a clean transaction of posted writes runs once and stores them all', () => {
    let runs = 0;
    store.tx(() => {
      runs++;
      store.entitlements.insert(pool('e1', 'v1'));
      store.vouchers.markRedeemed('v1', 'e1', 'active', T0, { firstUse: true, orElse: () => new Error('taken') });
    });
    expect(runs).toBe(1);
    expect(store.entitlements.get('e1')?.voucherId).toBe('v1');
    expect(store.vouchers.get('v1')?.entitlementId).toBe('e1');
  });

  it('a posted write that fails last, with nothing waited for after it, fails the transaction (PostgreSQL answers that COMMIT with ROLLBACK)', () => {
    let runs = 0;
    expect(() =>
      store.tx(() => {
        runs++;
        store.entitlements.insert(pool('e2', 'v2'));
        store.entitlements.insert(pool('e1', 'v2')); // e1 exists: a duplicate key
      }),
    ).toThrow(/duplicate key/);
    // Run again with every write waited for, where the duplicate is reported as itself.
    expect(runs).toBe(2);
    expect(store.entitlements.get('e2')).toBeUndefined();
  });

  it('a conditional write that changes no row throws its own error, from the run with every write waited for', () => {
    let runs = 0;
    expect(() =>
      store.tx(() => {
        runs++;
        store.entitlements.insert(pool('e3', 'v1'));
        store.vouchers.markRedeemed('v1', 'e3', 'active', T0, { firstUse: true, orElse: () => new Error('v1 is taken') });
        store.vouchers.get('v3'); // a waited statement after it
      }),
    ).toThrow('v1 is taken');
    expect(runs).toBe(2);
    expect(store.entitlements.get('e3')).toBeUndefined();
    expect(store.vouchers.get('v1')?.entitlementId).toBe('e1');
  });

  it("a transaction's audit rows travel with its COMMIT: their ids are there once it committed, in the rows' order, and not before", () => {
    const row = (type: string) => ({ at: T0, type, actorType: 'system' as const, actorId: null, subject: null, data: { n: type } });
    let ids: (() => number[]) | undefined;
    store.tx(() => {
      ids = store.events.appendManyLater(['a.one', 'a.two', 'a.three'].map(row));
    });
    const got = ids!();
    expect(got).toHaveLength(3);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    const listed = store.events.list({ limit: 10 }).filter((e) => e.type.startsWith('a.'));
    expect(Object.fromEntries(listed.map((e) => [e.type, e.id]))).toEqual({ 'a.one': got[0], 'a.two': got[1], 'a.three': got[2] });
    // A transaction that fails sends its rows nowhere: asking is an error, not another transaction's ids.
    let lost: (() => number[]) | undefined;
    expect(() =>
      store.tx(() => {
        lost = store.events.appendManyLater([row('b.one')]);
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(() => lost!()).toThrow();
    expect(store.events.list({ limit: 10 }).some((e) => e.type === 'b.one')).toBe(false);
  });

  it('a read sent ahead (a login reads the caller’s device with its code) gives its row after the statements behind it, in a transaction or not', () => {
    store.tx(() => {
      store.entitlements.insertDevice({
        id: 'd1', entitlementId: 'e1', mac: 'aa:bb:cc:00:00:01', ip: '10.0.0.9', site: null, attachedAt: T0, lastSeen: T0, active: true,
        endedAt: null, endReason: null, bytesUp: 0, bytesDown: 0, counterUp: 0, counterDown: 0,
      });
    });
    const mine = store.entitlements.activeDeviceByMacLater('aa:bb:cc:00:00:01');
    const nobody = store.entitlements.activeDeviceByMacLater('aa:bb:cc:00:00:02');
    expect(store.vouchers.findByCode('AAAA')?.id).toBe('v1');
    expect(mine()).toMatchObject({ id: 'd1', entitlementId: 'e1', ip: '10.0.0.9', active: true });
    expect(nobody()).toBeUndefined();
    const inside = store.tx(() => {
      const d = store.entitlements.activeDeviceByMacLater('aa:bb:cc:00:00:01');
      store.vouchers.get('v2');
      return d();
    });
    expect(inside?.id).toBe('d1');
  });

  it('the store answers normally after a failed pipelined transaction', () => {
    store.tx(() => {
      store.entitlements.insert(pool('e4', 'v3'));
      store.vouchers.markRedeemed('v3', 'e4', 'active', T0, { firstUse: true, orElse: () => new Error('taken') });
    });
    expect(store.vouchers.get('v3')?.entitlementId).toBe('e4');
    expect(store.health.state().ok).toBe(true);
  });
});
