/**
 * End to end beside MikroTik: Portico (core + HTTP app, in-memory SQLite) drives two simulated routers
 * through the real routeros driver and node-routeros over TCP. A resident arriving from the Hotspot's
 * login page logs in over HTTP and shows up in that router's /ip/hotspot/active; when a router is
 * unreachable, or dies in the middle of the login, the resident gets the gateway-unavailable answer and
 * the voucher stays unused (nothing half-applied).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/index.js';
import { formatCode } from '../../src/domain/code.js';
import type { SqliteStore as Store } from '../../src/store/index.js';
import { createTestPortico } from '../helpers/portico.js';
import { startLab, type Lab } from '../routeros-sim/harness.js';

const A = { ip: '10.5.50.10', mac: '02:00:00:00:01:0a' }; // seen by tower1
const C = { ip: '10.5.50.10', mac: '02:00:00:00:02:0c' }; // the same address on tower2 (overlapping pools)
const D = { ip: '10.5.60.20', mac: '02:00:00:00:02:0d' }; // seen by tower2
const JSON_ACCEPT = { accept: 'application/json' };

let lab: Lab;
let core: Core;
let store: Store;
let app: Awaited<ReturnType<typeof createTestPortico>>['app'];

beforeAll(async () => {
  lab = await startLab([
    { name: 'tower1', hosts: [[A.ip, A.mac]] },
    { name: 'tower2', hosts: [[C.ip, C.mac], [D.ip, D.mac]] },
  ]);
  const p = await createTestPortico({
    config: { portalUrl: 'http://192.0.2.10:8080/', gateway: lab.gateway(500) }, driver: await lab.driver({ timeoutMs: 500 }), clock: lab.clock,
  });
  ({ store, core, app } = p);
});
afterAll(async () => {
  await lab?.close();
  store?.close();
});

/** A request from a resident's phone: the TCP peer is its address, as @hono/node-server reports it. */
function phone(ip: string) {
  const env = { incoming: { socket: { remoteAddress: `::ffff:${ip}`, localAddress: '192.0.2.10' } } };
  const headers = { host: '192.0.2.10:8080' };
  return {
    get: (path: string) => app.request(path, { headers }, env),
    login: (fields: Record<string, string>, extra: Record<string, string> = {}) =>
      app.request('/login', { method: 'POST', body: new URLSearchParams(fields), headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', ...extra } }, env),
  };
}

function voucher(): { code: string; id: string } {
  const { vouchers } = core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: 1_000_000_000 } }, { type: 'system' });
  return { code: formatCode(vouchers[0]!.code), id: vouchers[0]!.id };
}

/**
 * What the router serves: docs/mikrotik/login.html with its $(variables) filled in for one device; the
 * URL its form submits to Portico (method GET, hidden fields).
 */
function loginPageUrl(vars: Record<string, string>): URL {
  const html = readFileSync(new URL('../../docs/mikrotik/login.html', import.meta.url), 'utf8')
    .replace(/\$\(if error\)[\s\S]*?\$\(endif\)/g, '')
    .replace(/\$\(([a-z-]+)\)/g, (_m, name: string) => vars[name] ?? '');
  const form = /<form id="portico" method="get" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html)!;
  const url = new URL(form[1]!);
  for (const [, name, value] of form[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) url.searchParams.set(name!, value!);
  return url;
}

const sessionsOn = (tower: string) => [...lab.sim(tower).state.active.rows.values()];

describe('Portico beside MikroTik (two routers)', () => {
  it('logs in a resident sent by the Hotspot login page; the router shows the session', async () => {
    const v = voucher();
    const p = phone(A.ip);
    // tower2 also has a client at 10.5.50.10: without the login page's hint Portico cannot tell them apart.
    const blind = await p.login({ code: v.code }, JSON_ACCEPT);
    expect(blind.status).toBeGreaterThanOrEqual(400);
    expect(store.vouchers.get(v.id)!.status).toBe('unused');
    // The router's login page sends the device on with mac, ip, site (its identity) and link-login-only.
    const url = loginPageUrl({ mac: A.mac.toUpperCase(), ip: A.ip, identity: 'tower1', 'link-login-only': 'http://10.5.50.1/login' });
    expect(url.origin).toBe('https://portal.example.net');
    expect([...url.searchParams.keys()]).toEqual(['mac', 'ip', 'site', 'link-login-only']);
    const page = await p.get(`/${url.search}`);
    expect(page.status).toBe(200);
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(false);
    // The portal form carries the hint back with the code.
    const res = await p.login({ code: v.code, mac: url.searchParams.get('mac')!, site: url.searchParams.get('site')! });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/status');
    const [session] = sessionsOn('tower1');
    expect(session).toMatchObject({ address: A.ip, 'mac-address': A.mac.toUpperCase(), server: 'hotspot1' });
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(true);
    expect(lab.sim('tower2').state.canReach(C.ip)).toBe(false);
    expect(store.vouchers.get(v.id)!.status).toBe('active');
    // The pool is a hotspot user on both routers, so the same code works on either tower.
    for (const tower of ['tower1', 'tower2']) expect([...lab.sim(tower).state.users.rows.values()].some((u) => u.name === session!.user)).toBe(true);
    // Traffic counted by the router reaches the ledger through the accounting sweep.
    lab.sim('tower1').state.transfer(A.ip, 250_000, 50_000);
    await core.accounting.sweep();
    expect(await core.deviceStatus(A.ip, { mac: A.mac, site: 'tower1' })).toMatchObject({ authorized: true, usedBytes: 300_000, bytesRemaining: 1_000_000_000 - 300_000 });
  });

  it('answers gateway-unavailable and keeps the voucher unused while the resident\'s router is down', async () => {
    const v = voucher();
    await lab.sim('tower2').down();
    const res = await phone(D.ip).login({ code: v.code }, JSON_ACCEPT);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE' });
    expect(store.vouchers.get(v.id)!.status).toBe('unused');
    await lab.sim('tower2').up();
    expect(sessionsOn('tower2')).toEqual([]);
  });

  it('applies nothing when the router dies in the middle of the login', async () => {
    const v = voucher();
    lab.clock.advance(60_000); // past any reconnect back-off
    lab.sim('tower2').fatalOnNext('/ip/hotspot/active/login');
    const res = await phone(D.ip).login({ code: v.code }, JSON_ACCEPT);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ ok: false, code: 'GATEWAY_UNAVAILABLE' });
    expect(store.vouchers.get(v.id)!.status).toBe('unused');
    expect(sessionsOn('tower2')).toEqual([]);
    // Once the router answers again the same code works.
    const ok = await phone(D.ip).login({ code: v.code });
    expect(ok.status).toBe(303);
    expect(sessionsOn('tower2')).toEqual([expect.objectContaining({ address: D.ip, 'mac-address': D.mac.toUpperCase() })]);
    expect(store.vouchers.get(v.id)!.status).toBe('active');
  });
});
