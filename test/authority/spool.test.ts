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

describe('accounting sender', () => {
  it('keeps records in order while no server answers; a newer Interim-Update replaces an unsent older one of the same session', async () => {
    const { createAccountingSender } = await import('../../src/authority/accounting.js');
    const { RadiusUnreachable } = await import('../../src/radius/client.js');
    const { fakeClock } = await import('../../src/lib/clock.js');
    const { silentLogger } = await import('../../src/lib/log.js');
    const sent: string[] = [];
    let up = false;
    const client = {
      accounting: async (attrs: readonly unknown[]) => {
        if (!up) throw new RadiusUnreachable('down');
        const a = attrs as [string, unknown][];
        sent.push(`${a.find((x) => x[0] === 'Acct-Status-Type')![1]}:${a.find((x) => x[0] === 'Acct-Session-Id')![1]}:${a.find((x) => x[0] === 'Acct-Output-Octets')?.[1] ?? '-'}`);
        return { packet: {} as never, server: 0 };
      },
    };
    const f = file();
    const sender = createAccountingSender({ spool: openSpool(f), client, clock: fakeClock(), log: silentLogger, nas: { nasIdentifier: 'gw' }, retryMs: 60_000 });
    const base = { userName: 'u', mac: '02:00:00:00:00:01', ip: '10.0.0.5', classHex: null, inOctets: 0, sessionTime: 0, at: 0 };
    sender.send({ ...base, type: 1, sessionId: 'a', outOctets: 0 });
    for (const out of [100, 200, 300]) sender.send({ ...base, type: 3, sessionId: 'a', outOctets: out });
    sender.send({ ...base, type: 3, sessionId: 'b', outOctets: 7 });
    sender.send({ ...base, type: 2, sessionId: 'a', outOctets: 400 });
    await sender.flush();
    expect(sender.pending()).toBe(4); // Start a, Interim a (300), Interim b, Stop a
    up = true;
    await sender.flush();
    expect(sent).toEqual(['1:a:-', '3:a:300', '3:b:7', '2:a:400']);
    expect(sender.pending()).toBe(0);
    await sender.stop();
  });
});
