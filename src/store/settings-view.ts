/**
 * Operator settings read from memory on PostgreSQL: the portal reads them on every login (the bypass
 * list, the network name) and they change a few times a year. A read is kept for `ttlMs`; a save through
 * this instance clears it at once, and so does any change another instance commits (`invalidate`, called
 * for every payload it publishes: live.ts), so every instance sees a saved setting within a second.
 *
 * @example
 *   const settings = withSettingsView(settingsRepo(db), { ttlMs: 1000 });
 */
import type { SettingsStore } from '../../core/ports/store.js';

export function withSettingsView(repo: SettingsStore, opts: { ttlMs: number; now?: () => number }): SettingsStore & { invalidate(): void } {
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
  };
}
