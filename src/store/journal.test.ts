/**
 * The RAM-mode journal on a full or failing flash (attack report D3), against a fake disk passed in as
 * `JournalIo`: write(2) that writes part of a line and then fails with ENOSPC, writes cut short while
 * there is space, fdatasync failing with EIO, a COMMIT failing after the append. A write transaction
 * either has its whole line on "flash" and commits, or fails, leaves the file as it was and leaves the
 * database as it was. Replay discards a torn tail and salvages what it can from a corrupt middle line
 * (journals written before this fix), reporting it instead of refusing to start.
 */
import { describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './db.js';
import { fileJournalFs, journaled, journalHeader, replayJournal, type JournalIo } from './journal.js';

const PATH = '/flash/portico.journal';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: fake disk`), { code });
}

/** One file on a disk of `capacity` bytes, with knobs for the failures write(2) and fdatasync(2) have. */
function fakeDisk(capacity: number) {
  const disk = {
    capacity,
    data: Buffer.from(journalHeader('empty')),
    /** Largest single write(2) (a signal, a pipe-like device): the rest must be written by a loop. */
    maxChunk: Infinity,
    failDatasync: null as string | null,
    failTruncate: null as string | null,
    text: () => disk.data.toString('utf8'),
  };
  const io: JournalIo = {
    open: () => 3,
    size: () => disk.data.length,
    read(_fd, buf, position) {
      return disk.data.copy(buf, 0, position, Math.min(disk.data.length, position + buf.length));
    },
    write(_fd, buf, offset, length) {
      const free = disk.capacity - disk.data.length;
      // Linux: a write that fits partly writes what fits and returns the count; the next one fails.
      if (free <= 0) throw errno('ENOSPC');
      const n = Math.min(length, free, disk.maxChunk);
      disk.data = Buffer.concat([disk.data, buf.subarray(offset, offset + n)]);
      return n;
    },
    datasync() {
      if (disk.failDatasync) throw errno(disk.failDatasync);
    },
    truncate(_fd, length) {
      if (disk.failTruncate) throw errno(disk.failTruncate);
      disk.data = disk.data.subarray(0, length);
    },
    close() {},
    readFile: () => disk.text(),
  };
  return { disk, fs: fileJournalFs(io) };
}

function setup(capacity = 1 << 20) {
  const { disk, fs } = fakeDisk(capacity);
  const db = journaled(openDatabase(':memory:'), { path: PATH, fs });
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)');
  const put = (k: string, v = 'x'.repeat(40)) => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run(k, v);
  return { disk, db, put };
}

const keys = (db: Db) => (db.prepare('SELECT k FROM t ORDER BY rowid').all() as { k: string }[]).map((r) => r.k);

function replayed(text: string) {
  const db = openDatabase(':memory:');
  const result = replayJournal(db, text, 'empty');
  return { result, keys: keys(db) };
}

describe('journal on a full flash', () => {
  it('ENOSPC part-way through a line: the write fails, the file is cut back, the database keeps nothing', () => {
    const { disk, db, put } = setup();
    put('a');
    disk.capacity = disk.data.length + 20; // room for 20 bytes of the next ~110-byte line
    const before = disk.text();
    expect(() => put('b')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(disk.text()).toBe(before);
    expect(keys(db)).toEqual(['a']);
    expect(() => put('c')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));

    disk.capacity = 1 << 20; // space returns
    put('d');
    expect(keys(db)).toEqual(['a', 'd']);
    expect(disk.text().endsWith('\n')).toBe(true);
    // After a power cut, the journal rebuilds exactly what was acknowledged.
    const r = replayed(disk.text());
    expect(r.keys).toEqual(['a', 'd']);
    expect(r.result).toMatchObject({ tornTail: false, corrupt: [] });
  });

  it('a write cut short while there is space is continued until the whole line is on flash', () => {
    const { disk, db, put } = setup();
    disk.maxChunk = 7;
    for (const k of ['a', 'b', 'c']) put(k);
    expect(keys(db)).toEqual(['a', 'b', 'c']);
    expect(replayed(disk.text()).keys).toEqual(['a', 'b', 'c']);
  });

  it('fdatasync failing (EIO): the write fails and the line is taken back', () => {
    const { disk, db, put } = setup();
    put('a');
    const before = disk.text();
    disk.failDatasync = 'EIO';
    expect(() => put('b')).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(disk.text()).toBe(before);
    expect(keys(db)).toEqual(['a']);
  });

  it('a torn line that could not be cut back is cut before the next append', () => {
    const { disk, db, put } = setup();
    put('a');
    disk.capacity = disk.data.length + 20;
    disk.failTruncate = 'EIO';
    expect(() => put('b')).toThrow();
    expect(disk.text().endsWith('\n')).toBe(false); // the fragment is still there
    disk.failTruncate = null;
    disk.capacity = 1 << 20;
    put('c');
    expect(keys(db)).toEqual(['a', 'c']);
    const r = replayed(disk.text());
    expect(r.keys).toEqual(['a', 'c']);
    expect(r.result).toMatchObject({ tornTail: false, corrupt: [] });
  });

  it('a COMMIT that fails after the append takes the journal entry back', () => {
    const { disk, db } = setup();
    // A deferred foreign key is checked at COMMIT, after the entry is on flash: the commit fails.
    db.exec('CREATE TABLE p (id TEXT PRIMARY KEY); CREATE TABLE c (p TEXT REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)');
    const before = disk.text();
    const insert = db.prepare('INSERT INTO c (p) VALUES (?)');
    expect(() => db.transaction(() => insert.run('nobody')).immediate()).toThrow(/FOREIGN KEY/);
    expect(disk.text()).toBe(before);
    expect(db.prepare('SELECT COUNT(*) AS n FROM c').get()).toEqual({ n: 0 });
  });
});

describe('replaying a damaged journal', () => {
  const entry = (k: string) => JSON.stringify({ q: ['INSERT INTO t (k) VALUES (?)'], w: [[0, [k]]] });
  const head = journalHeader('empty') + JSON.stringify({ q: [], w: [['CREATE TABLE t (k TEXT PRIMARY KEY)']] }) + '\n';

  it('discards a last line without its newline, even when it parses (its append never finished)', () => {
    const r = replayed(head + entry('a') + '\n' + entry('b'));
    expect(r.keys).toEqual(['a']);
    expect(r.result?.tornTail).toBe(true);
  });

  it('a corrupt line in the middle (a journal from before this fix): the rest is applied and reported', () => {
    // The old append let a later entry land on a torn line: '{"q":["INS' + a whole entry, then more lines.
    const text = head + entry('a') + '\n' + entry('b').slice(0, 10) + entry('c') + '\n' + 'garbage\n' + entry('d') + '\n';
    const r = replayed(text);
    expect(r.keys).toEqual(['a', 'c', 'd']);
    expect(r.result).toMatchObject({ tornTail: false, corrupt: [4, 5], salvaged: 1, failed: [] });
  });

  it('an entry that no longer applies is rolled back alone and reported; later ones still apply', () => {
    const text = head + entry('a') + '\n' + entry('a') + '\n' + entry('b') + '\n';
    const r = replayed(text);
    expect(r.keys).toEqual(['a', 'b']);
    expect(r.result?.failed).toEqual([{ line: 4, error: expect.stringMatching(/UNIQUE/) }]);
  });
});
