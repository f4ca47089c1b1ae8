/**
 * The journal file itself (journal.ts decides what goes in it): durable, all-or-nothing appends on
 * flash. write(2) on a nearly full filesystem writes part of the buffer and returns the count, with
 * ENOSPC only on the next call (attack report D3); a line is therefore acknowledged only once all of it,
 * newline last, is written and fdatasync'ed, and anything less is cut back off with ftruncate(2). The
 * system calls come in as `JournalIo` so tests can run the same code on a fake disk that short-writes.
 *
 * @example
 *   const fs = fileJournalFs();            // node:fs
 *   const at = fs.appendDurable(path, line); // throws JournalWriteError (code ENOSPC…) and leaves the file as it was
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';

export interface JournalFs {
  /**
   * Appends `text` to `path` and makes it durable (open O_APPEND, write all of it, fdatasync, close),
   * or throws a JournalWriteError and leaves the file as it was. Returns the offset the entry starts at.
   */
  appendDurable(path: string, text: string): number;
  /** Cuts the file back to `length` bytes, durably: takes back an entry whose COMMIT then failed. */
  truncate(path: string, length: number): void;
  /** The file's text, or null when it does not exist. */
  read(path: string): string | null;
}

/**
 * An append that did not reach flash entirely (ENOSPC, EDQUOT, EIO…). `code` is the errno of the
 * cause, so the HTTP layer can say "the flash is full" (503 STORAGE_FAILED) instead of a 500.
 */
export class JournalWriteError extends Error {
  override readonly name = 'JournalWriteError';
  readonly code: string;
  constructor(path: string, cause: unknown) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'EIO';
    super(`could not append to the journal ${path}: ${(cause as Error | undefined)?.message ?? code}`, { cause });
    this.code = code;
  }
}

/** The few system calls the file journal makes: node:fs in production, a fake disk in tests. */
export interface JournalIo {
  /** open(2) with O_RDWR | O_APPEND | O_CREAT. */
  open(path: string): number;
  size(fd: number): number;
  /** pread(2): bytes read into `buf` from `position`. */
  read(fd: number, buf: Buffer, position: number): number;
  /** write(2) at the end of the file: may write fewer bytes than asked, and returns how many it did. */
  write(fd: number, buf: Buffer, offset: number, length: number): number;
  datasync(fd: number): void;
  truncate(fd: number, length: number): void;
  close(fd: number): void;
  /** The whole file as text, or null when it does not exist. */
  readFile(path: string): string | null;
}

export const nodeJournalIo: JournalIo = {
  open: (path) => openSync(path, 'a+'),
  size: (fd) => fstatSync(fd).size,
  read: (fd, buf, position) => readSync(fd, buf, 0, buf.length, position),
  write: (fd, buf, offset, length) => writeSync(fd, buf, offset, length),
  datasync: (fd) => fdatasyncSync(fd),
  truncate: (fd, length) => ftruncateSync(fd, length),
  close: (fd) => closeSync(fd),
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
};

/**
 * The journal on a real file through `io`. An entry counts only once its whole line, newline included,
 * is written and fdatasync'ed; anything less is cut back off (ftruncate) so the next entry starts on a
 * fresh line. The appends are serialised by SQLite's write lock (journaled() appends inside the write
 * transaction), so the size read before the write is the entry's own start even with a CLI writing too.
 */
export function fileJournalFs(io: JournalIo = nodeJournalIo): JournalFs {
  return {
    appendDurable(path, text) {
      const fd = io.open(path);
      try {
        const start = dropTornTail(io, fd, path);
        const buf = Buffer.from(text);
        try {
          for (let off = 0; off < buf.length; ) {
            // write(2) on a nearly full disk writes what fits and returns that count; only the next
            // call fails with ENOSPC. A signal can also cut a write short. So loop until all is written.
            const n = io.write(fd, buf, off, buf.length - off);
            if (n <= 0) throw Object.assign(new Error('ENOSPC: write made no progress'), { code: 'ENOSPC' });
            off += n;
          }
          // An fdatasync error (EIO) means the line may not be on flash: not acknowledged either.
          io.datasync(fd);
        } catch (err) {
          try {
            io.truncate(fd, start);
            io.datasync(fd);
          } catch {
            // The fragment stays for now; dropTornTail cuts it before the next append, replay ignores it.
          }
          throw new JournalWriteError(path, err);
        }
        return start;
      } finally {
        io.close(fd);
      }
    },
    truncate(path, length) {
      const fd = io.open(path);
      try {
        io.truncate(fd, length);
        io.datasync(fd);
      } finally {
        io.close(fd);
      }
    },
    read: (path) => io.readFile(path),
  };
}

/**
 * The file's length after cutting a torn last line (no newline: an append that failed and could not be
 * cut back, or a power cut mid-write; never acknowledged either way). Appending onto it would glue the
 * next entry to the fragment and make both unreadable (D3 variant B).
 */
function dropTornTail(io: JournalIo, fd: number, path: string): number {
  const size = io.size(fd);
  if (size === 0) return 0;
  const last = Buffer.alloc(1);
  if (io.read(fd, last, size - 1) === 1 && last[0] === 0x0a) return size; // the usual case: one byte read
  const chunk = Buffer.alloc(4096);
  let end = size;
  while (end > 0) {
    const from = Math.max(0, end - chunk.length);
    const n = io.read(fd, chunk.subarray(0, end - from), from);
    const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
    if (nl >= 0) {
      end = from + nl + 1;
      break;
    }
    end = from;
  }
  if (end === size) return size;
  try {
    io.truncate(fd, end);
    io.datasync(fd);
  } catch (err) {
    throw new JournalWriteError(path, err);
  }
  return end;
}

export const nodeJournalFs: JournalFs = fileJournalFs();
