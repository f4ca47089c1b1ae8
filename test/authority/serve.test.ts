/**
 * The production composition (src/server.ts, as `portico serve` runs it) on both sides: a central
 * Portico with its RADIUS server and one tower as NAS (profile `portico`, its DAS port), and a gateway
 * Portico with `authority.kind: radius` and its DAS listener. A resident logs in over HTTP at the tower;
 * the operator revokes the code at the central; the central's Disconnect-Request reaches the tower's
 * DAS and the device is cut there.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceLogin, liveServer, type LiveServer } from '../ui/live-server.js';
import { freeUdpPorts } from '../radius/freeradius.js';

const SECRET = 'tower-and-central-secret-24';
/** A GET from a device's own loopback address: status and body. */
function get(s: LiveServer, from: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: s.port, path, localAddress: from, headers: { host: `127.0.0.1:${s.port}` } }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let central: LiveServer;
let tower: LiveServer;

beforeAll(async () => {
  const [auth, acct, das] = (await freeUdpPorts(3)) as [number, number, number];
  central = await liveServer({
    downBps: 0,
    config: { radius: { server: { enabled: true, host: '127.0.0.1', authPort: auth, acctPort: acct, nas: [{ name: 'tower', address: '127.0.0.1', secret: SECRET, profile: 'portico', coaPort: das }] } } },
  });
  tower = await liveServer({
    downBps: 0,
    config: { authority: { kind: 'radius', radius: { servers: [{ host: '127.0.0.1', authPort: auth, acctPort: acct, secret: SECRET }], nasIdentifier: 'tower', das: { host: '127.0.0.1', port: das } } } },
  });
}, 30_000);

afterAll(async () => {
  await tower?.close();
  await central?.close();
});

describe('portico serve: a tower and a central Portico', () => {
  it('a login at the tower is granted by the central; a revoke at the central cuts the device at the tower', async () => {
    const { codes, ids } = central.vouchers(1, { durationSec: 3600, dataBytes: 100_000_000 });
    expect(await deviceLogin(tower, '127.0.0.5', codes[0]!)).toBe(303);
    expect(tower.network.allowed('127.0.0.5')).toBe(true);
    // The tower's own views read the local rows the Accept left: RFC 8908 API and the status page.
    const captive = JSON.parse((await get(tower, '127.0.0.5', '/api/captive')).body) as Record<string, unknown>;
    expect(captive.captive).toBe(false);
    expect(captive['seconds-remaining']).toBeGreaterThan(3500);
    expect(captive['bytes-remaining']).toBeGreaterThan(0);
    expect((await get(tower, '127.0.0.5', '/status')).status).toBe(200);
    const poolId = central.rt.store.vouchers.get(ids[0]!)!.entitlementId!;
    // The tower's Accounting Start tells the central which Acct-Session-Id to name in its Disconnect.
    for (let i = 0; i < 50 && !central.rt.store.radiusSessions.activeOfPool(poolId)[0]?.acctSessionId; i++) await new Promise((r) => setTimeout(r, 50));
    await central.core.revokeVoucher(ids[0]!, 'refund', { type: 'system' });
    for (let i = 0; i < 60 && tower.network.allowed('127.0.0.5'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(tower.network.allowed('127.0.0.5')).toBe(false);
    expect(tower.rt.authority!.das!.stats().acked).toBe(1);
    // GET /metrics (from the gateway itself) tells the operator how the central link is doing.
    const metrics = (await get(tower, '127.0.0.1', '/metrics')).body;
    expect(metrics).toMatch(/^portico_authority_server_up\{server="127\.0\.0\.1:\d+"\} 1$/m);
    expect(metrics).toMatch(/^portico_authority_das_answers_total\{answer="ack"\} 1$/m);
    expect(metrics).toMatch(/^portico_authority_accounting_waiting \d+$/m);
  });
});
