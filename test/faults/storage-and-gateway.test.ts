/**
 * Faults inside one process (SPEC §7 "nothing half-applied"): the gateway dying at each step of a login,
 * the database locked by another writer, and the disk full (a real tmpfs of a few hundred KB). Each
 * must give a clear error, leave the voucher unused and the gateway without the device, and recover as
 * soon as the fault is gone.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { GatewayError } from '../../src/gateway/driver.js';
import { harness, type Harness } from '../security/harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const login = (ip: string, code: string) => h!.post(ip, '/login', { code });

function unchanged(code: string, ip: string) {
  const v = h!.store.vouchers.findByCode(code)!;
  expect(v.status).toBe('unused');
  expect(v.entitlementId).toBeNull();
  expect(h!.network.allowed(ip)).toBe(false);
  expect(h!.network.pools.size).toBe(0);
  expect(h!.store.entitlements.allActiveDevices()).toHaveLength(0);
}

describe('gateway failing mid-login', () => {
  for (const step of ['lookupClient', 'setPool', 'authorize'] as const) {
    it(`fails at ${step}: 503, voucher not consumed, gateway clean, then the same code works`, async () => {
      let broken = true;
      h = await harness({
        wrapDriver: (d) =>
          new Proxy(d, {
            get(target, prop, recv) {
              const v = Reflect.get(target, prop, recv) as unknown;
              if (prop === step && typeof v === 'function') {
                return async (...args: unknown[]) => {
                  if (broken) throw new GatewayError(`router went away during ${step}`);
                  return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
                };
              }
              return v;
            },
          }) as GatewayDriver,
      });
      const [code] = h.vouchers(1);
      const res = await login('10.0.0.5', code!);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('GATEWAY_UNAVAILABLE');
      unchanged(code!, '10.0.0.5');
      broken = false;
      expect((await login('10.0.0.5', code!)).status).toBe(200);
      expect(h.network.allowed('10.0.0.5')).toBe(true);
    });
  }

  it('the whole gateway unreachable: the portal says so, healthz says so, nothing is stored', async () => {
    h = await harness();
    const [code] = h.vouchers(1);
    h.network.reachable = false;
    const res = await h.request('10.0.0.5', '/login', { method: 'POST', body: `code=${code}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(503);
    expect(await res.text()).toMatch(/<form/);
    expect((await h.get('127.0.0.1', '/healthz')).status).toBe(503);
    h.network.reachable = true;
    unchanged(code!, '10.0.0.5');
  });
});

describe('database faults', () => {
  it('locked by another writer: STORAGE_FAILED, gateway change undone; works once the lock is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psec-lock-'));
    try {
      h = await harness({ dbFile: join(dir, 'portico.db') });
      h.store.db.pragma('busy_timeout = 200'); // the production 5 s wait, shortened for the test
      const [code] = h.vouchers(1);
      const other = new Database(join(dir, 'portico.db'));
      other.prepare('BEGIN IMMEDIATE').run();
      const res = await login('10.0.0.5', code!);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('STORAGE_FAILED');
      other.prepare('ROLLBACK').run();
      other.close();
      unchanged(code!, '10.0.0.5');
      expect((await login('10.0.0.5', code!)).status).toBe(200);
    } finally {
      await h?.close();
      h = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const canMount = (() => {
    if (process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'psec-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();

  it.runIf(canMount)('disk full (tmpfs): clear 503s, nothing half-applied, recovery when space returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'psec-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
    try {
      h = await harness({ dbFile: join(dir, 'portico.db') });
      const codes = h.vouchers(3);
      await h.core.addOperator({ name: 'root', role: 'admin', password: 'correct horse battery' }, { type: 'system' });
      const signIn = () => h!.post('10.0.0.40', '/api/admin/login', { name: 'root', password: 'correct horse battery' }, { json: true });
      const signedIn = await signIn();
      const op = { cookie: signedIn.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': ((await signedIn.json()) as { csrf: string }).csrf };
      const createBatch = () =>
        h!.request('10.0.0.40', '/api/admin/batches', {
          method: 'POST',
          headers: { ...op, accept: 'application/json', 'content-type': 'application/json' },
          body: JSON.stringify({ count: 50, duration: '1h' }),
        });
      // Fill what is left of the filesystem.
      const filler = join(dir, 'filler');
      let size = 1024 * 1024;
      while (size >= 512) {
        try {
          writeFileSync(filler, Buffer.alloc(size), { flag: 'a' });
        } catch {
          size = Math.floor(size / 2);
        }
      }
      const before = h.counts();
      const statuses: number[] = [];
      for (const [i, code] of codes.entries()) {
        const res = await login(`10.0.1.${i + 2}`, code);
        statuses.push(res.status);
        const body = (await res.json()) as { code: string };
        expect(res.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(600);
        expect(res.status, 'no unhandled 500').not.toBe(500);
      }
      // A wrong code while the disk is full: its audit entry cannot be written either; still a clear answer.
      const guess = await login('10.0.1.9', '0000-0000-000');
      expect([404, 503]).toContain(guess.status);
      // Operators too (D9: these were 500 INTERNAL), and /healthz says so.
      for (const res of [await createBatch(), await signIn()]) {
        const body = (await res.json()) as { code: string; message: string };
        expect(res.status, JSON.stringify(body)).toBe(503);
        expect(body).toMatchObject({ code: 'STORAGE_FAILED', message: expect.stringMatching(/disk is full/) });
      }
      const health = await h.get('127.0.0.1', '/healthz');
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ ok: false, storage: 'failing', reason: 'the disk is full' });
      expect(h.counts()).toEqual(before);
      for (const [i, code] of codes.entries()) unchanged(code, `10.0.1.${i + 2}`);

      unlinkSync(filler);
      for (const [i, code] of codes.entries()) expect((await login(`10.0.1.${i + 2}`, code)).status).toBe(200);
      expect(h.store.entitlements.allActiveDevices()).toHaveLength(3);
      expect((await createBatch()).status).toBe(201);
      expect((await h.get('127.0.0.1', '/healthz')).status).toBe(200);
    } finally {
      await h?.close().catch(() => undefined);
      h = undefined;
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
