/**
 * The gateway driver contract: one suite that every driver passes (simulated, nftables in network
 * namespaces, routeros against the RouterOS API simulator), the way Hono's common.case.test.ts runs
 * against every router. A driver's test file supplies a harness and calls `runDriverContract`.
 *
 * What the harness provides is observed from outside the driver: whether a client's traffic passes, and
 * how many bytes a transfer really moved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayDriver, PoolLimits } from '../../src/gateway/driver.js';

export interface ContractClient {
  ip: string;
  mac: string;
}

export interface DriverHarness {
  /** A driver bound to the harness's gateway; each call is a fresh instance (a Portico restart). */
  create(): Promise<GatewayDriver>;
  /** At least two clients the gateway can see. */
  clients: ContractClient[];
  /** An address the gateway has never seen. */
  unknownIp: string;
  /** Whether traffic from the client passes the gateway right now. */
  canReach(client: ContractClient): Promise<boolean>;
  /** Tries to download `bytes` to the client; resolves with the bytes that arrived. */
  download(client: ContractClient, bytes: number): Promise<number>;
  /** Measured download rate (bits/s) for the client over a short transfer, if the harness can tell. */
  measureDownBps?(client: ContractClient): Promise<number>;
  /** Bytes a quota may overshoot by on this gateway (kernel batching, packet sizes). */
  quotaSlack: number;
  cleanup(): Promise<void>;
}

let seq = 0;
const uid = (p: string) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;
const pool = (over: Partial<PoolLimits> = {}): PoolLimits => ({ id: uid('p'), downBps: null, upBps: null, bytesRemaining: null, ...over });

export function runDriverContract(name: string, makeHarness: () => Promise<DriverHarness>): void {
  describe(`gateway driver contract: ${name}`, () => {
    let h: DriverHarness;
    let driver: GatewayDriver;
    let a: ContractClient;
    let b: ContractClient;

    beforeAll(async () => {
      h = await makeHarness();
      [a, b] = h.clients as [ContractClient, ContractClient];
      driver = await h.create();
      await driver.start();
      await driver.start(); // idempotent
    });
    afterAll(async () => {
      await driver?.stop();
      await h?.cleanup();
    });

    it('maps a client address to its MAC, and an unknown address to null', async () => {
      expect(await driver.lookupClient(a.ip)).toMatchObject({ mac: a.mac, ip: a.ip });
      expect(await driver.lookupClient(h.unknownIp)).toBeNull();
      expect(driver.health().ok).toBe(true);
    });

    it('blocks unauthorized clients, passes authorized ones at once, blocks them again on deauthorize', async () => {
      expect(await h.canReach(a)).toBe(false);
      const p = pool();
      await driver.setPool(p);
      const id = uid('d');
      await driver.authorize({ deviceId: id, poolId: p.id, mac: a.mac, ips: [a.ip] });
      expect(await h.canReach(a)).toBe(true);
      expect(await h.canReach(b)).toBe(false);
      // The driver counts the device under the id it was authorized with, and only that device.
      expect((await driver.readCounters()).map((c) => c.deviceId)).toEqual([id]);
      await driver.deauthorize(id);
      expect(await h.canReach(a)).toBe(false);
      expect(await driver.readCounters()).toEqual([]);
      await driver.removePool(p.id);
    });

    it('removePool cuts every device still on the pool (a logout of its last device relies on it)', async () => {
      const p = pool();
      await driver.setPool(p);
      const id = uid('d');
      await driver.authorize({ deviceId: id, poolId: p.id, mac: a.mac, ips: [a.ip] });
      expect(await h.canReach(a)).toBe(true);
      await driver.removePool(p.id);
      expect(await h.canReach(a)).toBe(false);
      expect(await driver.readCounters()).toEqual([]);
    });

    it('counts bytes per device, cumulatively, in one call', async () => {
      const p = pool();
      await driver.setPool(p);
      const id = uid('d');
      await driver.authorize({ deviceId: id, poolId: p.id, mac: a.mac, ips: [a.ip] });
      const got = await h.download(a, 200_000);
      expect(got).toBe(200_000);
      const c1 = (await driver.readCounters()).find((c) => c.deviceId === id)!;
      expect(c1.bytesDown).toBeGreaterThanOrEqual(200_000);
      await h.download(a, 100_000);
      const c2 = (await driver.readCounters()).find((c) => c.deviceId === id)!;
      expect(c2.bytesDown).toBeGreaterThanOrEqual(c1.bytesDown + 100_000);
      await driver.deauthorize(id);
      expect((await driver.readCounters()).find((c) => c.deviceId === id)).toBeUndefined();
      await driver.removePool(p.id);
    });

    it('cuts a pool off at its remaining bytes, shared by all its devices', async () => {
      const quota = 1_000_000;
      const p = pool({ bytesRemaining: quota });
      await driver.setPool(p);
      const da = uid('d');
      const db = uid('d');
      await driver.authorize({ deviceId: da, poolId: p.id, mac: a.mac, ips: [a.ip] });
      await driver.authorize({ deviceId: db, poolId: p.id, mac: b.mac, ips: [b.ip] });
      const first = await h.download(a, 600_000);
      expect(first).toBe(600_000);
      const second = await h.download(b, 2_000_000);
      expect(first + second).toBeLessThanOrEqual(quota + h.quotaSlack);
      expect(first + second).toBeGreaterThanOrEqual(quota - h.quotaSlack);
      expect(await h.download(a, 100_000)).toBeLessThanOrEqual(h.quotaSlack);
      // A top-up: new remaining bytes, counted from now.
      await driver.setPool({ ...p, bytesRemaining: 500_000 });
      expect(await h.download(a, 300_000)).toBe(300_000);
      await driver.deauthorize(da);
      await driver.deauthorize(db);
      await driver.removePool(p.id);
    });

    it('limits the download rate per device', async (ctx) => {
      if (!h.measureDownBps) return ctx.skip();
      const p = pool({ downBps: 2_000_000, upBps: 1_000_000 });
      await driver.setPool(p);
      const id = uid('d');
      await driver.authorize({ deviceId: id, poolId: p.id, mac: a.mac, ips: [a.ip] });
      const bps = await h.measureDownBps(a);
      expect(bps).toBeLessThan(2_000_000 * 1.3);
      expect(bps).toBeGreaterThan(2_000_000 * 0.5);
      await driver.deauthorize(id);
      await driver.removePool(p.id);
    });

    it('survives a restart without cutting devices, and reconciles to the stored state', async () => {
      const p = pool({ bytesRemaining: 50_000_000 });
      await driver.setPool(p);
      const id = uid('d');
      const grant = { deviceId: id, poolId: p.id, mac: a.mac, ips: [a.ip] };
      await driver.authorize(grant);
      await h.download(a, 100_000);
      const before = (await driver.readCounters()).find((c) => c.deviceId === id)!;

      await driver.stop();
      driver = await h.create();
      await driver.start();
      expect(await h.canReach(a)).toBe(true); // start never flushes

      await driver.reconcile({ pools: [p], devices: [grant] });
      expect(await h.canReach(a)).toBe(true);
      const after = (await driver.readCounters()).find((c) => c.deviceId === id)!;
      expect(after.bytesDown).toBeGreaterThanOrEqual(before.bytesDown); // counters kept

      await driver.reconcile({ pools: [], devices: [] });
      expect(await h.canReach(a)).toBe(false);
      expect(await driver.readCounters()).toEqual([]);
    });

    it('treats deauthorizing an unknown device as done', async () => {
      await expect(driver.deauthorize('d-never-seen')).resolves.toBeUndefined();
    });
  });
}
