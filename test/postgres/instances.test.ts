/**
 * Two real `portico serve` processes on one PostgreSQL 15 database (SPEC §11): they migrate once when
 * started together; many devices racing for one 1-device code through both instances (portal logins,
 * and RADIUS Access-Requests from one NAS that lists both as servers) get exactly one in; devices on
 * both instances draw one data pool through RADIUS slices, and what the NAS sessions were granted
 * stays within the pool plus one minimum slice per session (the declared slack, radius.md §b), across
 * a second round that runs on what the first round's accounting left.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../scripts/bench/lib/seed.js';
import { freeUdpPort } from '../../scripts/bench/lib/radius-load.js';
import { freePort, probe, scratchDir, startServer, type ServerHandle } from '../../scripts/bench/lib/server.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/log.js';
import { Code, get, getVendor, type AttributeInput } from '../../src/radius/index.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { sendFrom } from '../helpers/send-from.js';

/** A login POST from `from`; its status (0: no answer). */
const post = async (url: string, path: string, from: string, body: string) => (await sendFrom(url, 'POST', path, from, body, { timeoutMs: 10_000 })).status;
import { burst } from '../radius/nas-peer.js';
import WebSocket from 'ws';
import type { WsMessage } from '../../src/api/contract.js';

const SECRET = 'pg-instances-secret-24ch';
const MB = 1_000_000;
const MIN = 10 * MB;
const MAX = 30 * MB;


