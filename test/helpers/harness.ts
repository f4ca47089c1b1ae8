/**
 * A whole Portico in one process for scenario tests: in-memory SQLite, the simulated gateway (explicit
 * clients only), a fake clock, and the Hono app called through app.request() with the caller's address
 * as the socket peer — exactly how @hono/node-server hands it to the app.
 */
import type { ConfigInput } from '../../src/config/schema.js';
import { formatCode } from '../../src/domain/code.js';
import type { Plan } from '../../src/domain/plan.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { fakeClock } from '../../src/lib/clock.js';
import { createTestPortico } from './portico.js';

export const GATEWAY_IP = '10.0.0.1';

export async function harness(config: ConfigInput = {}) {
  const network = new SimulatedNetwork(false);
  const driver = createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 });
  const clock = fakeClock();
  const { config: cfg, store, core, app } = await createTestPortico({ config: { portalUrl: 'https://portal.example.net/', ...config }, driver, network, clock });
  let nextHost = 10;

  /** A phone on the LAN: its own address and MAC. */
  function device(ip = `10.0.0.${nextHost++}`, mac?: string) {
    network.setMac(ip, mac ?? `02:00:00:00:00:${(nextHost % 256).toString(16).padStart(2, '0')}`);
    const env = { incoming: { socket: { remoteAddress: `::ffff:${ip}`, localAddress: GATEWAY_IP } } };
    const request = (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('host')) headers.set('host', 'portal.example.net');
      return app.request(path, { ...init, headers }, env);
    };
    return {
      ip,
      get mac() {
        return network.macFor(ip);
      },
      setMac: (m: string) => network.setMac(ip, m),
      request,
      get: (path: string, headers: Record<string, string> = {}) => request(path, { headers }),
      post: (path: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
        request(path, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
      login: (code: string, extra: Record<string, string> = {}, headers: Record<string, string> = {}) =>
        request('/login', { method: 'POST', body: new URLSearchParams({ code, ...extra }), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
      online: () => network.allowed(ip),
      download: (bytes: number) => network.transfer(ip, bytes, 0).down,
    };
  }

  function vouchers(count: number, plan: Partial<Plan> = { durationSec: 3600 }, extra: { note?: string; price?: number } = {}) {
    const { batch, vouchers: list } = core.createBatch({ count, plan, ...extra }, { type: 'system' });
    return { batch, codes: list.map((v) => formatCode(v.code)), ids: list.map((v) => v.id) };
  }

  return { config: cfg, clock, store, network, driver, core, app, device, vouchers, sweep: () => core.accounting.sweep() };
}

export type Harness = Awaited<ReturnType<typeof harness>>;
