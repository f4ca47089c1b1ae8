/**
 * Per-NAS figures (issue 18 point 6: "/metrics counts requests by result and NAS"): the server's stats
 * keep outcomes, drops and the last packet per configured NAS, and GET /metrics exposes them as
 * portico_radius_nas_* series beside the totals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricsRoutes } from '../../src/http/metrics.js';
import { silentLogger } from '../../src/lib/log.js';
import { Code } from '../../src/radius/index.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst } from './nas-peer.js';

const SECRET = 'metrics-nas-secret-24-chars';
let h: Harness;
let server: RadiusServer;

describe('RADIUS figures per NAS', () => {
  beforeAll(async () => {
    h = await harness();
    server = createRadiusServer({
      config: {
        enabled: true, host: '127.0.0.1', authPort: 0, acctPort: 0, interimIntervalSec: 60, sliceMinBytes: 1e6, sliceMaxBytes: 1e9,
        nas: [
          { name: 'tower-1', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: 0, requireMessageAuthenticator: true },
          { name: 'school', address: '127.0.0.4', secret: SECRET, profile: 'coovachilli', coaPort: 0, requireMessageAuthenticator: true },
        ],
      },
      core: h.core, clock: h.clock, log: silentLogger, translate: (c) => c,
    });
    await server.start();
  });
  afterAll(async () => server?.stop());

  it('counts outcomes and drops by NAS and exposes them on /metrics', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const [ok] = await burst(server.ports().auth, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!]]]);
    expect(ok?.code).toBe(Code.AccessAccept);
    await burst(server.ports().auth, 'a-wrong-secret-of-24-chars', [[['User-Name', 'x'], ['User-Password', 'x']]], 300, '127.0.0.4');
    const s = server.stats();
    expect(s.byNas['tower-1']).toMatchObject({ received: 1, outcomes: { ACCEPT: 1 } });
    expect(s.byNas.school!.received).toBe(1);
    expect(Object.values(s.byNas.school!.dropped).reduce((a, b) => a + b, 0)).toBe(1);

    const snapshot = { logins: 0, topUps: 0, failures: {}, bytes: 0, sweepMs: 0, sweeps: 0, sweepMsSum: 0, devicesOnline: 0 };
    const app = metricsRoutes({ core: h.core, config: h.config, log: silentLogger }, { metrics: { snapshot: () => snapshot }, radiusStats: () => server.stats() });
    const text = await (await app.request('/metrics', {}, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })).text();
    expect(text).toContain('portico_radius_nas_requests_total{nas="tower-1",outcome="ACCEPT"} 1');
    expect(text).toMatch(/portico_radius_nas_dropped_total\{nas="school",reason="[A-Z_]+"\} 1/);
    expect(text).toMatch(/portico_radius_nas_last_packet_seconds\{nas="tower-1"\} [1-9]\d+/);
    expect(text).toContain('portico_radius_requests_total{outcome="ACCEPT"} 1');
  });
});
