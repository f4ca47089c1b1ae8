/**
 * Reads of small files that live in memory, several times a second (every login reads /proc/net/arp
 * and the dnsmasq leases). A file under /proc is opened once and read from offset 0 each time: procfs
 * builds its text afresh for a read at offset 0, so the answer is as current as a new open, without the
 * path walk, open and close (~0.1 ms of a login's main thread in the nftables bench, CPU profile). Any
 * other file is read whole by path each time (a leases file may be replaced by a rename, which an open
 * descriptor would not see); a missing one reads as ''.
 *
 * @example
 *   const read = memoryFileReader();
 *   read('/proc/net/arp'); // the kernel's ARP table now
 *   read('/tmp/dhcp.leases'); // '' when there is none
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';

/** `fn()`, or undefined when the file is not there. */
function unlessMissing<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export interface MemoryFileReader {
  /** The file's text now, or '' when it does not exist. Throws for other errors (permissions). */
  (path: string): string;
  /** Closes the descriptors kept open. */
  close(): void;
}

/** `bufferBytes`: where reading starts (grown as needed; an ARP table of 1,000 devices is ~80 KiB). */
export function memoryFileReader(opts: { bufferBytes?: number } = {}): MemoryFileReader {
  const open = new Map<string, number>();
  let buf = Buffer.alloc(opts.bufferBytes ?? 64 * 1024);

  const readAll = (fd: number): string => {
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const bigger = Buffer.alloc(buf.length * 2);
        buf.copy(bigger);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, n);
      if (got === 0) return buf.toString('utf8', 0, n);
      n += got;
    }
  };

  const read = ((path: string): string => {
    if (!path.startsWith('/proc/')) return unlessMissing(() => readFileSync(path, 'utf8')) ?? '';
    let fd = open.get(path);
    if (fd === undefined) {
      fd = unlessMissing(() => openSync(path, 'r'));
      if (fd === undefined) return '';
      open.set(path, fd);
    }
    try {
      return readAll(fd);
    } catch {
      // A descriptor gone bad is opened again once; a second failure is the caller's to see.
      open.delete(path);
      closeSync(fd);
      const again = openSync(path, 'r');
      open.set(path, again);
      return readAll(again);
    }
  }) as MemoryFileReader;
  read.close = () => {
    for (const fd of open.values()) closeSync(fd);
    open.clear();
  };
  return read;
}
