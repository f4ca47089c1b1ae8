/**
 * A better-sqlite3-shaped handle over PostgreSQL (the subset the repositories use: `prepare(sql)` with
 * `get/all/run`, `exec`, `transaction(fn)`), so the same repositories run on both engines. Statements
 * go through the synchronous bridge (bridge.ts); their SQL through the dialect (dialect.ts).
 *
 * Transactions are SERIALIZABLE (radius.md §f: read-then-write — a device count, the sum of the slices a
 * pool's sessions hold — overshoots under READ COMMITTED; SERIALIZABLE makes one of two conflicting
 * transactions fail with 40001 "might succeed if retried"). The outermost transaction retries the whole
 * closure on 40001/40P01 (core/tx.ts resets its outbox on every run); a nested one is a SAVEPOINT. A
 * serialization failure inside a savepoint dooms the outer transaction even if the caller swallowed
 * it (the RADIUS group commit turns one grant's failure into that grant's refusal): the outer one
 * rolls back and runs again, so a grant is never refused for a conflict it would win on a retry.
 *
 * Pipelining: inside a transaction the statements nobody waits for (BEGIN, SAVEPOINT, RELEASE, and the
 * repositories' `later` / `laterOne` / `allLater` / `getLater` writes and reads) are posted, and the
 * worker sends them behind one another without a round trip each. A failure among them aborts the
 * transaction on the server; the next statement waited for, or the COMMIT, finds it, the attempt is
 * doomed (PipelineFailure) and the closure runs once more with every write waited for, so each failure
 * lands in its own savepoint as it did when nothing was posted.
 *
 * @example
 *   const db = pgDb(openPgBridge({ url, timeoutMs: 5000 }), health);
 *   db.prepare('SELECT * FROM vouchers WHERE code = ?').get(code);
 */
import { DomainError } from '../../domain/errors.js';
import type { PgBridge, PgResult } from './bridge.js';
import { toPostgres } from './dialect.js';
import { pgFailure, type PgHealth } from './health.js';

export interface PgStatement {
  readonly readonly: boolean;
  get(...args: unknown[]): unknown;
  all(...args: unknown[]): unknown[];
  run(...args: unknown[]): { changes: number; lastInsertRowid: number };
  /** Rows as arrays in the SELECT's column order, as better-sqlite3's `raw(true)`. */
  raw(on?: boolean): PgStatement;
  /**
   * Runs a write whose result nobody reads. Inside a transaction it is posted, pipelined ahead of the
   * next statement that is waited for (one round trip fewer); outside one it is `run`.
   */
  later(...args: unknown[]): void;
  /**
   * A write that must change a row (a conditional UPDATE, an INSERT … DO NOTHING). Inside a
   * transaction it is posted as `later` is, with the check made by the server: no row changed fails
   * the statement, so the transaction runs again with every write waited for, and the caller then
   * sees the 0 it would have seen (returns null when posted). Outside one it runs and returns its count.
   */
  laterOne(...args: unknown[]): number | null;
  /**
   * Rows of a write with RETURNING, read after the COMMIT: inside a transaction it is sent ahead of
   * the COMMIT, which carries it in the same round trip; the returned function gives its rows once the
   * transaction has committed. Outside one it runs at once.
   */
  allLater(...args: unknown[]): () => unknown[];
  /**
   * A read sent now and its row taken later: the statements after it (the worker pipelines reads sent
   * this way, in or out of a transaction) share its round trip. The function returned waits for it.
   */
  getLater(...args: unknown[]): () => unknown;
}

type TxFn<F> = F & { immediate: F; deferred: F; exclusive: F; default: F };

export interface PgDb {
  prepare(sql: string): PgStatement;
  exec(sql: string): void;
  transaction<F extends (...args: never[]) => unknown>(fn: F): TxFn<F>;
  readonly inTransaction: boolean;
  /** Runs `fn` in a transaction (outermost: SERIALIZABLE with retries; nested: a savepoint). */
  tx<T>(fn: () => T): T;
  /** Runs `fn` with statements allowed `timeoutMs` each (migrations, and waiting for another instance's). */
  patient<T>(timeoutMs: number, fn: () => T): T;
  close(): void;
}

/** Attempts of an outermost transaction before a serialization failure is reported (503). */
const MAX_ATTEMPTS = 12;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => void Atomics.wait(sleeper, 0, 0, ms);

