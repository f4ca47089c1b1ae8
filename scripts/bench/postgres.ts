/**
 * Storage engines side by side (SPEC §11, issue 13 item 6): sustained portal logins per second and
 * RADIUS first-use Access-Accepts per second against a real compiled `portico serve`, once on the
 * embedded SQLite store and once on PostgreSQL 15 (a throwaway cluster on loopback, fsync off like
 * the tests, so the figure is Portico's bridge and round trips, not the disk), in the same run with
 * the same load generators as http.ts and radius.ts. Skipped with one line when the PostgreSQL
 * binaries are missing.
 *
 *   npm run bench -- --only postgres
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Code, type AttributeInput } from '../../src/radius/index.js';
import { hasPostgres, PG_BIN, startPostgres } from '../../test/helpers/postgres.js';
import type { BenchResult } from './types.js';
import { freeUdpPort, radiusLoad } from './lib/radius-load.js';
import { seed } from './lib/seed.js';
import { freePort, percentile, ROOT, round, scratchDir, startServer } from './lib/server.js';

const COMMAND = 'npm run bench -- --only postgres';
const SECRET = 'bench-pg-radius-secret-24c';

interface LoadOutput {
  statuses: Record<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
}

/** lib/login-load.ts in its own process (client and server must not share an event loop). */
function loginLoad(args: Record<string, unknown>, timeoutMs: number): Promise<LoadOutput> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bench/lib/login-load.ts'), JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => {
      clearTimeout(t);
      if (code !== 0) return fail(new Error(`login load exited with ${code}`));
      ok(JSON.parse(out.trim().split('\n').pop()!) as LoadOutput);
    });
  });
}

const mac = (i: number) => `02-BF-${[(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((b) => b.toString(16).padStart(2, '0')).join('-')}`.toUpperCase();
const access = (code: string, i: number): AttributeInput[] => [
  ['User-Name', code], ['User-Password', code], ['Calling-Station-Id', mac(i)], ['NAS-Identifier', 'bench'], ['Framed-IP-Address', `10.${60 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`],
];

async function measure(engine: 'sqlite' | 'postgres', storage: Record<string, unknown>, n: { logins: number; accepts: number }) {
  const dir = scratchDir(`pg-${engine}`);
  const port = await freePort();
  const [authPort, acctPort] = [await freeUdpPort(), await freeUdpPort()];
  const config = {
    ...storage,
    security: { networkAttemptsPerMinute: 100_000 },
    radius: { server: { enabled: true, host: '127.0.0.1', authPort, acctPort, interimIntervalSec: 300, nas: [{ name: 'bench', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: 0 }] } },
  };
  const warm = 200;
  const codes = await seed(dir, port, { vouchers: n.logins + n.accepts + warm, config });
  const server = await startServer({ dir, port, config, mode: 'dist', timeoutMs: 30_000 });
  try {
    const file = join(dir, 'codes.json');
    writeFileSync(file, JSON.stringify(codes.slice(0, n.logins)));
    const logins = await loginLoad({ url: server.url, codesFile: file, concurrency: 16, ipOffset: 30_000 }, 240_000);
    const ok = logins.statuses['200'] ?? 0;
    // A status 0 is the load generator's own 10 s timeout on a machine shared with other work; more than
    // 1 % of them, or any other status, means the figure is not a login rate.
    const other = Object.entries(logins.statuses).filter(([k]) => k !== '200' && k !== '0');
    if (other.length || ok < n.logins * 0.99) throw new Error(`${engine} logins: ${JSON.stringify(logins.statuses)}`);
    const load = (count: number, offset: number) => radiusLoad({ port: authPort, secret: SECRET, requests: count, attrs: (i) => access(codes[offset + i]!, offset + i) });
    await load(warm, n.logins + n.accepts);
    const r = await load(n.accepts, n.logins);
    const accepts = r.replies[Code.AccessAccept] ?? 0;
    return {
      loginsPerS: (ok / logins.elapsedMs) * 1000,
      unanswered: n.logins - ok,
      loginP99: percentile([...logins.latenciesMs].sort((a, b) => a - b), 99),
      acceptsPerS: (accepts * 1000) / r.durationMs,
      acceptP99: percentile(r.latenciesMs, 99),
      rejects: r.replies[Code.AccessReject] ?? 0,
      drops: r.drops,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  if (!hasPostgres) throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (apt-get install postgresql)`);
  const n = { logins: quick ? 600 : 2000, accepts: quick ? 2000 : 8000 };
  const pg = await startPostgres();
  try {
    const sqlite = await measure('sqlite', {}, n);
    const postgres = await measure('postgres', { storage: { driver: 'postgres', postgres: { url: await pg.createDatabase() } } }, n);
    const row = (id: string, label: string, value: number, unit: string, target: string, pass: boolean | null, note: string): BenchResult => ({
      id, label, value, unit, target, pass, command: COMMAND, note,
    });
    const detail = (r: typeof sqlite) => `login p99 ${round(r.loginP99, 1)} ms${r.unanswered ? ` (${r.unanswered} logins unanswered in 10 s)` : ''}; Accept p99 ${round(r.acceptP99, 1)} ms, ${r.rejects} rejects, ${r.drops} drops`;
    return [
      row('pg_logins_per_s', 'sustained logins, PostgreSQL store', Math.round(postgres.loginsPerS), 'logins/s', '≥ 300', postgres.loginsPerS >= 300,
        `${n.logins} first-use logins, 16 concurrent clients, each a new device, SERIALIZABLE transaction per login; ${detail(postgres)}`),
      row('sqlite_logins_per_s', 'sustained logins, SQLite store (same run)', Math.round(sqlite.loginsPerS), 'logins/s', '≥ 300', sqlite.loginsPerS >= 300, detail(sqlite)),
      row('pg_radius_accepts_per_s', 'RADIUS Access-Accept/s first use, PostgreSQL store', Math.round(postgres.acceptsPerS), '/s', '≥ 1,000/s', postgres.acceptsPerS >= 1000 && postgres.rejects === 0 && postgres.drops === 0,
        `${n.accepts} first-use Access-Requests, 64 outstanding; group commit: one transaction per event-loop turn; ${detail(postgres)}`),
      row('sqlite_radius_accepts_per_s', 'RADIUS Access-Accept/s first use, SQLite store (same run)', Math.round(sqlite.acceptsPerS), '/s', '≥ 1,000/s', sqlite.acceptsPerS >= 1000 && sqlite.rejects === 0 && sqlite.drops === 0, detail(sqlite)),
    ];
  } finally {
    pg.close();
  }
}
