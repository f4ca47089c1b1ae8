/**
 * The disk flush of a commit, off the event loop. With `synchronous=FULL` SQLite fsyncs the WAL inside
 * COMMIT, on the main thread: ~1–2 ms a commit here, a fifth of the event loop while residents log in
 * and out (a CPU profile of the nftables bench). A commit made with `synchronous=NORMAL` writes the
 * same WAL frames without that fsync; `fdatasync` of the WAL file then makes them durable exactly as
 * FULL would have, in libuv's thread pool, and the caller acknowledges only once it has returned
 * (store/index.ts syncLater, core/commit-group.ts).
 *
 * Flushes overlap nothing and cover everything before them: a caller that arrives while one is on its
 * way (it may have started before the caller's COMMIT) gets the next one, which every caller arriving
 * meanwhile shares, so a burst of commits costs two flushes, not one each. A WAL file that is gone was
 * checkpointed into the database by SQLite, which flushes the database before it removes the WAL.
 *
 * @example
 *   const sync = walSync('/var/lib/portico/portico.db-wal');
 *   await sync(); // every commit made before this call is on disk
 */
import { close, fdatasync, open } from 'node:fs';

/** fdatasync(2) of the file at `path`; a missing file has nothing to flush. */
export function flushFile(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return err.code === 'ENOENT' ? resolve() : reject(err);
      fdatasync(fd, (syncErr) => close(fd, () => (syncErr ? reject(syncErr) : resolve())));
    });
  });
}

export function walSync(path: string, flush: (path: string) => Promise<void> = flushFile): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const p: Promise<void> = flush(path).finally(() => {
      if (inFlight === p) inFlight = null;
    });
    inFlight = p;
    return p;
  };
  return () => {
    if (!inFlight) return start();
    next ??= inFlight
      .catch(() => undefined)
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
