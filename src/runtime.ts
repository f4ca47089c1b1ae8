/**
 * Builds the running pieces from a config (database, migrations, driver, core) without listening or
 * installing signal handlers: shared by `portico serve`, the CLI commands and the end-to-end tests.
 * main.ts adds the side effects (listeners, signals, timers).
 *
 * @example
 *   const rt = await openRuntime(config, { log });
 *   rt.core.createBatch(...);
 *   rt.close();
 */
import { mkdirSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from './config/schema.js';
import type { CoreDeps } from './core/context.js';
import { createCore, type Core } from './core/index.js';
import { createDriver } from './gateway/index.js';
import type { GatewayDriver } from './gateway/driver.js';
import { systemClock, type Clock } from './lib/clock.js';
import { newId } from './lib/ids.js';
import type { Logger } from './lib/log.js';
import { openDatabase } from './store/db.js';
import { createStore, type Store } from './store/index.js';
import type { PgStore } from './store/pg/index.js';
import { relayLive } from './store/pg/live.js';
import { openRamStorage } from './store/snapshot.js';
import { createRemoteAuthority, type RemoteAuthority } from './authority/index.js';
import { recognizer } from './authority/recognize.js';
import { hasMessage, t } from './http/i18n.js';

export interface Runtime {
  config: Config;
  store: Store;
  driver: GatewayDriver;
  core: Core;
  /** RAM mode's snapshots (store/snapshot.ts): `serve` starts them and stops them (last snapshot) on shutdown. */
  storage: { start(): void; stop(): void };
  /** With `authority.kind: radius` (SPEC §10): the RADIUS client, DAS and accounting spool; server.ts starts and stops it. */
  authority: RemoteAuthority | null;
  close(): void;
}

export const randomBytes = (n: number) => randomFillSync(new Uint8Array(n));

/**
 * Core over a store and a driver with the production capabilities (crypto random bytes, ids): the one
 * place core is wired, for `serve`, the CLI, the tests (test/helpers/portico.ts) and the bench.
 */
export function composeCore(deps: { config: Config; store: Store; driver: GatewayDriver; clock: Clock; log: Logger } & Pick<CoreDeps, 'createAuthority'>): Core {
  return createCore({ ...deps, randomBytes, newId });
}

export function databasePath(config: Config): string {
  return join(config.storage.mode === 'ram' ? config.storage.ramDir : config.dataDir, 'portico.db');
}

/**
 * The store `config.storage` names: SQLite (the file in dataDir, or RAM mode with its snapshots), or the
 * shared PostgreSQL ledger (store/pg, loaded only when configured).
 */
export async function openConfiguredStore(config: Config, log: Logger): Promise<{ store: Store; storage: Runtime['storage'] }> {
  if (config.storage.driver === 'postgres') {
    const { openPgStore } = await import('./store/pg/index.js');
    const store = openPgStore({ url: config.storage.postgres.url!, timeoutMs: config.storage.postgres.timeoutMs });
    return { store, storage: { start() {}, stop() {} } };
  }
  const file = databasePath(config);
  mkdirSync(join(file, '..'), { recursive: true });
  const ram =
    config.storage.mode === 'ram'
      ? openRamStorage({ ramFile: file, dataDir: config.dataDir, intervalMs: config.storage.snapshotIntervalMs, log })
      : null;
  const store = ram ? createStore(ram.db) : createStore(openDatabase(file), { deferSync: true });
  return { store, storage: ram ?? { start() {}, stop() {} } };
}

export async function openRuntime(config: Config, opts: { log: Logger; clock?: Clock; driver?: GatewayDriver }): Promise<Runtime> {
  const { store, storage } = await openConfiguredStore(config, opts.log);
  const clock = opts.clock ?? systemClock;
  const driver = opts.driver ?? (await createDriver(config, { log: opts.log, clock }));
  // A central server's Reject carries its portal's sentence: recognized, it shows in the resident's language.
  const authority = config.authority.kind === 'radius' ? createRemoteAuthority(config, { clock, log: opts.log, recognize: recognizer(t, hasMessage) }) : null;
  const core = composeCore({ config, store, driver, clock, log: opts.log, ...(authority ? { createAuthority: authority.createAuthority } : {}) });
  // Several instances on one PostgreSQL: each one's live views also show what the others commit.
  if (isPgStore(store)) relayLive(store, core.bus, opts.log);
  return { config, store, driver, core, storage, authority, close: () => store.close() };
}

const isPgStore = (s: Store): s is PgStore => (s as Partial<PgStore>).engine === 'postgres';
