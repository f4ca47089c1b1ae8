/**
 * The one module that opens SQLite (better-sqlite3) and sets its pragmas.
 *
 * - WAL where the filesystem allows it (readers never block the writer; fewer fsyncs than rollback).
 * - synchronous=FULL: a redemption, revoke or batch is on disk before it is acknowledged (SPEC §7),
 *   even across a power cut. The portal's group commits of logins and logouts and the RADIUS batches
 *   get the same guarantee with the flush off the event loop instead (store/wal-sync.ts,
 *   Store.syncLater, core/tx.ts commitDurably). Usage counters are batched by the accounting loop, so
 *   flash sees at most one usage write per `accounting.intervalMs`.
 * - busy_timeout so a backup or a second CLI process waits instead of failing.
 *
 * @example
 *   const db = openDatabase(join(dataDir, 'portico.db'));
 */
import Database from 'better-sqlite3';
import type { PgStatement } from './pg/db.js';

export type Db = Database.Database;

export function openDatabase(file: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: opts.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!opts.readonly && file !== ':memory:') {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    // Some filesystems (e.g. certain FUSE/network mounts) cannot do WAL; rollback journal still works.
    if (String(mode).toLowerCase() !== 'wal') db.pragma('journal_mode = DELETE');
  }
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Runs `fn` in an IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
export function transaction<T>(db: Db, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Ids per IN list: a statement each 500 keeps far below either engine's parameter limit. */
export const IN_LIST = 500;

/**
 * `items` in slices of at most `size`, for a statement that takes a parameter (or a row of them) per
 * item: an IN list or a VALUES list, one statement per slice.
 */
export function* slices<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** The placeholders of an IN list of `n` values: `?, ?, ?`. */
export const inList = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/**
 * What a PostgreSQL statement offers beyond better-sqlite3's (store/pg/db.ts): the ways to send a
 * statement without waiting for it. The helpers below use them where present and fall back to running
 * the statement at once, which is what SQLite does.
 */
type Deferred = Partial<Pick<PgStatement, 'later' | 'laterOne' | 'allLater' | 'getLater'>>;
const deferred = (stmt: Database.Statement): Deferred => stmt as unknown as Deferred;

/**
 * Runs a write whose result nobody reads. On PostgreSQL, inside a transaction, it is posted without
 * waiting and pipelined ahead of the next statement that is waited for (store/pg/db.ts `later`: a
 * round trip fewer, and a failure still fails the transaction); on SQLite it is `run`.
 */
export function runLater(stmt: Database.Statement, ...args: unknown[]): void {
  const { later } = deferred(stmt);
  if (later) later(...args);
  else stmt.run(...args);
}

/**
 * Runs a write that must change a row (a conditional UPDATE, an INSERT … DO NOTHING) and throws
 * `orElse()` when it changed none. On PostgreSQL inside a transaction the check is made by the server
 * and the write pipelined (store/pg/db.ts `laterOne`): when it fails, the whole transaction runs
 * again with every write waited for, and this throws then. On SQLite it runs at once.
 */
export function runChanging(stmt: Database.Statement, orElse: () => Error, ...args: unknown[]): void {
  const { laterOne } = deferred(stmt);
  const changes = laterOne ? laterOne(...args) : stmt.run(...args).changes;
  if (changes === 0) throw orElse();
}

/**
 * The rows of a write with RETURNING, read later: on PostgreSQL inside a transaction the statement is
 * sent ahead of the COMMIT and its rows are there once the transaction committed (store/pg/db.ts
 * `allLater`: a round trip fewer); on SQLite it runs at once.
 */
export function allLater(stmt: Database.Statement, ...args: unknown[]): () => unknown[] {
  const { allLater: later } = deferred(stmt);
  if (later) return later(...args);
  const rows = stmt.all(...args);
  return () => rows;
}

/**
 * A read sent now, its row taken later: on PostgreSQL the statements after it share its round trip
 * (store/pg/db.ts `getLater`); on SQLite it runs at once.
 */
export function getLater(stmt: Database.Statement, ...args: unknown[]): () => unknown {
  const { getLater: later } = deferred(stmt);
  if (later) return later(...args);
  const row = stmt.get(...args);
  return () => row;
}
