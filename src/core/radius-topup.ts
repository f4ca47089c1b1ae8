/**
 * A new grant for a live RADIUS session after its pool grew — a top-up, a period reset or an operator
 * extension (SPEC §9 "slices are topped up (CoA where the profile has it, or re-authorization)";
 * radius.md §b point 4). It is computed like a re-authorization (a fair share of what no other live
 * session holds, the local gateway's devices counted) and RESERVED before the CoA-Request leaves, so
 * the pool is never promised twice while the NAS is being asked. What the NAS answers decides:
 *   ACK      — keep it;
 *   NAK      — the NAS kept its old limit: `restoreRadiusSlice` puts the old reservation back;
 *   timeout  — unknown whether it applied it: keep it (held too much is safe, held too little is not);
 *              the session's next re-authorization or Stop settles it.
 *
 * @example
 *   const r = await regrantRadiusSession(ctx, sessionId, { slice, interimSec: 300 });
 *   if (r && nak) restoreRadiusSlice(ctx, sessionId, r.before, r.grant.sliceBytes);
 */
import { applyResets, remaining, statusAt } from '../domain/entitlement.js';
import type { CoreContext } from './context.js';
import { poolLimits } from './pool.js';
import { poolMembers, sliceFor, sliceHeld, staleAfterMs, type SliceRule } from './radius.js';
import { pushReservation } from './radius-reserve.js';

export interface Regrant {
  /** The reservation before, for a NAK. */
  before: { sliceBytes: number | null; sliceBase: number };
  /** Seconds since the NAS session began: CoA Session-Timeout counts from there. */
  ageSec: number;
  grant: { secondsLeft: number | null; bytesLeft: number | null; sliceBytes: number | null; downBps: number | null; upBps: number | null };
}

/** null when the session is gone or its pool is not active (a Disconnect is the answer then, not a CoA). */
export async function regrantRadiusSession(ctx: CoreContext, sessionId: string, opts: { slice: SliceRule | null; interimSec: number }): Promise<Regrant | null> {
  const first = ctx.store.radiusSessions.get(sessionId);
  const stored = first && ctx.store.entitlements.get(first.entitlementId);
  if (!first?.active || !stored) return null;
  return ctx.locks.run(stored.voucherId, () => ctx.locks.run(first.entitlementId, async () => {
    const now = ctx.clock.now();
    const s = ctx.store.radiusSessions.get(sessionId);
    const cur = ctx.store.entitlements.get(first.entitlementId);
    if (!s?.active || !cur) return null;
    const ent = { ...ctx.ledger.current(cur), ...applyResets(ctx.ledger.current(cur), now) };
    if (statusAt(ent, now) !== 'active') return null;
    const limits = poolLimits(ent, now);
    const used = s.inOctets + s.outOctets;
    const before = { sliceBytes: s.sliceBytes, sliceBase: s.sliceBase };
    let sliceBytes: number | null = null;
    let bytesLeft = limits.bytesRemaining;
    if (opts.slice && limits.bytesRemaining !== null) {
      const others = ctx.store.radiusSessions.livePoolSessions(ent.id, now - staleAfterMs(opts.interimSec)).filter((o) => o.id !== s.id);
      const held = others.reduce((n, o) => n + sliceHeld(o), 0);
      const members = poolMembers(ctx, ent.id, now, opts.interimSec);
      const localOthers = [...members.keys()].filter((m) => m !== s.mac && !others.some((o) => o.mac === m)).length;
      sliceBytes = sliceFor({ ...opts.slice, capBytes: Math.max(0, opts.slice.capBytes - used) }, limits.bytesRemaining, held, others.length + localOthers);
      // Never shrink a grant by CoA: a NAS past the new limit would cut a resident the pool still owes.
      sliceBytes = Math.max(sliceBytes, sliceHeld(s));
      bytesLeft = used + sliceBytes;
      ctx.store.tx(() => ctx.store.radiusSessions.setSlice(s.id, sliceBytes, used, now));
      pushReservation(ctx, ent.id);
    }
    return {
      before, ageSec: Math.max(0, Math.floor((now - s.grantedAt) / 1000)),
      grant: { secondsLeft: remaining(ent, now).seconds, bytesLeft, sliceBytes, downBps: limits.downBps, upBps: limits.upBps },
    };
  }));
}

/** A NAK: the NAS enforces the old limit, so the session holds the old reservation again (unless it moved on since). */
export function restoreRadiusSlice(ctx: CoreContext, sessionId: string, before: Regrant['before'], granted: number | null): void {
  const s = ctx.store.radiusSessions.get(sessionId);
  if (!s?.active || s.sliceBytes !== granted) return;
  ctx.store.tx(() => ctx.store.radiusSessions.setSlice(s.id, before.sliceBytes, before.sliceBase, s.lastSeen));
  pushReservation(ctx, s.entitlementId);
}
