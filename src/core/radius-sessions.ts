/**
 * RADIUS sessions seen from the DAS side (RFC 5176): which live sessions a pool has on which NAS (the
 * Disconnect targets when the pool ends), and closing one once its NAS confirmed it (Disconnect-ACK, or
 * NAK 503 Session-Context-Not-Found: "session already gone, close locally", radius.md §b).
 *
 * @example
 *   for (const s of radiusSessionsOfPool(ctx, entId)) …;
 *   closeRadiusSession(ctx, s.id, 'disconnect');
 */
import { formatCode } from '../domain/code.js';
import { remaining } from '../domain/entitlement.js';
import type { RadiusSessionRow } from './ports/model.js';
import type { Actor, CoreContext } from './context.js';
import { transact } from './tx.js';
import { pushReservation } from './radius-reserve.js';

/** A live RADIUS session as an operator reads it: the NAS by name, the code, usage and what is left. */
export interface RadiusSessionView {
  id: string;
  nas: string;
  mac: string;
  ip: string | null;
  code: string | null;
  note: string | null;
  voucherId: string | null;
  entitlementId: string;
  since: number;
  lastSeen: number;
  bytesIn: number;
  bytesOut: number;
  secondsLeft: number | null;
  bytesLeft: number | null;
}

/** Every live RADIUS session, newest first, with its voucher's code (one row per pool read once). */
export function liveRadiusSessions(ctx: CoreContext): RadiusSessionView[] {
  const now = ctx.clock.now();
  const pools = new Map<string, { code: string | null; note: string | null; voucherId: string | null; left: ReturnType<typeof remaining> | null }>();
  const poolOf = (id: string) => {
    let p = pools.get(id);
    if (!p) {
      const ent = ctx.store.entitlements.get(id);
      const voucher = ent ? ctx.store.vouchers.get(ent.voucherId) : undefined;
      const batch = voucher ? ctx.store.vouchers.getBatch(voucher.batchId) : undefined;
      p = {
        code: voucher ? formatCode(voucher.code) : null, note: batch?.note ?? null, voucherId: voucher?.id ?? null,
        left: ent ? remaining(ctx.ledger.current(ent), now) : null,
      };
      pools.set(id, p);
    }
    return p;
  };
  return ctx.store.radiusSessions
    .listActive()
    .reverse()
    .map((s) => {
      const p = poolOf(s.entitlementId);
      return {
        id: s.id, nas: s.nas, mac: s.mac, ip: s.ip, code: p.code, note: p.note, voucherId: p.voucherId, entitlementId: s.entitlementId,
        since: s.grantedAt, lastSeen: s.lastSeen, bytesIn: s.inOctets, bytesOut: s.outOctets,
        secondsLeft: p.left?.seconds ?? null, bytesLeft: p.left?.bytes ?? null,
      };
    });
}

export function radiusSessionsOfPool(ctx: CoreContext, entitlementId: string): RadiusSessionRow[] {
  return ctx.store.radiusSessions.activeOfPool(entitlementId);
}

/** Ends a live session (audited, published; `actor`: who asked, the system unless an operator did); false when it was not live. */
export function closeRadiusSession(ctx: CoreContext, sessionId: string, reason: string, actor: Actor = { type: 'system' }): boolean {
  const now = ctx.clock.now();
  const s = ctx.store.radiusSessions.get(sessionId);
  if (!s || !s.active) return false;
  let closed = false;
  transact(ctx, 'the session end', (t) => {
    closed = ctx.store.radiusSessions.end(sessionId, reason, now);
    if (closed) {
      t.record(
        { type: 'device.detached', actor, subject: s.entitlementId, data: { sessionId, nas: s.nas, reason } },
        ['device.detached', { deviceId: s.id, entitlementId: s.entitlementId, mac: s.mac, reason }],
      );
    }
  });
  if (closed && s.sliceBytes !== null) pushReservation(ctx, s.entitlementId);
  return closed;
}
