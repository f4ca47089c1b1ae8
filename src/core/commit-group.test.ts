/** Group commit of logins and logouts: one COMMIT for the calls of one turn, each failing alone. */
import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain/errors.js';
import { fakeClock } from '../lib/clock.js';
import { silentLogger } from '../lib/log.js';
import { openDatabase } from '../store/db.js';
import { createStore } from '../store/index.js';
import { createCommitGroup } from './commit-group.js';
import { EventBus } from './events.js';

function setup() {
  const store = createStore(openDatabase(':memory:'));
  let outer = 0;
  const tx = store.tx.bind(store);
  let depth = 0;
  // Counts outermost transactions: each is one COMMIT (one fsync on disk).
  store.tx = ((fn: () => unknown) => {
    if (depth === 0) outer++;
    depth++;
    try {
      return tx(fn);
    } finally {
      depth--;
    }
  }) as typeof store.tx;
  const bus = new EventBus(silentLogger);
  const seen: string[] = [];
  bus.on('audit.recorded', 'test', (e) => seen.push(e.type));
  return { group: createCommitGroup({ store, bus, clock: fakeClock(), log: silentLogger }), store, seen, commits: () => outer };
}
const entry = (type: string) => ({ type, actor: { type: 'system' as const }, subject: null });

describe('commit group', () => {
  it('commits the calls of one turn together; a refused one rolls back alone and fails only its caller', async () => {
    const { group, store, seen, commits } = setup();
    const calls = [
      group.run('the login', (t) => (t.record(entry('one')), 1)),
      group.run('the login', (t) => {
        t.record(entry('refused'));
        throw new DomainError('DEVICE_LIMIT', 'full');
      }),
      group.run('the logout', (t) => (t.record(entry('three')), 3)),
    ];
    const out = await Promise.allSettled(calls);
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as DomainError).code))).toEqual([1, 'DEVICE_LIMIT', 3]);
    expect(commits()).toBe(1);
    expect(store.events.list().map((e) => e.type).sort()).toEqual(['one', 'three']);
    expect(seen).toEqual(['one', 'three']); // published after the COMMIT, nothing of the refused one
  });

  it('runs a call alone in its own transaction, and later turns in their own', async () => {
    const { group, commits } = setup();
    expect(await group.run('the login', () => 'a')).toBe('a');
    expect(commits()).toBe(1);
    await Promise.all([group.run('x', () => 1), group.run('x', () => 2)]);
    expect(commits()).toBe(2);
  });

  it('with a store that flushes later, resolves and publishes only once the flush returned; a failed flush is STORAGE_FAILED', async () => {
    const { group, store, seen } = setup();
    let flushed!: (err?: Error) => void;
    store.syncLater = <T>(fn: () => T) => ({
      value: fn(),
      synced: new Promise<void>((resolve, reject) => (flushed = (err) => (err ? reject(err) : resolve()))),
    });
    let done = false;
    const call = group.run('the login', (t) => (t.record(entry('one')), 1)).then((v) => ((done = true), v));
    await new Promise((r) => setTimeout(r, 20));
    expect(store.events.list().map((e) => e.type)).toEqual(['one']); // committed…
    expect(done).toBe(false); // …but not acknowledged
    expect(seen).toEqual([]); // nor told to anyone
    flushed();
    expect(await call).toBe(1);
    expect(seen).toEqual(['one']);

    const failing = Promise.allSettled([group.run('the login', (t) => t.record(entry('two'))), group.run('the logout', (t) => t.record(entry('three')))]);
    await new Promise((r) => setTimeout(r, 20));
    flushed(Object.assign(new Error('fdatasync: EIO'), { code: 'EIO' }));
    const out = await failing;
    expect(out.map((o) => (o.status === 'rejected' ? (o.reason as DomainError).code : 'ok'))).toEqual(['STORAGE_FAILED', 'STORAGE_FAILED']);
    expect(seen).toEqual(['one']);
    expect(store.health.state().ok).toBe(false);
  });
});

