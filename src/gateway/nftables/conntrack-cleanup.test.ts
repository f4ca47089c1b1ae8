/** The background conntrack clean-up, kernel-free: which walks it starts, and that it starts them one at a time. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.js';
import { createConntrackCleanup } from './conntrack-cleanup.js';
import type { CommandRunner } from './transport.js';

function fakeRunner() {
  const calls: string[] = [];
  let inFlight = 0;
  let most = 0;
  const runner: CommandRunner = {
    async exec(argv) {
      calls.push(argv.join(' '));
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { code: 1, stdout: '', stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
    },
    spawn: () => {
      throw new Error('not used');
    },
  };
  return { runner, calls, most: () => most };
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

  it('runs one address at a time, clears the bypass zone in both families, and drops what is pending on stop', async () => {
    const f = fakeRunner();
    const c = createConntrackCleanup({ runner: f.runner, conntrackPath: 'conntrack', log: silentLogger, quietMs: 0, bound: () => false });
    c.left(['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    c.bypassShrank();
    await c.idle();
    // Two per address (source and destination, side by side), never two addresses at once.
    expect(f.most()).toBe(2);
    expect(f.calls.slice(0, 2).sort()).toEqual(['conntrack -D -f ipv4 -w 8909', 'conntrack -D -f ipv6 -w 8909']);
    expect(f.calls).toHaveLength(8);
    f.calls.length = 0;
    c.left(['10.0.0.4', '10.0.0.5']);
    await c.stop();
    expect(f.calls).toEqual([]);
  });
});
