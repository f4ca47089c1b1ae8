/**
 * A whole Portico listening on a real loopback port, in this process: temp data dir, the simulated
 * gateway generating traffic (so quotas count down live), the accounting timer, and the production
 * composition (src/server.ts: the same listeners, interception and WebSocket hub as `portico serve`,
 * minus signals). Used by the WebSocket tests, the Chromium tests and `npm run screenshots`.
 *
 * @example
 *   const s = await liveServer({ pollMs: 200 });
 *   await fetch(s.url + 'status');
 *   await s.close();
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { formatCode } from '../../src/domain/code.js';
import type { Plan } from '../../src/domain/plan.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import type { WsHubOptions } from '../../src/http/ws-hub.js';
import { silentLogger } from '../../src/lib/log.js';
import { createServer } from '../../src/server.js';
import { freePort } from '../helpers/free-port.js';


/** Real time plus an offset the test can jump forward (expiry without waiting an hour). */
export function skewClock() {
  let offset = 0;
  return { now: () => Date.now() + offset, jump: (ms: number) => void (offset += ms) };
}

export interface LiveServerOptions {
  pollMs?: number;
  /** Simulated use per device, bits/s (0: no generated traffic). */
  downBps?: number;
  upBps?: number;
  hub?: WsHubOptions;
  config?: ConfigInput;
  /**
   * Leave the first start's one-time admin password to be changed at the first sign-in (the console's
   * first-run test). By default the admin has already chosen it (the same password), so tests sign in
   * straight to the console.
   */
  firstRun?: boolean;
}

export async function liveServer(opts: LiveServerOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'portico-ui-'));
  const port = await freePort();
  const config = parseConfig({
    dataDir,
    listen: { host: '127.0.0.1', port },
    accounting: { pollMs: opts.pollMs ?? 250, intervalMs: 1000 },
    network: { name: 'Barrio Wi-Fi', ssid: 'barrio-free' },
    log: { level: 'silent' },
    ...opts.config,
  });
  const network = new SimulatedNetwork(true);
  const driver = createSimulatedDriver({ network, downBps: opts.downBps ?? 3_000_000, upBps: opts.upBps ?? 500_000, tickMs: opts.downBps === 0 ? 0 : 100 });
  const clock = skewClock();
  const server = createServer({ config, log: silentLogger, driver, clock, ...(opts.hub ? { hub: opts.hub } : {}) });
  const { admin } = await server.start();
  const rt = server.runtime;
  if (admin && !opts.firstRun) await rt.core.admin.changePassword(rt.store.operators.findByName('admin')!, admin.password, admin.password, '');
  const hub = server.listeners.hub;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    port,
    config,
    rt,
    core: rt.core,
    network,
    driver,
    hub,
    /** Moves Portico's clock forward (the simulated traffic keeps real time). */
    jump: clock.jump,
    adminPassword: admin!.password,
    /** Vouchers made as the command line would (no seller). */
    vouchers(count: number, plan: Partial<Plan> = { durationSec: 3600, dataBytes: 1e9 }, extra: { note?: string; price?: number } = {}) {
      const r = rt.core.createBatch({ count, plan, ...extra }, { type: 'system' });
      return { batch: r.batch, codes: r.vouchers.map((v) => formatCode(v.code)), ids: r.vouchers.map((v) => v.id) };
    },
    async close(): Promise<void> {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type LiveServer = Awaited<ReturnType<typeof liveServer>>;

/** Another device logs in over plain HTTP from its own loopback address; resolves with the status. */
export function deviceLogin(s: Pick<LiveServer, 'port'>, from: string, code: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams({ code }).toString();
    const req = request({ host: '127.0.0.1', port: s.port, path: '/login', method: 'POST', localAddress: from, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
