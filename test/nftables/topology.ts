/**
 * Builds the test gateway: namespace `<prefix>gw` bridges client namespaces `<prefix>c1..cN` on
 * `br-lan` (10.99.S.0/24, then 10.96.S.0/24 past 244 clients; fd99:S::/64) and routes to a stand-in internet `<prefix>in` on `wan`
 * (10.98.S.0/24, fd98:S::/64), with a stand-in fw4 table (`inet fw4`, policy drop, lan→wan accept) like
 * OpenWrt's. Nothing leaves the namespaces: every address is private and only routed between them.
 * `cleanup()` deletes the namespaces by name and kills the processes it started, by pid.
 *
 * @example
 *   const topo = await createTopology({ prefix: 'pnftk', subnet: 71, clients: 2 });
 *   await topo.cleanup();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface TopoClient {
  ns: string;
  ip: string;
  ip6: string;
  mac: string;
}

export interface Topology {
  prefix: string;
  subnet: number;
  gw: string;
  inet: string;
  gwIp: string;
  gwIp6: string;
  inetIp: string;
  inetIp6: string;
  clients: TopoClient[];
  /** pid of a process living in the gateway namespace (its /proc/<pid>/net is the gateway's). */
  gwPid: number;
  /** Runs a command inside a namespace; resolves with exit code and output (never throws on exit code). */
  run(ns: string, argv: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a long-lived process inside a namespace and waits for it to print `ready`. */
  start(ns: string, argv: string[]): Promise<ChildProcess>;
  /** Re-applies (or deletes and re-creates) the stand-in fw4 table, as `fw4 reload` would. */
  fw4Reload(mode: 'flush' | 'recreate'): Promise<void>;
  cleanup(): Promise<void>;
}

export const SERVERS = fileURLToPath(new URL('./servers.ts', import.meta.url));
/** The repository root: helpers run `node --import tsx`, which resolves tsx from the working directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Client addresses per IPv4 prefix (.11 to .254). */
const PER_PREFIX = 244;

