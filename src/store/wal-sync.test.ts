/** The WAL flush off the event loop: one at a time, each covering every caller since the one before. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { createStore } from './index.js';
import { walSync } from './wal-sync.js';

describe('walSync', () => {
  it('never overlaps two flushes, and gives everyone who came during one the next one, together', async () => {
    const flushes: Array<() => void> = [];
    let running = 0;
    let most = 0;
    const sync = walSync('/x-wal', () => {
      running++;
      most = Math.max(most, running);
      return new Promise<void>((resolve) => flushes.push(() => (running--, resolve())));
    });
    const first = sync();
    // These commits came after the first flush started: it may not hold them.
    const later = [sync(), sync(), sync()];
    let laterDone = false;
    void Promise.all(later).then(() => (laterDone = true));
    expect(flushes).toHaveLength(1);
    flushes[0]!();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(laterDone).toBe(false);
    expect(flushes).toHaveLength(2); // one more flush, for the three of them
    flushes[1]!();
    await Promise.all(later);
    expect(most).toBe(1);
  });

  it('fails the callers of a flush that failed; the next caller gets a flush of its own', async () => {
    let fail = true;
    const sync = walSync('/x-wal', async () => {
      if (fail) throw Object.assign(new Error('EIO'), { code: 'EIO' });
    });
    await expect(sync()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync()).resolves.toBeUndefined();
  });
});

describe('store.syncLater', () => {
  it('commits with synchronous=NORMAL, then flushes the WAL off the main thread; FULL again for every other commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-walsync-'));
    try {
      const store = createStore(openDatabase(join(dir, 'portico.db')), { deferSync: true });
      const sync = () => store.db.pragma('synchronous', { simple: true });
      expect(sync()).toBe(2); // FULL
      let inside: unknown;
      const { value, synced } = store.syncLater!(() => {
        inside = sync();
        return store.tx(() => store.settings.set('portal.title', 'Village net'));
      });
      expect(inside).toBe(1); // NORMAL: no fsync inside COMMIT
      expect(sync()).toBe(2);
      expect(value).toBeUndefined();
      await synced;
      expect(store.settings.get('portal.title')).toBe('Village net');
      store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not offered where it cannot hold: an in-memory database, RAM mode, no WAL', () => {
    expect(createStore(openDatabase(':memory:'), { deferSync: true }).syncLater).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'portico-walsync-'));
    try {
      expect(createStore(openDatabase(join(dir, 'a.db'))).syncLater).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
