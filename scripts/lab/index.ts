/**
 * `npm run lab`: try Portico by hand on this machine, with the real nftables driver, without a router.
 * Builds network namespaces (needs root, nftables, iproute2, conntrack, curl, busybox): a gateway
 * `plabgw` running Portico (gateway.driver = nftables on its `br-lan`), two residents `plabc1` and
 * `plabc2`, and a stand-in internet `plabin` that answers the OS connectivity probes. Everything stays
 * inside the namespaces. Prints the commands to try; Ctrl-C (or `npm run lab -- down` from another
 * shell) tears it all down: Portico and helpers by pid, namespaces by name.
 *
 *   npm run lab            # up, then wait for Ctrl-C
 *   npm run lab -- down    # tear down a lab left behind (e.g. after kill -9)
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGatewayHarness } from '../../test/nftables/harness.js';
import { createPortico, PORTAL_PORT } from '../../test/nftables/portico.js';
import { sh } from '../../test/nftables/topology.js';

const PREFIX = 'plab';
const SUBNET = 60;
const STATE = '/tmp/plab-state.json';

/** Removes a lab left behind: the processes it recorded (by pid) and its namespaces (by name). */
async function down(): Promise<void> {
  if (existsSync(STATE)) {
    const { pids } = JSON.parse(readFileSync(STATE, 'utf8')) as { pids: number[] };
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(STATE, { force: true });
  }
  // Portico's temp config and data of a lab that could not clean up after itself.
  for (const d of readdirSync(tmpdir())) if (d.startsWith(`${PREFIX}-portico-`)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  const list = await sh(['ip', 'netns', 'list']);
  for (const line of list.stdout.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (ns.startsWith(PREFIX)) await sh(['ip', 'netns', 'del', ns]);
  }
  process.stdout.write('lab: torn down\n');
}

async function up(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the lab needs root (network namespaces and nftables): run it with sudo');
  await down();
  process.stdout.write('lab: building namespaces…\n');
  const gw = await createGatewayHarness({ prefix: PREFIX, subnet: SUBNET, clients: 2, standInPortal: false });
  const portico = createPortico(gw.topo, { pollMs: 1000, learnIntervalMs: 5000, logLevel: 'info' });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nlab: stopping Portico and removing the namespaces…\n');
    await portico.cleanup();
    await gw.cleanup();
    rmSync(STATE, { force: true });
    process.stdout.write('lab: torn down\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  try {
    const vouchers = await portico.vouchers(['--count', '3', '--duration', '1h', '--data', '500MB', '--devices', '2']);
    const small = await portico.vouchers(['--count', '1', '--duration', '10m', '--data', '20MB', '--down', '8Mbit']);
    await portico.start();
    writeFileSync(STATE, JSON.stringify({ pids: [process.pid, portico.pid()].filter((p) => p !== null) }));
    const t = gw.topo;
    const [c1, c2] = t.clients;
    const portal = `http://${t.gwIp}:${PORTAL_PORT}`;
    const resolve = `--resolve captive.apple.com:80:${t.inetIp} --resolve connectivitycheck.gstatic.com:80:${t.inetIp} --resolve www.google.com:443:${t.inetIp}`;
    const lines = [
      '',
      `Portico is running in namespace ${t.gw} (nftables driver, table inet portico, LAN br-lan ${t.gwIp}/24 and ${t.gwIp6}/64).`,
      `Residents: ${c1!.ns} (${c1!.ip}, ${c1!.ip6}) and ${c2!.ns} (${c2!.ip}, ${c2!.ip6}). Internet stand-in: ${t.inet} (${t.inetIp}).`,
      `Config: ${portico.configFile}   data: ${portico.dataDir}`,
      '',
      'Vouchers (1 h, 500 MB, 2 devices): ' + vouchers.map((v) => v.code).join('  '),
      `Voucher (10 min, 20 MB, 8 Mbit/s): ${small[0]!.code}`,
      '',
      'Before login, the OS probes are sent to the portal (302) and HTTPS is refused at once:',
      `  sudo ip netns exec ${c1!.ns} curl -si ${resolve} http://captive.apple.com/hotspot-detect.html | head -5`,
      `  sudo ip netns exec ${c1!.ns} curl -sS ${resolve} https://www.google.com/ ; echo "exit $?"`,
      `  sudo ip netns exec ${c1!.ns} curl -s -m 2 http://${t.inetIp}:8000/ping ; echo "exit $?"`,
      'Log in (POST /login, as the portal form does), then the same probes get the genuine answers:',
      `  sudo ip netns exec ${c1!.ns} curl -si -d code=${vouchers[0]!.code} ${portal}/login | head -3`,
      `  sudo ip netns exec ${c1!.ns} curl -s ${resolve} http://captive.apple.com/hotspot-detect.html`,
      `  sudo ip netns exec ${c1!.ns} curl -s http://${t.inetIp}:8000/ping ; echo`,
      `  sudo ip netns exec ${c1!.ns} curl -s -6 -g http://[${t.inetIp6}]:8000/ping ; echo   # IPv6 (learned within 5 s)`,
      'Your status, the RFC 8908 API, a second device on the same code, a download, logout:',
      `  sudo ip netns exec ${c1!.ns} curl -s -H 'Accept: application/json' ${portal}/status ; echo`,
      `  sudo ip netns exec ${c1!.ns} curl -s ${portal}/api/captive ; echo`,
      `  sudo ip netns exec ${c2!.ns} curl -si -d code=${vouchers[0]!.code} ${portal}/login | head -1`,
      `  sudo ip netns exec ${c2!.ns} curl -s -o /dev/null -w '%{size_download} bytes in %{time_total} s\\n' http://${t.inetIp}:8000/bytes/100000000`,
      `  sudo ip netns exec ${c1!.ns} curl -si -d '' ${portal}/logout | head -1`,
      'What the kernel holds, and the CLI on the same database:',
      `  sudo ip netns exec ${t.gw} nft list table inet portico`,
      `  sudo ${process.execPath} --import tsx src/main.ts vouchers list --config ${portico.configFile}`,
      `Operator console (from a resident): sudo ip netns exec ${c1!.ns} curl -s ${portal}/admin | head -3`,
      '',
      'Ctrl-C here (or `npm run lab -- down` in another shell) stops Portico and removes every plab* namespace.',
      '',
      '--- Portico output ---',
    ];
    process.stdout.write(lines.join('\n') + '\n');
    let shown = 0;
    setInterval(() => {
      const out = portico.output();
      if (out.length > shown) process.stdout.write(out.slice(shown));
      shown = out.length;
    }, 500);
  } catch (err) {
    await portico.cleanup();
    await gw.cleanup();
    throw err;
  }
}

const cmd = process.argv[2] ?? 'up';
if (cmd === 'down') await down();
else if (cmd === 'up') await up();
else {
  process.stderr.write('usage: npm run lab [-- up|down]\n');
  process.exit(2);
}
