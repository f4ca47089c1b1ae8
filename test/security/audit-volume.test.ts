/**
 * What unauthenticated traffic can write to storage (attack report D5): thousands of wrong codes from
 * distinct devices produce a bounded number of audit rows (aggregated per source prefix per window, the
 * counts still adding up to every lookup), failed operator sign-ins likewise, and the audit log is pruned
 * by age and by row count in bounded batches while recent rows stay.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALPHABET, checkChar } from '../../src/domain/code.js';
import { harness, seeded, type Harness } from './harness.js';

vi.setConfig({ testTimeout: 90_000 });
let h: Harness;
afterEach(() => h.close());

function guess(seed: number) {
  const rnd = seeded(seed);
  return () => {
    let data = '';
    for (let i = 0; i < 10; i++) data += ALPHABET[rnd.int(32)];
    return data + checkChar(data);
  };
}

function rows(pattern: string): { n: number; attempts: number } {
  return h.store.db
    .prepare("SELECT COUNT(*) AS n, COALESCE(SUM(json_extract(data, '$.count')), 0) AS attempts FROM events WHERE type LIKE ?")
    .get(pattern) as { n: number; attempts: number };
}

describe('audit volume under guessing', () => {
  it('5,000 wrong codes from 5,000 devices: a bounded number of rows whose counts add up to every lookup', async () => {
    // A network limit high enough that every guess is looked up: the worst case for the audit log.
    h = await harness({ config: { security: { networkAttemptsPerMinute: 100_000 } } });
    const next = guess(7);
    const GUESSES = 5000;
    let lookedUp = 0;
    for (let i = 0; i < GUESSES; i++) {
      const res = await h.post(`10.3.${(i >> 8) & 255}.${i & 255}`, '/login', { code: next() });
      if (res.status === 404) lookedUp++;
      h.clock.advance(10);
    }
    expect(lookedUp).toBe(GUESSES);
    const prefixes = Math.ceil(GUESSES / 256);
    // Before aggregation: one row per guess (5,000). Now at most one immediate row and one summary per
    // prefix and window (50 s of guessing spans at most two 10-minute windows).
    expect(rows('login.%').n).toBeLessThanOrEqual(prefixes * 2 * 2);
    h.clock.advance(10 * 60_000);
    await h.core.housekeeping.run();
    const after = rows('login.%');
    expect(after.n).toBeLessThanOrEqual(prefixes * 2 * 2);
    expect(after.attempts).toBe(lookedUp);
  });

  it('a name spray from one source: scrypt runs only until the source is throttled, and rows stay bounded', async () => {
    h = await harness();
    const statuses: Record<number, number> = {};
    for (let i = 0; i < 300; i++) {
      const res = await h.post('10.0.0.50', '/api/admin/login', { name: `user${i}`, password: 'whatever-123' }, { json: true });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      h.clock.advance(100);
    }
    // Before: 300 × 401 (every one ran scrypt) and 300 audit rows.
    expect(statuses[401]).toBeLessThanOrEqual(h.config.security.freeAttempts + 5);
    expect(rows('operator.login_failed').n).toBeLessThanOrEqual(h.config.security.freeAttempts + 2);
    h.clock.advance(10 * 60_000);
    await h.core.housekeeping.run();
    expect(rows('operator.login_failed').attempts).toBe(statuses[401]);
  });
});

describe('audit retention', () => {
  it('deletes rows older than retentionDays and beyond maxRows, oldest first, in bounded batches; keeps recent ones', async () => {
    h = await harness({ config: { audit: { retentionDays: 30, maxRows: 1000 } } });
    const now = h.clock.now();
    const day = 86_400_000;
    const ins = h.store.db.prepare("INSERT INTO events (at, type, actor_type) VALUES (?, 'test.row', 'system')");
    h.store.tx(() => {
      for (let i = 0; i < 3000; i++) ins.run(now - 60 * day + i); // old
      for (let i = 0; i < 2500; i++) ins.run(now - day + i); // recent, but 1,500 too many
    });
    const count = () => (h.store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'test.row'").get() as { n: number }).n;
    const oldest = () => (h.store.db.prepare('SELECT MIN(at) AS at FROM events').get() as { at: number }).at;
    const first = await h.core.housekeeping.run({ maxBatches: 2 });
    // Two batches of at most 1,000 rows in this pass: bounded work, the rest next time.
    expect(first.deleted).toBeLessThanOrEqual(2000);
    expect(first.deleted).toBeGreaterThan(0);
    while ((await h.core.housekeeping.run()).deleted > 0);
    expect(count()).toBeLessThanOrEqual(1000);
    expect(count()).toBeGreaterThan(900);
    expect(oldest()).toBeGreaterThanOrEqual(now - 30 * day);
    // The newest rows are the ones kept.
    const newest = h.store.db.prepare("SELECT MAX(at) AS at FROM events WHERE type = 'test.row'").get() as { at: number };
    expect(newest.at).toBe(now - day + 2499);
  });

  it('the defaults fit router flash: 90 days and 50,000 rows', async () => {
    h = await harness();
    expect(h.config.audit).toEqual({ retentionDays: 90, maxRows: 50_000 });
  });
});
