/**
 * RADIUS accounting into the pool (SPEC §9, RFC 2866): Start / Interim-Update / Stop report a NAS
 * session's cumulative octets; Portico adds what is new since the highest counters already seen for
 * that session, so a duplicate (a retransmission with a new Identifier after Acct-Delay-Time changed,
 * RFC 2866 §5.2, which the duplicate cache cannot recognise) or an Interim that arrives after a later one
 * adds nothing (radius.md §b, point 3). Usage goes to the same pool the local gateway feeds
 * (`entitlements.addUsage` + the daily table), written at once: a NAS sends one record per interim
 * (≥ 60 s), so flash sees no more writes than the local sweep's flush. Exhaustion and expiry are then
 * the accounting sweep's, as for local devices.
 *
 * The session is found by Class (our grant id, echoed per RFC 2865 §5.25) when it belongs to that NAS,
 * else by (NAS, Acct-Session-Id). Accounting-On/Off (RFC 2866 §5.1 values 7/8) means the NAS rebooted:
 * its open sessions are closed, as FreeRADIUS and OpenWISP do.
 *
 * @example
 *   recordRadiusAccounting(ctx, { nas: 'mk1', statusType: 3, acctSessionId: '8000001', classId: 'rad_x',
 *     mac: null, ip: null, inOctets: 5_000_000_000n, outOctets: 12n, terminateCause: null });
 */
import { localDay } from './ledger.js';
import type { CoreContext } from './context.js';
import { auditAlone, transact } from './tx.js';
import { pushReservation } from './radius-reserve.js';

/** RFC 2866 §5.1. */
const START = 1;
const STOP = 2;
const ACCOUNTING_ON = 7;
const ACCOUNTING_OFF = 8;

export interface RadiusAccountingInput {
  nas: string;
  statusType: number;
  acctSessionId: string | null;
  /** Class as echoed, decoded as text (our grant id), or null. */
  classId: string | null;
  mac: string | null;
  ip: string | null;
  /** 64-bit Acct-Input (from the client) / Acct-Output (to the client) octets; undefined when absent. */
  inOctets: bigint | undefined;
  outOctets: bigint | undefined;
  terminateCause: number | null;
}

export type RadiusAccountingResult =
  | { kind: 'recorded'; sessionId: string; addedBytes: number; closed: boolean }
  | { kind: 'nas-reset'; closed: number }
  /** No grant of ours matches (a session from before Portico, or a foreign Class): answered, not counted. */
  | { kind: 'unknown-session' };

const big = (n: bigint | undefined, floor: number): number => (n === undefined ? floor : Number(n));

export function recordRadiusAccounting(ctx: CoreContext, input: RadiusAccountingInput): RadiusAccountingResult {
  const now = ctx.clock.now();
  const repo = ctx.store.radiusSessions;
  if (input.statusType === ACCOUNTING_ON || input.statusType === ACCOUNTING_OFF) {
    const closed = repo.endAllOfNas(input.nas, 'nas-reboot', now);
    if (closed) auditAlone(ctx, { type: 'radius.nas_reset', actor: { type: 'system' }, subject: null, data: { nas: input.nas, closed } });
    return { kind: 'nas-reset', closed };
  }
  const byClass = input.classId ? repo.get(input.classId) : undefined;
  const session =
    (byClass && byClass.nas === input.nas ? byClass : undefined) ??
    (input.acctSessionId ? repo.byAcctSession(input.nas, input.acctSessionId) : undefined);
  if (!session) return { kind: 'unknown-session' };

  // pfSense's "Stop/Start" accounting (radius.md §a, §b point 2) stops the session every minute and
  // starts it again with the same Acct-Session-Id and zeroed counters: that Start opens a new epoch of
  // the same session (same grant, slot and slice), counted on top of what the earlier epochs reported.
  const resumed =
    input.statusType === START && !session.active && /^stop:/.test(session.endReason ?? '') &&
    input.acctSessionId !== null && session.acctSessionId === input.acctSessionId;
  const baseIn = resumed ? session.inOctets : session.epochIn ?? 0;
  const baseOut = resumed ? session.outOctets : session.epochOut ?? 0;
  // Counters only grow within one epoch; keep the highest seen (reordering, duplicates).
  const inOctets = Math.max(session.inOctets, baseIn + big(input.inOctets, 0));
  const outOctets = Math.max(session.outOctets, baseOut + big(input.outOctets, 0));
  const up = inOctets - session.inOctets;
  const down = outOctets - session.outOctets;
  const stop = input.statusType === STOP && session.active;
  // Once a NAS is seen doing Stop/Start, its per-minute Stops are not detachments worth an audit row each.
  const quietStop = stop && (session.resumes ?? 0) > 0;
  transact(ctx, 'the accounting', (t) => {
    if (resumed) repo.resume(session.id, now);
    repo.updateCounters(session.id, inOctets, outOctets, now, input.acctSessionId, input.ip);
    if (up + down > 0) {
      ctx.store.entitlements.addUsage(session.entitlementId, up + down, now);
      ctx.store.entitlements.addDaily(localDay(now), session.entitlementId, up, down);
    }
    if (stop) {
      repo.end(session.id, `stop:${input.terminateCause ?? 0}`, now);
      if (!quietStop) {
        t.record(
          {
            type: 'device.detached', actor: { type: 'device', id: session.mac }, subject: session.entitlementId,
            data: { sessionId: session.id, nas: input.nas, reason: 'radius-stop', terminateCause: input.terminateCause },
          },
          ['device.detached', { deviceId: session.id, entitlementId: session.entitlementId, mac: session.mac, reason: 'radius-stop' }],
        );
      }
    }
  });
  // What the session held is free again: the local gateway's share grows (a resumed pfSense session holds it again at once).
  if (stop && !quietStop && session.sliceBytes !== null) pushReservation(ctx, session.entitlementId);
  return { kind: 'recorded', sessionId: session.id, addedBytes: up + down, closed: stop };
}
