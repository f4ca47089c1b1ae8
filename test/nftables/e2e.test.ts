/**
 * End to end with a real Portico: `portico serve` (gateway.driver = nftables) runs in the gateway
 * namespace with its own temp dataDir, vouchers come from the CLI with the same config, and residents
 * are client namespaces using curl (names pinned with --resolve to the stand-in internet, so nothing
 * leaves the namespaces). Covers SPEC §4/§5 and captive-clients.md B, D, E, F, c6, c11 as a resident
 * sees them: probes, fast rejects, login → online on the next packet, shared pools, the kernel quota at
 * line rate, logout, expiry, IPv6 and address learning, restart and kill -9 mid-download, fw4 reload.
 *
 * Assertions are on behaviour only; waits for asynchronous outcomes (expiry, learning) poll with a bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayHarness, type GatewayHarness } from './harness.js';
import { createPortico, PORTAL_PORT, type PorticoProcess, type Voucher } from './portico.js';
import { PROBES } from './servers.js';
import type { TopoClient } from './topology.js';

const LEARN_MS = 300;
const QUOTA = 50_000_000;

let gw: GatewayHarness;
let portico: PorticoProcess;
const v: Record<'shared' | 'quota' | 'expiry' | 'flow', Voucher> = {} as never;
/** c6 never logs in: it shows what an unknown device sees at every step. */
let c1: TopoClient, c2: TopoClient, c3: TopoClient, c4: TopoClient, c5: TopoClient, c6: TopoClient;

beforeAll(async () => {
  gw = await createGatewayHarness({ prefix: 'pnfe', subnet: 81, clients: 6, standInPortal: false });
  [c1, c2, c3, c4, c5, c6] = gw.topo.clients as [TopoClient, TopoClient, TopoClient, TopoClient, TopoClient, TopoClient];
  portico = createPortico(gw.topo, { pollMs: 200, learnIntervalMs: LEARN_MS, logLevel: 'info' });
  const one = async (...args: string[]) => (await portico.vouchers(['--count', '1', ...args]))[0]!;
  v.shared = await one('--duration', '1h', '--data', '1GB', '--devices', '2');
  v.quota = await one('--duration', '1h', '--data', `${QUOTA / 1e6}MB`);
  v.expiry = await one('--duration', '4s');
  v.flow = await one('--duration', '1h', '--down', '24Mbit');
  await portico.start();
}, 45_000);

afterAll(async () => {
  await portico?.cleanup();
  await gw?.cleanup();
});

const probeUrls = Object.keys(PROBES).map((k) => `http://${k}`);
const portal = () => `http://${gw.topo.gwIp}:${PORTAL_PORT}`;

/** POST from inside a client namespace; returns the HTTP status. */
async function post(c: TopoClient, path: string, form: string, v6 = false): Promise<number> {
  const base = v6 ? `http://[${gw.topo.gwIp6}]:${PORTAL_PORT}` : portal();
  const r = await gw.topo.run(c.ns, ['curl', '-g', '-s', '-m', '5', '-o', '/dev/null', '-w', '%{http_code}', '-d', form, `${base}${path}`], 10_000);
  return Number(r.stdout);
}

