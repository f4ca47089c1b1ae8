/**
 * A server process with many devices online, each logged in over HTTP from its own loopback address,
 * plus helpers to run the load clients (lib/login-load.ts, lib/ws-load.ts) as separate processes.
 *
 * @example
 *   const f = await fleet({ devices: 1000 });
 *   const ws = await wsClients(f.server, { count: 1000, durationMs: 10_000 });
 *   await f.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seed } from './seed.js';
import { freePort, ROOT, scratchDir, startServer, type ServerHandle } from './server.js';

export interface LoadOutput {
  statuses: Record<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
}

/** Runs a client script in its own process; resolves with its first JSON line and a way to end it. */
export function client<T>(script: 'login-load' | 'ws-load', args: Record<string, unknown>, timeoutMs: number): Promise<{ result: T; proc: ChildProcess; end: () => Promise<void> }> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, `scripts/bench/lib/${script}.ts`), JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let done = false;
    const end = async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise<void>((r) => proc.once('exit', () => r()));
        proc.kill('SIGKILL');
        await gone;
      }
    };
    const t = setTimeout(() => {
      void end();
      if (!done) fail(new Error(`${script} took longer than ${timeoutMs / 1000} s`));
    }, timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0 && !done) {
        done = true;
        clearTimeout(t);
        ok({ result: JSON.parse(out.slice(0, nl)) as T, proc, end });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(t);
      if (!done) fail(new Error(`${script} exited with ${code} before reporting`));
    });
  });
}

export async function fleet(opts: { devices: number; extraVouchers?: number; config?: Record<string, unknown>; mode?: 'tsx' | 'dist'; nodeFlags?: string[] }) {
  const dir = scratchDir('fleet');
  const port = await freePort();
  const codes = await seed(dir, port, { vouchers: opts.devices + (opts.extraVouchers ?? 0) });
  const server = await startServer({ dir, port, ...(opts.config ? { config: opts.config } : {}), mode: opts.mode ?? 'dist', ...(opts.nodeFlags ? { nodeFlags: opts.nodeFlags } : {}) });
  const stop = async () => {
    await server.stop({ keepDir: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const file = join(dir, 'fleet-codes.json');
    writeFileSync(file, JSON.stringify(codes.slice(0, opts.devices)));
    const { result } = await client<LoadOutput>('login-load', { url: server.url, codesFile: file, concurrency: 16, ipOffset: 0 }, 300_000);
    if ((result.statuses['200'] ?? 0) !== opts.devices) throw new Error(`logging the fleet in: ${JSON.stringify(result.statuses)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { server, codes, spare: codes.slice(opts.devices), stop };
}
