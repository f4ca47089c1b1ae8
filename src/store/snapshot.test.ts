/**
 * RAM storage: the live database in a "tmpfs" directory (a temp dir we delete to model a power cut), the
 * snapshot and journal in a "flash" directory. Real files, real SQLite.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.js';
import { createStore } from './index.js';
import { openRamStorage } from './snapshot.js';

let root: string;
let ramFile: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portico-snap-'));
  ramFile = join(root, 'ram', 'portico.db');
  dataDir = join(root, 'flash');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const open = () => {
  const ram = openRamStorage({ ramFile, dataDir, intervalMs: 3_600_000, log: silentLogger });
  return { ram, store: createStore(ram.db) };
};
/** A power cut: tmpfs is gone (the process is already closed, so nothing else is flushed). */
const powerCut = () => rmSync(join(root, 'ram'), { recursive: true, force: true });

describe('RAM storage', () => {
  it('rebuilds every committed write from the journal alone after a power cut', () => {
    const a = open();
    a.store.settings.set('welcome', 'hola');
    a.store.tx(() => {
      a.store.settings.set('n', 1);
      a.store.settings.set('n', 2);
    });
    expect(() =>
      a.store.tx(() => {
        a.store.settings.set('rolled-back', true);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    a.store.close();
    powerCut();
    const b = open();
    expect(b.ram.opened.from).toBe('restored');
    expect(b.store.settings.all()).toEqual({ welcome: 'hola', n: 2 });
    b.store.close();
  });

  it('restores snapshot + newer journal entries, and a snapshot starts a fresh journal', () => {
    const a = open();
    a.store.settings.set('before', 1);
    a.ram.snapshot();
    expect(readFileSync(join(dataDir, 'portico.journal'), 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    a.store.settings.set('after', 2);
    a.store.close();
    powerCut();
    const b = open();
    expect(b.ram.opened.replayed).toBe(1);
    expect(b.store.settings.all()).toEqual({ before: 1, after: 2 });
    b.store.close();
  });

  it('ignores a torn last journal line (an append the power cut interrupted, never acknowledged)', () => {
    const a = open();
    a.store.settings.set('kept', 1);
    a.store.close();
    appendFileSync(join(dataDir, 'portico.journal'), '{"q":["INSERT INTO settings (key, va');
    powerCut();
    const b = open();
    expect(b.ram.opened.tornTail).toBe(true);
    expect(b.store.settings.all()).toEqual({ kept: 1 });
    b.store.close();
  });

  it('does not replay a journal that predates the snapshot (crash between the two renames)', () => {
    const a = open();
    a.store.settings.set('x', 1);
    const oldJournal = readFileSync(join(dataDir, 'portico.journal'));
    a.ram.snapshot();
    a.store.close();
    // The new snapshot is in place but the old journal was never replaced: replaying it would apply `x` twice.
    writeFileSync(join(dataDir, 'portico.journal.old'), oldJournal);
    renameSync(join(dataDir, 'portico.journal.old'), join(dataDir, 'portico.journal'));
    powerCut();
    const b = open();
    expect(b.ram.opened.replayed).toBe(0);
    expect(b.store.settings.all()).toEqual({ x: 1 });
    b.store.settings.set('y', 2); // the journal was restarted on the current snapshot
    b.store.close();
    powerCut();
    const c = open();
    expect(c.store.settings.all()).toEqual({ x: 1, y: 2 });
    c.store.close();
  });

  it('a second process writing the same RAM database (the CLI) journals into the rotated journal', () => {
    const server = open();
    const cli = open(); // opened before the server's snapshot: it must not hold the old journal
    server.ram.snapshot();
    cli.store.settings.set('from-cli', true);
    server.store.settings.set('from-server', true);
    server.ram.stop(); // shutdown snapshot
    cli.store.settings.set('after-stop', 1);
    server.store.close();
    cli.store.close();
    powerCut();
    const b = open();
    expect(b.store.settings.all()).toEqual({ 'from-cli': true, 'from-server': true, 'after-stop': 1 });
    b.store.close();
  });

  it('keeps the live RAM database after a crash without power loss, and counts what reached flash', () => {
    const a = open();
    a.ram.start();
    a.store.settings.set('k', 'v');
    const s = a.ram.stats();
    expect(s.snapshots).toBe(1);
    expect(s.snapshotBytes).toBeGreaterThan(4096);
    expect(s.journalBytes).toBeGreaterThan(0);
    a.ram.stop();
    a.store.close();
    expect(existsSync(ramFile)).toBe(true);
    const b = open();
    expect(b.ram.opened.from).toBe('live');
    expect(b.store.settings.get('k')).toBe('v');
    b.store.close();
  });
});