const isSerialization = (err: unknown): boolean => {
  for (let e = err, d = 0; e instanceof Error && d < 6; e = e.cause, d++) {
    const code = (e as { code?: unknown }).code;
    if (code === '40001' || code === '40P01') return true;
  }
  return false;
};

/**
 * A posted write failed, or may have (a statement after it found the transaction aborted): the
 * transaction runs again with every write waited for, so a failure lands in its own savepoint.
 */
class PipelineFailure extends Error {
  constructor(cause: unknown) {
    super('a pipelined statement failed', { cause });
  }
}

export function pgDb(bridge: PgBridge, health: PgHealth): PgDb {
  let depth = 0;
  let doomed: unknown = null;
  let patience: number | undefined;
  /** Whether this attempt of the outermost transaction posts its writes (off on the attempt after a PipelineFailure). */
  let pipelining = true;
  /** Writes posted since the last statement that was answered (which proves everything before it ran). */
  let unverified = 0;
  /** Answers this attempt sent for (allLater), dropped if it does not commit. */
  let sent: number[] = [];
  const forgetSent = () => {
    for (const id of sent) bridge.forget(id);
    sent = [];
  };

  /** One statement; outside a transaction a lost database becomes STORAGE_FAILED (→ 503) at once. */
  function send(sql: string, params: unknown[], opts: { simple?: boolean; write: boolean }): PgResult {
    try {
      const r = bridge.request({ op: 'query', sql, params, ...(opts.simple ? { simple: true } : {}), ...(patience ? { timeoutMs: patience } : {}) });
      unverified = 0;
      if (depth === 0) health.succeeded(opts.write);
      return r;
    } catch (err) {
      if (isSerialization(err)) doomed = err;
      // Which statement failed is unknown: the transaction runs again without posting.
      else if (unverified > 0) doomed = new PipelineFailure(err);
      const reason = pgFailure(err);
      if (reason) health.failed(err);
      if (depth > 0 || !reason) throw err;
      throw new DomainError('STORAGE_FAILED', `the database is not available (${reason})`, { reason }, { cause: err });
    }
  }

  const translated = new Map<string, ReturnType<typeof toPostgres>>();

  /**
   * A transaction-control statement posted without waiting (BEGIN, SAVEPOINT, RELEASE): the worker sends
   * requests in order, so the next statement that waits also proves these ran; if one failed, that
   * statement fails (the transaction is aborted) and the whole transaction is rolled back. Saves a round
   * trip each: a RADIUS grant in the group commit is a savepoint of its own.
   */
  function control(sql: string, begin = false): void {
    bridge.post({ op: 'query', sql, params: [], simple: true, ...(begin ? { begin: true } : {}) });
  }

  function prepare(sqlite: string): PgStatement {
    let t = translated.get(sqlite);
    if (!t) {
      t = toPostgres(sqlite);
      if (translated.size < 1024) translated.set(sqlite, t);
    }
    const { sql, returning } = t;
    const readonly = /^\s*(SELECT|WITH)\b/i.test(sql);
    const rows = (args: unknown[]) => send(sql, args, { write: !readonly }).rows;
    const run = (...args: unknown[]) => {
      const r = send(sql, args, { write: !readonly });
      const id = returning ? Number(r.rows[0]?.[returning] ?? 0) : 0;
      return { changes: r.count, lastInsertRowid: id };
    };
    // Rows by column name, or as arrays in the SELECT's column order (`raw`): a row's keys keep that
    // order, since no column has an integer-like name.
    const statement = (shape: (row: Record<string, unknown>) => unknown): PgStatement => ({
      readonly,
      get: (...args) => {
        const r = rows(args)[0];
        return r && shape(r);
      },
      all: (...args) => rows(args).map(shape),
      run,
      raw: (on = true) => (on ? arrays : named),
      later,
      laterOne,
      allLater,
      getLater: getLater(shape),
    });
    const later = (...args: unknown[]): void => {
      if (depth === 0 || !pipelining) return void send(sql, args, { write: true });
      bridge.post({ op: 'query', sql, params: args });
      unverified++;
    };
    // The check in the statement itself: a division by zero when the write changed no row.
    let checked: string | undefined;
    const laterOne = (...args: unknown[]): number | null => {
      if (depth === 0 || !pipelining || returning) return run(...args).changes;
      checked ??= `WITH w AS (${sql} RETURNING 1) SELECT 1 / (SELECT COUNT(*)::int FROM w)`;
      bridge.post({ op: 'query', sql: checked, params: args });
      unverified++;
      return null;
    };
    // Sent now with its answer kept; the function returned takes it (dropped if the attempt fails).
    const sendKept = (args: unknown[], read: boolean): (() => Record<string, unknown>[]) => {
      const id = bridge.send({ op: 'query', sql, params: args, ...(read ? { read } : {}) });
      if (depth > 0) sent.push(id);
      return () => bridge.answer(id).rows;
    };
    const allLater = (...args: unknown[]): (() => unknown[]) => {
      if (depth === 0 || !pipelining) {
        const r = rows(args);
        return () => r;
      }
      unverified++;
      return sendKept(args, false);
    };
    const getLater = (shape: (row: Record<string, unknown>) => unknown) => (...args: unknown[]): (() => unknown) => {
      let taken: () => Record<string, unknown>[];
      if (!readonly || (depth > 0 && !pipelining)) {
        const r = rows(args);
        taken = () => r;
      } else taken = sendKept(args, true);
      return () => {
        const r = taken()[0];
        return r && shape(r);
      };
    };
    const named = statement((r) => r);
    const arrays = statement(Object.values);
    return named;
  }

  function rollback(): void {
    try {
      bridge.request({ op: 'end', sql: 'ROLLBACK' });
    } catch {
      // The connection is gone (the server rolled back) or not answering: queue it for when it answers.
      bridge.post({ op: 'end', sql: 'ROLLBACK' });
    }
  }

  function savepoint<T>(fn: () => T): T {
    const name = `sp${depth}`;
    control(`SAVEPOINT ${name}`);
    depth++;
    try {
      const r = fn();
      control(`RELEASE SAVEPOINT ${name}`);
      return r;
    } catch (err) {
      if (isSerialization(err)) doomed = err;
      // A posted write not yet proven may have failed: rolling back to this savepoint would then undo
      // what came before it (an earlier savepoint of the same name), and the caller would never know.
      // One statement first proves them, or dooms the attempt.
      if (unverified > 0 && !doomed) {
        try {
          send('SELECT 1', [], { simple: true, write: false });
        } catch {
          // send() doomed the attempt
        }
      }
      try {
        send(`ROLLBACK TO SAVEPOINT ${name}`, [], { simple: true, write: false });
      } catch {
        // the outer transaction is failing too; its rollback cleans up
      }
      throw err;
    } finally {
      depth--;
    }
  }

  function tx<T>(fn: () => T): T {
    if (depth > 0) return savepoint(fn);
    pipelining = true;
    for (let attempt = 1; ; attempt++) {
      doomed = null;
      unverified = 0;
      sent = [];
      control('BEGIN ISOLATION LEVEL SERIALIZABLE', true);
      depth = 1;
      try {
        const r = fn();
        if (doomed) throw doomed;
        try {
          bridge.request({ op: 'end', sql: 'COMMIT' });
        } catch (err) {
          if (unverified > 0) doomed = new PipelineFailure(err);
          throw err;
        }
        depth = 0;
        unverified = 0;
        sent = [];
        health.succeeded(true);
        return r;
      } catch (err) {
        depth = 0;
        unverified = 0;
        forgetSent();
        rollback();
        const failed = doomed instanceof PipelineFailure;
        const retry = isSerialization(err) || doomed !== null;
        doomed = null;
        if (failed && pipelining) {
          pipelining = false;
          continue;
        }
        if (retry && attempt < MAX_ATTEMPTS) {
          sleep(Math.min(50, 2 ** attempt) * Math.random());
          continue;
        }
        if (pgFailure(err)) health.failed(err);
        throw err;
      }
    }
  }

  const db: PgDb = {
    prepare,
    exec(sql) {
      if (depth === 0) tx(() => send(sql, [], { simple: true, write: true }));
      else send(sql, [], { simple: true, write: true });
    },
    transaction<F extends (...args: never[]) => unknown>(fn: F): TxFn<F> {
      const run = ((...args: never[]) => tx(() => fn(...args))) as F;
      return Object.assign(run, { immediate: run, deferred: run, exclusive: run, default: run }) as TxFn<F>;
    },
    get inTransaction() {
      return depth > 0;
    },
    tx,
    patient(timeoutMs, fn) {
      const before = patience;
      patience = timeoutMs;
      try {
        return fn();
      } finally {
        patience = before;
      }
    },
    close: () => bridge.close(),
  };
  return db;
}
