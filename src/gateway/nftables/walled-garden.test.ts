/** Walled garden: element merging (pure) and host-name resolution with a fake resolver and fake timers. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../lib/log.js';
import { gardenElements } from './garden.js';
import { createWalledGarden, type Resolver } from './walled-garden.js';

describe('gardenElements', () => {
  it('masks host bits, merges overlaps and adjacent ranges, and sets host names apart', () => {
    expect(gardenElements(['10.0.0.5', '10.0.0.1/24', '10.0.1.0/24', '192.0.2.9', '192.0.2.10', 'pay.example.org', '2001:DB8::1', '2001:db8::/127', 'fd00::/8', '10.0.0.0/33'])).toEqual({
      v4: ['10.0.0.0/23', '192.0.2.9-192.0.2.10'],
      v6: ['2001:db8::/127', 'fd00::/8'],
      invalid: ['pay.example.org', '10.0.0.0/33'],
    });
  });
});

describe('walled garden', () => {
  afterEach(() => vi.useRealTimers());

  const setup = (resolve: Resolver) => {
    const batches: string[][] = [];
    const garden = createWalledGarden({ table: 'portico', apply: async (c) => void batches.push(c), resolve, log: silentLogger, refreshMs: 600_000, timeoutMs: 3000 });
    return { garden, batches };
  };

  it('replaces both sets in one batch, with host names resolved and unresolvable ones skipped', async () => {
    const { garden, batches } = setup(async (name) => {
      if (name === 'pay.example.org') return ['203.0.113.7', '2001:db8:1::7'];
      throw new Error('ENOTFOUND');
    });
    await garden.set(['pay.example.org', 'gone.example.org', '198.51.100.0/24']);
    expect(batches).toEqual([
      [
        'flush set inet portico garden4',
        'flush set inet portico garden6',
        'add element inet portico garden4 { 198.51.100.0/24, 203.0.113.7 }',
        'add element inet portico garden6 { 2001:db8:1::7 }',
      ],
    ]);
    await garden.set([]);
    expect(batches[1]).toEqual(['flush set inet portico garden4', 'flush set inet portico garden6']);
    garden.stop();
  });

  it('gives a name that does not answer a bounded time', async () => {
    vi.useFakeTimers();
    const { garden, batches } = setup((name) => (name === 'slow.example.org' ? new Promise(() => {}) : Promise.resolve(['192.0.2.1'])));
    const done = garden.set(['slow.example.org', 'fast.example.org']);
    await vi.advanceTimersByTimeAsync(3000);
    await done;
    expect(batches[0]).toContain('add element inet portico garden4 { 192.0.2.1 }');
    garden.stop();
  });

  it('re-resolves host names every refresh, applying only changes and keeping the last answer on failure', async () => {
    vi.useFakeTimers();
    let answer: string[] | Error = ['192.0.2.1'];
    const { garden, batches } = setup(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    });
    await garden.set(['pay.example.org']);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600_000);
    expect(batches).toHaveLength(1); // same answer: nothing to apply
    answer = ['192.0.2.2'];
    await vi.advanceTimersByTimeAsync(600_000);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toContain('add element inet portico garden4 { 192.0.2.2 }');
    answer = new Error('SERVFAIL');
    await vi.advanceTimersByTimeAsync(600_000);
    expect(batches).toHaveLength(2); // kept 192.0.2.2
    expect(garden.commands()).toContain('add element inet portico garden4 { 192.0.2.2 }');
    garden.stop();
    answer = ['192.0.2.3'];
    await vi.advanceTimersByTimeAsync(600_000);
    expect(batches).toHaveLength(2); // stopped
  });
});
