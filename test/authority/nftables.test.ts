/**
 * Issue 12 item 2 on a real kernel: a gateway core in authority mode drives the nftables driver in a
 * network namespace (test/nftables/harness.ts), a central Portico grants over RADIUS on loopback. The
 * slice the Accept carries is the kernel quota: a client downloading more gets the slice and no more
 * (plus what the kernel lets through before the quota trips), with no sweep in between; a sweep then
 * re-authorizes and the next slice flows.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/domain/code.js';
import { systemClock } from '../../src/lib/clock.js';
import type { RadiusServer } from '../../src/radius/server.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createTestPortico, type TestPortico } from '../helpers/portico.js';
import { createGatewayHarness, type GatewayHarness } from '../nftables/harness.js';
import { startTestRadius } from '../radius/nas-peer.js';
import { startGateway, type Gateway } from './gateway.js';

const SECRET = 'gateway-to-central-secret-24';
const MB = 1_000_000;
const SLICE = 2 * MB;
const root = process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v nft && command -v ip']).status === 0;

let net: GatewayHarness | undefined;
let driver: GatewayDriver;
let central: TestPortico;
let radius: RadiusServer;
let tower: Gateway;

describe.skipIf(!root)('authority mode on the nftables driver', () => {
  beforeAll(async () => {
    net = await createGatewayHarness({ prefix: 'pnfau', subnet: 93 });
    driver = net.createDriver();
    central = await createTestPortico({ clock: systemClock });
    radius = await startTestRadius({ core: central.core, clock: systemClock, nas: [{ name: 'tower', secret: SECRET, profile: 'portico' }], sliceMinBytes: MB, sliceMaxBytes: SLICE });
    const ports = radius.ports();
    tower = await startGateway({ clock: systemClock, driver, servers: [{ host: '127.0.0.1', authPort: ports.auth, acctPort: ports.acct, secret: SECRET }] });
  }, 60_000);

  afterAll(async () => {
    await tower?.stop();
    await radius?.stop();
    await driver?.stop();
    await net?.cleanup();
  });

  it('the kernel quota holds the slice; re-authorization brings the next one', async () => {
    const client = net!.topo.clients[0]!;
    const { vouchers } = central.core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: 50 * MB } }, { type: 'system' });
    const r = await tower.core.login({ ip: client.ip, code: formatCode(vouchers[0]!.code) });
    expect(r.status.authorized && r.status.bytesRemaining).toBe(SLICE);
    const first = await net!.download(client, 5 * MB, 4); // stalls at the quota until curl gives up
    expect(first).toBeGreaterThan(SLICE / 2);
    expect(first).toBeLessThanOrEqual(SLICE + 256_000); // SPEC §8: overshoot ≤ 256 KB at line rate
    await tower.sweep(); // counters read: the slice is used; the server is asked again
    await tower.sweep();
    expect(await net!.download(client, 500_000, 10)).toBe(500_000);
  }, 60_000);
});
