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
 * JSON line per transaction `{"q":[sql…],"w":[[sqlIndex,args]…]}`. An entry is acknowledged only once
 * its whole line is written and fdatasync'ed: write(2) on a full flash writes part of a line and returns
 * the count (ENOSPC only on the next call), so short writes are continued, and any failure (ENOSPC, EIO)
 * fails the transaction and cuts the partial line back off (ftruncate; journal-file.ts). If COMMIT then fails, the entry
 * is cut back too. A torn last line (power cut during the append, never acknowledged) is ignored.
 *
 * @example
 *   const db = journaled(openDatabase(ramFile), { path: '/overlay/portico/portico.journal', fs: nodeJournalFs });
 *   createStore(db); // every write transaction is now journaled
 */
import type Database from 'better-sqlite3';
import type { Logger } from '../lib/log.js';
import type { Db } from './db.js';
import type { JournalFs } from './journal-file.js';
import { eachVariant, interceptWrites, type WriteOp } from './write-proxy.js';

export { fileJournalFs, JournalWriteError, nodeJournalFs, nodeJournalIo, type JournalFs, type JournalIo } from './journal-file.js';

export interface JournalOptions {
  path: string;
  fs: JournalFs;
  /** Told when an entry whose COMMIT failed could not be taken back (replay would then apply it). */
  log?: Logger;
  /** Called after each append with its size in bytes (the storage bench counts flash writes). */
  onAppend?: (bytes: number) => void;
}

type Write = [number, unknown[]];
/** One journaled operation: a prepared statement's run with its arguments, or a raw exec. */
type Op = WriteOp;

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
  /** Where this transaction's entry starts in the journal, once appended and until COMMIT returns. */
  let entryAt: number | null = null;

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
    // Throws on a short write, ENOSPC or EIO: the transaction then rolls back, nothing is acknowledged.
    entryAt = opts.fs.appendDurable(opts.path, line);
    opts.onAppend?.(Buffer.byteLength(line));
  }

  /**
   * The outermost call of a transaction function: if COMMIT fails after the entry is on flash (a
   * deferred foreign key, SQLITE_FULL or SQLITE_IOERR on the RAM disk), the entry is cut back off, or
   * a later replay would apply a transaction the live database rolled back and that was answered 503.
   */
  function settle<F extends (...args: never[]) => unknown>(run: F): F {
    return ((...args: never[]) => {
      if (db.inTransaction) return run(...args); // a savepoint: the outermost call settles
      entryAt = null;
      try {
        return run(...args);
      } catch (err) {
        if (entryAt !== null) takeBack(entryAt, err);
        throw err;
      } finally {
        entryAt = null;
      }
    }) as F;
  }

  function takeBack(at: number, cause: unknown): void {
    try {
      opts.fs.truncate(opts.path, at);
    } catch (err) {
      opts.log?.error('storage/journal', 'a transaction failed to commit after its journal entry was written, and the entry could not be removed: a restore would apply it', {
        err: (err as Error).message,
        cause: (cause as Error).message,
      });
    }
  }

  /** db.transaction(fn) with the journal tied in: every variant (deferred, immediate…) is settled. */
  function transaction<F extends (...args: never[]) => unknown>(fn: F): Database.Transaction<F> {
    return eachVariant(db.transaction(wrapTx(fn)), settle);
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
    return transaction(() => {
      pending.push(op);
      return run();
    }).immediate();
  }

  return interceptWrites(db, { transaction, write: record });
}

export interface ReplayResult {
  /** Transactions applied. */
  applied: number;
  /** True when the last line had no newline (an append cut by a power cut or a full flash, never acknowledged). */
  tornTail: boolean;
  /** Line numbers (1-based) in the middle that are not a readable entry. */
  corrupt: number[];
  /** Entries recovered from corrupt lines: a whole entry glued after a fragment. */
  salvaged: number;
  /** Entries that parsed but no longer applied; each was rolled back alone. */
  failed: { line: number; error: string }[];
}

type Entry = { q: string[]; w: (Write | [string])[] };

/**
 * Applies a journal's transactions to `db` (the restored snapshot), each in its own transaction.
 * Returns null when the journal does not belong to `base` (it predates the snapshot, which therefore
 * already holds all of it).
 *
 * An entry counts only with its newline: appendDurable writes the newline last and acknowledges after
 * fdatasync, so a last line without one was never acknowledged and is dropped even if it parses.
 * Appends are now all-or-nothing, but a journal written before that (D3: a later entry appended onto a
 * torn line) or damaged on flash can hold a bad line in the middle. Refusing to start would keep the
 * portal down until someone edits the file by hand; instead, whole entries are applied, a whole entry
 * found after a fragment is salvaged, and everything skipped is returned for the caller to log loudly.
 * Nothing that is not a well-formed entry is ever run.
 */
export function replayJournal(db: Db, text: string, base: string): ReplayResult | null {
  const lines = text.split('\n');
  const header = parseLine(lines[0] ?? '') as { v?: number; base?: string } | undefined;
  if (!header || header.v !== 1 || header.base !== base) return null;
  const result: ReplayResult = { applied: 0, tornTail: lines.pop() !== '', corrupt: [], salvaged: 0, failed: [] };
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n]!;
    if (line === '') continue;
    let entry = asEntry(parseLine(line));
    if (!entry) {
      result.corrupt.push(n + 1);
      const glued = line.lastIndexOf('{"q":'); // unescaped only at an entry's start: JSON escapes quotes in strings
      entry = glued > 0 ? asEntry(parseLine(line.slice(glued))) : undefined;
      if (!entry) continue;
      result.salvaged++;
    }
    try {
      const e = entry;
      db.transaction(() => {
        const stmts = e.q.map((sql) => db.prepare(sql));
        for (const w of e.w) {
          if (w.length === 1) db.exec(w[0]);
          else stmts[w[0]]!.run(...w[1].map(decode));
        }
      }).immediate();
      result.applied++;
    } catch (err) {
      result.failed.push({ line: n + 1, error: (err as Error).message });
    }
  }
  return result;
}

/** A parsed line if it has the shape of an entry: SQL texts, and writes that index them or exec a string. */
function asEntry(v: unknown): Entry | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const { q, w } = v as { q?: unknown; w?: unknown };
  if (!Array.isArray(q) || !q.every((x) => typeof x === 'string') || !Array.isArray(w)) return undefined;
  const ok = w.every(
    (x) =>
      Array.isArray(x) &&
      ((x.length === 1 && typeof x[0] === 'string') ||
        (x.length === 2 && Number.isInteger(x[0]) && (x[0] as number) >= 0 && (x[0] as number) < q.length && Array.isArray(x[1]))),
  );
  return ok ? (v as Entry) : undefined;
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
