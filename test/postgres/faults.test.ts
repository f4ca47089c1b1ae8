/**
 * Faults of a PostgreSQL-backed Portico (SPEC §11, issue 13 item 4), with real processes:
 *
 * - kill -9 of one of two instances under concurrent logins spread over both: every acknowledged login
 *   is still there (its voucher active, its pool and device written, the survivor reports it online),
 *   and no voucher is half-written;
 * - PostgreSQL stopped and started again (pg_ctl), and every Portico connection terminated by the
 *   server (pg_terminate_backend): requests answer 503 while the database is away, the process does not
 *   crash, and it serves again without a restart, /healthz included.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, scratchDir, startServer, type ServerHandle } from '../../scripts/bench/lib/server.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/log.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { freePort } from '../helpers/free-port.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { sendFrom } from '../helpers/send-from.js';

const send = (url: string, method: string, path: string, from: string, body?: string, host?: string) =>
  sendFrom(url, method, path, from, body, { timeoutMs: 10_000, ...(host ? { host } : {}) });


const addr = (i: number) => `127.70.${Math.floor(i / 250)}.${(i % 250) + 2}`;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<number> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - t0;
}

describe.skipIf(!hasPostgres)('PostgreSQL faults', () => {
  let pg: TestPostgres;
  let url: string;
  let db: string;
  let ledger: Runtime;
  const dirs: string[] = [];
  const servers: ServerHandle[] = [];
  const cfg = () => ({ storage: { driver: 'postgres', postgres: { url, timeoutMs: 2000 } } });

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase();
    db = new URL(url).pathname.slice(1);
    dirs.push(scratchDir('pg-fault'));
    ledger = await openRuntime(parseConfig({ dataDir: dirs[0], listen: { port: await freePort() }, log: { level: 'silent' }, ...cfg() }), { log: silentLogger });
  }, 60_000);

  afterAll(async () => {
    ledger?.close();
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    pg?.close();
  });

  async function start(): Promise<ServerHandle> {
    const dir = scratchDir('pg-fault-srv');
    dirs.push(dir);
    const s = await startServer({ dir, config: cfg(), timeoutMs: 30_000 });
    servers.push(s);
    return s;
  }

  it('kill -9 of one instance under concurrent logins: every acknowledged login is kept, nothing half-written', { timeout: 90_000 }, async () => {
    const codes = ledger.core.createBatch({ count: 300, plan: { durationSec: 86_400, dataBytes: 5e9 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const [a, b] = await Promise.all([start(), start()]);
    const acked = new Map<string, string>();
    let next = 0;
    let killed = false;
    const workers = Array.from({ length: 8 }, async (_, w) => {
      while (next < 280) {
        const i = next++;
        const target = killed || w % 2 ? b : a; // once A is gone its devices ask B, as a NAS fails over
        const r = await send(target.url, 'POST', '/login', addr(i), `code=${codes[i]}`);
        if (r.status === 200) acked.set(codes[i]!, addr(i));
        if (!killed && acked.size >= 60) {
          killed = true;
          process.kill(a.pid, 'SIGKILL');
        }
      }
    });
    await Promise.all(workers);
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(100);
    // Every acknowledged device is online, asked of the survivor from its own address.
    for (const [, from] of acked) {
      const s = await send(b.url, 'GET', '/api/session', from);
      expect(s.status).toBe(200);
      expect((JSON.parse(s.body) as { authorized: boolean }).authorized, from).toBe(true);
    }
    // Every voucher is whole: unused with nothing attached, or active with its pool and one device.
    const rows = pg
      .psql(db, `SELECT v.code, v.status, (e.id IS NOT NULL), (SELECT count(*) FROM devices d WHERE d.entitlement_id = v.entitlement_id AND d.active = 1)
                   FROM vouchers v LEFT JOIN entitlements e ON e.id = v.entitlement_id`)
      .split('\n')
      .map((l) => l.split('|'));
    for (const [code, status, hasPool, devices] of rows) {
      if (status === 'unused') expect([hasPool, devices], code).toEqual(['f', '0']);
      else expect([status, hasPool, devices], code).toEqual(['active', 't', '1']);
      if (acked.has(code!)) expect(status).toBe('active');
    }
    expect(pg.psql(db, 'SELECT count(*) FROM entitlements WHERE id NOT IN (SELECT entitlement_id FROM vouchers WHERE entitlement_id IS NOT NULL)')).toBe('0');
    // And the survivor goes on serving new logins.
    expect((await send(b.url, 'POST', '/login', addr(299), `code=${codes[299]}`)).status).toBe(200);
  });

  it('PostgreSQL stopped and started: 503 meanwhile, no crash, serving again without a restart', { timeout: 90_000 }, async () => {
    const s = await start();
    const codes = ledger.core.createBatch({ count: 20, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers.map((v) => v.code);
    expect((await send(s.url, 'POST', '/login', addr(1000), `code=${codes[0]}`)).status).toBe(200);
    pg.stop();
    try {
      const during = await send(s.url, 'POST', '/login', addr(1001), `code=${codes[1]}`);
      expect(during.status).toBe(503);
      expect(JSON.parse(during.body)).toMatchObject({ code: 'STORAGE_FAILED' });
      expect(await probe(`${s.url}/healthz`, 5000)).toBe(503);
      expect(alive(s.pid)).toBe(true);
    } finally {
      pg.start();
    }
    await until('login after the restart', async () => (await send(s.url, 'POST', '/login', addr(1001), `code=${codes[1]}`)).status === 200);
    await until('/healthz 200 again', async () => (await probe(`${s.url}/healthz`, 5000)) === 200);
    expect(alive(s.pid)).toBe(true);
    // The login acknowledged before the outage survived it.
    expect(JSON.parse((await send(s.url, 'GET', '/api/session', addr(1000))).body)).toMatchObject({ authorized: true });
  });

  it('a hung database (every PostgreSQL process stopped): requests fail within the timeout, the intercept path answers from memory', { timeout: 60_000 }, async () => {
    const s = servers.at(-1)!;
    const codes = ledger.core.createBatch({ count: 2, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const online = addr(1200);
    const stranger = addr(1201);
    expect((await send(s.url, 'POST', '/login', online, `code=${codes[0]}`)).status).toBe(200);
    const probeFrom = (from: string) => send(s.url, 'GET', '/generate_204', from, undefined, 'connectivitycheck.gstatic.com');
    expect((await probeFrom(online)).status).toBe(204);
    expect((await probeFrom(stranger)).status).toBe(302);
    // SIGSTOP the postmaster and its backends, by pid: connections stay open, nothing answers.
    const postmaster = readFileSync(join(pg.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]!.trim();
    const children = execFileSync('pgrep', ['-P', postmaster], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const pids = [postmaster, ...children].map(Number);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      let t0 = Date.now();
      const login = await send(s.url, 'POST', '/login', stranger, `code=${codes[1]}`);
      expect(login.status).toBe(503);
      expect(Date.now() - t0).toBeLessThan(2000 + 1500); // storage.postgres.timeoutMs is 2000
      await new Promise((r) => setTimeout(r, 2100)); // past the intercept view's 2 s freshness
      t0 = Date.now();
      for (let i = 0; i < 10; i++) {
        expect((await probeFrom(online)).status).toBe(204);
        expect((await probeFrom(stranger)).status).toBe(302);
      }
      // Twenty probes while the database hangs: none waited for it (the first stale read failed at once).
      expect(Date.now() - t0).toBeLessThan(1500);
      expect(await probe(`${s.url}/healthz`, 5000)).toBe(503);
      expect(alive(s.pid)).toBe(true);
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    await until('login after the hang', async () => (await send(s.url, 'POST', '/login', stranger, `code=${codes[1]}`)).status === 200);
  });

  it('every Portico connection terminated by the server: at worst one 503, then serving again, no crash', { timeout: 60_000 }, async () => {
    const s = servers.at(-1)!;
    const codes = ledger.core.createBatch({ count: 10, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers.map((v) => v.code);
    pg.psql('postgres', "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name LIKE 'portico%'");
    const first = await send(s.url, 'POST', '/login', addr(1100), `code=${codes[0]}`);
    expect([200, 503]).toContain(first.status);
    await until('login after the drop', async () => (await send(s.url, 'POST', '/login', addr(1101), `code=${codes[1]}`)).status === 200);
    expect(alive(s.pid)).toBe(true);
    expect(await probe(`${s.url}/healthz`, 5000)).toBe(200);
  });
});
