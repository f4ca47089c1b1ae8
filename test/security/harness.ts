/**
 * An in-process Portico for the security, fault and soak tests: an in-memory (or file) SQLite store, the
 * simulated gateway, a fake clock and the real Hono app. Requests carry the TCP peer address the way
 * @hono/node-server passes it, because the socket — never a header — says who a client is (SPEC §5).
 *
 * @example
 *   const h = await harness();
 *   const [code] = h.vouchers(1);
 *   const res = await h.post('10.0.0.5', '/login', { code });
 */
import type { ConfigInput } from '../../src/config/schema.js';
import type { Plan } from '../../src/domain/plan.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { fakeClock } from '../../src/lib/clock.js';
import { createLogger, type Logger } from '../../src/lib/log.js';
import { createTestPortico } from '../helpers/portico.js';

export interface HarnessOptions {
  config?: ConfigInput;
  /** Database file; ':memory:' by default. */
  dbFile?: string;
  /** Every address is a client (true), or only those given a MAC with network.setMac (false). */
  autoClients?: boolean;
  log?: Logger;
  /** Wraps the simulated driver (fault injection through the interface, no module mocking). */
  wrapDriver?: (d: GatewayDriver) => GatewayDriver;
}

export type Harness = Awaited<ReturnType<typeof harness>>;

/** A deterministic random source (xorshift32) for generators that must replay the same sequence. */
export function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {
    next,
    int: (n: number) => next() % n,
    pick: <T>(xs: readonly T[]) => xs[next() % xs.length]!,
    bytes: (n: number) => Uint8Array.from({ length: n }, () => next() & 255),
  };
}

export async function harness(opts: HarnessOptions = {}) {
  const log = opts.log ?? createLogger('silent');
  const clock = fakeClock();
  const network = new SimulatedNetwork(opts.autoClients ?? true);
  const driver = createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 });
  const { config, store, core, app } = await createTestPortico({
    config: opts.config ?? {}, log, clock, network, ...(opts.dbFile ? { dbFile: opts.dbFile } : {}),
    driver: opts.wrapDriver ? opts.wrapDriver(driver) : driver,
  });

  const env = (ip: string) => ({ incoming: { socket: { remoteAddress: ip, localAddress: '10.0.0.1' } } });
  /** A request from `ip`; Host is the portal's address unless the test sends its own. */
  const request = (ip: string, path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('host')) headers.set('host', '10.0.0.1:8080');
    return app.request(`http://10.0.0.1:8080${path}`, { ...init, headers }, env(ip));
  };

  return {
    app,
    core,
    store,
    driver,
    network,
    clock,
    config,
    request,
    get: (ip: string, path: string, headers: Record<string, string> = {}) => request(ip, path, { headers }),
    /** POSTs a form (or JSON with `json: true`) and asks for the JSON envelope. */
    post(ip: string, path: string, fields: Record<string, string>, o: { json?: boolean; headers?: Record<string, string> } = {}) {
      const body = o.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
      const type = o.json ? 'application/json' : 'application/x-www-form-urlencoded';
      return request(ip, path, { method: 'POST', body, headers: { 'content-type': type, accept: 'application/json', ...o.headers } });
    },
    /** Creates `n` unused vouchers and returns their codes. */
    vouchers(n: number, plan: Partial<Plan> = { durationSec: 3600 }): string[] {
      return core.createBatch({ count: n, plan }, { type: 'system' }).vouchers.map((v) => v.code);
    },
    /** Row counts of every table: "nothing written" is checked by comparing two of these. */
    counts(): Record<string, number> {
      const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
      return Object.fromEntries(tables.map(({ name }) => [name, (store.db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]));
    },
    async close() {
      await core.stop();
      await driver.stop();
      store.close();
    },
  };
}
