/**
 * Operator settings read from memory: the portal reads them on every request (the language list, the
 * welcome and terms, the network name) and they change a few times a year. A read is kept for `ttlMs`;
 * a save through this instance clears it at once, and so does a transaction that rolls back (the store's
 * `tx` runs through `throughTx`: a value read inside it may never have been committed). What is saved from
 * elsewhere is seen within `ttlMs`: on PostgreSQL another instance's commit clears it at once too (its
 * NOTIFY: live.ts); on SQLite a `portico` command run beside the server is seen within the second.
 * On SQLite the query and JSON parse were ~40 µs, twice per portal request (CPU profile of logins).
 *
 * @example
 *   const settings = withSettingsView(settingsRepo(db), { ttlMs: 1000 });
 */
import type { SettingsStore } from '../core/ports/store.js';

export interface SettingsView extends SettingsStore {
  invalidate(): void;
  /** Runs the store's transaction `tx`; when it throws (rolled back), the view is cleared. */
  throughTx<T>(tx: () => T): T;
}

export function withSettingsView(repo: SettingsStore, opts: { ttlMs: number; now?: () => number }): SettingsView {
  const now = opts.now ?? Date.now;
  let cached: { all: Record<string, unknown>; at: number } | null = null;
  const all = () => {
    if (!cached || now() - cached.at >= opts.ttlMs) cached = { all: repo.all(), at: now() };
    return cached.all;
  };
  return {
    // A copy each time: callers may keep or change what they get.
    all: () => structuredClone(all()),
    get: (key) => structuredClone(all()[key]),
    set(key, value) {
      cached = null;
      repo.set(key, value);
      cached = null;
    },
    invalidate() {
      cached = null;
    },
    throughTx<T>(tx: () => T): T {
      try {
        return tx();
      } catch (err) {
        cached = null;
        throw err;
      }
    },
  };
}
