/**
 * Storage benchmark (SPEC §7, issue 6): bytes written to persistent storage per hour in steady state, in
 * both storage modes, plus the router bundle's size and start-up time.
 *
 * Steady state: a real `portico serve` (simulated gateway, every device using data) with `devices`
 * residents online, accounting every second so a short window holds many intervals. The kernel's
 * per-process `write_bytes` (/proc/<pid>/io: bytes sent towards the block layer; tmpfs writes are not
 * counted) over the window gives bytes per accounting interval, scaled to the default interval (60 s):
 *
 *   direct: SQLite WAL pages + checkpoints, per usage flush
 *   ram:    journal appends per usage flush + one snapshot (the database's size) per snapshot interval
 *
 * The RAM directory is put on /dev/shm (tmpfs) so, as on a router, only flash-bound writes count.
 *
 * @example
 *   const rows = await run({ quick: true });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { bundle, measureStartup } from '../bundle.js';
import type { BenchResult } from './types.js';
import { freePort } from '../../test/helpers/free-port.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DEFAULTS = configSchema.parse({});
const HOUR = 3_600_000;


function writeBytes(pid: number): number {
  const m = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function login(port: number, ip: string, code: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/login', localAddress: ip, agent: false, timeout: 5000, headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(`code=${encodeURIComponent(code)}`);
  });
}

function startServe(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve', '--config', configFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('serve did not start in 20 s'));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Portico is serving')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', () => clearTimeout(timer));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

interface SteadyState { bytesPerInterval: number; intervals: number; snapshotBytes: number; devices: number }

/** Measures one storage mode in steady state; returns bytes per accounting interval (and the DB size). */
export async function steadyState(mode: 'direct' | 'ram', opts: { devices: number; windowMs: number }): Promise<SteadyState> {
  const dir = mkdtempSync(join(tmpdir(), `portico-bench-storage-${mode}-`));
  const ramDir = mkdtempSync(join('/dev/shm', 'portico-bench-ram-'));
  const intervalMs = 1000;
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const raw = {
      dataDir: join(dir, 'data'),
      listen: { host: '127.0.0.1', port },
      storage: { mode, ramDir, snapshotIntervalMs: HOUR },
      gateway: { driver: 'simulated', simulated: { downBps: 2_000_000, upBps: 400_000, tickMs: 200 } },
      accounting: { intervalMs, pollMs: 250 },
      log: { level: 'warn' },
    };
    const configFile = join(dir, 'portico.json');
    writeFileSync(configFile, JSON.stringify(raw));
    const { openRuntime } = await import('../../src/runtime.js');
    const { parseConfig } = await import('../../src/config/load.js');
    const { silentLogger } = await import('../../src/lib/log.js');
    const seed = await openRuntime(parseConfig(raw), { log: silentLogger });
    const codes = seed.core.createBatch({ count: opts.devices, plan: { durationSec: 86_400, dataBytes: 100e9 } }, { type: 'system' }).vouchers.map((v) => v.code);
    seed.close();

    child = await startServe(configFile);
    for (const [i, code] of codes.entries()) await login(port, `127.0.3.${i + 1}`, code);
    await new Promise((r) => setTimeout(r, 2 * intervalMs + 500)); // past the logins' own writes
    const before = writeBytes(child.pid!);
    await new Promise((r) => setTimeout(r, opts.windowMs));
    const after = writeBytes(child.pid!);
    await stop(child);
    const dbFile = mode === 'ram' ? join(ramDir, 'portico.db') : join(dir, 'data', 'portico.db');
    return { bytesPerInterval: (after - before) / (opts.windowMs / intervalMs), intervals: opts.windowMs / intervalMs, snapshotBytes: statSync(dbFile).size, devices: opts.devices };
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rmSync(ramDir, { recursive: true, force: true });
  }
}

export async function run(opts: { quick: boolean }): Promise<BenchResult[]> {
  const devices = 50;
  const windowMs = opts.quick ? 8000 : 30_000;
  const perHour = HOUR / DEFAULTS.accounting.intervalMs;
  const rows: BenchResult[] = [];
  const note = (s: SteadyState, extra: string) =>
    `${s.devices} devices online, ${s.intervals} usage flushes measured via /proc/<pid>/io write_bytes, scaled to accounting.intervalMs=${DEFAULTS.accounting.intervalMs} ms${extra}`;

  const direct = await steadyState('direct', { devices, windowMs });
  rows.push({
    id: 'storage_direct_bytes_per_hour',
    label: 'flash writes per hour, storage=direct',
    value: Math.round(direct.bytesPerInterval * perHour),
    unit: 'bytes/h',
    target: 'as low as possible (SPEC §7)',
    pass: null,
    command: 'tsx scripts/bench/index.ts storage',
    note: note(direct, ''),
  });
  const ram = await steadyState('ram', { devices, windowMs });
  const snapshotsPerHour = HOUR / DEFAULTS.storage.snapshotIntervalMs;
  rows.push({
    id: 'storage_ram_bytes_per_hour',
    label: 'flash writes per hour, storage=ram',
    value: Math.round(ram.bytesPerInterval * perHour + ram.snapshotBytes * snapshotsPerHour),
    unit: 'bytes/h',
    target: 'below storage=direct',
    pass: ram.bytesPerInterval * perHour + ram.snapshotBytes * snapshotsPerHour < direct.bytesPerInterval * perHour,
    command: 'tsx scripts/bench/index.ts storage',
    note: note(ram, `, plus ${snapshotsPerHour} snapshot(s) of ${ram.snapshotBytes} bytes (storage.snapshotIntervalMs=${DEFAULTS.storage.snapshotIntervalMs} ms)`),
  });

  const outDir = mkdtempSync(join(tmpdir(), 'portico-bench-bundle-'));
  try {
    const b = await bundle({ outDir });
    rows.push({
      id: 'bundle_archive_bytes', label: `router bundle (${b.target}) compressed`, value: b.archiveBytes, unit: 'bytes',
      target: 'fits router flash', pass: null, command: 'npm run bundle', note: `unpacked ${b.unpackedBytes} bytes: JS ${b.bundleJsBytes}, better-sqlite3 addon ${b.addonBytes}`,
    });
    const s = await measureStartup(join(b.stage, 'portico'), opts.quick ? 1 : 3);
    const med = [...s.restartMs].sort((x, y) => x - y)[Math.floor(s.restartMs.length / 2)]!;
    rows.push({
      id: 'bundle_startup_ms', label: 'bundle start-up (restart) until serving', value: Math.round(med), unit: 'ms',
      target: '≤ 1000 ms', pass: med <= 1000, command: 'npm run bundle', note: `first run on an empty database ${Math.round(s.firstMs)} ms; this machine, not a router`,
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return rows;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const r of await run({ quick: process.argv.includes('--quick') })) process.stdout.write(`${r.label.padEnd(48)} ${String(r.value).padStart(12)} ${r.unit}  ${r.note ?? ''}\n`);
}
