/**
 * Issue 11 item 7: login, the sweep and pool ends go through the async authority port, so a remote
 * authority (RADIUS, PostgreSQL) can take the local ledger's place. Here a wrapper around the local one
 * answers after a delay, records every call, and can fail a commit: the use-cases wait for it, undo the
 * gateway when recording fails, and the synchronous readers keep working.
 */
import { describe, expect, it } from 'vitest';
import { localAuthority } from '../../src/core/authority-local.js';
import type { EntitlementAuthority } from '../../src/core/ports/authority.js';
import { formatCode } from '../../src/domain/code.js';
import { fakeClock } from '../../src/lib/clock.js';
import { createTestPortico } from '../helpers/portico.js';

function remoteLike(calls: string[], failCommit: { on: boolean }) {
  return (ctx: Parameters<typeof localAuthority>[0]): EntitlementAuthority => {
    const local = localAuthority(ctx);
    const later = <T>(name: string, fn: () => Promise<T>) => {
      calls.push(name);
      return new Promise<T>((resolve, reject) => setTimeout(() => fn().then(resolve, reject), 5));
    };
    return {
      find: (code, client) => later('find', () => local.find(code, client)),
      redeem: (r) => later('redeem', () => local.redeem(r)),
      commit: (r, client, now) => later('commit', () => (failCommit.on ? Promise.reject(new Error('the ledger is unreachable')) : local.commit(r, client, now))),
      abort: (r) => later('abort', () => local.abort(r)),
      recordUsage: (now) => later('recordUsage', () => local.recordUsage(now)),
      end: (id, status, reason, actor) => later('end', () => local.end(id, status, reason, actor)),
    };
  };
}

describe('the authority seam', () => {
  it('login decides, enforces and records through the port; the sweep records usage and ends pools through it', async () => {
    const calls: string[] = [];
    const clock = fakeClock();
    const p = await createTestPortico({ clock, authority: remoteLike(calls, { on: false }) });
    expect(calls).toEqual(['recordUsage']); // start-up catches up usage counted while Portico was down
    calls.length = 0;
    p.network.setMac('10.0.0.5', '02:00:00:00:00:05');
    const { vouchers } = p.core.createBatch({ count: 1, plan: { durationSec: 60 } }, { type: 'system' });
    const r = await p.core.login({ ip: '10.0.0.5', code: formatCode(vouchers[0]!.code) });
    expect(calls).toEqual(['find', 'redeem', 'commit']);
    expect(r.status.authorized && r.status.secondsRemaining).toBe(60);
    expect(p.core.isOnline('10.0.0.5')).toBe(true); // the synchronous reader sees the committed login
    clock.advance(61_000);
    await p.core.accounting.sweep();
    expect(calls).toContain('end');
    expect(p.network.allowed('10.0.0.5')).toBe(false);
    expect(p.store.vouchers.get(vouchers[0]!.id)!.status).toBe('expired');
  });

  it('a commit the authority refuses leaves nothing on the gateway', async () => {
    const calls: string[] = [];
    const fail = { on: true };
    const p = await createTestPortico({ authority: remoteLike(calls, fail) });
    p.network.setMac('10.0.0.6', '02:00:00:00:00:06');
    const { vouchers } = p.core.createBatch({ count: 1, plan: { durationSec: 60 } }, { type: 'system' });
    await expect(p.core.login({ ip: '10.0.0.6', code: formatCode(vouchers[0]!.code) })).rejects.toThrow('the ledger is unreachable');
    expect(p.network.allowed('10.0.0.6')).toBe(false);
    expect(p.store.vouchers.get(vouchers[0]!.id)!.status).toBe('unused');
    fail.on = false;
    await p.core.login({ ip: '10.0.0.6', code: formatCode(vouchers[0]!.code) });
    expect(p.network.allowed('10.0.0.6')).toBe(true);
  });
});
