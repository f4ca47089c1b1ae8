/**
 * The refused-attempt audit summary on a fake clock: the first attempts of a window are written at
 * once, the rest become one counted row when the window closes, buckets past the cap share an overflow
 * bucket, and a summary that cannot be written is reported and dropped (memory stays bounded).
 */
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../lib/clock.js';
import { createAuditSummary, type SummaryRow } from './audit-summary.js';

const WINDOW = 600_000;

function setup(maxBuckets = 4) {
  const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const written: SummaryRow[] = [];
  const errors: number[] = [];
  let failing = false;
  const s = createAuditSummary({
    clock,
    windowMs: WINDOW,
    maxBuckets,
    write: (rows) => {
      if (failing) throw new Error('disk full');
      written.push(...rows);
    },
    onError: (_err, n) => errors.push(n),
  });
  return { clock, s, written, errors, fail: (v: boolean) => (failing = v) };
}

const total = (rows: SummaryRow[]) => rows.reduce((n, r) => n + (r.data.count as number), 0);

describe('audit summary', () => {
  it('writes the first attempt at once and the rest as one counted row when the window closes', () => {
    const { clock, s, written } = setup();
    for (let i = 0; i < 1000; i++) s.note('login.failed', '10.0.0', { type: 'device', id: `m${i}` }, { ip: `10.0.0.${i % 250}` });
    expect(written).toHaveLength(1);
    expect(written[0]!.data).toMatchObject({ ip: '10.0.0.0', count: 1 });
    clock.advance(WINDOW);
    s.closeWindows();
    expect(written).toHaveLength(2);
    expect(written[1]!.data).toMatchObject({ summary: true, bucket: '10.0.0', count: 999, last: { actor: 'm999', ip: '10.0.0.249' } });
    expect(total(written)).toBe(1000);
  });

  it('`immediate` writes that many per bucket and window before counting', () => {
    const { s, written } = setup();
    for (let i = 0; i < 10; i++) s.note('operator.login_failed', '10.0.0', { type: 'system' }, { name: 'root' }, 6);
    expect(written).toHaveLength(6);
    s.flushAll();
    expect(written).toHaveLength(7);
    expect(total(written)).toBe(10);
  });

  it('past maxBuckets, new buckets share one overflow bucket: rows and memory stay bounded', () => {
    const { clock, s, written } = setup(4);
    for (let i = 0; i < 10_000; i++) s.note('login.failed', `10.${i >> 8}.${i & 255}`, { type: 'device', id: `m${i}` }, {});
    expect(s.size()).toBe(5);
    clock.advance(WINDOW);
    s.closeWindows();
    expect(written.length).toBeLessThanOrEqual(2 * 5);
    expect(written.find((r) => r.data.bucket === '*')?.data.count).toBe(10_000 - 5);
    expect(total(written)).toBe(10_000);
  });

  it('a summary that cannot be written is reported and dropped', () => {
    const { clock, s, errors, fail } = setup();
    s.note('login.failed', 'a', { type: 'system' }, {});
    s.note('login.failed', 'a', { type: 'system' }, {});
    fail(true);
    clock.advance(WINDOW);
    s.closeWindows();
    expect(errors).toEqual([1]);
    expect(s.size()).toBe(0);
  });
});
