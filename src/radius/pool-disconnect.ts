/**
 * When a pool ends — used up, revoked or expired (`entitlement.changed` from core/lifecycle.ts) — every
 * live RADIUS session of it gets a Disconnect-Request (RFC 5176 §3, SPEC §9) on its NAS's coaPort, sent
 * as soon as the event is published (after the commit). Attributes: User-Name (CoovaChilli answers
 * nothing without it, radius.md §a), Acct-Session-Id, Calling-Station-Id in the NAS's MAC format,
 * Event-Timestamp and Message-Authenticator (das-client.ts; not to uspot, whose DAS NAKs both). NASes with coaPort 0 have no DAS: their
 * open slice ends the session (radius.md §b, point 5). ACK closes the session; NAK 503
 * Session-Context-Not-Found means it is already gone, so it is closed too; other NAKs and timeouts are
 * logged and counted, and the session ends by its slice, its Stop or the stale rule.
 * A throttle plan's exhaustion is not an end (the pool goes on at the fair-use rate): no Disconnect.
 *
 * @example
 *   const off = watchPoolEnds({ events: core.bus, core, nas: config.nas, das, log });
 */
import type { NasConfig } from '../config/schema.js';
import type { Core } from '../core/index.js';
import type { EventBus } from '../core/events.js';
import type { RadiusSessionRow } from '../core/ports/model.js';
import type { Logger } from '../lib/log.js';
import type { AttributeInput } from './attributes.js';
import { NAS_PROFILES } from './profiles.js';
import type { DasClient, DisconnectResult } from './das-client.js';

/** RFC 5176 §3.5. */
const SESSION_CONTEXT_NOT_FOUND = 503;

export interface PoolDisconnectDeps {
  events: Pick<EventBus, 'on'>;
  core: { radius: Pick<Core['radius'], 'sessionsOfPool' | 'closeSession'> };
  nas: readonly NasConfig[];
  das: Pick<DasClient, 'disconnect'>;
  log: Logger;
}

/** Calling-Station-Id as the NAS prints it (radius.md §a): dashes for CoovaChilli/uspot, colons elsewhere. */
export function macFor(profile: NasConfig['profile'], mac: string): string {
  const up = mac.toUpperCase();
  return profile === 'coovachilli' || profile === 'uspot' ? up.replace(/:/g, '-') : up;
}

/** Where a NAS's DAS listens, and whether it takes Message-Authenticator/Event-Timestamp (profile, `dasMessageAuthenticator`). */
export function dasTarget(nas: NasConfig, address: string) {
  return { address, port: nas.coaPort, secret: nas.secret, signed: nas.dasMessageAuthenticator ?? NAS_PROFILES[nas.profile].dasSigned };
}

/** The session identification attributes (RFC 5176 §3): User-Name, Acct-Session-Id, Calling-Station-Id. */
export function sessionIdentity(s: { userName: string | null; acctSessionId: string | null; mac: string }, nas: NasConfig): AttributeInput[] {
  const attrs: AttributeInput[] = [];
  if (s.userName) attrs.push(['User-Name', s.userName]);
  if (s.acctSessionId) attrs.push(['Acct-Session-Id', s.acctSessionId]);
  if (!s.mac.startsWith('nas:')) attrs.push(['Calling-Station-Id', macFor(nas.profile, s.mac)]);
  return attrs;
}

/**
 * One Disconnect-Request for a live session, and the local close its answer allows: ACK, or NAK 503
 * (the NAS no longer has it). Any other NAK or no answer leaves it open (the NAS may still pass it).
 */
export async function disconnectSession(
  deps: Pick<PoolDisconnectDeps, 'core' | 'das' | 'log'>,
  s: RadiusSessionRow,
  nas: NasConfig,
  why: string,
  actor?: Parameters<PoolDisconnectDeps['core']['radius']['closeSession']>[2],
): Promise<'disconnected' | 'gone' | 'refused' | 'no-answer'> {
  const r: DisconnectResult = await deps.das.disconnect(dasTarget(nas, s.nasIp!), sessionIdentity(s, nas));
  if (r.kind === 'ack') {
    deps.core.radius.closeSession(s.id, `disconnect:${why}`, actor);
    return 'disconnected';
  }
  if (r.kind === 'nak' && r.errorCause === SESSION_CONTEXT_NOT_FOUND) {
    deps.core.radius.closeSession(s.id, `disconnect:${why}:gone`, actor);
    return 'gone';
  }
  deps.log.warn('radius-das', `NAS ${nas.name} did not disconnect session ${s.id}`, r.kind === 'nak' ? { errorCause: r.errorCause } : { timeout: true });
  return r.kind === 'nak' ? 'refused' : 'no-answer';
}

export function watchPoolEnds(deps: PoolDisconnectDeps): { off: () => void; idle: () => Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();

  const disconnectOne = (s: RadiusSessionRow, nas: NasConfig, why: string) => disconnectSession(deps, s, nas, why);

  const off = deps.events.on('entitlement.changed', 'radius-das', (e) => {
    if (!['exhausted', 'expired', 'revoked'].includes(e.status) || e.reason === 'throttled') return;
    for (const s of deps.core.radius.sessionsOfPool(e.entitlementId)) {
      const nas = deps.nas.find((n) => n.name === s.nas);
      if (!nas || nas.coaPort === 0 || !s.nasIp) continue;
      const p = disconnectOne(s, nas, e.status).catch((err) => deps.log.error('radius-das', 'disconnect failed', { err }));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
  });
  return { off, idle: async () => void (await Promise.allSettled([...inFlight])) };
}
