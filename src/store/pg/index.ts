/**
 * The PostgreSQL store: the same repositories as SQLite (src/store/*-repo.ts) over the PostgreSQL
 * handle (db.ts), for several Portico instances sharing one ledger (SPEC §11). Opening it migrates the
 * database under the advisory lock (migrate.ts). `live` carries committed events between instances
 * (live.ts); `instanceId` tags what this instance published.
 *
 * @example
 *   const store = openPgStore({ url: 'postgres://portico@db.lan/portico', timeoutMs: 5000 });
 */
import type { Store } from '../../core/ports/store.js';
import type { Db } from '../db.js';
import { entitlementRepo } from '../entitlement-repo.js';
import { eventRepo } from '../event-repo.js';
import { operatorRepo } from '../operator-repo.js';
import { radiusSessionRepo } from '../radius-session-repo.js';
import { settingsRepo } from '../settings-repo.js';
import { voucherRepo } from '../voucher-repo.js';
import { withActiveIpView } from './active-ips.js';
import { withSettingsView } from '../settings-view.js';
import { openPgBridge } from './bridge.js';
import { pgDb, type PgDb } from './db.js';
import { pgFailure, pgHealth } from './health.js';
import { migratePg } from './migrate.js';

export interface PgStoreOptions {
  url: string;
  /** How long one statement may take (ms) before it fails as "PostgreSQL is not answering". */
  timeoutMs: number;
  /** Names this instance in pg_stat_activity and in what it publishes. */
  instanceId?: string;
  /** A statement unanswered this long has its connection replaced (bridge.ts; default max(30 s, 10 × timeoutMs)). */
  restartAfterMs?: number;
}

export type PgStore = Store & {
  engine: 'postgres';
  db: PgDb;
  instanceId: string;
  /** Publishes a payload to every instance on the database (NOTIFY; fire and forget). */
  notify(payload: string): void;
  /** Hands every payload published on the database (its own included) to `fn` (LISTEN; postgres.js re-listens after a reconnect). */
  subscribe(fn: (payload: string) => void): void;
};

export function openPgStore(opts: PgStoreOptions): PgStore {
  const instanceId = opts.instanceId ?? `portico-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let onNotify: ((payload: string) => void) | null = null;
  const ownPrefix = `{"i":${JSON.stringify(instanceId)}`; // live.ts's payloads start with the publisher
  const bridge = openPgBridge({
    url: opts.url,
    timeoutMs: opts.timeoutMs,
    channel: 'portico_events',
    applicationName: instanceId,
    onNotify: (payload) => {
      // Another instance committed something: it may have been a setting.
      if (!payload.startsWith(ownPrefix)) settings.invalidate();
      onNotify?.(payload);
    },
    ...(opts.restartAfterMs ? { restartAfterMs: opts.restartAfterMs } : {}),
  });
  const health = pgHealth();
  const db = pgDb(bridge, health);
  try {
    migratePg(db);
  } catch (err) {
    db.close();
    throw err;
  }
  // The repositories take a better-sqlite3 handle; the PostgreSQL one offers the part of it they use.
  const handle = db as unknown as Db;
  const settings = withSettingsView(settingsRepo(handle), { ttlMs: 1000 });
  return {
    engine: 'postgres',
    db,
    instanceId,
    health: { state: () => health.state(), failed: (err: unknown) => health.failed(err) },
    storageFailure: pgFailure,
    vouchers: voucherRepo(handle),
    entitlements: withActiveIpView(entitlementRepo(handle), { ttlMs: 2000 }),
    operators: operatorRepo(handle),
    events: eventRepo(handle),
    settings,
    radiusSessions: radiusSessionRepo(handle),
    tx: <T>(fn: () => T): T => settings.throughTx(() => db.tx(fn)),
    async backup(): Promise<void> {
      throw new Error(
        'this Portico stores its ledger in PostgreSQL: back it up with pg_dump (e.g. pg_dump --format=custom --file=portico.dump "$PORTICO_STORAGE_POSTGRES_URL"), or the database\'s own continuous archiving',
      );
    },
    notify: (payload) => bridge.post({ op: 'notify', payload }),
    subscribe(fn) {
      const first = !onNotify;
      onNotify = fn;
      if (first) bridge.request({ op: 'listen' });
    },
    close: () => db.close(),
  };
}
