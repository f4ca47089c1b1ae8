/**
 * A pool shared by a device behind the local gateway and a session behind a NAS (core/radius-reserve.ts):
 * the NAS session's slice is a reservation, so the local gateway's quota is what is left minus what
 * live RADIUS sessions hold — not the whole remainder, or both could spend the same bytes. Observed on
 * the simulated gateway: the quota it is given, and what a local download actually gets through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, get } from '../../src/radius/index.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst, startTestRadius } from './nas-peer.js';

const SECRET = 'local-share-secret-24-chars';
const MB = 1_000_000;
let h: Harness;
let server: RadiusServer;
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('local gateway devices and RADIUS slices share one pool', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: h.core, clock: h.clock, sliceMinBytes: MB, sliceMaxBytes: 1000 * MB,
      nas: [{ name: 'mk', secret: SECRET, profile: 'mikrotik' }],
    });
  });
  afterAll(async () => server?.stop());

  it('the local quota is the unreserved part; a Stop gives the rest back; together they never pass more than the pool', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    const phone = h.device();
    expect((await phone.login(codes[0]!)).status).toBe(303);
    const [accept] = await burst(server.ports().auth, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', 'AA:BB:CC:70:00:01']]]);
    expect(accept?.code).toBe(Code.AccessAccept);
    const granted = get(accept!, 'Mikrotik-Total-Limit')!;
    expect(granted).toBe(50 * MB); // an equal share: the local device counts
    const cls = get(accept!, 'Class')!;
    const pool = h.store.radiusSessions.get(cls.toString('utf8'))!.entitlementId;
    await tick();
    expect(h.network.pools.get(pool)!.limits.bytesRemaining).toBe(50 * MB);

    // The local device tries to download 80 MB: the gateway lets 50 MB through, the NAS session's 50 MB stay reserved.
    expect(phone.download(80 * MB)).toBe(50 * MB);
    await h.sweep();
    // The NAS session used 30 MB of its slice and stops: 20 MB are free again, and the local quota grows by them.
    const [stop] = await burst(server.ports().acct, SECRET, [[['Acct-Status-Type', 2], ['Acct-Session-Id', 'L1'], ['Class', cls], ['Acct-Output-Octets', 30 * MB]]], 1500, '127.0.0.1', Code.AccountingRequest);
    expect(stop?.code).toBe(Code.AccountingResponse);
    await tick();
    expect(h.network.pools.get(pool)!.limits.bytesRemaining).toBe(20 * MB);
    expect(phone.download(80 * MB)).toBe(20 * MB);
    await h.sweep();
    expect(h.store.entitlements.get(pool)!.usedBytes).toBeLessThanOrEqual(100 * MB);
  });

  it('a first local device on a driver that brings pool and device on in one step gets the unreserved part too', async () => {
    // The nftables driver's authorizeWithPool (one nft batch), here on the simulated gateway.
    const setPool = h.driver.setPool.bind(h.driver);
    const authorize = h.driver.authorizeWithPool;
    const together: string[] = [];
    h.driver.authorizeWithPool = async (limits, grant) => {
      together.push(grant.deviceId);
      await setPool(limits);
      await h.driver.authorize(grant);
    };
    try {
      const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
      // The NAS session comes first: the pool has no local device yet when the phone logs in.
      const [accept] = await burst(server.ports().auth, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', 'AA:BB:CC:70:00:02']]]);
      expect(accept?.code).toBe(Code.AccessAccept);
      const held = get(accept!, 'Mikrotik-Total-Limit')!;
      expect(held).toBeGreaterThan(0);
      const pool = h.store.radiusSessions.get(get(accept!, 'Class')!.toString('utf8'))!.entitlementId;
      const phone = h.device();
      expect((await phone.login(codes[0]!)).status).toBe(303);
      expect(together).toHaveLength(1);
      expect(h.network.pools.get(pool)!.limits.bytesRemaining).toBe(100 * MB - held);
    } finally {
      h.driver.authorizeWithPool = authorize;
    }
  });

  it('a batch of Access-Requests reads its codes in one statement and its vouchers in one more, and no pool devices after a first use', async () => {
    const { codes } = h.vouchers(3, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    const v = h.store.vouchers;
    const saved = { get: v.get, findByCode: v.findByCode, getMany: v.getMany, findManyByCode: v.findManyByCode, devices: h.store.entitlements.activeDevices };
    const reads: string[] = [];
    v.get = (id) => (reads.push('voucher'), saved.get.call(v, id));
    v.findByCode = (c) => (reads.push('code'), saved.findByCode.call(v, c));
    v.getMany = (ids) => (reads.push(`vouchers ×${ids.length}`), saved.getMany.call(v, ids));
    v.findManyByCode = (cs) => (reads.push(`codes ×${cs.length}`), saved.findManyByCode.call(v, cs));
    h.store.entitlements.activeDevices = (id) => (reads.push('devices'), saved.devices.call(h.store.entitlements, id));
    try {
      // The group-committing path a busy RADIUS listener uses (serve-radius.ts): one batch. The first
      // code comes twice (two devices of one household): the second request reads its voucher as the
      // first left it, and joins the pool the first made.
      const batch = h.core.radius.batcher();
      const asks = [codes[0]!, codes[1]!, codes[2]!, codes[0]!];
      const grants = await Promise.all(asks.map((code, i) => batch.authorize({ nas: 'mk', code, mac: `AA:BB:CC:70:01:0${i}`, ip: null, interimSec: 60 })));
      expect(grants.map((g) => g.firstUse)).toEqual([true, true, true, false]);
      expect(grants[3]!.entitlementId).toBe(grants[0]!.entitlementId);
      expect(reads).toEqual(['codes ×4', 'vouchers ×4', 'voucher', 'devices']);
    } finally {
      Object.assign(v, { get: saved.get, findByCode: saved.findByCode, getMany: saved.getMany, findManyByCode: saved.findManyByCode });
      h.store.entitlements.activeDevices = saved.devices;
    }
  });
});
