/**
 * Benchmark plumbing: a Portico server in its own process (so the load generator in another process
 * measures the real HTTP path, not an in-process shortcut), a scratch data directory, free loopback
 * ports, and a compiled copy of src/ for start-up timings that do not include TypeScript transforms.
 *
 * Every process started here is killed by its own pid in `stop()`; every directory is removed.
 *
 * @example
 *   const s = await startServer({ config: { accounting: { pollMs: 1000 } } });
 *   // … load s.url …
 *   await s.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../test/helpers/free-port.js';

export { freePort };

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TSX = join(ROOT, 'node_modules/tsx/dist/loader.mjs');

export function scratchDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `portico-bench-${tag}-`));
}


/** One GET on loopback; resolves with the status, or 0 when nothing answers. */
export function probe(url: string, timeoutMs = 1000, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((ok) => {
    const req = request(url, { timeout: timeoutMs, agent: false, headers }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', () => ok(0));
    req.on('timeout', () => {
      req.destroy();
      ok(0);
    });
    req.end();
  });
}

/** Polls `url` until it answers 200; returns the milliseconds it took, or throws after `timeoutMs`. */
export async function waitFor200(url: string, timeoutMs: number, everyMs = 2): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await probe(url, 500)) === 200) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface ServerHandle {
  proc: ChildProcess;
  pid: number;
  port: number;
  url: string;
  dir: string;
  configFile: string;
  /** Milliseconds from spawn until /healthz answered 200. */
  readyMs: number;
  stderr: () => string;
  /** SIGTERM (graceful), then SIGKILL after 5 s; idempotent. */
  stop(opts?: { keepDir?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Extra config merged over the bench defaults. */
  config?: Record<string, unknown>;
  /** Reuse a data directory (a restart); otherwise a fresh one. */
  dir?: string;
  port?: number;
  /** `tsx`: run src/ through the tsx loader; `dist`: the compiled copy from compiledEntry(). */
  mode?: 'tsx' | 'dist';
  timeoutMs?: number;
  /** Node flags for the server process (e.g. ROUTER_NODE_FLAGS). */
  nodeFlags?: string[];
}

/**
 * The V8 flags the OpenWrt init script starts Portico with (openwrt/files/etc/init.d/portico): a small
 * young generation and a capped old space, so the heap does not grow past what a router can spare, and
 * one V8 background thread (each of the default four kept its own malloc arena: ~6 MB private here).
 */
export const ROUTER_NODE_FLAGS = ['--max-old-space-size=64', '--optimize-for-size', '--max-semi-space-size=1', '--v8-pool-size=1'];

export function benchConfig(dir: string, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: dir,
    listen: { host: '127.0.0.1', port },
    gateway: { driver: 'simulated', simulated: { downBps: 1_000_000, upBps: 200_000, tickMs: 1000 } },
    log: { level: 'warn' },
    ...extra,
  };
}

export function writeConfig(dir: string, port: number, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(benchConfig(dir, port, extra), null, 2));
  return file;
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const dir = opts.dir ?? scratchDir('srv');
  const port = opts.port ?? (await freePort());
  const configFile = writeConfig(dir, port, opts.config);
  const entry = opts.mode === 'dist' ? compiledEntry() : join(ROOT, 'src/main.ts');
  const flags = opts.nodeFlags ?? [];
  const args = opts.mode === 'dist' ? [...flags, entry, 'serve', '--config', configFile] : [...flags, '--import', 'tsx', entry, 'serve', '--config', configFile];
  const t0 = performance.now();
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORTICO_CONFIG: undefined } });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  proc.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  proc.once('exit', () => {
    exited = true;
  });
  const stop = async (o: { keepDir?: boolean } = {}) => {
    if (!exited && proc.pid) {
      const gone = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    if (!o.keepDir && !opts.dir) rmSync(dir, { recursive: true, force: true });
  };
  let readyMs: number;
  try {
    await waitFor200(`${url}/healthz`, opts.timeoutMs ?? 20_000);
    readyMs = performance.now() - t0;
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${err}`);
  }
  return { proc, pid: proc.pid!, port, url, dir, configFile, readyMs, stderr: () => err, stop };
}

let compiled: string | undefined;

/**
 * Compiles src/ with the project's build config into node_modules/.cache (so bare imports still resolve
 * from the project's node_modules) and returns the path of main.js. Done once per bench run.
 */
export function compiledEntry(): string {
  if (compiled) return compiled;
  const out = join(ROOT, 'node_modules/.cache/portico-bench/dist');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  // tsc emits even when another engineer's file in progress has a type error; the bench only needs JS.
  spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, stdio: 'ignore' });
  // Inside node_modules Node does not look above for "type": "module"; say it here.
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  const main = join(out, 'main.js');
  if (!existsSync(main)) throw new Error('compiling src/ for the bench produced no main.js');
  compiled = main;
  return main;
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]) * 1024;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
