/**
 * A real Portico process on the netns gateway, run from source (`node --import tsx src/main.ts serve`,
 * which is what `tsx src/main.ts serve` runs, minus the tsx wrapper process: `kill -9` must reach
 * Portico itself, not a parent that would leave it orphaned). It gets its own temp dataDir and config
 * (gateway.driver = nftables on the topology's br-lan), and the CLI runs against the same config.
 * Used by the e2e suite, the bench and the lab. Processes are stopped by pid, never by name.
 *
 * @example
 *   const p = createPortico(topo, { pollMs: 200 });
 *   await p.start();
 *   const [v] = await p.vouchers(['--count', '1', '--duration', '1h']);
 *   await p.stop('SIGTERM');
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, type Topology } from './topology.js';

export const PORTAL_PORT = 8080;

export interface PorticoOptions {
  /** accounting.pollMs: how quickly quota, expiry and usage are noticed. */
  pollMs?: number;
  /** gateway.nftables.learnIntervalMs. */
  learnIntervalMs?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

export interface Voucher {
  code: string;
  id: string;
  batch: string;
}

export interface PorticoProcess {
  configFile: string;
  dataDir: string;
  portalUrl: string;
  /** pid of the running Portico (null when stopped). */
  pid(): number | null;
  /**
   * Starts Portico in the gateway namespace; resolves once it prints that it is serving. `entry`: a
   * built bundle (`portico.mjs`, scripts/bundle.ts) to run instead of the source, as a router does.
   */
  start(opts?: { entry?: string }): Promise<{ readyMs: number }>;
  /** Sends the signal and waits for the process to exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** `portico vouchers create … --json` with this config. */
  vouchers(args: string[]): Promise<Voucher[]>;
  /** Any CLI command with this config; resolves with exit code and output. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Everything Portico printed so far (for failure messages). */
  output(): string;
  /** Stops Portico (SIGKILL) if running and removes the temp directory. */
  cleanup(): Promise<void>;
}

export function porticoConfig(topo: Topology, dataDir: string, o: PorticoOptions): Record<string, unknown> {
  return {
    dataDir,
    // '::' is dual-stack: IPv6 clients must reach the intercept listener too (SPEC §4, captive-clients.md F1).
    listen: { host: '::', port: PORTAL_PORT },
    portalUrl: `http://${topo.gwIp}:${PORTAL_PORT}/`,
    gateway: {
      driver: 'nftables',
      nftables: {
        interfaces: ['br-lan'],
        dnsPort: 5353,
        leasesFile: join(dataDir, 'no-dhcp.leases'),
        learnIntervalMs: o.learnIntervalMs ?? 0,
      },
    },
    accounting: { pollMs: o.pollMs ?? 500, intervalMs: 1000 },
    log: { level: o.logLevel ?? 'warn' },
  };
}

export function createPortico(topo: Topology, o: PorticoOptions = {}): PorticoProcess {
  const dir = mkdtempSync(join(tmpdir(), `${topo.prefix}-portico-`));
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(porticoConfig(topo, dataDir, o), null, 2));
  let child: ChildProcess | null = null;
  let out = '';

  const cli: PorticoProcess['cli'] = (args) =>
    new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args, '--config', configFile], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 124) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  const stop: PorticoProcess['stop'] = async (signal = 'SIGTERM') => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    try {
      process.kill(c.pid!, signal);
    } catch {
      return; // already gone; 'exit' is on its way
    }
    const timer = setTimeout(() => c.exitCode === null && c.signalCode === null && process.kill(c.pid!, 'SIGKILL'), 8000);
    await exited;
    clearTimeout(timer);
    child = null;
  };

  return {
    configFile,
    dataDir,
    portalUrl: `http://${topo.gwIp}:${PORTAL_PORT}/`,
    pid: () => child?.pid ?? null,
    start(opts = {}) {
      const t0 = performance.now();
      const main = opts.entry ? [opts.entry] : ['--import', 'tsx', 'src/main.ts'];
      return new Promise((resolve, reject) => {
        const c = spawn('ip', ['netns', 'exec', topo.gw, process.execPath, ...main, 'serve', '--config', configFile], {
          cwd: ROOT,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child = c;
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          reject(new Error(`Portico did not start within 30 s:\n${out}`));
        }, 30_000);
        const onData = (d: Buffer) => {
          out += d.toString();
          if (!settled && out.slice(-4000).includes('Portico is serving')) {
            settled = true;
            clearTimeout(timer);
            resolve({ readyMs: performance.now() - t0 });
          }
        };
        c.stdout!.on('data', onData);
        c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code, sig) => {
          out += `\n[portico exited ${String(code ?? sig)}]\n`;
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            reject(new Error(`Portico exited before serving:\n${out}`));
          }
        });
      });
    },
    stop,
    async vouchers(args) {
      const r = await cli(['vouchers', 'create', ...args, '--json']);
      if (r.code !== 0) throw new Error(`vouchers create ${args.join(' ')} → ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Voucher[];
    },
    cli,
    output: () => out,
    async cleanup() {
      await stop('SIGKILL').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
