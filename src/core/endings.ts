/**
 * Why a device's session ended, so the portal can say so instead of silently showing the sign-in form
 * (newcomer report, Broken 3): the data ran out, the time ran out, the code was revoked, the resident
 * logged out, or another device of the household removed or replaced this one. Fed from the bus
 * (`device.detached`, emitted after the commit), read by `deviceStatus` for a known client that has no
 * active device. A new login of the same MAC forgets it.
 *
 * In memory and bounded (at most MAX entries, each shown for a while): after a restart the portal falls
 * back to the plain sign-in form, which is what it showed before. The devices table keeps the durable
 * record (`end_reason`).
 *
 * @example
 *   const e = endings(ctx);          // subscribes once per bus
 *   e.of('02:00:00:aa:bb:cc');       // { reason: 'exhausted', at: 1767000000000 } | undefined
 */
import type { EntitlementStatus } from '../domain/entitlement.js';
import type { CoreContext } from './context.js';

export type EndReason = 'exhausted' | 'expired' | 'revoked' | 'logout' | 'removed' | 'replaced';
export interface Ending {
  reason: EndReason;
  at: number;
}

const MAX = 2048;
/** A pool that ran out is news for a day; "you are logged out" for an hour. */
const SHOWN_MS: Record<EndReason, number> = {
  exhausted: 86_400_000, expired: 86_400_000, revoked: 86_400_000, logout: 3_600_000, removed: 3_600_000, replaced: 3_600_000,
};
const FINAL: ReadonlySet<EntitlementStatus> = new Set(['exhausted', 'expired', 'revoked']);

type Ctx = Pick<CoreContext, 'bus' | 'store' | 'clock'>;
const trackers = new WeakMap<Ctx['bus'], ReturnType<typeof createEndings>>();

/** The tracker of this core (one per bus), subscribing on first use; createAdmin calls it at start. */
export function endings(ctx: Ctx) {
  let t = trackers.get(ctx.bus);
  if (!t) trackers.set(ctx.bus, (t = createEndings(ctx)));
  return t;
}

function createEndings(ctx: Ctx) {
  const byMac = new Map<string, Ending>();
  const put = (mac: string, reason: EndReason) => {
    byMac.delete(mac);
    byMac.set(mac, { reason, at: ctx.clock.now() });
    // Insertion order is age order: drop the oldest beyond the cap.
    while (byMac.size > MAX) byMac.delete(byMac.keys().next().value!);
  };
  ctx.bus.on('device.detached', 'endings', (e) => {
    if (e.reason === 'logout' || e.reason === 'removed' || e.reason === 'replaced') return put(e.mac, e.reason);
    if (e.reason === 'switched') return; // it moved to another code and is online
    // A pool that ended (lifecycle.endPool) gives its devices a free-text reason; the status is the fact.
    const status = ctx.store.entitlements.get(e.entitlementId)?.status;
    if (status && FINAL.has(status)) put(e.mac, status as EndReason);
  });
  ctx.bus.on('device.attached', 'endings', (e) => void byMac.delete(e.mac));
  ctx.bus.on('voucher.redeemed', 'endings', (e) => void byMac.delete(e.mac));
  return {
    of(mac: string): Ending | undefined {
      const e = byMac.get(mac);
      if (e && ctx.clock.now() - e.at > SHOWN_MS[e.reason]) {
        byMac.delete(mac);
        return undefined;
      }
      return e;
    },
  };
}
