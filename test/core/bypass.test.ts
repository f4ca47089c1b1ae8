/**
 * The bypass list (issue 15 item 4): MACs that pass without a code, from the config (gateway.bypass)
 * or the console's Settings, audited, enforced by the simulated and RouterOS drivers (nftables:
 * test/nftables/bypass.test.ts; RADIUS MAC authentication: test/radius/mac-auth.test.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../routeros-sim/harness.js';
import { harness } from '../helpers/harness.js';
import { createTestPortico } from '../helpers/portico.js';

const TILL = '02:00:00:00:0b:01';
let lab: Lab | undefined;
afterAll(async () => {
  await lab?.close();
});

async function signedIn(h: Awaited<ReturnType<typeof harness>>) {
  await h.core.addOperator({ name: 'boss', role: 'admin', password: 'correct horse battery' }, { type: 'system' });
  const admin = h.device('10.0.0.200');
  const res = await admin.request('/api/admin/login', {
    method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://portal.example.net' },
    body: JSON.stringify({ name: 'boss', password: 'correct horse battery' }),
  });
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const { csrf } = (await res.json()) as { csrf: string };
  const save = (body: unknown) =>
    admin.request('/api/admin/settings', {
      method: 'PUT', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf, origin: 'https://portal.example.net' },
    });
  return { save };
}

describe('bypass list', () => {
  it('the console saves it (audited); a listed MAC passes without a code; a bad line is refused by number and nothing changes', async () => {
    const h = await harness();
    const till = h.device('10.0.0.50', TILL);
    const { save } = await signedIn(h);
    expect(till.online()).toBe(false);
    const bad = await save({ bypass: [TILL, 'not-a-mac'] });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { field: string; message: string };
    expect(err.field).toBe('bypass');
    expect(err.message).toContain('line 2');
    expect(h.core.admin.settings().bypass).toEqual([]);
    const ok = await save({ bypass: ['02-00-00-00-0B-01'] });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { bypass: string[] }).bypass).toEqual([TILL]);
    expect(till.online()).toBe(true);
    expect(h.store.events.list({ type: 'settings.saved' })[0]?.data).toMatchObject({ bypass: [TILL] });
    expect((await save({ bypass: [] })).status).toBe(200);
    expect(till.online()).toBe(false);
  });

  it('the config list applies at start, before anything is saved', async () => {
    const p = await createTestPortico({ config: { gateway: { bypass: ['02:00:00:00:0B:01'] } } });
    p.network.setMac('10.0.0.60', TILL);
    expect(p.network.allowed('10.0.0.60')).toBe(true);
    expect(p.core.radius.isBypassed(TILL)).toBe(true);
  });

  it('RouterOS: one ip-binding of type bypassed per MAC on every router, replaced on each save', async () => {
    lab = await startLab([{ name: 'shop', hosts: [['192.168.88.50', TILL.toUpperCase()]] }]);
    const driver = await lab.driver({ timeoutMs: 500 });
    await driver.start();
    const sim = lab.sim('shop');
    expect(sim.state.canReach('192.168.88.50')).toBe(false);
    await driver.setBypass!([TILL]);
    expect(sim.state.canReach('192.168.88.50')).toBe(true);
    const rows = sim.state.bindings.find((b) => b.comment === 'portico-bypass');
    expect(rows.map(([, b]) => [b['mac-address'], b.type])).toEqual([[TILL.toUpperCase(), 'bypassed']]);
    await driver.setBypass!([]);
    expect(sim.state.bindings.find((b) => b.comment === 'portico-bypass')).toHaveLength(0);
    expect(sim.state.canReach('192.168.88.50')).toBe(false);
    await driver.stop();
  });

  it('RouterOS: a client lookup carries the host name of its DHCP lease (status page device names)', async () => {
    const sim = lab!.sim('shop');
    sim.state.leases.add({ address: '192.168.88.50', 'mac-address': TILL.toUpperCase(), 'host-name': 'shop-till' });
    const driver = await lab!.driver({ timeoutMs: 500 });
    await driver.start();
    expect(await driver.lookupClient('192.168.88.50')).toMatchObject({ mac: TILL, hostName: 'shop-till' });
    await driver.stop();
  });
});
