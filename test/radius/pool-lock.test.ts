/**
 * A RADIUS grant takes the same locks as a portal login (voucher, then pool): two codes of one pool,
 * one typed at a NAS and one at the portal, cannot both take the pool's last device slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { hasRadclient, MA, radclient, startTestRadius } from './nas-peer.js';

const SECRET = 'pool-lock-test-secret-24c';
let h: Harness;
let server: RadiusServer;

describe.skipIf(!hasRadclient)('RADIUS and portal share the pool lock', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: h.core, clock: h.clock, sliceMinBytes: 1e6, sliceMaxBytes: 2e7,
      nas: [{ name: 'mk', secret: SECRET, profile: 'mikrotik' }],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('a portal login and an Access-Request of two codes of a one-device pool: exactly one gets in', async () => {
    const { codes } = h.vouchers(2, { durationSec: 3600, devices: 1 });
    // Code 2 becomes a top-up of code 1's pool; then the pool has no device.
    const first = h.device();
    expect((await first.login(codes[0]!)).status).toBe(303);
    expect((await first.post('/topup', { code: codes[1]! })).status).toBeLessThan(400);
    await h.core.logout({ ip: first.ip });
    // The portal login is slow at the gateway, so without the pool lock the NAS's grant lands inside it.
    const authorize = h.driver.authorize.bind(h.driver);
    h.driver.authorize = async (g) => {
      await new Promise((r) => setTimeout(r, 300));
      return authorize(g);
    };
    const phone = h.device();
    const portal = phone.login(codes[0]!, {}, { accept: 'application/json' });
    await new Promise((r) => setTimeout(r, 50));
    const nas = radclient(server.ports().auth, 'auth', `User-Name = "${codes[1]}", User-Password = "${codes[1]}", Calling-Station-Id = "AA:BB:CC:70:00:01", ${MA}`, SECRET);
    const [p, r] = await Promise.all([portal, nas]);
    const portalIn = p.status === 200;
    const nasIn = /Received Access-Accept/.test(r);
    expect([portalIn, nasIn].filter(Boolean)).toHaveLength(1);
  });
});
