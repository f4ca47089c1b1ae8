/**
 * The intercept fast path's question, "is this address logged in?", answered from memory. Every probe
 * asks it (a network's phones ask several whenever Wi-Fi comes back), and the indexed read costs ~15 µs
 * through better-sqlite3, 8 % of Portico's CPU under a probe flood (a round trip per probe on
 * PostgreSQL). Answers are kept until a device joins or leaves a pool on this instance (the bus events
 * of those commits, published before the login's or logout's answer is sent, so the probe that follows
 * a login is never answered from before it), and at most `ttlMs` (another instance on a shared
 * database). Until `start()` subscribes, and for the `maxEntries`+1st address, it reads the store.
 *
 * @example
 *   const online = createOnlineCache(ctx, { ttlMs: 2000 });
 *   online.start();
 *   online.isOnline('10.0.0.23');
 */
import type { CoreContext } from './context.js';

export function createOnlineCache(ctx: Pick<CoreContext, 'store' | 'bus'>, opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const ttlMs = opts.ttlMs ?? 2000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const known = new Map<string, boolean>();
  let since = 0;
  let live = false;
  const unsubscribe: Array<() => void> = [];
  const forget = () => known.clear();
  return {
    /** `ip` normalized by the caller. */
    isOnline(ip: string): boolean {
      if (!live) return ctx.store.entitlements.isActiveIp(ip);
      const t = now();
      if (t - since > ttlMs) {
        known.clear();
        since = t;
      }
      let v = known.get(ip);
      if (v === undefined) {
        v = ctx.store.entitlements.isActiveIp(ip);
        if (known.size < maxEntries) known.set(ip, v);
      }
      return v;
    },
    start(): void {
      if (live) return;
      for (const e of ['device.attached', 'device.detached', 'voucher.redeemed', 'entitlement.changed', 'voucher.revoked'] as const) {
        unsubscribe.push(ctx.bus.on(e, 'online-cache', forget));
      }
      known.clear();
      live = true;
    },
    stop(): void {
      for (const u of unsubscribe.splice(0)) u();
      live = false;
      known.clear();
    },
  };
}
