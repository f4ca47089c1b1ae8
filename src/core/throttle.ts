/**
 * Voucher-guessing throttle (SPEC §7). Per device (MAC, or IP before the MAC is known): the first
 * `freeAttempts` failures are free, then each failure doubles a lockout (2 s, 4 s, 8 s … up to
 * `maxLockoutSec`). Per network: when failures across all devices exceed `networkAttemptsPerMinute`,
 * every device that has already failed recently must wait too, so a swarm of random MACs gains nothing,
 * while a resident typing a code for the first time is never slowed down.
 *
 * State is in memory: a restart forgets it, which only helps an attacker once per restart.
 *
 * @example
 *   const t = createThrottle({ clock, freeAttempts: 5, maxLockoutSec: 900, networkAttemptsPerMinute: 300 });
 *   t.check(key);   // throws TOO_MANY_ATTEMPTS with retryAfter
 *   t.fail(key);    // → { locked: boolean, retryAfter }
 */
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';

export interface ThrottleOptions {
  clock: Clock;
  freeAttempts: number;
  maxLockoutSec: number;
  networkAttemptsPerMinute: number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

const FORGET_MS = 60 * 60 * 1000;

export function createThrottle(opts: ThrottleOptions) {
  const entries = new Map<string, Entry>();
  let windowStart = 0;
  let windowFailures = 0;
  let networkLockedUntil = 0;

  function prune(now: number) {
    if (entries.size < 10_000) return;
    for (const [k, e] of entries) if (now - e.lastFailure > FORGET_MS && e.lockedUntil < now) entries.delete(k);
  }

  return {
    /** Throws TOO_MANY_ATTEMPTS (with `retryAfter` seconds) when `key` must wait. */
    check(key: string): void {
      const now = opts.clock.now();
      const e = entries.get(key);
      let until = e ? e.lockedUntil : 0;
      if (e && now - e.lastFailure < 60_000) until = Math.max(until, networkLockedUntil);
      if (until > now) {
        throw new DomainError('TOO_MANY_ATTEMPTS', 'too many wrong codes; wait before trying again', {
          retryAfter: Math.ceil((until - now) / 1000),
        });
      }
    },
    /** Records a failed guess; returns whether the key is now locked and for how long. */
    fail(key: string): { locked: boolean; retryAfter: number; failures: number } {
      const now = opts.clock.now();
      prune(now);
      const e = entries.get(key) ?? { failures: 0, lockedUntil: 0, lastFailure: 0 };
      if (now - e.lastFailure > FORGET_MS) e.failures = 0;
      e.failures += 1;
      e.lastFailure = now;
      const over = e.failures - opts.freeAttempts;
      if (over > 0) {
        const seconds = Math.min(opts.maxLockoutSec, 2 ** Math.min(over, 30));
        e.lockedUntil = now + seconds * 1000;
      }
      entries.set(key, e);
      if (now - windowStart >= 60_000) {
        windowStart = now;
        windowFailures = 0;
      }
      windowFailures += 1;
      if (windowFailures > opts.networkAttemptsPerMinute) networkLockedUntil = windowStart + 60_000;
      const until = Math.max(e.lockedUntil, networkLockedUntil);
      return { locked: until > now, retryAfter: Math.max(0, Math.ceil((until - now) / 1000)), failures: e.failures };
    },
    /** A successful login clears the device's record. */
    succeed(key: string): void {
      entries.delete(key);
    },
    size(): number {
      return entries.size;
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
