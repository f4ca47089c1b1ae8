/**
 * The guess throttle in isolation, on a fake clock: one source keeps its 5-free-then-doubling back-off,
 * a swarm of fresh sources from one prefix is held once the network limit trips (a quiet prefix is not),
 * and 200,000 distinct sources leave the table at its cap with a bounded amount of pruning work per call
 * (attack report D4: the old table kept every source for 1 h and scanned all of them on every failure).
 */
import { describe, expect, it } from 'vitest';
import { isDomainError } from '../domain/errors.js';
import { fakeClock } from '../lib/clock.js';
import { createThrottle, sourcePrefix } from './throttle.js';

const base = { freeAttempts: 5, maxLockoutSec: 900, networkAttemptsPerMinute: 300 };

function retryAfter(fn: () => void): number {
  try {
    fn();
    return 0;
  } catch (err) {
    if (!isDomainError(err, 'TOO_MANY_ATTEMPTS')) throw err;
    return err.details.retryAfter as number;
  }
}

describe('sourcePrefix', () => {
  it.each([
    ['10.1.2.3', '10.1.2'],
    ['::ffff:10.1.2.3', '10.1.2'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2'],
    ['2001:db8::1', '2001:db8:0:0'],
    ['fe80::1%eth0', 'fe80:0:0:0'],
    ['unknown', 'unknown'],
  ])('%s → %s', (ip, prefix) => expect(sourcePrefix(ip)).toBe(prefix));
});

describe('throttle', () => {
  it('one source: 5 free failures, then 2, 4, 8, 16 s', () => {
    const clock = fakeClock();
    const t = createThrottle({ clock, ...base });
    for (let i = 0; i < 5; i++) {
      expect(retryAfter(() => t.check('mac', '10.0.0'))).toBe(0);
      expect(t.fail('mac', '10.0.0').locked).toBe(false);
    }
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = t.fail('mac', '10.0.0');
      expect(r.locked).toBe(true);
      waits.push(retryAfter(() => t.check('mac', '10.0.0')));
      clock.advance(r.retryAfter * 1000);
      expect(retryAfter(() => t.check('mac', '10.0.0'))).toBe(0);
    }
    expect(waits).toEqual([2, 4, 8, 16]);
    t.succeed('mac');
    expect(t.fail('mac', '10.0.0').failures).toBe(1);
  });

  it('the sign-in throttle can say what it throttles', () => {
    const t = createThrottle({ clock: fakeClock(), ...base, message: 'too many sign-in attempts; wait before trying again' });
    for (let i = 0; i < 6; i++) t.fail('admin|10.0.0.9');
    expect(() => t.check('admin|10.0.0.9')).toThrow(/too many sign-in attempts/);
  });

  it('fresh sources from a prefix that is swarming wait once the network limit trips; a quiet prefix does not', () => {
    const clock = fakeClock();
    const t = createThrottle({ clock, ...base, prefixAttemptsPerMinute: 30 });
    let lookedUp = 0;
    for (let i = 0; i < 5000; i++) {
      const mac = `swarm-${i}`;
      if (retryAfter(() => t.check(mac, '10.1.0')) > 0) continue;
      lookedUp++;
      t.fail(mac, '10.1.0');
    }
    // Before the fix every one of the 5,000 fresh sources was looked up.
    expect(lookedUp).toBeLessThanOrEqual(base.networkAttemptsPerMinute + 30 + 1);
    // A resident on another /24 is not slowed; a fresh device inside the swarm's /24 waits for the minute.
    expect(retryAfter(() => t.check('resident', '10.9.9'))).toBe(0);
    const wait = retryAfter(() => t.check('fresh-in-swarm', '10.1.0'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    clock.advance(60_000);
    expect(retryAfter(() => t.check('fresh-in-swarm', '10.1.0'))).toBe(0);
  });

  it('200,000 distinct sources: the tables stay at their caps and pruning work per failure stays constant', () => {
    const clock = fakeClock();
    const t = createThrottle({ clock, ...base, networkAttemptsPerMinute: 100_000, maxSources: 10_000, maxPrefixes: 1024 });
    const checkpoints: { size: number; work: number }[] = [];
    for (let i = 0; i < 200_000; i++) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      t.fail(`mac-${i}`, sourcePrefix(ip));
      clock.advance(3); // about 333 guesses a second, the attack run's rate
      if ((i + 1) % 50_000 === 0) checkpoints.push({ size: t.stats().sources, work: t.stats().work });
    }
    const s = t.stats();
    expect(s.sources).toBe(10_000);
    expect(s.prefixes).toBeLessThanOrEqual(1024);
    // `work` counts entries examined while pruning; a full scan per failure would make it ~10,000 per call.
    expect(s.work).toBeLessThanOrEqual(200_000 * 8);
    const perCall = checkpoints.map((c, k) => (k === 0 ? c.work : c.work - checkpoints[k - 1]!.work) / 50_000);
    for (const p of perCall) expect(p).toBeLessThanOrEqual(8);
    expect(checkpoints.every((c) => c.size === 10_000)).toBe(true);
  });

  it('forgets sources an hour after their last failure, oldest first, without a scan', () => {
    const clock = fakeClock();
    const t = createThrottle({ clock, ...base });
    for (let i = 0; i < 100; i++) t.fail(`old-${i}`, '10.0.0');
    clock.advance(61 * 60_000);
    for (let i = 0; i < 100; i++) t.fail(`new-${i}`, '10.0.1');
    expect(t.stats().sources).toBe(100);
  });
});
