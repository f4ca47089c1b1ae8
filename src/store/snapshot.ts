/**
 * RAM storage mode (SPEC §7, gateways.md §3.9): the live database sits in tmpfs (`storage.ramDir`, where
 * WAL works and writes cost no flash), and persistent storage (`dataDir`, the overlay or a USB stick)
 * holds a snapshot plus the write journal (journal.ts).
 *
 * - Start: if the RAM database is gone (reboot, power cut), the snapshot is copied to RAM and the journal
 *   replayed into it (in a temporary file renamed into place, so a crash mid-restore restores again).
 * - Every write transaction is journaled on flash before it commits: vouchers, redemptions, revokes and
 *   operator changes are never lost; usage reaches the journal once per `accounting.intervalMs`.
 * - Every `storage.snapshotIntervalMs`, when the journal passes `maxJournalBytes`, and on shutdown, a
 *   snapshot is written (serialize → temp file → fsync → rename → fsync dir) together with a fresh
 *   journal that names the snapshot's hash. The swap holds SQLite's write lock, so a concurrent CLI
 *   write lands either in the old snapshot or in the new journal, never in neither.
 *
 * Trade-off: flash sees one snapshot (the database's size) per interval plus a few KB of journal per
 * accounting interval, instead of SQLite's page writes (every touched 4 KB page, twice with WAL) on each
 * commit; the price is RAM for the database and a restore (a copy and a replay) at boot.
 *
 * @example
 *   const ram = openRamStorage({ ramFile: '/tmp/portico/portico.db', dataDir: '/etc/portico/data', intervalMs: 3_600_000, log });
 *   const store = createStore(ram.db);
 *   ram.start();  // snapshot now, then on the timer
 *   ram.stop();   // last snapshot
 */
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../lib/log.js';
import { openDatabase, type Db } from './db.js';
import { journaled, journalHeader, nodeJournalFs, replayJournal, type ReplayResult } from './journal.js';

export interface RamStorageOptions {
  /** The live database, in tmpfs. */
  ramFile: string;
  /** Persistent directory for `portico.db` (the snapshot) and `portico.journal`. */
  dataDir: string;
  intervalMs: number;
  log: Logger;
  /** A journal this large triggers an early snapshot (bounds replay time and journal size). */
  maxJournalBytes?: number;
  /** How often the timer checks the interval and the journal size. */
  checkMs?: number;
  now?: () => number;
}

export interface StorageStats {
  /** Bytes this process wrote to persistent storage: journal appends and snapshots. */
  journalBytes: number;
  snapshotBytes: number;
  snapshots: number;
}

export interface RamStorage {
  /** The journaled handle to give to createStore. */
  db: Db;
  /**
   * What start-up found: `live` (RAM database kept), `restored` (snapshot + journal), or `new`; how many
   * journal entries were applied, whether a torn last line was dropped, and how many lines in the
   * middle were skipped (corrupt, or no longer applying).
   */
  opened: { from: 'live' | 'restored' | 'new'; replayed: number; tornTail: boolean; skipped: number };
  snapshot(): void;
  start(): void;
  stop(): void;
  stats(): StorageStats;
}

export function snapshotPaths(dataDir: string) {
  return { snapshot: join(dataDir, 'portico.db'), journal: join(dataDir, 'portico.journal') };
}

