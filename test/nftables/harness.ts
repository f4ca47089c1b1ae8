/**
 * A ready gateway for driver-level tests: the topology, the stand-in internet and portal, a driver
 * factory bound to the gateway namespace, and client-side probes (curl inside the client namespace,
 * with `--resolve` so names go to the stand-in internet and nothing leaves the namespaces).
 *
 * @example
 *   const gw = await createGatewayHarness({ prefix: 'pnftk', subnet: 71 });
 *   const driver = gw.createDriver();
 */
import { readFile } from 'node:fs/promises';
import { silentLogger } from '../../src/lib/log.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createNftablesDriverWith, type NftablesOptions } from '../../src/gateway/nftables/driver.js';
import { nodeRunner, type CommandRunner } from '../../src/gateway/nftables/transport.js';
import { createTopology, SERVERS, type TopoClient, type Topology } from './topology.js';

export const INTERCEPT_PORT = 8080;
export const DNS_PORT = 5353;

export interface GatewayHarness {
  topo: Topology;
  options: NftablesOptions;
  /** `onCommand` sees every process the driver starts (argv without the netns prefix). */
  createDriver(over?: Partial<NftablesOptions>, onCommand?: (argv: string[]) => void): GatewayDriver;
  /** curl from a client; `url` may name a probe host, resolved to the stand-in internet. */
  curl(c: TopoClient, url: string, extra?: string[], timeoutS?: number): Promise<{ code: number; status: number; body: string; size: number; time: number }>;
  canReach(c: TopoClient, v6?: boolean): Promise<boolean>;
  download(c: TopoClient, bytes: number, timeoutS?: number): Promise<number>;
  /** Resolves once `c` has an established connection to the stand-in internet's port 8000 (polls, bounded). */
  downloading(c: TopoClient, boundMs?: number): Promise<void>;
  cleanup(): Promise<void>;
}

const HOSTS = [
  'connectivitycheck.gstatic.com',
  'captive.apple.com',
  'www.msftconnecttest.com',
  'detectportal.firefox.com',
  'connectivity-check.ubuntu.com',
  'nmcheck.gnome.org',
  'www.google.com',
];

function observed(runner: CommandRunner, onCommand?: (argv: string[]) => void): CommandRunner {
  if (!onCommand) return runner;
  return {
    exec: (argv, input) => (onCommand(argv), runner.exec(argv, input)),
    spawn: (argv, env) => (onCommand(argv), runner.spawn(argv, env)),
  };
}

/** `standInPortal: false` leaves the intercept port free for a real Portico (test/nftables/portico.ts). */
export async function createGatewayHarness(opts: { prefix: string; subnet: number; clients?: number; standInPortal?: boolean }): Promise<GatewayHarness> {
  const topo = await createTopology({ prefix: opts.prefix, subnet: opts.subnet, clients: opts.clients ?? 2 });
  try {
    await topo.start(topo.inet, [process.execPath, '--import', 'tsx', SERVERS, 'internet', `10.98.${opts.subnet}.53`]);
    if (opts.standInPortal !== false) await topo.start(topo.gw, [process.execPath, '--import', 'tsx', SERVERS, 'portal', String(INTERCEPT_PORT), String(DNS_PORT), `10.99.${opts.subnet}.53`]);
  } catch (err) {
    await topo.cleanup();
    throw err;
  }
  const options: NftablesOptions = {
    table: 'portico',
    interfaces: ['br-lan'],
    interceptPort: INTERCEPT_PORT,
    dnsPort: DNS_PORT,
    portalPorts: [INTERCEPT_PORT],
    walledGarden: [],
    ipv6: 'enforce',
    leasesFile: '/nonexistent/dhcp.leases',
    nftPath: 'nft',
    conntrackPath: 'conntrack',
    ipPath: 'ip',
    learnIntervalMs: 0,
  };
  const curl: GatewayHarness['curl'] = async (c, url, extra = [], timeoutS = 2) => {
    const v6 = extra.includes('-6');
    const target = v6 ? `[${topo.inetIp6}]` : topo.inetIp;
    const resolve = HOSTS.flatMap((h) => ['--resolve', `${h}:80:${target}`, '--resolve', `${h}:443:${target}`]);
    const r = await topo.run(c.ns, ['curl', '-g', '-s', '-k', '-m', String(timeoutS), ...resolve, ...extra, '-w', '\n%{http_code} %{size_download} %{time_total}', url], (timeoutS + 5) * 1000);
    const nl = r.stdout.lastIndexOf('\n');
    const [status, size, time] = r.stdout.slice(nl + 1).split(' ');
    return { code: r.code, status: Number(status), body: r.stdout.slice(0, nl), size: Number(size), time: Number(time) };
  };
  return {
    topo,
    options,
    createDriver: (over = {}, onCommand) =>
      createNftablesDriverWith({ ...options, ...over }, {
        log: silentLogger,
        runner: observed(nodeRunner(['ip', 'netns', 'exec', topo.gw]), onCommand),
        readFile: (p) => readFile(p, 'utf8'),
        procNetDir: `/proc/${topo.gwPid}/net`,
      }),
    curl,
    async canReach(c, v6 = false) {
      const host = v6 ? `[${topo.inetIp6}]` : topo.inetIp;
      const r = await curl(c, `http://${host}:8000/ping`, [], 2);
      return r.status === 200 && r.body === 'pong';
    },
    async download(c, bytes, timeoutS = 3) {
      const r = await topo.run(c.ns, ['curl', '-s', '-m', String(timeoutS), '-o', '/dev/null', '-w', '%{size_download}', `http://${topo.inetIp}:8000/bytes/${bytes}`], (timeoutS + 5) * 1000);
      return Number(r.stdout.trim() || 0);
    },
    async downloading(c, boundMs = 5000) {
      const until = Date.now() + boundMs;
      while (Date.now() < until) {
        const ss = await topo.run(c.ns, ['ss', '-tnH', 'state', 'established', '( dport = :8000 )']);
        if (ss.stdout.includes(topo.inetIp)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no download from ${c.ns} within ${boundMs} ms`);
    },
    cleanup: () => topo.cleanup(),
  };
}
