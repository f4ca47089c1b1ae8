/**
 * RADIUS authorization (SPEC §9): a NAS sends the typed code as User-Name; Portico answers with what
 * is left of the code's pool. Same rules as the portal's login (core/login.ts) — code normalized and
 * check-character-verified by `parseCode`, voucher states, redeem-by, device limit, the guess throttle —
 * but keyed by the Calling-Station-Id (RFC 2865 §5.31) the NAS reports, and WITHOUT the local gateway
 * driver: the NAS enforces what the Accept carries.
 *
 * A pool's devices are its local gateway devices plus its live RADIUS sessions (distinct MACs), so a
 * pool may span the local gateway and any number of NASes. A session not heard from for two interim
 * intervals plus a minute has lost its Stop (NAS reboot, radius.md §b) and no longer holds a slot.
 * Replace-oldest needs a Disconnect-Request (RFC 5176) to free the slot first: not in this milestone, so
 * a NAS gets DEVICE_LIMIT.
 *
 * @example
 *   const g = await authorizeRadius(ctx, { nas: 'mikrotik-1', code: 'k7qm-4xpa-9tr', mac: 'AA-BB-CC-00-11-22', ip: '10.5.0.9', interimSec: 300 });
 *   g.secondsLeft; g.bytesLeft; g.sessionId; // Session-Timeout, data grant, Class
 */
import { constantTimeEqual, parseCode } from '../domain/code.js';
import { activate, applyResets, attachDecision, loginBlocker, redeemBlocker, remaining, type AttachedDevice } from '../domain/entitlement.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { normalizeMac } from '../lib/net.js';
import type { EntitlementRow } from '../store/entitlement-repo.js';
import type { CoreContext } from './context.js';
import { audit, poolLimits } from './pool.js';
import { sourcePrefix } from './throttle.js';

export interface RadiusAuthorizeInput {
  /** The configured NAS name the request came from. */
  nas: string;
  /** User-Name as received. */
  code: unknown;
  /** Calling-Station-Id as received (any of the MAC formats NASes print); null when absent. */
  mac: string | null;
  /** Framed-IP-Address, when the NAS sent it. */
  ip: string | null;
  /** Acct-Interim-Interval this server hands out: how stale a session may be before its slot is freed. */
  interimSec: number;
}

export interface RadiusGrant {
  /** Sent as Class; accounting finds the grant by it (RFC 2865 §5.25). */
  sessionId: string;
  entitlementId: string;
  voucherId: string;
  firstUse: boolean;
  /** Session-Timeout; null = no time limit. */
  secondsLeft: number | null;
  /** The data grant (what is left of the pool); null = unlimited or throttled. */
  bytesLeft: number | null;
  downBps: number | null;
  upBps: number | null;
}

/** How long a live session holds a device slot without accounting (radius.md §b "lost Stop"). */
export function staleAfterMs(interimSec: number): number {
  return 2 * interimSec * 1000 + 60_000;
}

/** The throttle key: the device's MAC, else the NAS (a NAS without Calling-Station-Id shares one key). */
function deviceKey(nas: string, mac: string | null): { key: string; mac: string } {
  const m = mac ? normalizeMac(mac) : null;
  return m ? { key: m, mac: m } : { key: `radius:${nas}:${mac ?? ''}`, mac: mac ?? `nas:${nas}` };
}

export async function authorizeRadius(ctx: CoreContext, input: RadiusAuthorizeInput): Promise<RadiusGrant> {
  const { key, mac } = deviceKey(input.nas, input.mac);
  const prefix = input.ip ? sourcePrefix(input.ip) : `radius:${input.nas}`;
  const ip = input.ip ?? '';
  try {
    ctx.throttle.check(key, prefix);
    const parsed = parseCode(input.code);
    if (!parsed.ok) {
      throw parsed.reason === 'check'
        ? new DomainError('CODE_CHECK_FAILED', 'this code has a typo; check each character')
        : new DomainError('CODE_MALFORMED', 'a code has 11 letters and digits, like K7QM-4XPA-9TR');
    }
    const voucher = ctx.store.vouchers.findByCode(parsed.code);
    if (!voucher || !constantTimeEqual(voucher.code, parsed.code)) {
      const t = ctx.throttle.fail(key, prefix);
      ctx.auditSummary.note(t.locked ? 'login.locked' : 'login.failed', prefix, { type: 'device', id: mac }, {
        ip, nas: input.nas, failures: t.failures, retryAfter: t.retryAfter,
      });
      throw new DomainError('VOUCHER_UNKNOWN', 'this code does not exist', t.locked ? { retryAfter: t.retryAfter } : {});
    }
    const grant = await ctx.locks.run(voucher.id, async () => grantSession(ctx, voucher.id, input, mac));
    ctx.throttle.succeed(key);
    ctx.bus.emit('voucher.redeemed', { voucherId: grant.voucherId, entitlementId: grant.entitlementId, deviceId: grant.sessionId, mac, ip, topUp: false });
    return grant;
  } catch (err) {
    // Published like the portal's refusals: metrics count failures by code.
    if (isDomainError(err)) ctx.bus.emit('login.failed', { ip, mac, code: err.code });
    throw err;
  }
}

