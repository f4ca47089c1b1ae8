/**
 * The bypass list on real nftables (issue 15 item 4): a MAC on the list reaches the internet, and its
 * probes get the real answer, without a login; taking it off the list puts it back behind the portal.
 * Another client stays captive throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createGatewayHarness, type GatewayHarness } from './harness.js';

let gw: GatewayHarness;
let driver: GatewayDriver;

beforeAll(async () => {
  gw = await createGatewayHarness({ prefix: 'pnfby', subnet: 77 });
  driver = gw.createDriver();
  await driver.start();
});
afterAll(async () => {
  await driver?.stop();
  await gw?.cleanup();
});

describe('nftables bypass list', () => {
  it('lets a listed MAC through without a login, and only it; removing it makes it captive again', async () => {
    const [till, phone] = gw.topo.clients;
    const probe = 'http://connectivitycheck.gstatic.com/generate_204';
    expect((await gw.curl(till!, probe)).status).toBe(302);
    await driver.setBypass!([till!.mac]);
    expect((await gw.curl(till!, probe)).status).toBe(204);
    expect(await gw.canReach(till!)).toBe(true);
    expect((await gw.curl(phone!, probe)).status).toBe(302);
    expect(await gw.canReach(phone!)).toBe(false);
    expect(await driver.readCounters()).toEqual([]); // never counted as a device
    await driver.setBypass!([]);
    expect((await gw.curl(till!, probe)).status).toBe(302);
    expect(await gw.canReach(till!)).toBe(false);
  });
});
