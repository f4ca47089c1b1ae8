/**
 * createTestPortico: one Portico in this process for a test — a store (in memory unless a file is
 * given), a driver (the simulated one unless the test brings its own: a RouterOS lab, a wrapped driver
 * that fails on cue), core wired by src/runtime.ts composeCore (the production wiring), started without
 * timers, and the Hono app for `app.request()`. The scenario harnesses build on it.
 *
 * @example
 *   const p = await createTestPortico({ config: { accounting: { intervalMs: 60_000 } } });
 *   await p.core.login({ ip: '10.0.0.5', code });
 */
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { CoreDeps } from '../../src/core/context.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { fakeClock, type Clock } from '../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../src/lib/log.js';
import { composeCore } from '../../src/runtime.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import { createStore, type SqliteStore, type Store } from '../../src/store/index.js';

export interface TestPorticoOptions<D extends GatewayDriver> {
  config?: ConfigInput;
  /** A database file (a restart test reopens it); `:memory:` by default. */
  dbFile?: string;
  /** Wraps the raw handle (a RAM journal, a fault injector) before the store takes it. */
  wrapDb?: (db: Db) => Db;
  /** The driver; by default the simulated one over `network` (explicit clients unless autoClients). */
  driver?: D;
  network?: SimulatedNetwork;
  autoClients?: boolean;
  clock?: Clock;
  log?: Logger;
  /** Another authority than the local ledger (core/ports/authority.ts). */
  authority?: CoreDeps['createAuthority'];
  /**
   * A store the test opened itself (a PostgreSQL store shared with another instance: test/postgres);
   * `dbFile` and `wrapDb` are then unused, and `store.db` is not a SQLite handle.
   */
  store?: Store;
}

export async function createTestPortico<D extends GatewayDriver = GatewayDriver>(opts: TestPorticoOptions<D> = {}) {
  const config = parseConfig({ log: { level: 'silent' }, ...opts.config });
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? fakeClock();
  const store: SqliteStore = (opts.store as SqliteStore | undefined) ?? sqliteStore(opts);
  const network = opts.network ?? new SimulatedNetwork(opts.autoClients ?? false);
  const driver = opts.driver ?? createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 });
  await driver.start();
  const core = composeCore({ config, store, driver, clock, log, ...(opts.authority ? { createAuthority: opts.authority } : {}) });
  await core.start({ timer: false });
  const app = createApp({ core, config, log });
  return { config, clock, store, network, driver: driver as D, core, app, log };
}

function sqliteStore(opts: { dbFile?: string; wrapDb?: (db: Db) => Db }): SqliteStore {
  const raw = openDatabase(opts.dbFile ?? ':memory:');
  return createStore(opts.wrapDb ? opts.wrapDb(raw) : raw);
}

export type TestPortico = Awaited<ReturnType<typeof createTestPortico>>;
