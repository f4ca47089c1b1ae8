/**
 * CoA top-ups (RFC 5176 §3.2, SPEC §9 "slices are topped up (CoA where the profile has it, or
 * re-authorization)"): when a pool grows — a code added to it (`voucher.redeemed` with topUp), a
 * period reset or an operator extension (`entitlement.changed` to active) — each of its live sessions
 * on a NAS whose profile takes CoA (profiles.ts `coa`) and has a coaPort gets a CoA-Request with its new
 * grant: Session-Timeout from the session's start, the data limit = used in the session + a new slice,
 * the rates, per profile (CoovaChilli the full set, since what a CoA omits it resets). The new slice is
 * reserved before the request leaves (core/radius-topup.ts).
 *
 * Answers (radius.md §b table): ACK keeps the new grant; NAK 503 Session-Context-Not-Found means the
 * session is gone, so it is closed; any other NAK means the NAS kept its old limit, so the old
 * reservation is restored; a timeout keeps the new reservation (the NAS may have applied it). In every
 * case but ACK the documented fallback holds: the session's slice ends and its re-authorization
 * (Termination-Action RADIUS-Request, MikroTik cookie/MAC login, pfSense's per-minute re-auth) gets
 * the new figures. NASes without CoA (pfSense, OPNsense, UniFi, Omada) get nothing here.
 *
 * @example
 *   const w = watchPoolTopUps({ events: core.bus, core, nas: config.nas, das, log, slice, interimSec: 300 });
 *   w.off();
 */
import type { NasConfig } from '../config/schema.js';
import type { Core } from '../core/index.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../lib/log.js';
import { sliceRuleFor } from './access.js';
import type { DasClient, DisconnectResult } from './das-client.js';
import { dasTarget, sessionIdentity } from './pool-disconnect.js';
import { coaAttributesFor, NAS_PROFILES } from './profiles.js';

/** RFC 5176 §3.5. */
const SESSION_CONTEXT_NOT_FOUND = 503;

export interface PoolCoaDeps {
  events: Pick<EventBus, 'on'>;
  core: { radius: Pick<Core['radius'], 'sessionsOfPool' | 'closeSession' | 'regrant' | 'restoreSlice'> };
  nas: readonly NasConfig[];
  das: Pick<DasClient, 'coa'>;
  log: Logger;
  slice: { minBytes: number; maxBytes: number };
  interimSec: number;
}

export interface CoaStats {
  sent: number;
  acked: number;
  naked: number;
  timedOut: number;
}

export function watchPoolTopUps(deps: PoolCoaDeps): { off: () => void; idle: () => Promise<void>; stats: () => CoaStats } {
  const inFlight = new Set<Promise<unknown>>();
  const due = new Set<string>();
  const stats: CoaStats = { sent: 0, acked: 0, naked: 0, timedOut: 0 };

  async function topUp(sessionId: string, nas: NasConfig, address: string, identity: Parameters<typeof sessionIdentity>[0]): Promise<void> {
    const r = await deps.core.radius.regrant(sessionId, { slice: sliceRuleFor(nas.profile, deps.slice), interimSec: deps.interimSec });
    if (!r) return;
    const attrs = [...sessionIdentity(identity, nas), ...coaAttributesFor(nas.profile, r.grant, r.ageSec, deps.interimSec)];
    stats.sent++;
    const res: DisconnectResult = await deps.das.coa(dasTarget(nas, address), attrs);
    if (res.kind === 'ack') stats.acked++;
    else if (res.kind === 'nak') {
      stats.naked++;
      if (res.errorCause === SESSION_CONTEXT_NOT_FOUND) deps.core.radius.closeSession(sessionId, 'coa:gone');
      else deps.core.radius.restoreSlice(sessionId, r.before, r.grant.sliceBytes);
      deps.log.warn('radius-coa', `NAS ${nas.name} refused the top-up of session ${sessionId}; it gets it at its next re-authorization`, { errorCause: res.errorCause });
    } else {
      stats.timedOut++;
      deps.log.warn('radius-coa', `NAS ${nas.name} did not answer the top-up of session ${sessionId}; it gets it at its next re-authorization`);
    }
  }

  function flush(): void {
    const pools = [...due];
    due.clear();
    for (const entitlementId of pools) {
      for (const s of deps.core.radius.sessionsOfPool(entitlementId)) {
        const nas = deps.nas.find((n) => n.name === s.nas);
        if (!nas || nas.coaPort === 0 || !s.nasIp || NAS_PROFILES[nas.profile].coa.length === 0) continue;
        const p = topUp(s.id, nas, s.nasIp, s).catch((err) => deps.log.error('radius-coa', 'top-up CoA failed', { err }));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
    }
  }

  // Several events for one change (a top-up that also re-activates the pool) make one CoA per session.
  const schedule = (entitlementId: string) => {
    if (!due.size) setImmediate(flush);
    due.add(entitlementId);
  };
  const offs = [
    deps.events.on('voucher.redeemed', 'radius-coa', (e) => {
      if (e.topUp) schedule(e.entitlementId);
    }),
    deps.events.on('entitlement.changed', 'radius-coa', (e) => {
      if (e.status === 'active') schedule(e.entitlementId);
    }),
  ];
  return {
    off: () => offs.forEach((off) => off()),
    idle: async () => {
      await new Promise((r) => setImmediate(r));
      await Promise.allSettled([...inFlight]);
    },
    stats: () => ({ ...stats }),
  };
}