function grantSession(ctx: CoreContext, voucherId: string, input: RadiusAuthorizeInput, mac: string): RadiusGrant {
  const now = ctx.clock.now();
  const voucher = ctx.store.vouchers.get(voucherId)!;
  const blocked = redeemBlocker(voucher.status, voucher.redeemBy, now);
  if (blocked) throw blocked;

  let ent: EntitlementRow;
  const firstUse = voucher.entitlementId === null;
  if (firstUse) {
    ent = { id: ctx.newId('ent'), voucherId: voucher.id, updatedAt: now, ...activate(voucher.plan, now) };
  } else {
    const stored = ctx.ledger.current(ctx.store.entitlements.get(voucher.entitlementId!)!);
    ent = { ...stored, ...applyResets(stored, now) };
    const blocker = loginBlocker(ent, now);
    if (blocker) throw blocker;
  }

  // Device slots: local gateway devices and live RADIUS sessions, one slot per MAC (oldest first).
  const sessions = firstUse ? [] : ctx.store.radiusSessions.livePoolSessions(ent.id, now - staleAfterMs(input.interimSec));
  const members = new Map<string, AttachedDevice>();
  for (const d of firstUse ? [] : ctx.store.entitlements.activeDevices(ent.id)) members.set(d.mac, { mac: d.mac, attachedAt: d.attachedAt });
  for (const s of sessions) if (!members.has(s.mac)) members.set(s.mac, { mac: s.mac, attachedAt: s.grantedAt });
  const decision = attachDecision([...members.values()], ent.plan.devices, mac, false);

  // A device re-authenticating before its accounting started (a NAS retry with a new authenticator,
  // RFC 5080 §2.2.2) keeps its grant instead of opening a second one.
  const pending = sessions.find((s) => s.mac === mac && s.nas === input.nas && s.acctSessionId === null);
  const sessionId = pending?.id ?? ctx.newId('rad');
  const actor = { type: 'device' as const, id: mac };
  try {
    ctx.store.tx(() => {
      if (firstUse) {
        ctx.store.entitlements.insert(ent);
        ctx.store.vouchers.markRedeemed(voucher.id, ent.id, 'active', now);
        audit(ctx, 'voucher.redeemed', actor, voucher.id, { entitlementId: ent.id, ip: input.ip, nas: input.nas });
      }
      if (pending) ctx.store.radiusSessions.updateCounters(pending.id, pending.inOctets, pending.outOctets, now, null, input.ip);
      else {
        ctx.store.radiusSessions.insert({
          id: sessionId, nas: input.nas, entitlementId: ent.id, mac, ip: input.ip, acctSessionId: null, grantedAt: now, lastSeen: now,
          active: true, endedAt: null, endReason: null, inOctets: 0, outOctets: 0,
        });
      }
      if (decision.kind === 'attach') audit(ctx, 'device.attached', actor, ent.id, { sessionId, nas: input.nas, ip: input.ip });
    });
  } catch (err) {
    throw new DomainError('STORAGE_FAILED', 'could not save the login; nothing was changed', {}, { cause: err });
  }
  const limits = poolLimits(ent, now);
  return {
    sessionId, entitlementId: ent.id, voucherId: voucher.id, firstUse,
    secondsLeft: remaining(ent, now).seconds, bytesLeft: limits.bytesRemaining, downBps: limits.downBps, upBps: limits.upBps,
  };
}
