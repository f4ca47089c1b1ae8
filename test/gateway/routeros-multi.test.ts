/**
 * Several routers, one ledger: a pool exists on every router, a voucher works on any of them, client
 * lookup disambiguates overlapping address space only among candidates the routers themselves report,
 * and core's sweep (readCounters → setPool with fresh bytesRemaining) makes the routers converge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { startLab, type Lab } from '../routeros-sim/harness.js';

// tower1 and tower2 both hand out 10.5.50.10 (same DHCP pool on two towers); D exists only on tower2.
const A = { ip: '10.5.50.10', mac: '02:00:00:00:01:0a' };
const C = { ip: '10.5.50.10', mac: '02:00:00:00:02:0c' };
const D = { ip: '10.5.60.20', mac: '02:00:00:00:02:0d' };
const QUOTA = 1_000_000;

let lab: Lab;
let driver: GatewayDriver;
beforeAll(async () => {
  lab = await startLab([
    { name: 'tower1', hosts: [[A.ip, A.mac]] },
    { name: 'tower2', hosts: [[C.ip, C.mac], [D.ip, D.mac]] },
  ]);
  driver = await lab.driver({ timeoutMs: 1000 });
  await driver.start();
});
afterAll(() => lab.close());

const user = (tower: string, name: string) => [...lab.sim(tower).state.users.rows.values()].find((u) => u.name === name);

/** What core's accounting sweep does: sum the pool's usage, push what is left. */
async function sweep(poolId: string, devices: string[]): Promise<number> {
  const used = (await driver.readCounters()).filter((c) => devices.includes(c.deviceId)).reduce((s, c) => s + c.bytesUp + c.bytesDown, 0);
  const remaining = Math.max(0, QUOTA - used);
  await driver.setPool({ id: poolId, downBps: null, upBps: null, bytesRemaining: remaining });
  return used;
}

