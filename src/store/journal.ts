/**
 * The write journal for RAM storage mode (SPEC §7): the live database sits in tmpfs, and every committed
 * write transaction is also appended, as the statements and parameters it ran, to a small journal file
 * on flash and fdatasync'ed **before the commit** (and so before anything is acknowledged). After a power
 * cut the last snapshot plus the journal replayed in order rebuilds every redemption, revoke, batch and
 * operator change; usage is flushed by the ledger at most once per `accounting.intervalMs`, so at most one
 * interval of usage is lost — the same guarantee as `direct` mode.
 *
 * Why statements and not pages: a usage flush for 50 devices is ~150 short statements (a few KB as
 * JSON) where SQLite's WAL writes every touched 4 KB page twice (WAL, then checkpoint). Replay is exact
 * because the store never uses SQL-side randomness or clocks: the same statements in the same order on
 * the same snapshot give the same rows (and the same AUTOINCREMENT ids).
 *
 * The entry is appended while the transaction holds SQLite's write lock, so entries from several
 * processes (`portico serve` and a `portico vouchers …` CLI run) land in commit order; the file is
 * opened per append so a CLI never writes into a journal the server has just rotated away.
 *
 * File format: line 1 `{"v":1,"base":"<sha256 of the snapshot it applies to, or 'empty'>"}`, then one
 * JSON line per transaction `{"q":[sql…],"w":[[sqlIndex,args]…]}`. A torn last line (power cut during
 * the append, never acknowledged) is ignored.
 *
 * @example
 *   const db = journaled(openDatabase(ramFile), { path: '/overlay/portico/portico.journal', fs: nodeJournalFs });
 *   createStore(db); // every write transaction is now journaled
 */
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Db } from './db.js';

export interface JournalFs {
  /** Appends `text` to `path` and makes it durable (open O_APPEND, write, fdatasync, close). */
  appendDurable(path: string, text: string): void;
  /** The file's text, or null when it does not exist. */
  read(path: string): string | null;
}

export const nodeJournalFs: JournalFs = {
  appendDurable(path, text) {
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, text);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  read(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
};

export interface JournalOptions {
  path: string;
  fs: JournalFs;
  /** Called after each append with its size in bytes (the storage bench counts flash writes). */
  onAppend?: (bytes: number) => void;
}

type Write = [number, unknown[]];
/** One journaled operation: a prepared statement's run with its arguments, or a raw exec. */
type Op = { sql: string; args: unknown[] } | { exec: string };

export function journalHeader(base: string): string {
  return JSON.stringify({ v: 1, base }) + '\n';
}

/**
 * Wraps a database handle so that every write it commits is journaled first. Reads pass straight
 * through. Returns a handle of the same type: the store does not know it is journaled.
 */
export function journaled(db: Db, opts: JournalOptions): Db {
  const pending: Op[] = [];
  let depth = 0;

  function append(): void {
    if (pending.length === 0) return;
    const sqls: string[] = [];
    const index = new Map<string, number>();
    const w: (Write | [string])[] = [];
    for (const op of pending) {
      if ('exec' in op) {
        w.push([op.exec]);
        continue;
      }
      let i = index.get(op.sql);
      if (i === undefined) {
        i = sqls.push(op.sql) - 1;
        index.set(op.sql, i);
      }
      w.push([i, op.args.map(encode)]);
    }
    pending.length = 0;
    const line = JSON.stringify({ q: sqls, w }) + '\n';
    opts.fs.appendDurable(opts.path, line);
    opts.onAppend?.(Buffer.byteLength(line));
  }

  /** Runs `fn` as a journaled transaction: the entry is appended inside it, just before COMMIT. */
  function wrapTx<F extends (...args: never[]) => unknown>(fn: F): F {
    return ((...args: never[]) => {
      const mark = pending.length;
      depth++;
      try {
        const result = fn(...args);
        if (depth === 1) append();
        return result;
      } catch (err) {
        pending.length = mark; // this (save)point rolls back: so do its statements
        throw err;
      } finally {
        depth--;
      }
    }) as F;
  }

  function record(op: Op, run: () => unknown): unknown {
    if (depth > 0) {
      pending.push(op);
      return run();
    }
    // An autocommit write becomes a one-statement transaction so it, too, is journaled before COMMIT.
    return db.transaction(wrapTx(() => {
      pending.push(op);
      return run();
    })).immediate();
  }

  function wrapStatement(stmt: Database.Statement, sql: string): Database.Statement {
    if (stmt.readonly) return stmt;
    return new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'run' || prop === 'get' || prop === 'all') {
          return (...args: unknown[]) => record({ sql, args }, () => (value as (...a: unknown[]) => unknown).apply(target, args));
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
      if (prop === 'prepare') return (sql: string) => wrapStatement(target.prepare(sql), sql);
      if (prop === 'transaction') return <F extends (...args: never[]) => unknown>(fn: F) => target.transaction(wrapTx(fn));
      if (prop === 'exec') return (sql: string) => (record({ exec: sql }, () => target.exec(sql)), receiver);
      if (prop === 'pragma') {
        return (source: string, o?: { simple?: boolean }) =>
          source.includes('=') ? record({ exec: `PRAGMA ${source}` }, () => target.pragma(source, o)) : target.pragma(source, o);
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface ReplayResult {
  /** Transactions applied. */
  applied: number;
  /** True when the last line was torn (a power cut during an append that was never acknowledged). */
  tornTail: boolean;
}

/**
 * Applies a journal's transactions to `db` (the restored snapshot), each in its own transaction.
 * Returns null when the journal does not belong to `base` (it predates the snapshot, which therefore
 * already holds all of it).
 */
export function replayJournal(db: Db, text: string, base: string): ReplayResult | null {
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '') as { v?: number; base?: string } | undefined;
  if (!header || header.v !== 1 || header.base !== base) return null;
  let applied = 0;
  let tornTail = false;
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '') continue;
    const entry = parseLine(line) as { q: string[]; w: (Write | [string])[] } | undefined;
    if (!entry) {
      if (n >= lines.length - 2) {
        tornTail = true;
        break;
      }
      throw new Error(`journal line ${n + 1} is corrupt (not the last line): refusing to guess`);
    }
    const stmts = entry.q.map((sql) => db.prepare(sql));
    db.transaction(() => {
      for (const w of entry.w) {
        if (w.length === 1) db.exec(w[0]);
        else stmts[w[0]]!.run(...w[1].map(decode));
      }
    }).immediate();
    applied++;
  }
  return { applied, tornTail };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

// Parameters are JSON except what JSON cannot hold: bigint, bytes, and named-parameter objects.
function encode(v: unknown): unknown {
  if (typeof v === 'bigint') return { b: v.toString() };
  if (v instanceof Uint8Array) return { x: Buffer.from(v).toString('hex') };
  if (Array.isArray(v)) return { a: v.map(encode) };
  if (v !== null && typeof v === 'object') return { o: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)])) };
  return v;
}

function decode(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const o = v as { b?: string; x?: string; a?: unknown[]; o?: Record<string, unknown> };
  if (o.b !== undefined) return BigInt(o.b);
  if (o.x !== undefined) return Buffer.from(o.x, 'hex');
  if (o.a !== undefined) return o.a.map(decode);
  return Object.fromEntries(Object.entries(o.o ?? {}).map(([k, x]) => [k, decode(x)]));
}
