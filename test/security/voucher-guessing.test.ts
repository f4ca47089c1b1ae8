/**
 * Voucher guessing (SPEC §7): 10,000 well-formed guesses (valid check character, so every one reaches
 * the lookup) from one device and from many devices. Expected: zero successes, a lockout answered with
 * 429 and `Retry-After`, every guess that was looked up counted in the audit log (aggregated per source
 * prefix per window, attack report D5: the counts add up), a swarm of fresh devices held once the network
 * limit trips (D4), and a resident with a real code who arrives in the middle of the attack gets straight in.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALPHABET, checkChar } from '../../src/domain/code.js';
import { harness, seeded, type Harness } from './harness.js';

const GUESSES = 10_000;
// 10,000 in-process requests take a few seconds; give slow CI machines room.
vi.setConfig({ testTimeout: 90_000 });
let h: Harness;

beforeEach(async () => {
  h = await harness();
  h.vouchers(50); // codes that exist, so a lucky guess could really succeed
});
afterEach(() => h.close());

function guesser(seed: number) {
  const rnd = seeded(seed);
  return () => {
    let data = '';
    for (let i = 0; i < 10; i++) data += ALPHABET[rnd.int(32)];
    return data + checkChar(data);
  };
}

/** Guesses audited, by type: rows are aggregated, so this sums their counts after writing pending summaries. */
async function auditCounts(): Promise<Record<string, number>> {
  await h.core.housekeeping.stop();
  const rows = h.store.db
    .prepare("SELECT type, SUM(json_extract(data, '$.count')) AS n FROM events WHERE type LIKE 'login.%' GROUP BY type")
    .all() as { type: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.type, r.n]));
}

async function tally(responses: Response[]) {
  const by: Record<number, number> = {};
  for (const r of responses) by[r.status] = (by[r.status] ?? 0) + 1;
  return by;
}

describe('voucher guessing', () => {
  it('one device: locked after the free attempts, 429 with Retry-After, every lookup audited', async () => {
    const next = guesser(1);
    const statuses: Record<number, number> = {};
    let firstLock: Response | undefined;
    for (let i = 0; i < GUESSES; i++) {
      const res = await h.post('10.0.0.66', '/login', { code: next() });
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 429 && !firstLock) firstLock = res;
    }
    expect(statuses[200] ?? 0).toBe(0);
    expect(statuses[303] ?? 0).toBe(0);
    // 5 free failures, the 6th is looked up and locks, everything after waits.
    expect(statuses[404]).toBe(h.config.security.freeAttempts + 1);
    expect(statuses[429]).toBe(GUESSES - h.config.security.freeAttempts - 1);
    expect(Number(firstLock!.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await firstLock!.json()) as { code: string; retryAfter: number };
    expect(body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(body.retryAfter).toBe(Number(firstLock!.headers.get('retry-after')));
    expect(await auditCounts()).toEqual({ 'login.failed': 5, 'login.locked': 1 });
    expect(h.store.entitlements.allActiveDevices()).toHaveLength(0);
  });

  it('one patient device that waits out every lockout: back-off doubles up to the cap, still nothing', async () => {
    const next = guesser(2);
    const attempts = 2_000;
    let lookedUp = 0;
    let lastRetry = 0;
    for (let i = 0; i < attempts; i++) {
      const res = await h.post('10.0.0.67', '/login', { code: next() });
      expect(res.status === 404 || res.status === 429).toBe(true);
      if (res.status === 404) lookedUp++;
      const retry = Number(res.headers.get('retry-after') ?? 0);
      if (res.status === 429) {
        lastRetry = retry;
        h.clock.advance(retry * 1000); // the attacker waits exactly as told
      }
    }
    expect(lastRetry).toBe(h.config.security.maxLockoutSec);
    // Half the attempts are spent waiting: each lookup past the free ones is followed by a lockout.
    expect(lookedUp).toBeGreaterThan(attempts / 2 - 10);
    expect(lookedUp).toBeLessThanOrEqual(attempts / 2 + 5);
    const audited = await auditCounts();
    expect((audited['login.failed'] ?? 0) + (audited['login.locked'] ?? 0)).toBe(lookedUp);
    expect(h.store.entitlements.allActiveDevices()).toHaveLength(0);
  });

  it('many devices: a swarm gets no success, devices that failed are held by the network limit, a resident is not slowed', async () => {
    const next = guesser(3);
    const devices = 200;
    const ip = (i: number) => `10.1.${Math.floor(i / 250)}.${(i % 250) + 2}`;
    const responses: Response[] = [];
    let residentChecked = false;
    const [real] = h.vouchers(1);
    for (let i = 0; i < GUESSES; i++) {
      responses.push(await h.post(ip(i % devices), '/login', { code: next() }));
      if (i === GUESSES / 2) {
        // Mid-attack, with the network-wide limit tripped: a resident types a real code (after one typo
        // the check character catches, which costs no attempt) and gets in at the first try.
        const typo = real!.slice(0, 10) + (real![10] === '0' ? '1' : '0');
        expect((await h.post('10.9.9.9', '/login', { code: typo })).status).toBe(400);
        expect((await h.post('10.9.9.9', '/login', { code: real! })).status).toBe(200);
        residentChecked = true;
      }
    }
    expect(residentChecked).toBe(true);
    const by = await tally(responses);
    expect(Object.keys(by).sort()).toEqual(['404', '429']);
    // The network limit (300 failures a minute) stops the swarm long before 10,000 lookups.
    expect(by[404]).toBeLessThanOrEqual(h.config.security.networkAttemptsPerMinute + devices);
    const locked = responses.find((r) => r.status === 429)!;
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const audited = await auditCounts();
    expect((audited['login.failed'] ?? 0) + (audited['login.locked'] ?? 0)).toBe(by[404]);
    expect(h.store.entitlements.allActiveDevices().map((d) => d.ip)).toEqual(['10.9.9.9']);
  });

  it('many devices each guessing once (a MAC-rotating swarm): zero successes, held once the network limit trips, every lookup audited', async () => {
    const next = guesser(4);
    const responses: Response[] = [];
    for (let i = 0; i < GUESSES; i++) responses.push(await h.post(`10.${2 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, '/login', { code: next() }));
    const by = await tally(responses);
    // Before D4's fix all 10,000 were looked up: a fresh device was never held. Now, once the network
    // limit trips, fresh devices from a /24 past its own allowance wait too (each /24 here holds 256).
    const prefixes = Math.ceil(GUESSES / 256);
    const { networkAttemptsPerMinute, prefixAttemptsPerMinute } = h.config.security;
    expect(Object.keys(by).sort()).toEqual(['404', '429']);
    expect(by[404]).toBeLessThanOrEqual(networkAttemptsPerMinute + prefixes * (prefixAttemptsPerMinute + 1));
    const audited = await auditCounts();
    expect((audited['login.failed'] ?? 0) + (audited['login.locked'] ?? 0)).toBe(by[404]);
    expect(h.store.entitlements.allActiveDevices()).toHaveLength(0);
  });
});
