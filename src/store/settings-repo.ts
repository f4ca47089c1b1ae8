/**
 * Operator-editable settings (welcome text, network name overrides, walled garden): JSON values by key.
 * Config-file settings are the defaults; what an operator saves in the console wins.
 *
 * @example
 *   settingsRepo(db).get('welcome');
 */
import type { Db } from './db.js';

export function settingsRepo(db: Db) {
  return {
    all(): Record<string, unknown> {
      const out: Record<string, unknown> = {};
      for (const r of db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]) out[r.key] = JSON.parse(r.value);
      return out;
    },
    get(key: string): unknown {
      const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
      return r ? JSON.parse(r.value) : undefined;
    },
    set(key: string, value: unknown): void {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
    },
  };
}

export type SettingsRepo = ReturnType<typeof settingsRepo>;