export function sh(argv: string[], timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 124) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function must(argv: string[]): Promise<string> {
  const r = await sh(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} → ${r.code}: ${r.stderr}`);
  return r.stdout;
}

function fw4Script(): string {
  return [
    'table inet fw4',
    'flush table inet fw4',
    'table inet fw4 {',
    '  chain input { type filter hook input priority filter; policy accept; }',
    '  chain forward { type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    '    iifname "br-lan" oifname "wan" accept',
    '  }',
    '  chain dstnat { type nat hook prerouting priority dstnat; policy accept; }',
    '  chain srcnat { type nat hook postrouting priority srcnat; policy accept; }',
    '}',
    '',
  ].join('\n');
}

/**
 * Loads the stand-in fw4 table; resolves with nft's exit code. When nft is missing (or exits before
 * reading), the write to its stdin fails with EPIPE: that is an exit code here, never an unhandled error.
 */
function loadFw4(gw: string): Promise<number> {
  return new Promise<number>((resolve) => {
    const c = spawn('ip', ['netns', 'exec', gw, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    c.on('error', () => resolve(127));
    c.stdin.on('error', () => {});
    c.on('exit', (code) => resolve(code ?? 1));
    c.stdin.end(fw4Script());
  });
}

export async function createTopology(opts: { prefix: string; subnet: number; clients: number }): Promise<Topology> {
  const { prefix, subnet: s } = opts;
  const hex = s.toString(16).padStart(2, '0');
  const gw = `${prefix}gw`;
  const inet = `${prefix}in`;
  const byte = (n: number) => n.toString(16).padStart(2, '0');
  // 10.99.S.11–254 first; past 243 clients (the bench's burst) a second prefix on the same LAN.
  const v4 = (i: number) => (i < PER_PREFIX ? `10.99.${s}.${11 + i}` : `10.96.${s}.${11 + i - PER_PREFIX}`);
  if (opts.clients > 2 * PER_PREFIX) throw new Error(`at most ${2 * PER_PREFIX} clients`);
  const clients: TopoClient[] = Array.from({ length: opts.clients }, (_, i) => ({
    ns: `${prefix}c${i + 1}`,
    ip: v4(i),
    ip6: `fd99:${s}::${(11 + i).toString(16)}`,
    mac: `02:99:${hex}:00:${byte((11 + i) >> 8)}:${byte((11 + i) & 0xff)}`,
  }));
  const procs: ChildProcess[] = [];
  const all = [gw, inet, ...clients.map((c) => c.ns)];

  const run: Topology['run'] = (ns, argv, timeoutMs) => sh(['ip', 'netns', 'exec', ns, ...argv], timeoutMs);
  const start: Topology['start'] = (ns, argv) =>
    new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
      procs.push(child);
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`${argv.join(' ')} not ready: ${err}`)), 15_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ready')) {
          clearTimeout(timer);
          resolve(child);
        }
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${argv.join(' ')} exited ${String(code)}: ${err}`));
      });
    });

  const cleanup = async () => {
    for (const p of procs) {
      if (p.exitCode !== null || p.signalCode !== null || !p.pid) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // it died on its own (e.g. the Ctrl-C that reached the whole process group)
      }
    }
    for (const ns of all) await sh(['ip', 'netns', 'del', ns]);
  };

  try {
    for (const ns of all) await sh(['ip', 'netns', 'del', ns]);
    for (const ns of all) await must(['ip', 'netns', 'add', ns]);
    const n = (ns: string, ...a: string[]) => must(['ip', '-n', ns, ...a]);
    for (const ns of all) await n(ns, 'link', 'set', 'lo', 'up');
    await must(['ip', 'netns', 'exec', gw, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
    await n(gw, 'link', 'add', 'br-lan', 'type', 'bridge');
    await n(gw, 'link', 'set', 'br-lan', 'up');
    await n(gw, 'addr', 'add', `10.99.${s}.1/24`, 'dev', 'br-lan');
    await n(gw, 'addr', 'add', `fd99:${s}::1/64`, 'dev', 'br-lan', 'nodad');
    if (clients.length > PER_PREFIX) await n(gw, 'addr', 'add', `10.96.${s}.1/24`, 'dev', 'br-lan');
    for (const [i, c] of clients.entries()) {
      await n(gw, 'link', 'add', `p${i + 1}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.ns);
      await n(gw, 'link', 'set', `p${i + 1}`, 'master', 'br-lan', 'up');
      await n(c.ns, 'link', 'set', 'eth0', 'address', c.mac, 'up');
      await n(c.ns, 'addr', 'add', `${c.ip}/24`, 'dev', 'eth0');
      await n(c.ns, 'addr', 'add', `${c.ip6}/64`, 'dev', 'eth0', 'nodad');
      await n(c.ns, 'route', 'add', 'default', 'via', i < PER_PREFIX ? `10.99.${s}.1` : `10.96.${s}.1`);
      await n(c.ns, '-6', 'route', 'add', 'default', 'via', `fd99:${s}::1`);
    }
    await n(gw, 'link', 'add', 'wan', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', inet);
    await n(gw, 'link', 'set', 'wan', 'up');
    await n(gw, 'addr', 'add', `10.98.${s}.1/24`, 'dev', 'wan');
    await n(gw, 'addr', 'add', `fd98:${s}::1/64`, 'dev', 'wan', 'nodad');
    await n(inet, 'link', 'set', 'eth0', 'up');
    await n(inet, 'addr', 'add', `10.98.${s}.2/24`, 'dev', 'eth0');
    await n(inet, 'addr', 'add', `fd98:${s}::2/64`, 'dev', 'eth0', 'nodad');
    await n(inet, 'route', 'add', `10.99.${s}.0/24`, 'via', `10.98.${s}.1`);
    if (clients.length > PER_PREFIX) await n(inet, 'route', 'add', `10.96.${s}.0/24`, 'via', `10.98.${s}.1`);
    await n(inet, '-6', 'route', 'add', `fd99:${s}::/64`, 'via', `fd98:${s}::1`);
    if ((await loadFw4(gw)) !== 0) throw new Error('stand-in fw4 table failed (is nft installed?)');
    // Populate the gateway's neighbour table, as DHCP and the first portal request would.
    for (const c of clients) {
      await run(c.ns, ['busybox', 'ping', '-c', '1', '-W', '1', `10.99.${s}.1`]);
      await run(c.ns, ['busybox', 'ping', '-6', '-c', '1', '-W', '1', `fd99:${s}::1`]);
    }
    const sleeper = spawn('ip', ['netns', 'exec', gw, 'sleep', '3600'], { stdio: 'ignore' });
    procs.push(sleeper);
    await new Promise((r) => setTimeout(r, 50));
    return {
      prefix,
      subnet: s,
      gw,
      inet,
      gwIp: `10.99.${s}.1`,
      gwIp6: `fd99:${s}::1`,
      inetIp: `10.98.${s}.2`,
      inetIp6: `fd98:${s}::2`,
      clients,
      gwPid: sleeper.pid!,
      run,
      start,
      async fw4Reload(mode) {
        if (mode === 'recreate') await must(['ip', 'netns', 'exec', gw, 'nft', 'delete', 'table', 'inet', 'fw4']);
        if ((await loadFw4(gw)) !== 0) throw new Error('fw4 reload failed');
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
