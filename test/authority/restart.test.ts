/**
 * Issue 12 item 3: accounting is durable and the session id stable across a restart. A gateway Portico
 * counts usage while the central Portico is down (the Interim-Update waits in the spool), then crashes.
 * The central comes back; the gateway starts again from the same dataDir and database: the spool is
 * replayed, the device is still online with the same Acct-Session-Id, its next Interim-Update and Stop
 * carry the same counters, and the central ledger counts every byte exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCode } from '../../src/domain/code.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { fakeClock } from '../../src/lib/clock.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { createTestPortico } from '../helpers/portico.js';
import { startTestRadius } from '../radius/nas-peer.js';
import { startGateway, type Gateway } from './gateway.js';

const SECRET = 'gateway-to-central-secret-24';
const MB = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'portico-restart-'));
let radius: RadiusServer | null = null;
const gateways: Gateway[] = [];

afterAll(async () => {
  for (const g of gateways) await g.stop({ keep: true }).catch(() => {});
  await radius?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a gateway restart', () => {
  it('replays spooled accounting once, keeps the device online and its Acct-Session-Id', async () => {
    const clock = fakeClock();
    const central = await createTestPortico({ clock });
    const start = async (ports?: { auth: number; acct: number }) => {
      radius = await startTestRadius({
        core: central.core, clock, nas: [{ name: 'towers', secret: SECRET, profile: 'portico' }], sliceMinBytes: MB, sliceMaxBytes: 50 * MB,
        ...(ports ? { authPort: ports.auth, acctPort: ports.acct } : {}),
      });
      return radius.ports();
    };
    const ports = await start();
    const network = new SimulatedNetwork(false);
    const opts = { clock, network, dataDir: join(dir, 'data'), dbFile: join(dir, 'gateway.db'), servers: [{ host: '127.0.0.1', authPort: ports.auth, acctPort: ports.acct, secret: SECRET }] };
    const first = await startGateway(opts);
    gateways.push(first);

    const { vouchers } = central.core.createBatch({ count: 1, plan: { durationSec: 7200, dataBytes: 100 * MB } }, { type: 'system' });
    network.setMac('10.0.0.5', '02:00:00:00:0a:05');
    const { deviceId, entitlementId } = await first.core.login({ ip: '10.0.0.5', code: formatCode(vouchers[0]!.code) });
    const pool = central.store.vouchers.get(vouchers[0]!.id)!.entitlementId!;
    network.transfer('10.0.0.5', 2 * MB, 0);
    clock.advance(61_000);
    await first.sweep();
    expect(central.store.entitlements.get(pool)!.usedBytes).toBe(2 * MB);

    await radius!.stop();
    network.transfer('10.0.0.5', MB, 0);
    clock.advance(61_000);
    await first.core.accounting.sweep();
    await new Promise((r) => setImmediate(r));
    expect(first.remote.accounting!.pending()).toBeGreaterThan(0);
    await first.crash();

    await start(ports);
    const second = await startGateway(opts);
    gateways.push(second);
    await second.remote.accounting!.flush();
    expect(second.remote.accounting!.pending()).toBe(0);
    expect(central.store.entitlements.get(pool)!.usedBytes).toBe(3 * MB);
    // Still online through the restart, as the same session.
    expect(network.allowed('10.0.0.5')).toBe(true);
    expect(second.store.entitlements.getDevice(deviceId)!.active).toBe(true);
    expect(central.store.radiusSessions.activeOfPool(pool).map((s) => s.acctSessionId)).toEqual([deviceId]);

    network.transfer('10.0.0.5', MB, 0);
    clock.advance(61_000);
    await second.sweep();
    await second.core.logout({ ip: '10.0.0.5' });
    await new Promise((r) => setImmediate(r));
    await second.remote.accounting!.flush();
    expect(central.store.entitlements.get(pool)!.usedBytes).toBe(4 * MB);
    expect(central.store.radiusSessions.activeOfPool(pool)).toHaveLength(0);
    expect(second.store.entitlements.get(entitlementId)!.status).toBe('active');
  });
});
