/**
 * The settings view on SQLite (store/settings-view.ts): read from memory, a save seen at once, a
 * rolled-back save never seen, a save by another connection to the file (a `portico` command beside
 * the server) seen within the second. Real files, real SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db.js';
import { createStore, type SqliteStore } from './index.js';

let dir: string;
let open: SqliteStore[];
const store = () => {
  const s = createStore(openDatabase(join(dir, 'portico.db')));
  open.push(s);
  return s;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-settings-'));
  open = [];
});
afterEach(() => {
  for (const s of open) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('settings view (SQLite)', () => {
  it('a save is seen at once; what a caller changes in its copy is not', () => {
    const s = store();
    expect(s.settings.all()).toEqual({});
    s.settings.set('welcome', 'hola');
    const got = s.settings.all();
    expect(got).toEqual({ welcome: 'hola' });
    got.welcome = 'changed by a caller';
    expect(s.settings.get('welcome')).toBe('hola');
  });

  it('a save inside a transaction that rolls back is never seen, even when read inside it', () => {
    const s = store();
    s.settings.set('n', 1);
    expect(() =>
      s.tx(() => {
        s.settings.set('n', 2);
        expect(s.settings.get('n')).toBe(2);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.settings.get('n')).toBe(1);
  });

  it('a save through another connection to the file is seen within the second', async () => {
    const server = store();
    const cli = store();
    expect(server.settings.get('networkName')).toBeUndefined();
    cli.settings.set('networkName', 'Barrio Wi-Fi');
    const t0 = Date.now();
    while (server.settings.get('networkName') === undefined && Date.now() - t0 < 1500) await new Promise((r) => setTimeout(r, 25));
    expect(server.settings.get('networkName')).toBe('Barrio Wi-Fi');
    expect(Date.now() - t0).toBeLessThan(1200);
  });
});
