/**
 * The bypass list on real nftables (issue 15 item 4): a MAC on the list reaches the internet, and its
 * probes get the real answer, without a login; taking it off the list puts it back behind the portal.
 * Another client stays captive throughout. And the host name a client gave in DHCP (the dnsmasq
 * leases file) comes back with its lookup, for the status page's device names (issue 15 item 2).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('nftables client lookup', () => {
  it('returns the host name the client gave in DHCP, from the leases file', async () => {
    const [, phone] = gw.topo.clients;
    const dir = await mkdtemp(join(tmpdir(), 'portico-leases-'));
    const leasesFile = join(dir, 'dhcp.leases');
    await writeFile(leasesFile, `1767225600 ${phone!.mac} ${phone!.ip} maria-phone 01:${phone!.mac}\n`);
    const named = gw.createDriver({ leasesFile });
    try {
      await gw.curl(phone!, 'http://connectivitycheck.gstatic.com/generate_204'); // the gateway has seen it (ARP)
      expect(await named.lookupClient(phone!.ip)).toMatchObject({ mac: phone!.mac, hostName: 'maria-phone' });
      expect((await driver.lookupClient(phone!.ip))?.hostName).toBeUndefined(); // no leases file: no name
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
