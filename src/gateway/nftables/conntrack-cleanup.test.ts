/** The background conntrack clean-up, kernel-free: which walks it asks for, in how many processes, one at a time. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.js';
import { createConntrackCleanup } from './conntrack-cleanup.js';
import type { CommandRunner } from './transport.js';

/**
 * `calls` lists each filter as the command it stands for (`conntrack -D …`), whether it came on a
 * `conntrack -R` file line or as its own process; `processes` counts the processes. Without `batch` the
 * fake is a conntrack older than 1.4.6, which refuses `-R`.
 */
function fakeRunner({ batch = true } = {}) {
  const calls: string[] = [];
  let processes = 0;
  let inFlight = 0;
  let most = 0;
  const runner: CommandRunner = {
    async exec(argv, input) {
      processes++;
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (argv[1] === '-R') {
        if (!batch) return { code: 2, stdout: '', stderr: "conntrack v1.4.5 (conntrack-tools): unknown option `-R'\nTry `conntrack -h' or 'conntrack --help' for more information." };
        expect(argv).toHaveLength(3);
        expect(input).toBeUndefined();
        for (const line of readFileSync(argv[2]!, 'utf8').split('\n').filter(Boolean)) calls.push(`conntrack ${line}`);
        return { code: 0, stdout: '', stderr: '' };
      }
      calls.push(argv.join(' '));
      return { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
    },
    spawn: () => {
      throw new Error('not used');
    },
  };
  return { runner, calls, most: () => most, processes: () => processes };
}

describe('conntrack clean-up', () => {
  it('waits for a quiet moment: requests that keep coming put the walks off, up to the longest wait', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 40, maxDelayMs: 1000, bound: () => false });
    let last = 0;
    for (let i = 0; i < 4; i++) {
      c.loggedIn([`10.0.1.${i}`]);
      last = Date.now();
      await new Promise((r) => setTimeout(r, 25));
      expect(f.calls).toEqual([]);
    }
    await c.idle();
    // One zone walk for the four, at least 40 ms after the last request.
    expect(f.calls).toEqual(['conntrack -D -f ipv4 -w 8908']);
    expect(Date.now() - last).toBeGreaterThanOrEqual(40 - 2);
    const capped = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 40, maxDelayMs: 60, bound: () => false });
    f.calls.length = 0;
    capped.left(['10.0.2.1']);
    const t1 = Date.now();
    // A request every 10 ms never leaves 40 ms of quiet: only the longest wait starts the walk.
    while (Date.now() - t1 < 3000 && f.calls.length === 0) {
      capped.left(['10.0.2.1']);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(f.calls.length).toBeGreaterThan(0);
    expect(Date.now() - t1).toBeLessThan(2000);
    await capped.stop();
  });

  it('stop ends a wait at once', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 10_000, bound: () => false });
    c.left(['10.0.3.1']);
    const t = Date.now();
    await c.stop();
    expect(Date.now() - t).toBeLessThan(100);
    expect(f.calls).toEqual([]);
  });

  it('walks a lone login\'s pre-login flows by address, and a burst\'s as one zone', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 0, bound: () => true });
    c.loggedIn(['10.0.0.2']);
    await c.idle();
    expect(f.calls).toEqual(['conntrack -D -f ipv4 -w 8908 -s 10.0.0.2']);
    f.calls.length = 0;
    c.loggedIn(['10.0.0.3', '10.0.0.4', '2001:db8::5']);
    c.loggedIn(['10.0.0.3']);
    await c.idle();
    expect(f.calls.sort()).toEqual(['conntrack -D -f ipv4 -w 8908', 'conntrack -D -f ipv6 -w 8908']);
  });

  it('clears a logged-out address both ways, once however often it left, and not when it is authorized again', async () => {
    const f = fakeRunner();
    const back = new Set(['10.0.0.9']);
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 0, bound: (ip) => back.has(ip) });
    c.left(['10.0.0.8', '10.0.0.9']);
    c.left(['10.0.0.8']);
    await c.idle();
    expect(f.calls.sort()).toEqual(['conntrack -D -f ipv4 -d 10.0.0.8', 'conntrack -D -f ipv4 -s 10.0.0.8']);
  });

  it('sends everything pending to one conntrack -R run, clears the bypass zone in both families, and drops what is pending on stop', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 0, bound: () => false });
    c.left(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    c.bypassShrank();
    c.loggedIn(['10.0.0.7']);
    await c.idle();
    // One process for the lot (a fork of Portico each costs its event loop milliseconds).
    expect(f.processes()).toBe(1);
    expect(f.calls).toEqual([
      'conntrack -D -f ipv4 -w 8909',
      'conntrack -D -f ipv6 -w 8909',
      'conntrack -D -f ipv4 -w 8908 -s 10.0.0.7',
      'conntrack -D -f ipv4 -s 10.0.0.1',
      'conntrack -D -f ipv4 -d 10.0.0.1',
      'conntrack -D -f ipv4 -s 10.0.0.2',
      'conntrack -D -f ipv4 -d 10.0.0.2',
      'conntrack -D -f ipv4 -s 10.0.0.3',
      'conntrack -D -f ipv4 -d 10.0.0.3',
    ]);
    // What comes while that process runs waits for it: never two at once.
    f.calls.length = 0;
    c.left(['10.0.0.4']);
    await new Promise((r) => setTimeout(r, 0));
    c.left(['10.0.0.5']);
    await c.idle();
    expect(f.most()).toBe(1);
    expect(f.calls.sort()).toEqual(['conntrack -D -f ipv4 -d 10.0.0.4', 'conntrack -D -f ipv4 -d 10.0.0.5', 'conntrack -D -f ipv4 -s 10.0.0.4', 'conntrack -D -f ipv4 -s 10.0.0.5']);
    f.calls.length = 0;
    c.left(['10.0.0.4', '10.0.0.5']);
    await c.stop();
    expect(f.calls).toEqual([]);
  });

  it('with a conntrack older than 1.4.6 (no -R) runs one process per filter, as before', async () => {
    const f = fakeRunner({ batch: false });
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: '/old/conntrack', log: silentLogger, quietMs: 0, bound: () => false });
    c.left(['10.0.0.8']);
    await c.idle();
    expect(f.calls.sort()).toEqual(['/old/conntrack -D -f ipv4 -d 10.0.0.8', '/old/conntrack -D -f ipv4 -s 10.0.0.8']);
    expect(f.processes()).toBe(3);
    // Asked once: the next clean-up goes straight to one process per filter.
    c.left(['10.0.0.9']);
    await c.idle();
    expect(f.processes()).toBe(5);
  });

  it('sends at most 16 filters to a process, and a stop waits only for the one in flight', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 0, bound: () => false });
    c.left(Array.from({ length: 20 }, (_, i) => `10.0.5.${i}`));
    await c.idle();
    // 40 filters (source and destination of each): three processes.
    expect(f.calls).toHaveLength(40);
    expect(f.processes()).toBe(3);
    f.calls.length = 0;
    c.left(Array.from({ length: 40 }, (_, i) => `10.0.6.${i}`));
    await new Promise((r) => setTimeout(r, 1));
    await c.stop();
    expect(f.calls).toHaveLength(16);
  });
});
