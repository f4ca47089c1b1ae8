/**
 * The routeros driver against a misbehaving router: every fault ends in a GatewayError within the
 * call's deadline (never a hang, never an uncaught exception from node-routeros' socket handlers), and
 * the next call after the fault clears works again on a fresh connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError, type GatewayDriver } from '../../src/gateway/driver.js';
import { startLab, type Lab } from '../routeros-sim/harness.js';
import type { SimulatorOptions } from '../routeros-sim/server.js';

const A = { ip: '10.5.50.10', mac: '02:00:00:00:00:0a' };
const TIMEOUT = 400;

let lab: Lab | undefined;
afterEach(async () => {
  await lab?.close();
  lab = undefined;
});

async function setup(sim: SimulatorOptions = {}, opts: { backoffMinMs?: number; timeoutMs?: number } = {}): Promise<{ lab: Lab; driver: GatewayDriver }> {
  lab = await startLab([{ name: 'tower1', hosts: [[A.ip, A.mac]], sim }]);
  const driver = await lab.driver({ timeoutMs: TIMEOUT, ...opts });
  return { lab, driver };
}

describe('routeros driver: login flows and set-up errors', () => {
  it('logs in with the legacy MD5 challenge (pre-6.43 routers)', async () => {
    const { driver } = await setup({ login: 'legacy' });
    await driver.start();
    expect(await driver.lookupClient(A.ip)).toEqual({ mac: A.mac, ip: A.ip, site: 'tower1' });
  });

  it('handles RouterOS 7.18+ !empty and pre-7.18 bare !done alike', async () => {
    const { lab, driver } = await setup({ emitEmpty: true });
    expect(await driver.lookupClient('10.5.50.99')).toBeNull();
    expect(await driver.readCounters()).toEqual([]);
    lab.sim('tower1').emitEmpty = false;
    expect(await driver.lookupClient('10.5.50.99')).toBeNull();
    expect(lab.sim('tower1').log.some((w) => w[0] === '/ip/hotspot/host/print')).toBe(true);
  });

  it('refuses to start with a wrong API password, saying what to check', async () => {
    const { driver } = await setup({ login: 'reject' });
    await expect(driver.start()).rejects.toThrow(/login refused for user "portico".*password/);
    expect(driver.health().ok).toBe(false);
  });

  it('refuses to start when the hotspot server does not exist', async () => {
    const { driver } = await setup({ hotspot: 'other-hotspot' });
    await expect(driver.start()).rejects.toThrow(/no hotspot server named "hotspot1"/);
  });
});

describe('routeros driver: fault modes', () => {
  it('reconnects after the router drops the socket', async () => {
    const { lab, driver } = await setup();
    await driver.start();
    lab.sim('tower1').dropConnections();
    // The client has seen the reset (its connection is gone), so the next call must open a new one.
    await expect.poll(() => driver.health().ok, { interval: 5 }).toBe(false);
    expect(await driver.lookupClient(A.ip)).toMatchObject({ mac: A.mac });
    expect(lab.sim('tower1').connections).toBe(1);
  });

  it('rejects a stalled call at its deadline, then recovers on a new connection', async () => {
    const { lab, driver } = await setup();
    await driver.start();
    lab.sim('tower1').stall();
    // Ended by the call's own deadline (it says so), not by a socket event and not never.
    const err = await driver.lookupClient(A.ip).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(String(err)).toContain(`no answer within ${TIMEOUT} ms`);
    expect(driver.health()).toMatchObject({ ok: false });
    lab.sim('tower1').resume();
    expect(await driver.lookupClient(A.ip)).toMatchObject({ mac: A.mac });
    expect(driver.health().ok).toBe(true);
  });

  it('rejects pending calls at once on !fatal (node-routeros would leave them pending forever)', async () => {
    const { lab, driver } = await setup({}, {});
    await driver.start();
    lab.sim('tower1').fatalOnNext('/ip/hotspot/host/print');
    // Rejected by the close itself, before the call's deadline could end it.
    const err = await driver.lookupClient(A.ip).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(String(err)).toMatch(/closed/);
    expect(String(err)).not.toContain('no answer within');
    expect(await driver.lookupClient(A.ip)).toMatchObject({ mac: A.mac });
  });

  it('reads replies split at every byte boundary (bare node-routeros hangs on split length prefixes)', async () => {
    // A generous deadline: here each reply byte waits for its own timer tick.
    const { lab, driver } = await setup({}, { timeoutMs: 5000 });
    await driver.start();
    lab.sim('tower1').splitFrames = true;
    await driver.setPool({ id: 'pool1', downBps: null, upBps: null, bytesRemaining: 1_000_000 });
    await driver.authorize({ deviceId: 'd1', poolId: 'pool1', mac: A.mac, ips: [A.ip] });
    expect(lab.sim('tower1').state.canReach(A.ip)).toBe(true);
    expect(await driver.lookupClient(A.ip)).toEqual({ mac: A.mac, ip: A.ip, site: 'tower1' });
    expect(await driver.readCounters()).toEqual([{ deviceId: 'd1', bytesUp: 0, bytesDown: 0 }]);
    expect(lab.sim('tower1').connections).toBe(1); // no call needed a reconnect
  });

  it('fails fast while a router is down, backs off, and applies nothing there', async () => {
    const { lab, driver } = await setup({}, { backoffMinMs: 1000 });
    await driver.start();
    const sim = lab.sim('tower1');
    await sim.down();
    const pool = { id: 'pool1', downBps: null, upBps: null, bytesRemaining: 1_000_000 };
    await expect(driver.setPool(pool)).rejects.toBeInstanceOf(GatewayError);
    await expect(driver.authorize({ deviceId: 'd1', poolId: 'pool1', mac: A.mac, ips: [A.ip] })).rejects.toBeInstanceOf(GatewayError);
    expect(driver.health().ok).toBe(false);
    await sim.up();
    // Within the back-off window calls fail fast without touching the router.
    const before = sim.log.length;
    await expect(driver.lookupClient(A.ip)).rejects.toThrow(/unreachable.*retrying/);
    expect(sim.log.length).toBe(before);
    lab.clock.advance(5000);
    await driver.setPool(pool);
    await driver.authorize({ deviceId: 'd1', poolId: 'pool1', mac: A.mac, ips: [A.ip] });
    expect(sim.state.canReach(A.ip)).toBe(true);
    expect(driver.health().ok).toBe(true);
  });

  it('does not wedge a router on a replayed change it refuses', async () => {
    const { lab, driver } = await setup();
    await driver.start();
    const sim = lab.sim('tower1');
    await driver.setPool({ id: 'pool1', downBps: null, upBps: null, bytesRemaining: null });
    // The operator reused Portico's profile for a user of their own: RouterOS will refuse to remove it.
    sim.state.users.add({ name: 'guest', password: 'g', profile: 'portico-pool1' });
    await sim.down();
    await expect(driver.removePool('pool1')).rejects.toBeInstanceOf(GatewayError);
    await sim.up();
    expect(await driver.lookupClient(A.ip)).toMatchObject({ mac: A.mac });
    expect([...sim.state.users.rows.values()].map((u) => u.name)).toEqual(['guest']);
    expect(await driver.lookupClient(A.ip)).toMatchObject({ mac: A.mac });
  });

  it('keeps the connection when a command is refused with !trap', async () => {
    const { lab, driver } = await setup();
    await driver.start();
    await driver.setPool({ id: 'pool1', downBps: null, upBps: null, bytesRemaining: null });
    // The host is unknown to the hotspot, so the router refuses the login.
    await expect(driver.authorize({ deviceId: 'd1', poolId: 'pool1', mac: '02:00:00:00:00:99', ips: ['10.5.50.77'] })).rejects.toThrow(/refused: no such host/);
    expect(driver.health().ok).toBe(true);
    expect(lab.sim('tower1').connections).toBe(1);
  });
});