/** Opens RAM storage: restores if needed, makes sure the journal names the current snapshot. */
export function openRamStorage(opts: RamStorageOptions): RamStorage {
  const paths = snapshotPaths(opts.dataDir);
  const now = opts.now ?? Date.now;
  const maxJournal = opts.maxJournalBytes ?? 4 * 1024 * 1024;
  const stats: StorageStats = { journalBytes: 0, snapshotBytes: 0, snapshots: 0 };
  mkdirSync(opts.dataDir, { recursive: true });
  mkdirSync(dirname(opts.ramFile), { recursive: true });

  settleSnapshot(paths.snapshot);
  const base = existsSync(paths.snapshot) ? sha256(readBytes(paths.snapshot)) : 'empty';
  let opened: RamStorage['opened'] = { from: 'live', replayed: 0, tornTail: false, skipped: 0 };
  if (!existsSync(opts.ramFile)) opened = restore(opts.ramFile, paths, base, opts.log);

  const journalText = nodeJournalFs.read(paths.journal);
  if (journalText === null || !journalText.startsWith(journalHeader(base))) {
    // No journal, or one that predates the snapshot (a crash between the two renames): the snapshot
    // holds everything it had, so start a fresh journal on top of it.
    writeDurable(paths.journal, journalHeader(base));
  }

  const raw = openDatabase(opts.ramFile);
  const db = journaled(raw, { path: paths.journal, fs: nodeJournalFs, log: opts.log, onAppend: (n) => (stats.journalBytes += n) });
  let timer: NodeJS.Timeout | undefined;
  let last = now();

  function snapshot(): void {
    raw.transaction(() => {
      const bytes = raw.serialize();
      const tmpSnap = paths.snapshot + '.tmp';
      const tmpJournal = paths.journal + '.tmp';
      const header = journalHeader(sha256(bytes));
      try {
        writeDurable(tmpSnap, bytes);
        writeDurable(tmpJournal, header);
      } catch (err) {
        // ENOSPC part-way through: a half-written temp snapshot would only take more of a full flash.
        for (const f of [tmpSnap, tmpJournal]) rmSync(f, { force: true });
        throw err;
      }
      renameSync(tmpSnap, paths.snapshot);
      renameSync(tmpJournal, paths.journal);
      fsyncDir(opts.dataDir);
      stats.snapshotBytes += bytes.length;
      stats.journalBytes += header.length;
      stats.snapshots++;
    }).immediate();
    last = now();
  }

  function check(force = false): void {
    try {
      if (force || now() - last >= opts.intervalMs || fileSize(paths.journal) > maxJournal) snapshot();
    } catch (err) {
      opts.log.error('storage/snapshot', 'snapshot failed; the journal keeps every write until the next one', { err: (err as Error).message });
    }
  }

  return {
    db,
    opened,
    snapshot,
    start() {
      // A full flash at boot must not keep the portal down: the journal still holds every write.
      check(true);
      timer = setInterval(() => check(), Math.min(opts.checkMs ?? 60_000, opts.intervalMs));
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      check(true); // on a full flash the last snapshot fails, logged; the journal still holds every write
    },
    stats: () => ({ ...stats }),
  };
}

function restore(ramFile: string, paths: { snapshot: string; journal: string }, base: string, log: Logger): RamStorage['opened'] {
  const tmp = ramFile + '.restoring';
  for (const f of [tmp, tmp + '-wal', tmp + '-shm']) rmSync(f, { force: true });
  if (existsSync(paths.snapshot)) writeDurable(tmp, readBytes(paths.snapshot));
  const db = new Database(tmp);
  let result: ReplayResult | null = null;
  try {
    const text = nodeJournalFs.read(paths.journal);
    result = text === null ? null : replayJournal(db, text, base);
  } finally {
    db.close(); // the last connection checkpoints and removes tmp-wal
  }
  renameSync(tmp, ramFile);
  const replayed = result?.applied ?? 0;
  const tornTail = result?.tornTail ?? false;
  const skipped = (result?.corrupt.length ?? 0) + (result?.failed.length ?? 0);
  const from = existsSync(paths.snapshot) || replayed > 0 ? 'restored' : 'new';
  if (from === 'restored') log.info('storage', `restored the RAM database from ${paths.snapshot} and ${replayed} journaled transactions`);
  if (tornTail) log.warn('storage', 'ignored a torn last journal entry (an append cut short by a power cut or a full flash; it was never acknowledged)');
  if (result && skipped > 0) {
    // Start anyway (refusing would keep the portal down until someone edits the file), but loudly,
    // and keep the journal as it was: the next snapshot replaces it.
    const kept = `${paths.journal}.damaged-${Date.now()}`;
    let copy = `a copy is at ${kept}`;
    try {
      copyFileSync(paths.journal, kept);
    } catch (err) {
      copy = `no copy could be kept (${(err as Error).message})`;
    }
    log.error('storage', `the journal was damaged: ${skipped} entries were skipped and are lost; ${copy}`, {
      corruptLines: result.corrupt,
      salvaged: result.salvaged,
      failed: result.failed,
    });
  }
  return { from, replayed, tornTail, skipped };
}

/**
 * A snapshot left in WAL form (a `direct`-mode database, when switching to `ram`) is checkpointed so
 * its file alone holds everything before it is copied or hashed.
 */
function settleSnapshot(file: string): void {
  if (!existsSync(file + '-wal')) return;
  const db = new Database(file);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

function readBytes(file: string): Buffer {
  return readFileSync(file);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function writeDurable(file: string, data: string | Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