async function eventually(what: string, check: () => Promise<boolean>, boundMs = 10_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${boundMs} ms\n${portico.output().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function voucherStatus(code: string): Promise<string | undefined> {
  const r = await portico.cli(['vouchers', 'list', '--json']);
  return (JSON.parse(r.stdout) as Array<{ code: string; status: string }>).find((x) => x.code === code)?.status;
}

async function captiveApi(c: TopoClient): Promise<{ captive: boolean }> {
  const r = await gw.topo.run(c.ns, ['curl', '-s', '-m', '3', `${portal()}/api/captive`]);
  return JSON.parse(r.stdout) as { captive: boolean };
}

describe('Portico with the nftables driver, end to end', () => {
  it('intercepts every OS probe before login, rejects 443 fast, and is online on the next packet after the 303', async () => {
    for (const url of probeUrls) {
      const r = await gw.curl(c1, url, ['-D', '-']);
      expect(r.status, url).toBe(302);
      expect(r.body, url).toMatch(new RegExp(`location: ${portal()}/\\?orig=`, 'i'));
    }
    const https = await gw.curl(c1, 'https://www.google.com/generate_204', [], 5);
    expect(https.code).toBe(7); // connection refused: a TCP reset, not a time-out
    expect(https.time).toBeLessThan(1);
    expect(await gw.canReach(c1)).toBe(false);

    // The expiry device starts its 4 s now; its end is checked in a later test.
    expect(await post(c5, '/login', `code=${v.expiry.code}`)).toBe(303);

    expect(await post(c1, '/login', `code=${v.shared.code}`)).toBe(303);
    expect(await gw.canReach(c1)).toBe(true); // the very next packet, no waiting
    for (const url of probeUrls) {
      const r = await gw.curl(c1, url);
      const want = PROBES[url.slice('http://'.length)]!;
      expect(r.status, url).toBe(want.status);
      expect(r.body, url).toBe(want.body);
    }
    expect((await captiveApi(c1)).captive).toBe(false);
  });

  it('lets two devices share one pool, and refuses a third at the device limit (409)', async () => {
    expect(await post(c2, '/login', `code=${v.shared.code}`)).toBe(303);
    expect(await gw.canReach(c2)).toBe(true);
    expect(await gw.canReach(c1)).toBe(true);
    const status = await gw.topo.run(c2.ns, ['curl', '-s', '-m', '3', '-H', 'Accept: application/json', `${portal()}/status`]);
    expect((JSON.parse(status.stdout) as { devices: unknown[] }).devices).toHaveLength(2);
    expect(await post(c3, '/login', `code=${v.shared.code}`)).toBe(409);
    expect(await gw.canReach(c3)).toBe(false);
  });

  it('gives IPv6 the same treatment: intercepted before login, and a logged-in device passes over IPv6', async () => {
    expect((await gw.curl(c3, 'http://connectivitycheck.gstatic.com/generate_204', ['-6'])).status).toBe(302);
    expect((await gw.curl(c3, 'https://www.google.com/generate_204', ['-6'], 5)).code).toBe(7);
    expect(await gw.canReach(c3, true)).toBe(false);
    // c1 logged in over IPv4; its IPv6 address is learned from the neighbour table.
    await eventually('c1 passes over IPv6', () => gw.canReach(c1, true), LEARN_MS * 10);
    expect((await gw.curl(c1, 'http://connectivitycheck.gstatic.com/generate_204', ['-6'])).status).toBe(204);
  });

  it('learns a new IPv6 address of a logged-in device, and moves an address with its MAC', async () => {
    const extra = `fd99:${gw.topo.subnet}::a1`;
    const from = (c: TopoClient) => gw.topo.run(c.ns, ['curl', '-g', '-s', '-m', '1', '--interface', extra, `http://[${gw.topo.inetIp6}]:8000/ping`]);
    const auth6 = async () => (await gw.topo.run(gw.topo.gw, ['nft', 'list', 'set', 'inet', 'portico', 'auth6'])).stdout;
    await gw.topo.run(c1.ns, ['ip', 'addr', 'add', `${extra}/64`, 'dev', 'eth0', 'nodad']);
    await gw.topo.run(c1.ns, ['busybox', 'ping', '-6', '-c', '1', '-W', '1', '-I', extra, gw.topo.gwIp6]); // the gateway now knows it
    await eventually('the new address passes without a new login', async () => (await from(c1)).stdout === 'pong', LEARN_MS * 10);
    expect(await auth6()).toContain(`${extra} . ${c1.mac}`);

    // The address moves to c2 (another device on the same pool, another MAC).
    await gw.topo.run(c1.ns, ['ip', 'addr', 'del', `${extra}/64`, 'dev', 'eth0']);
    await gw.topo.run(c2.ns, ['ip', 'addr', 'add', `${extra}/64`, 'dev', 'eth0', 'nodad']);
    await gw.topo.run(c2.ns, ['ip', '-6', 'neigh', 'flush', 'dev', 'eth0']); // so c2 announces itself (NS with its MAC)
    await gw.topo.run(c2.ns, ['busybox', 'ping', '-6', '-c', '1', '-W', '1', '-I', extra, gw.topo.gwIp6]);
    await eventually('the address follows the new MAC', async () => (await auth6()).includes(`${extra} . ${c2.mac}`), LEARN_MS * 10);
    expect(await auth6()).not.toContain(`${extra} . ${c1.mac}`);
    expect((await from(c2)).stdout).toBe('pong');
    await gw.topo.run(c2.ns, ['ip', 'addr', 'del', `${extra}/64`, 'dev', 'eth0']);
  });

  it('cuts a line-rate download at the quota, in the kernel: overshoot ≤ 0.1 % of the quota or 256 KB', async () => {
    expect(await post(c3, '/login', `code=${v.quota.code}`), portico.output().slice(-3000)).toBe(303);
    // L3 bytes that got through the gateway, counted where they arrive (the quota counts L3 both ways).
    const meter = (ns: string, peer: string) =>
      gw.topo.run(ns, ['nft', `add table inet pnfemeter; add chain inet pnfemeter input { type filter hook input priority -500; }; add rule inet pnfemeter input ip saddr ${peer} counter`]);
    await meter(c3.ns, gw.topo.inetIp);
    await meter(gw.topo.inet, c3.ip);
    const bytesIn = async (ns: string) => {
      const r = await gw.topo.run(ns, ['nft', '-j', 'list', 'chain', 'inet', 'pnfemeter', 'input']);
      const rule = (JSON.parse(r.stdout) as { nftables: Array<{ rule?: { expr: Array<{ counter?: { bytes: number } }> } }> }).nftables.find((x) => x.rule);
      return rule!.rule!.expr.find((e) => e.counter)!.counter!.bytes;
    };
    const got = await gw.download(c3, 4 * QUOTA, 10);
    const passed = (await bytesIn(c3.ns)) + (await bytesIn(gw.topo.inet));
    const bound = Math.max(QUOTA * 0.001, 256 * 1024);
    expect(got).toBeLessThan(QUOTA);
    expect(got, portico.output().slice(-3000)).toBeGreaterThan(QUOTA * 0.9); // cut at the quota, not before
    expect(passed - QUOTA).toBeLessThanOrEqual(bound);
    expect(await gw.canReach(c3)).toBe(false);
    // Core records what the kernel did (the cut can land up to one GSO packet short of the quota): the
    // code is used up, the device is logged out, and the resident is sent to the portal again.
    await eventually('the used-up code to send the resident back to the portal', async () => {
      const r = await gw.topo.run(c3.ns, ['curl', '-s', '-m', '3', `${portal()}/api/captive`]);
      return (JSON.parse(r.stdout || '{}') as { captive?: boolean }).captive === true;
    });
  });

  it('keeps a download flowing through a restart and a kill -9, with the voucher intact', async () => {
    expect(await post(c4, '/login', `code=${v.flow.code}`)).toBe(303);
    const size = 18_000_000; // 24 Mbit/s: ~5 s, longer than the two restarts below
    const dl = gw.download(c4, size, 30);
    await gw.downloading(c4);
    await portico.stop('SIGTERM');
    expect(await gw.canReach(c1)).toBe(true); // nobody is cut while Portico is down
    await portico.start();
    await portico.stop('SIGKILL');
    expect(await gw.canReach(c2)).toBe(true);
    await portico.start();
    expect(await dl, portico.output().slice(-3000)).toBe(size);
    expect(await gw.canReach(c4)).toBe(true);
    expect((await captiveApi(c4)).captive).toBe(false);
    expect(await voucherStatus(v.flow.code)).toBe('active');
    expect(await voucherStatus(v.shared.code)).toBe('active');
    // A new login works on the restarted Portico, and an unknown device is still captive.
    expect((await gw.curl(c6, probeUrls[0]!)).status).toBe(302);
  });

  it('survives fw4 reloads during a session', async () => {
    for (const mode of ['flush', 'recreate'] as const) {
      await gw.topo.fw4Reload(mode);
      expect(await gw.canReach(c2)).toBe(true);
      expect((await gw.curl(c6, probeUrls[0]!)).status).toBe(302);
    }
  });

  it('logs out one device (POST /logout → 303): it is captive again, the other device of the pool is not', async () => {
    expect(await post(c1, '/logout', '')).toBe(303);
    expect(await gw.canReach(c1)).toBe(false);
    expect((await gw.curl(c1, probeUrls[0]!)).status).toBe(302);
    expect((await captiveApi(c1)).captive).toBe(true);
    expect(await gw.canReach(c2)).toBe(true);
  });

  it('puts a device back behind the portal when its time runs out', async () => {
    await eventually('the 4 s voucher expires', async () => (await gw.curl(c5, probeUrls[0]!)).status === 302, 15_000);
    expect(await gw.canReach(c5)).toBe(false);
    expect(await voucherStatus(v.expiry.code)).toBe('expired');
  });
});