describe.skipIf(!hasPostgres)('two Portico instances on one PostgreSQL', () => {
  let pg: TestPostgres;
  let db: string;
  const dirs: string[] = [];
  const servers: ServerHandle[] = [];
  let a: ServerHandle;
  let b: ServerHandle;
  let ledger: Runtime;
  const radius: { auth: number; acct: number }[] = [];

  const config = (url: string, r: { auth: number; acct: number }) => ({
    storage: { driver: 'postgres', postgres: { url } },
    radius: {
      server: {
        enabled: true, host: '127.0.0.1', authPort: r.auth, acctPort: r.acct, interimIntervalSec: 300, sliceMinBytes: MIN, sliceMaxBytes: MAX,
        nas: [{ name: 'mk', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: 0 }],
      },
    },
  });

  beforeAll(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase();
    db = new URL(url).pathname.slice(1);
    for (let i = 0; i < 2; i++) radius.push({ auth: await freeUdpPort(), acct: await freeUdpPort() });
    for (let i = 0; i < 2; i++) dirs.push(scratchDir(`pg-inst${i}`));
    // Started together on an empty database: both run the migrations' advisory lock at once.
    const started = await Promise.all([0, 1].map((i) => startServer({ dir: dirs[i]!, config: config(url, radius[i]!), timeoutMs: 30_000 })));
    servers.push(...started);
    [a, b] = started as [ServerHandle, ServerHandle];
    const port = await freePort();
    ledger = await openRuntime(parseConfig({ dataDir: dirs[0], listen: { port }, log: { level: 'silent' }, ...config(url, radius[0]!) }), { log: silentLogger });
  }, 90_000);

  afterAll(async () => {
    ledger?.close();
    for (const s of servers) await s.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    pg?.close();
  });

  it('two instances started together migrate once and both serve', async () => {
    expect(await probe(`${a.url}/healthz`, 5000)).toBe(200);
    expect(await probe(`${b.url}/healthz`, 5000)).toBe(200);
    expect(pg.psql(db, 'SELECT count(*) || \'|\' || max(version) FROM portico_schema')).toBe('1|5');
    expect(a.stderr() + b.stderr()).not.toMatch(/already exists|duplicate key|schema version/i);
  });

  it('portal: 40 devices, one 1-device code, logins spread over both instances: exactly one gets in', async () => {
    const [code] = ledger.core.createBatch({ count: 1, plan: { durationSec: 3600, devices: 1 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const statuses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => post(i % 2 ? b.url : a.url, '/login', `127.61.0.${i + 2}`, `code=${code}`)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(39);
    const v = ledger.store.vouchers.findByCode(code!)!;
    expect(ledger.store.entitlements.activeDevices(v.entitlementId!)).toHaveLength(1);
    expect(pg.psql(db, `SELECT count(*) FROM entitlements WHERE voucher_id = '${v.id}'`)).toBe('1');
  });

  it('the live feed on instance B shows a login made on instance A (operator/events over WebSocket)', async () => {
    const password = 'shared-ledger-pass-42';
    await ledger.core.addOperator({ name: 'netadmin', role: 'admin', password }, { type: 'system' });
    // The operator made by a third instance signs in on B.
    const res = await fetch(`${b.url}/api/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'netadmin', password }) });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const ws = new WebSocket(`ws://127.0.0.1:${b.port}/ws?topics=operator/events`, { headers: { cookie, origin: b.url } });
    const messages: WsMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as WsMessage));
    ws.on('error', () => {});
    try {
      const until = async (pred: (m: WsMessage) => boolean, ms = 8000) => {
        const deadline = Date.now() + ms;
        while (!messages.some(pred)) {
          if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(messages.slice(-3))}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      };
      await until((m) => m.topic === 'operator/events' && m.kind === 'snapshot');
      const [code] = ledger.core.createBatch({ count: 1, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers.map((v) => v.code);
      expect(await post(a.url, '/login', '127.62.0.2', `code=${code}`)).toBe(200);
      const voucherId = ledger.store.vouchers.findByCode(code!)!.id;
      await until((m) => m.topic === 'operator/events' && m.kind === 'delta' && m.payload.some((e) => e.type === 'voucher.redeemed' && e.subject === voucherId));
    } finally {
      ws.close();
    }
  });

  it('RADIUS: 40 Access-Requests for one 1-device code at once, 20 to each instance: exactly one Accept', async () => {
    const [code] = ledger.core.createBatch({ count: 1, plan: { durationSec: 3600, devices: 1 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const req = (i: number): AttributeInput[] => [['User-Name', code!], ['User-Password', code!], ['Calling-Station-Id', `02-AA-00-00-01-${i.toString(16).padStart(2, '0')}`]];
    const replies = (
      await Promise.all([0, 1].map((s) => burst(radius[s]!.auth, SECRET, Array.from({ length: 20 }, (_, i) => req(s * 20 + i)), 8000)))
    ).flat();
    expect(replies.every((r) => r !== undefined)).toBe(true);
    expect(replies.filter((r) => r!.code === Code.AccessAccept)).toHaveLength(1);
    expect(replies.filter((r) => r!.code === Code.AccessReject)).toHaveLength(39);
  });

  it('RADIUS: one pool, 16 devices on both instances, two rounds: granted ≤ pool + one minimum slice per session', async () => {
    const POOL = 200 * MB;
    const [code] = ledger.core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: POOL, devices: 64 } }, { type: 'system' }).vouchers.map((v) => v.code);
    const mac = (i: number) => `02-BB-00-00-02-${i.toString(16).padStart(2, '0')}`;
    const req = (i: number): AttributeInput[] => [['User-Name', code!], ['User-Password', code!], ['Calling-Station-Id', mac(i)]];
    let granted = 0;
    let accepts = 0;
    let used = 0;
    for (let round = 0; round < 2; round++) {
      const base = round * 16;
      const replies = await Promise.all([0, 1].map((s) => burst(radius[s]!.auth, SECRET, Array.from({ length: 8 }, (_, i) => req(base + s * 8 + i)), 8000)));
      // Each session spends its whole slice and stops, reported to the instance that granted it.
      const stops: Promise<unknown>[] = [];
      replies.forEach((list, s) =>
        list.forEach((r, i) => {
          expect(r).toBeDefined();
          if (r!.code !== Code.AccessAccept) return;
          const bytes = Number(getVendor(r!, 'Mikrotik-Total-Limit') ?? 0) + Number(getVendor(r!, 'Mikrotik-Total-Limit-Gigawords') ?? 0) * 2 ** 32;
          granted += bytes;
          accepts++;
          used += bytes;
          const n = base + s * 8 + i;
          const acct = (type: number, out: number): AttributeInput[] => [
            ['Acct-Status-Type', type], ['Acct-Session-Id', `pool-${n}`], ['Class', get(r!, 'Class')!], ['Calling-Station-Id', mac(n)],
            ['Acct-Input-Octets', 0], ['Acct-Output-Octets', out],
          ];
          stops.push(
            burst(radius[s]!.acct, SECRET, [acct(1, 0)], 8000, '127.0.0.1', Code.AccountingRequest).then(() =>
              burst(radius[s]!.acct, SECRET, [acct(2, bytes)], 8000, '127.0.0.1', Code.AccountingRequest),
            ),
          );
        }),
      );
      await Promise.all(stops);
    }
    expect(accepts).toBeGreaterThan(8);
    expect(granted).toBeLessThanOrEqual(POOL + accepts * MIN);
    // And the ledger counted every byte the NAS sessions reported, whichever instance heard it.
    const ent = ledger.store.vouchers.findByCode(code!)!.entitlementId!;
    expect(ledger.store.entitlements.get(ent)!.usedBytes).toBe(used);
  });
});
