/**
 * kill -9 under load (SPEC §7 "durable before acknowledged"): a real `portico serve` process takes
 * logins from many loopback addresses at once and is SIGKILLed mid-stream. After a restart on the same
 * data directory every acknowledged login is still online, and every voucher is whole: either unused
 * with nothing attached, or active with its pool and device — never in between.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seed } from '../../scripts/bench/lib/seed.js';
import { freePort, scratchDir, startServer, type ServerHandle } from '../../scripts/bench/lib/server.js';
import { rmSync } from 'node:fs';
import { sendFrom as send } from '../helpers/send-from.js';

const dir = scratchDir('psec-kill');
const servers: ServerHandle[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop({ keepDir: true });
  rmSync(dir, { recursive: true, force: true });
});


const addr = (i: number) => `127.50.${Math.floor(i / 250)}.${(i % 250) + 2}`;

describe('kill -9 under load', () => {
  it('keeps every acknowledged login and leaves no voucher half-redeemed', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const codes = await seed(dir, port, { vouchers: 400 });
    const first = await startServer({ dir, port });
    servers.push(first);

    const acked = new Map<string, string>();
    let next = 0;
    let killed = false;
    const workers = Array.from({ length: 8 }, async () => {
      while (next < 380) {
        const i = next++;
        const r = await send(first.url, 'POST', '/login', addr(i), `code=${codes[i]}`);
        if (r.status === 200) acked.set(codes[i]!, addr(i));
        if (!killed && acked.size >= 120) {
          killed = true;
          process.kill(first.pid, 'SIGKILL');
        }
      }
    });
    await Promise.all(workers);
    expect(killed).toBe(true);
    expect(acked.size).toBeGreaterThanOrEqual(120);

    const second = await startServer({ dir, port });
    servers.push(second);
    // Every acknowledged device is online again, asked from its own address.
    for (const [, from] of acked) {
      const s = await send(second.url, 'GET', '/api/session', from);
      expect(s.status).toBe(200);
      expect((JSON.parse(s.body) as { authorized: boolean }).authorized, from).toBe(true);
    }
    // And the server goes on serving new logins.
    expect((await send(second.url, 'POST', '/login', addr(399), `code=${codes[399]}`)).status).toBe(200);
    await second.stop({ keepDir: true });

    const db = new Database(join(dir, 'portico.db'), { readonly: true });
    try {
      const rows = db
        .prepare(`SELECT v.code, v.status, v.entitlement_id AS ent,
                   (SELECT COUNT(*) FROM entitlements e WHERE e.id = v.entitlement_id) AS pools,
                   (SELECT COUNT(*) FROM devices d WHERE d.entitlement_id = v.entitlement_id AND d.active = 1) AS devices
                  FROM vouchers v`)
        .all() as { code: string; status: string; ent: string | null; pools: number; devices: number }[];
      expect(rows).toHaveLength(400);
      for (const r of rows) {
        if (r.status === 'unused') expect({ code: r.code, ent: r.ent }).toEqual({ code: r.code, ent: null });
        else expect({ code: r.code, status: r.status, pools: r.pools, devices: r.devices }).toEqual({ code: r.code, status: 'active', pools: 1, devices: 1 });
        if (acked.has(r.code)) expect(r.status, r.code).toBe('active');
      }
    } finally {
      db.close();
    }
  });
});
