import { describe, expect, it } from 'vitest';
import { DomainError, isDomainError } from '../domain/errors.js';
import { fakeClock } from '../lib/clock.js';
import { silentLogger } from '../lib/log.js';
import { openDatabase } from '../store/db.js';
import { createStore } from '../store/index.js';
import { EventBus } from './events.js';
import { transact } from './tx.js';

function setup() {
  const store = createStore(openDatabase(':memory:'));
  const bus = new EventBus(silentLogger);
  const seen: string[] = [];
  bus.on('batch.created', 'test', (e) => seen.push(`batch ${e.batchId}`));
  bus.on('audit.recorded', 'test', (e) => seen.push(`audit ${e.type} #${e.id}`));
  return { ctx: { store, bus, clock: fakeClock(), log: silentLogger }, store, seen };
}
const entry = (type: string) => ({ type, actor: { type: 'system' as const }, subject: null });

describe('transact (the outbox)', () => {
  it('writes the audit row inside the transaction and publishes it and the event after the commit', () => {
    const { ctx, store, seen } = setup();
    transact(ctx, 'the test', (t) => {
      t.record(entry('batch.created'), ['batch.created', { batchId: 'b1', count: 1, sellerId: null, price: null }]);
      expect(seen).toEqual([]); // nothing leaves before the commit
    });
    expect(seen).toEqual(['batch b1', `audit batch.created #${store.events.list()[0]!.id}`]);
  });

  it('a rolled-back transaction writes and publishes nothing; a DomainError passes through', () => {
    const { ctx, store, seen } = setup();
    const err = (() => {
      try {
        transact(ctx, 'the test', (t) => {
          t.record(entry('x'), ['batch.created', { batchId: 'b2', count: 1, sellerId: null, price: null }]);
          throw new DomainError('CONFLICT', 'no');
        });
      } catch (e) {
        return e;
      }
    })();
    expect(isDomainError(err) && err.code).toBe('CONFLICT');
    expect(store.events.list()).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('a nested transaction (a savepoint) hands its events to the outer one; a rolled-back one hands over none', () => {
    const { ctx, seen } = setup();
    transact(ctx, 'the batch', () => {
      transact(ctx, 'one', (t) => t.publish(['batch.created', { batchId: 'kept', count: 1, sellerId: null, price: null }]));
      try {
        transact(ctx, 'two', (t) => {
          t.publish(['batch.created', { batchId: 'dropped', count: 1, sellerId: null, price: null }]);
          throw new DomainError('CONFLICT', 'refused');
        });
      } catch {
        // this grant is refused; the batch goes on
      }
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['batch kept']);
  });

  it('writes the audit rows of a transaction and its savepoints in one statement before the COMMIT, each with its id; a refused savepoint writes none', () => {
    const { ctx, store, seen } = setup();
    const many = store.events.appendManyLater.bind(store.events);
    const statements: number[] = [];
    store.events.appendManyLater = (rows) => (statements.push(rows.length), many(rows));
    transact(ctx, 'the batch', (t) => {
      t.record(entry('first'));
      transact(ctx, 'one', (t1) => t1.record(entry('kept')));
      try {
        transact(ctx, 'two', (t2) => {
          t2.record(entry('dropped'));
          throw new DomainError('CONFLICT', 'refused');
        });
      } catch {
        // this grant is refused; the batch goes on
      }
      t.record(entry('last'));
      expect(statements).toEqual([]); // not yet: together, at the end
    });
    expect(statements).toEqual([3]);
    const stored = store.events.list();
    expect(stored.map((e) => e.type)).toEqual(['last', 'kept', 'first']);
    // What the live feed was told carries the ids the rows got.
    expect(seen).toEqual(stored.reverse().map((e) => `audit ${e.type} #${e.id}`));
  });

  it('a storage failure becomes STORAGE_FAILED naming what could not be saved, and /healthz is told', () => {
    const { ctx, store } = setup();
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    let caught: unknown;
    try {
      transact(ctx, 'the plan', () => {
        throw full;
      });
    } catch (e) {
      caught = e;
    }
    expect(isDomainError(caught) && caught.code).toBe('STORAGE_FAILED');
    expect((caught as Error).message).toMatch(/could not save the plan \(the disk is full\); nothing was changed/);
    expect(store.health.state().ok).toBe(false);
  });
});
