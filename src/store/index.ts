/**
 * The store: every repository over one database handle, plus the transaction helper. Core receives
 * this object; nothing outside src/store writes SQL. The handle is wrapped by trackWrites, so
 * `health` knows whether the last write reached the disk (D9: /healthz), and `storageFailure` tells
 * the HTTP layer which errors are the disk's (503 STORAGE_FAILED) rather than a bug (500).
 *
 * @example
 *   const store = createStore(openDatabase(':memory:'));
 */
import type { Store } from '../core/ports/store.js';
import { transaction, type Db } from './db.js';
import { entitlementRepo } from './entitlement-repo.js';
import { eventRepo } from './event-repo.js';
import { migrate } from './migrate.js';
import { operatorRepo } from './operator-repo.js';
import { radiusSessionRepo } from './radius-session-repo.js';
import { settingsRepo } from './settings-repo.js';
import { withSettingsView } from './settings-view.js';
import { voucherRepo } from './voucher-repo.js';
import { walSync } from './wal-sync.js';
import { storageFailure, trackWrites, writeHealth } from './write-health.js';

/** The SQLite store: core's Store port plus the raw handle, for tests and tools that inspect the file. */
export type SqliteStore = Store & { db: Db };

/**
 * The handle with one prepared statement per SQL text: a repository method that builds its statement
 * where it runs (a rare or dynamic query) compiles it once, not on every call (a RADIUS first use ran
 * four compiles per Accept). Only entitlement-repo sets a mode (`raw`), and only on the SQL texts of its
 * column lists, which nothing else prepares, so sharing is safe.
 */
function statementCache(db: Db): Db {
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  return new Proxy(db, {
    get(target, prop) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (!stmt) {
          stmt = target.prepare(sql);
          if (cache.size < 512) cache.set(sql, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * `syncLater` for a database file in WAL mode (store/wal-sync.ts): `fn`'s commits are made with
 * `synchronous=NORMAL` and flushed by an fdatasync of the WAL in the thread pool. Not in RAM mode, whose
 * durability is its journal's own flush before COMMIT (journal.ts), nor without WAL (rollback journal).
 */
function deferredSync(raw: Db): Store['syncLater'] {
  if (raw.memory || String(raw.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return undefined;
  const sync = walSync(`${raw.name}-wal`);
  return <T>(fn: () => T) => {
    raw.pragma('synchronous = NORMAL');
    let value: T;
    try {
      value = fn();
    } finally {
      raw.pragma('synchronous = FULL');
    }
    return { value, synced: sync() };
  };
}

/** `deferSync`: the file is the live database on disk (not RAM mode's copy in tmpfs). */
export function createStore(raw: Db, opts: { deferSync?: boolean } = {}): SqliteStore {
  const health = writeHealth();
  const tracked = trackWrites(raw, health);
  migrate(tracked);
  const db = statementCache(tracked);
  const syncLater = opts.deferSync ? deferredSync(raw) : undefined;
  const settings = withSettingsView(settingsRepo(db), { ttlMs: 1000 });
  return {
    ...(syncLater ? { syncLater } : {}),
    db,
    /** Whether the last write reached the disk: `{ ok, reason, since }`. */
    health: { state: () => health.state(), failed: (err: unknown) => health.failed(err) },
    /** Why an error is the disk's fault ("the disk is full"), or null when it is not a storage error. */
    storageFailure,
    vouchers: voucherRepo(db),
    entitlements: entitlementRepo(db),
    operators: operatorRepo(db),
    events: eventRepo(db),
    settings,
    radiusSessions: radiusSessionRepo(db),
    tx<T>(fn: () => T): T {
      return settings.throughTx(() => transaction(db, fn));
    },
    /** Consistent online copy (SQLite backup API); safe while Portico runs. */
    async backup(file: string): Promise<void> {
      await db.backup(file);
    },
    close(): void {
      db.close();
    },
  };
}

export type { Store } from '../core/ports/store.js';
