/**
 * One proxy over a better-sqlite3 handle that routes every write through a hook: the RAM-mode journal
 * (journal.ts) appends each write to flash before COMMIT, and the write-outcome tracker
 * (write-health.ts) records whether storage accepted it. Reads (`stmt.readonly`, a pragma without `=`)
 * pass straight through. Statements keep chaining (`pluck()`, `raw()`, `safeIntegers()` return the proxy).
 *
 * @example
 *   const db2 = interceptWrites(db, {
 *     transaction: (fn) => eachVariant(db.transaction(fn), (run) => run),
 *     write: (op, run) => run(),
 *   });
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

/** A write as the journal replays it: a prepared statement with its arguments, or raw SQL. */
export type WriteOp = { sql: string; args: unknown[] } | { exec: string };

export interface WriteHooks {
  /** What `db.transaction(fn)` returns on the proxy. */
  transaction<F extends (...args: never[]) => unknown>(fn: F): Database.Transaction<F>;
  /** Runs one write (`run`) described by `op`. */
  write(op: WriteOp, run: () => unknown): unknown;
}

/** Applies `wrap` to a transaction function and to each of its variants (deferred, immediate…). */
export function eachVariant<F extends (...args: never[]) => unknown>(
  t: Database.Transaction<F>,
  wrap: <G extends (...args: never[]) => unknown>(run: G) => G,
): Database.Transaction<F> {
  const out = wrap(t) as Database.Transaction<F>;
  out.default = wrap(t.default);
  out.deferred = wrap(t.deferred);
  out.immediate = wrap(t.immediate);
  out.exclusive = wrap(t.exclusive);
  return out;
}

export function interceptWrites(db: Db, hooks: WriteHooks): Db {
  function statement(stmt: Database.Statement, sql: string): Database.Statement {
    if (stmt.readonly) return stmt;
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'run' || prop === 'get' || prop === 'all') {
          return (...args: unknown[]) => hooks.write({ sql, args }, () => (value as (...a: unknown[]) => unknown).apply(target, args));
        }
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            const r = (value as (...a: unknown[]) => unknown).apply(target, args);
            return r === target ? receiver : r; // pluck()/raw()/safeIntegers() chain on the proxy
          };
        }
        return value;
      },
    });
  }

  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return (sql: string) => statement(target.prepare(sql), sql);
      if (prop === 'transaction') return hooks.transaction;
      if (prop === 'exec') return (sql: string) => (hooks.write({ exec: sql }, () => target.exec(sql)), receiver);
      if (prop === 'pragma') {
        return (source: string, o?: { simple?: boolean }) =>
          source.includes('=') ? hooks.write({ exec: `PRAGMA ${source}` }, () => target.pragma(source, o)) : target.pragma(source, o);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
