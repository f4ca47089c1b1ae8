/**
 * FreeRADIUS 3.2 (Debian) as a test peer: writes a private config directory (radius.md §e: the minimal
 * radiusd.conf, one item per line), runs `freeradius -X -d DIR` as whoever runs the tests, waits for
 * "Ready to process requests", and stops it by PID. The caller gives the parts that differ: clients,
 * modules, sites, the users file and extra dictionary lines. Loopback only.
 *
 * @example
 *   const fr = await startFreeradius({ clients, modules, sites: { central: siteText }, users });
 *   …; await fr.stop();
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const has = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
export const hasFreeradius = has('freeradius') && has('radclient');
export const freeradiusSkip = hasFreeradius ? '' : 'freeradius and radclient (Debian freeradius, freeradius-utils) are not installed';

/** n distinct free UDP ports on 127.0.0.1 (bound together, then released for the peer). */
export async function freeUdpPorts(n: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createSocket>>((resolve) => {
      const s = createSocket('udp4');
      s.bind(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

export interface FreeradiusParts {
  /** clients.conf text. */
  clients: string;
  /** Module blocks inside `modules { }` (each item on its own line). */
  modules: string;
  /** File name → virtual server text, under sites/. */
  sites: Record<string, string>;
  /** The `files` module's users file, when a module reads `${raddbdir}/users`. */
  users?: string;
  /** Extra dictionary lines (D/dictionary is read after the main one). */
  dictionary?: string;
  /** Link /etc/freeradius/3.0/mods-config (sql queries, sqlcounter queries) as D/mods-config. */
  modsConfig?: boolean;
  /** proxy.conf text: FreeRADIUS then proxies (proxy_requests = yes). */
  proxy?: string;
  /** Requests in flight at most (default 1024; the bench raises it). */
  maxRequests?: number;
  /** Log each authentication (default yes; the bench turns it off). */
  logAuth?: boolean;
}

export interface Freeradius {
  dir: string;
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Writes the private config directory `d` (radius.md §e): radiusd.conf with the caller's modules, and
 * clients.conf, sites/, users, dictionary and proxy.conf from `parts`. Shared with the RADIUS bench's
 * calibration server (scripts/bench/lib/freeradius.ts), which runs it without -X.
 */
export function writeRaddb(d: string, parts: FreeradiusParts): void {
  mkdirSync(join(d, 'log', 'radacct'), { recursive: true });
  mkdirSync(join(d, 'run'), { recursive: true });
  mkdirSync(join(d, 'sites'), { recursive: true });
  if (parts.modsConfig) symlinkSync('/etc/freeradius/3.0/mods-config', join(d, 'mods-config'));
  writeFileSync(join(d, 'radiusd.conf'), `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
raddbdir = ${d}
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
logdir = ${d}/log
radacctdir = \${logdir}/radacct
run_dir = ${d}/run
db_dir = \${raddbdir}
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/radiusd.pid
name = radiusd
max_request_time = 10
cleanup_delay = 2
max_requests = ${parts.maxRequests ?? 1024}
hostname_lookups = no
log {
  destination = stdout
  colourise = no
  auth = ${parts.logAuth === false ? 'no' : 'yes'}
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = yes
}
proxy_requests = ${parts.proxy === undefined ? 'no' : 'yes'}
${parts.proxy === undefined ? '' : '$INCLUDE proxy.conf\n'}$INCLUDE clients.conf
thread pool {
  start_servers = 2
  max_servers = 4
  min_spare_servers = 1
  max_spare_servers = 2
  max_requests_per_server = 0
  auto_limit_acct = no
}
modules {
${parts.modules}
}
instantiate {
}
$INCLUDE sites/
`);
  writeFileSync(join(d, 'clients.conf'), parts.clients);
  for (const [name, text] of Object.entries(parts.sites)) writeFileSync(join(d, 'sites', name), text);
  if (parts.users !== undefined) writeFileSync(join(d, 'users'), parts.users);
  writeFileSync(join(d, 'dictionary'), parts.dictionary ?? '');
  if (parts.proxy !== undefined) writeFileSync(join(d, 'proxy.conf'), parts.proxy);
}

export async function startFreeradius(parts: FreeradiusParts): Promise<Freeradius> {
  const d = mkdtempSync(join(tmpdir(), 'portico-fr-'));
  writeRaddb(d, parts);
  const child: ChildProcess = spawn('freeradius', ['-X', '-d', d], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`freeradius did not start in 15 s:\n${out.slice(-3000)}`)), 15_000);
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to process requests')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`freeradius exited ${code}:\n${out.slice(-3000)}`));
    });
  });
  return {
    dir: d,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(d, { recursive: true, force: true });
    },
  };
}
