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
    // Methods are wrapped once per statement, not on every access (the traps were ~2 % of Portico's
    // CPU while residents logged in and out); plain properties (`busy`…) are read each time.
    const methods = new Map<PropertyKey, unknown>();
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const known = methods.get(prop);
        if (known) return known;
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const fn = value as (...a: unknown[]) => unknown;
        const wrapped =
          prop === 'run' || prop === 'get' || prop === 'all'
            ? (...args: unknown[]) => hooks.write({ sql, args }, () => fn.apply(target, args))
            : (...args: unknown[]) => {
                const r = fn.apply(target, args);
                return r === target ? receiver : r; // pluck()/raw()/safeIntegers() chain on the proxy
              };
        methods.set(prop, wrapped);
        return wrapped;
      },
    });
  }

  const bound = new Map<PropertyKey, unknown>();
  let proxy: Db;
  const own: Record<string, unknown> = {
    prepare: (sql: string) => statement(db.prepare(sql), sql),
    transaction: hooks.transaction,
    exec: (sql: string) => (hooks.write({ exec: sql }, () => db.exec(sql)), proxy),
    pragma: (source: string, o?: { simple?: boolean }) =>
      source.includes('=') ? hooks.write({ exec: `PRAGMA ${source}` }, () => db.pragma(source, o)) : db.pragma(source, o),
  };
  proxy = new Proxy(db, {
    get(target, prop) {
      if (typeof prop === 'string' && Object.hasOwn(own, prop)) return own[prop];
      const known = bound.get(prop);
      if (known) return known;
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value; // `inTransaction`, `open`…: read each time
      const fn = (value as (...a: unknown[]) => unknown).bind(target);
      bound.set(prop, fn);
      return fn;
    },
  });
  return proxy;
}
