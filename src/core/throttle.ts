/**
 * Guess throttle (SPEC §7), shared by voucher guessing and operator sign-in. Three levels:
 *
 * - **Per source** (a MAC, or a name+address): the first `freeAttempts` failures are free, then each
 *   failure doubles a lockout (2 s, 4 s, 8 s … up to `maxLockoutSec`).
 * - **Per network**: when failures across all sources exceed `networkAttemptsPerMinute`, every source
 *   that has already failed in the last minute must wait for the minute to end.
 * - **Per prefix** (the /24 or /64 a source sits in, see `sourcePrefix`): while the network limit is
 *   tripped, a *fresh* source from a prefix that has failed more than `prefixAttemptsPerMinute` times
 *   this minute waits too. Without this a swarm of random MACs was never held: each one's first guess
 *   was looked up (attack report §4, 42k sources, all 404). A resident on a quiet prefix is never slowed,
 *   and one inside the attacked prefix waits at most until the minute ends.
 *
 * Memory and CPU are bounded (report D4, a 64 MB router heap filled after ~150k sources): both tables
 * are LRUs in Map insertion order (a failure deletes and re-inserts its key, so the oldest failure is
 * always first), capped at `maxSources` / `maxPrefixes`, and each call prunes at most a few entries from
 * the front. Evicting a source past the cap only forgets the one that failed longest ago.
 *
 * State is in memory: a restart forgets it, which only helps an attacker once per restart.
 *
 * @example
 *   const t = createThrottle({ clock, freeAttempts: 5, maxLockoutSec: 900, networkAttemptsPerMinute: 300 });
 *   t.check(mac, sourcePrefix(ip));   // throws TOO_MANY_ATTEMPTS with retryAfter
 *   t.fail(mac, sourcePrefix(ip));    // → { locked, retryAfter, failures }
 */
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';

export interface ThrottleOptions {
  clock: Clock;
  freeAttempts: number;
  maxLockoutSec: number;
  networkAttemptsPerMinute: number;
  /** Failures a prefix may have in a minute before its fresh sources are held (with the network limit tripped). */
  prefixAttemptsPerMinute?: number;
  /** Most sources remembered; the one that failed longest ago is forgotten first. */
  maxSources?: number;
  maxPrefixes?: number;
  /** The 429's message (the operator console says "sign-in attempts", the portal "wrong codes"). */
  message?: string;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

interface PrefixWindow {
  start: number;
  failures: number;
}

const FORGET_MS = 60 * 60 * 1000;
const MINUTE = 60_000;
/** Entries examined from the front of a table per call: enough to keep up with one insert per call. */
const PRUNE_STEP = 2;

/**
 * The coarse bucket a client address belongs to: the /24 of an IPv4 address (IPv4-mapped too), the /64
 * of an IPv6 one (a LAN hands each device addresses inside one /64, SLAAC, RFC 4862), anything else as is.
 *
 * @example
 *   sourcePrefix('10.0.3.17');   // '10.0.3'
 *   sourcePrefix('2001:db8::1'); // '2001:db8:0:0'
 */
export function sourcePrefix(ip: string): string {
  const addr = ip.toLowerCase().replace(/%.*$/, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  const v4 = /^(\d+\.\d+\.\d+)\.\d+$/.exec(addr);
  if (v4) return v4[1]!;
  if (!addr.includes(':') || /[^0-9a-f:.]/.test(addr) || (addr.match(/:/g) ?? []).length < 2) return addr;
  const [head = '', tail] = addr.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

export function createThrottle(opts: ThrottleOptions) {
  const maxSources = opts.maxSources ?? 10_000;
  const maxPrefixes = opts.maxPrefixes ?? 1024;
  const prefixLimit = opts.prefixAttemptsPerMinute ?? 30;
  const message = opts.message ?? 'too many wrong codes; wait before trying again';
  const entries = new Map<string, Entry>();
  const prefixes = new Map<string, PrefixWindow>();
  let windowStart = 0;
  let windowFailures = 0;
  let networkLockedUntil = 0;
  let work = 0;

  /** Drops expired entries from the front (oldest failure first), a bounded number per call. */
  function prune(now: number): void {
    for (let i = 0; i < PRUNE_STEP; i++) {
      const first = entries.entries().next();
      if (first.done) break;
      work++;
      const [k, e] = first.value;
      if (now - e.lastFailure <= FORGET_MS || e.lockedUntil >= now) break;
      entries.delete(k);
    }
    for (let i = 0; i < PRUNE_STEP; i++) {
      const first = prefixes.entries().next();
      if (first.done) break;
      work++;
      if (now - first.value[1].start < MINUTE) break;
      prefixes.delete(first.value[0]);
    }
  }

  function capped<V>(map: Map<string, V>, max: number): void {
    while (map.size > max) {
      work++;
      map.delete(map.keys().next().value!);
    }
  }

  function prefixHot(prefix: string | undefined, now: number): boolean {
    if (prefix === undefined) return false;
    const p = prefixes.get(prefix);
    return !!p && now - p.start < MINUTE && p.failures > prefixLimit;
  }

  return {
    /** Throws TOO_MANY_ATTEMPTS (with `retryAfter` seconds) when `key` must wait. */
    check(key: string, prefix?: string): void {
      const now = opts.clock.now();
      const e = entries.get(key);
      let until = e ? e.lockedUntil : 0;
      const recent = !!e && now - e.lastFailure < MINUTE;
      if (recent || (networkLockedUntil > now && prefixHot(prefix, now))) until = Math.max(until, networkLockedUntil);
      if (until > now) throw new DomainError('TOO_MANY_ATTEMPTS', message, { retryAfter: Math.ceil((until - now) / 1000) });
    },
    /** Records a failure; returns whether the key is now locked and for how long. */
    fail(key: string, prefix?: string): { locked: boolean; retryAfter: number; failures: number } {
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
      // delete + set moves the key to the end: Map order stays "oldest failure first" for prune().
      entries.delete(key);
      entries.set(key, e);
      capped(entries, maxSources);
      if (prefix !== undefined) {
        let p = prefixes.get(prefix);
        if (!p || now - p.start >= MINUTE) p = { start: now, failures: 0 };
        p.failures += 1;
        prefixes.delete(prefix);
        prefixes.set(prefix, p);
        capped(prefixes, maxPrefixes);
      }
      if (now - windowStart >= MINUTE) {
        windowStart = now;
        windowFailures = 0;
      }
      windowFailures += 1;
      if (windowFailures > opts.networkAttemptsPerMinute) networkLockedUntil = windowStart + MINUTE;
      const until = Math.max(e.lockedUntil, networkLockedUntil);
      return { locked: until > now, retryAfter: Math.max(0, Math.ceil((until - now) / 1000)), failures: e.failures };
    },
    /** A success clears the source's record (its prefix keeps counting: other sources may be guessing). */
    succeed(key: string): void {
      entries.delete(key);
    },
    size(): number {
      return entries.size;
    },
    /** Table sizes and `work`: entries examined by pruning and eviction since creation (tests bound it per call). */
    stats(): { sources: number; prefixes: number; work: number } {
      return { sources: entries.size, prefixes: prefixes.size, work };
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
