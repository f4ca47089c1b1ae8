/**
 * A durable FIFO on disk for accounting records the central server has not acknowledged yet (SPEC
 * §10: "accounting is kept durably and replayed"). One JSON line per event: `{"s":seq,"r":record}` when
 * a record is added, `{"a":seq}` when the server acknowledged it. Every append is fsync'd before it
 * resolves, so a record handed to the spool survives a crash or a power cut; a torn last line (the
 * crash came mid-write) is ignored on reading. When acknowledged lines pile up the file is compacted:
 * the unacknowledged records are written to a temporary file, fsync'd and renamed over the spool
 * (atomic on POSIX), then the directory is fsync'd.
 *
 * No database table on purpose: the gateway's store may be elsewhere (issue 13), and this is the
 * gateway's own outbox.
 *
 * @example
 *   const spool = openSpool<Rec>(join(dataDir, 'radius-accounting.spool'));
 *   const seq = spool.append({ type: 1, sessionId: 'dev_1' });
 *   for (const { seq, record } of spool.pending()) { await send(record); spool.ack(seq); }
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Spool<T> {
  append(record: T): number;
  /** Unacknowledged records, oldest first. */
  pending(): { seq: number; record: T }[];
  ack(seq: number): void;
  size(): number;
  close(): void;
}

/** Compact once this many acknowledged records sit in the file. */
const COMPACT_AFTER = 512;

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems (and Windows) refuse fsync on a directory; the rename is still atomic.
  }
}

export function openSpool<T>(file: string): Spool<T> {
  mkdirSync(dirname(file), { recursive: true });
  const queue = new Map<number, T>();
  let seq = 0;
  let acked = 0;
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      let entry: { s?: number; r?: T; a?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a torn final line from a crash mid-write: that record was never acknowledged to anyone
      }
      if (typeof entry.s === 'number' && entry.r !== undefined) {
        queue.set(entry.s, entry.r);
        seq = Math.max(seq, entry.s);
      } else if (typeof entry.a === 'number') {
        queue.delete(entry.a);
        acked++;
      }
    }
  }
  let fd: number | null = openSync(file, 'a');

  // A record handed over after close() (a device leaving during shutdown) is still written: reopened.
  function write(line: string): void {
    fd ??= openSync(file, 'a');
    writeSync(fd, line + '\n');
    fsyncSync(fd);
  }

  function compact(): void {
    const tmp = `${file}.tmp`;
    const out = openSync(tmp, 'w');
    try {
      const body = [...queue].map(([s, r]) => JSON.stringify({ s, r }) + '\n').join('');
      if (body) writeSync(out, body);
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    if (fd !== null) closeSync(fd);
    renameSync(tmp, file);
    fsyncDir(dirname(file));
    fd = openSync(file, 'a');
    acked = 0;
  }

  if (acked > COMPACT_AFTER) compact();

  return {
    append(record) {
      const s = ++seq;
      write(JSON.stringify({ s, r: record }));
      queue.set(s, record);
      return s;
    },
    pending() {
      return [...queue].map(([s, record]) => ({ seq: s, record }));
    },
    ack(s) {
      if (!queue.has(s)) return;
      write(JSON.stringify({ a: s }));
      queue.delete(s);
      if (++acked > COMPACT_AFTER) compact();
    },
    size: () => queue.size,
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}
