/**
 * The intercept path's question ("is this address logged in?", asked for every captive probe and
 * every request on the portal) answered from memory on PostgreSQL, so it does not wait on the
 * database: each answer is kept for `ttlMs`; a device attached, moved or ended through this instance
 * clears the view at once; what another instance changed is seen within `ttlMs`. While the database is
 * away the last answer stands (a device that was online stays online; an unknown address is sent to
 * the portal, which then answers 503). SQLite answers this in microseconds and needs none of it.
 *
 * @example
 *   const entitlements = withActiveIpView(entitlementRepo(db), { ttlMs: 2000 });
 */
import type { EntitlementStore } from '../../core/ports/store.js';

const MAX_ENTRIES = 20_000;

export function withActiveIpView(repo: EntitlementStore, opts: { ttlMs: number; now?: () => number }): EntitlementStore {
  const now = opts.now ?? Date.now;
  const seen = new Map<string, { online: boolean; at: number }>();
  const clear = () => seen.clear();
  return {
    ...repo,
    isActiveIp(ip: string): boolean {
      const hit = seen.get(ip);
      if (hit && now() - hit.at < opts.ttlMs) return hit.online;
      try {
        const online = repo.isActiveIp(ip);
        if (seen.size >= MAX_ENTRIES) seen.clear();
        seen.set(ip, { online, at: now() });
        return online;
      } catch (err) {
        if (hit) return hit.online;
        throw err;
      }
    },
    insertDevice(d, orElse) {
      clear();
      return repo.insertDevice(d, orElse);
    },
    updateDeviceAddress(id, ip, site, at) {
      clear();
      repo.updateDeviceAddress(id, ip, site, at);
    },
    endDevice(id, reason, at) {
      clear();
      repo.endDevice(id, reason, at);
    },
  };
}
