/**
 * RADIUS sessions seen from the DAS side (RFC 5176): which live sessions a pool has on which NAS (the
 * Disconnect targets when the pool ends), and closing one once its NAS confirmed it (Disconnect-ACK, or
 * NAK 503 Session-Context-Not-Found: "session already gone, close locally", radius.md §b).
 *
 * @example
 *   for (const s of radiusSessionsOfPool(ctx, entId)) …;
 *   closeRadiusSession(ctx, s.id, 'disconnect');
 */
import type { RadiusSessionRow } from './ports/model.js';
import type { CoreContext } from './context.js';
import { transact } from './tx.js';
import { pushReservation } from './radius-reserve.js';

export function radiusSessionsOfPool(ctx: CoreContext, entitlementId: string): RadiusSessionRow[] {
  return ctx.store.radiusSessions.activeOfPool(entitlementId);
}

/** Ends a live session (audited, published); false when it was not live. */
export function closeRadiusSession(ctx: CoreContext, sessionId: string, reason: string): boolean {
  const now = ctx.clock.now();
  const s = ctx.store.radiusSessions.get(sessionId);
  if (!s || !s.active) return false;
  let closed = false;
  transact(ctx, 'the session end', (t) => {
    closed = ctx.store.radiusSessions.end(sessionId, reason, now);
    if (closed) {
      t.record(
        { type: 'device.detached', actor: { type: 'system' }, subject: s.entitlementId, data: { sessionId, nas: s.nas, reason } },
        ['device.detached', { deviceId: s.id, entitlementId: s.entitlementId, mac: s.mac, reason }],
      );
    }
  });
  if (closed && s.sliceBytes !== null) pushReservation(ctx, s.entitlementId);
  return closed;
}
