/**
 * Is storage taking writes? (attack report D9.) `storageFailure(err)` says whether an error came from
 * the disk rather than from a rule, and why, in words an operator can act on; `trackWrites(db)` wraps
 * the store's handle so the outcome of every write (a transaction that wrote, or an autocommit write)
 * is remembered, and /healthz can answer 503 while writes fail and 200 again after the first one that
 * succeeds. It watches real writes instead of probing: no extra flash wear, and a disk that fills up
 * between two requests shows on the very next write.
 *
 * @example
 *   const health = writeHealth();
 *   const db = trackWrites(journaled(raw, …), health);
 *   health.state(); // { ok: false, reason: 'the disk is full', since: 1718000000000 }
 */
import type Database from 'better-sqlite3';
import type { Db } from './db.js';
import { eachVariant, interceptWrites } from './write-proxy.js';

export interface StorageState {
  ok: boolean;
  /** Why the last write failed, e.g. "the disk is full"; null while ok. */
  reason: string | null;
  /** When writes started failing (ms); null while ok. */
  since: number | null;
}

export interface WriteHealth {
  state(): StorageState;
  succeeded(): void;
  failed(err: unknown): void;
}

/**
 * SQLite result codes (sqlite.org/rescode.html) and errno values that mean the disk, not the request,
 * is at fault. better-sqlite3 puts the extended code in `code` (SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC…);
 * the RAM-mode journal's JournalWriteError carries the errno of its write(2) or fdatasync(2).
 */
function reasonFor(code: string, journal: boolean): string | null {
  // In RAM mode the journal is the only write that reaches flash: say which disk it is.
  const where = journal ? 'journal on persistent storage: ' : '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT') return `${journal ? 'the persistent storage (journal)' : 'the disk'} is full`;
  if (code.startsWith('SQLITE_IOERR') || code === 'EIO') return `${where}the disk reported an I/O error (${code})`;
  if (code.startsWith('SQLITE_READONLY') || code === 'EROFS') return `${where}the storage is read-only (${code})`;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'the database is locked by another writer';
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM') return `${where}the database file cannot be opened (${code})`;
  return journal ? `${where}${code}` : null;
}

/** Why `err` (or an error in its `cause` chain) is a storage failure, or null when it is not one. */
export function storageFailure(err: unknown): string | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const reason = reasonFor(code, e.name === 'JournalWriteError');
    if (reason) return reason;
  }
  return null;
}

/** Lock contention is a storage failure for the request (503) but says nothing about the disk. */
const isContention = (reason: string) => reason.startsWith('the database is locked');

export function writeHealth(now: () => number = Date.now): WriteHealth {
  let state: StorageState = { ok: true, reason: null, since: null };
  return {
    state: () => ({ ...state }),
    succeeded() {
      if (!state.ok) state = { ok: true, reason: null, since: null };
    },
    failed(err) {
      const reason = storageFailure(err);
      if (!reason || isContention(reason)) return;
      state = { ok: false, reason, since: state.since ?? now() };
    },
  };
}

/**
 * Wraps `db` so every write's outcome reaches `health`. Writes inside a transaction are settled by the
 * outermost transaction (its COMMIT is the write that counts); a transaction that only read settles
 * nothing, since it proves nothing about the disk.
 */
export function trackWrites(db: Db, health: WriteHealth): Db {
  let depth = 0;
  let wrote = false;

  function settle<T>(run: () => T): T {
    try {
      const r = run();
      health.succeeded();
      return r;
    } catch (err) {
      health.failed(err);
      throw err;
    }
  }

  function write<T>(run: () => T): T {
    if (depth > 0 || db.inTransaction) {
      wrote = true;
      return run();
    }
    return settle(run);
  }

  function outermost<F extends (...args: never[]) => unknown>(run: F): F {
    return ((...args: never[]) => {
      if (depth > 0) return run(...args);
      depth++;
      wrote = false;
      try {
        const r = run(...args);
        if (wrote) health.succeeded();
        return r;
      } catch (err) {
        health.failed(err); // only a storage error changes the state; a rule's error leaves it
        throw err;
      } finally {
        depth--;
      }
    }) as F;
  }

  return interceptWrites(db, {
    transaction: (fn) => eachVariant(db.transaction(fn), outermost),
    write: (_op, run) => write(run),
  });
}