describe('routeros driver: several routers, one ledger', () => {
  it('finds a client on the router that sees it, and uses the hint only to choose among verified candidates', async () => {
    expect(await driver.lookupClient(D.ip)).toEqual({ mac: D.mac, ip: D.ip, site: 'tower2' });
    expect(await driver.lookupClient(A.ip)).toBeNull(); // two routers see 10.5.50.10
    expect(await driver.lookupClient(A.ip, { site: 'tower1' })).toEqual({ mac: A.mac, ip: A.ip, site: 'tower1' });
    expect(await driver.lookupClient(A.ip, { mac: C.mac.toUpperCase() })).toEqual({ mac: C.mac, ip: C.ip, site: 'tower2' });
    // A hint naming a MAC no router reports cannot invent a client.
    expect(await driver.lookupClient(A.ip, { mac: '02:de:ad:be:ef:00' })).toBeNull();
    expect(await driver.lookupClient(D.ip, { mac: '02:de:ad:be:ef:00' })).toEqual({ mac: D.mac, ip: D.ip, site: 'tower2' });
  });

  it('puts a pool on every router and lets its devices in on whichever router sees them', async () => {
    await driver.setPool({ id: 'pool1', downBps: 4_000_000, upBps: 1_000_000, bytesRemaining: QUOTA });
    for (const tower of ['tower1', 'tower2']) expect(user(tower, 'pool1')).toMatchObject({ profile: 'portico-pool1', 'limit-bytes-total': String(QUOTA) });
    const a = await driver.lookupClient(A.ip, { site: 'tower1' });
    await driver.authorize({ deviceId: 'dA', poolId: 'pool1', mac: a!.mac, ips: [a!.ip], site: a!.site });
    await driver.authorize({ deviceId: 'dD', poolId: 'pool1', mac: D.mac, ips: [D.ip] }); // no site: found by lookup
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(true);
    expect(lab.sim('tower2').state.canReach(D.ip)).toBe(true);
    expect(lab.sim('tower2').state.canReach(C.ip)).toBe(false); // same address, other tower, not logged in
  });

  it('reads counters from every router and converges on the shared quota after a sweep', async () => {
    expect(lab.sim('tower1').state.transfer(A.ip, 400_000, 0).down).toBe(400_000);
    expect(lab.sim('tower2').state.transfer(D.ip, 0, 300_000).up).toBe(300_000);
    const counters = await driver.readCounters();
    expect(counters.find((c) => c.deviceId === 'dA')).toMatchObject({ bytesDown: 400_000, bytesUp: 0 });
    expect(counters.find((c) => c.deviceId === 'dD')).toMatchObject({ bytesDown: 0, bytesUp: 300_000 });
    expect(await sweep('pool1', ['dA', 'dD'])).toBe(700_000);
    // Each router now allows its own usage + the 300 000 bytes the pool has left.
    expect(user('tower1', 'pool1')!['limit-bytes-total']).toBe(String(400_000 + 300_000));
    expect(user('tower2', 'pool1')!['limit-bytes-total']).toBe(String(300_000 + 300_000));
    const d = lab.sim('tower2').state.transfer(D.ip, 1_000_000, 0).down;
    expect(d).toBeGreaterThanOrEqual(300_000);
    expect(d).toBeLessThan(300_000 + 1500);
    expect(lab.sim('tower2').state.canReach(D.ip)).toBe(false); // tower2 cut it at its limit
    expect(await sweep('pool1', ['dA', 'dD'])).toBe(700_000 + d);
    // The ledger says the pool is spent: tower1 cuts A too, without any traffic there.
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(false);
    expect(user('tower1', 'pool1')).toMatchObject({ disabled: 'yes' });
    // Counters stay cumulative after the routers dropped the sessions.
    expect((await driver.readCounters()).find((c) => c.deviceId === 'dD')!.bytesDown).toBe(d);
  });

  it('keeps working when one router is down and replays what it missed when it returns', async () => {
    await lab.sim('tower2').down();
    await driver.setPool({ id: 'pool2', downBps: null, upBps: null, bytesRemaining: 5_000_000 });
    expect(user('tower1', 'pool2')).toBeDefined();
    expect(user('tower2', 'pool2')).toBeUndefined();
    await driver.authorize({ deviceId: 'dA2', poolId: 'pool2', mac: A.mac, ips: [A.ip], site: 'tower1' });
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(true);
    // Counters of tower2's devices stay at their last known values while it is away.
    expect((await driver.readCounters()).find((c) => c.deviceId === 'dD')).toBeDefined();
    expect(driver.health().ok).toBe(false);
    await lab.sim('tower2').up();
    expect(await driver.lookupClient(D.ip)).toMatchObject({ site: 'tower2' });
    expect(user('tower2', 'pool2')).toMatchObject({ 'limit-bytes-total': '5000000', profile: 'portico-pool2' });
  });

  it('keeps Portico\'s walled garden on every router, replacing only its own entries', async () => {
    const sim = (t: string) => lab.sim(t).state;
    for (const t of ['tower1', 'tower2']) sim(t).walledGarden.add({ 'dst-host': 'router.local', comment: 'the operator’s own' });
    await driver.setWalledGarden!(['pay.example.net', '192.0.2.80', '198.51.100.0/24', '2001:db8::/64']);
    await driver.setWalledGarden!(['pay.example.net', '192.0.2.81']);
    for (const t of ['tower1', 'tower2']) {
      const hosts = [...sim(t).walledGarden.rows.values()].map((r) => [r['dst-host'], r.comment]);
      expect(hosts).toEqual([['router.local', 'the operator’s own'], ['pay.example.net', 'portico walled garden']]);
      const ips = [...sim(t).walledGardenIp.rows.values()].map((r) => [r['dst-address'], r.action, r.server]);
      expect(ips).toEqual([['192.0.2.81', 'accept', 'hotspot1']]);
    }
  });
});
