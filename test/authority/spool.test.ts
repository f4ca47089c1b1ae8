/**
 * The accounting spool on disk: records survive a reopen (a crash), in order; a torn last line is
 * ignored; acknowledged records are gone after a reopen; compaction keeps only what waits.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSpool } from '../../src/authority/spool.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const file = () => {
  const d = mkdtempSync(join(tmpdir(), 'portico-spool-'));
  dirs.push(d);
  return join(d, 'sub', 'accounting.spool');
};

describe('accounting spool', () => {
  it('keeps unacknowledged records across a reopen, in order; a torn last line is ignored', () => {
    const f = file();
    const s = openSpool<{ n: number }>(f);
    for (let n = 1; n <= 5; n++) s.append({ n });
    s.ack(1);
    s.ack(3);
    s.close();
    appendFileSync(f, '{"s":6,"r":{"n"'); // a crash mid-write
    const again = openSpool<{ n: number }>(f);
    expect(again.pending().map((p) => p.record.n)).toEqual([2, 4, 5]);
    // New records continue after the highest sequence ever written.
    expect(again.append({ n: 7 })).toBe(6);
    again.close();
  });

  it('compacts once enough records were acknowledged: the file holds only what waits', () => {
    const f = file();
    const s = openSpool<{ n: number }>(f);
    for (let n = 0; n < 600; n++) s.ack(s.append({ n }));
    s.append({ n: 999 });
    expect(statSync(f).size).toBeLessThan(600 * 20);
    s.close();
    const lines = readFileSync(f, 'utf8').trim().split('\n');
    expect(lines.length).toBeLessThan(200);
    expect(openSpool<{ n: number }>(f).pending().map((p) => p.record.n)).toEqual([999]);
  });
});
