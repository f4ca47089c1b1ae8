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
import { parsedCode, voucherByCode } from './code-lookup.js';
import { attachDecision, remaining, type AttachedDevice } from '../domain/entitlement.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { normalizeMac } from '../lib/net.js';
import type { RadiusSessionRow, VoucherRow } from './ports/model.js';
import type { CoreContext } from './context.js';
import { poolForLogin, poolLimits } from './pool.js';
import { transact } from './tx.js';
import { pushReservation } from './radius-reserve.js';
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
  /**
   * How this NAS takes a data grant (radius.md §b): slice bounds and the largest value its attribute
   * carries (pfSense: 32 bits). null: the NAS enforces no data (time-only profiles), nothing is reserved.
   */
  slice?: SliceRule | null;
  /** State echoed by a NAS re-authorizing a session (RFC 2865 §5.24, §5.29): our grant id. */
  state?: string | null;
  /** Source address of the request (Disconnect-Requests go there) and User-Name as sent. */
  nasIp?: string | null;
  userName?: string | null;
}

/** What a live grant still holds of its pool: its slice minus what the session used since it was granted. */
export function sliceHeld(s: Pick<RadiusSessionRow, 'sliceBytes' | 'sliceBase' | 'inOctets' | 'outOctets'>): number {
  if (s.sliceBytes === null) return 0;
  return Math.max(0, s.sliceBytes - (s.inOctets + s.outOctets - s.sliceBase));
}

export interface SliceRule {
  minBytes: number;
  maxBytes: number;
  /** The largest data grant the NAS's attribute can carry. */
  capBytes: number;
}

/**
 * The slice a new grant holds (radius.md §b, "grant slices"): an equal share of what no live grant holds,
 * clamped to [min, max], never more than is left. While the unreserved part is at least `min` a grant
 * never over-commits the pool; below it, a grant holds at most `min` beyond it — so what live grants
 * hold never exceeds what is left plus one `min` slice per session (SPEC §9).
 *
 * @example sliceFor({ minBytes: 10e6, maxBytes: 1e9, capBytes: 2 ** 53 }, 5e9, 0, 0); // 1e9
 */
export function sliceFor(rule: SliceRule, left: number, heldByOthers: number, others: number): number {
  const unreserved = Math.max(0, left - heldByOthers);
  const share = Math.floor(unreserved / (others + 1));
  return Math.max(0, Math.min(left, rule.capBytes, Math.max(rule.minBytes, Math.min(rule.maxBytes, share))));
}

export interface RadiusGrant {
  /** Sent as Class; accounting finds the grant by it (RFC 2865 §5.25). */
  sessionId: string;
  entitlementId: string;
  voucherId: string;
  firstUse: boolean;
  /** Session-Timeout; null = no time limit. */
  secondsLeft: number | null;
  /** The data grant for the NAS's session (its counters so far + this slice); null = unlimited or throttled. */
  bytesLeft: number | null;
  /** What of the pool this grant holds (null: not bounded by the NAS). */
  sliceBytes: number | null;
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

/** What an Access-Request resolved to before the grant: the voucher, the throttle key and the device. */
export interface PreparedRadius {
  voucherId: string;
  /** The voucher's pool as the lookup found it (null: unused), for the locks a batch takes. */
  poolId: string | null;
  key: string;
  mac: string;
  ip: string;
  byMac: boolean;
}

/**
 * The lookup half of an authorization, outside any lock: throttle check, then the code (parsed,
 * check-character verified, constant-time compared; a miss is a counted guess) or, for MAC
 * authentication, the pool the device is on (a miss is not a guess). Throws the refusal.
 */
export function prepareRadius(ctx: CoreContext, input: RadiusAuthorizeInput, byMac: boolean, find?: (code: string) => VoucherRow | undefined): PreparedRadius {
  const { key, mac } = deviceKey(input.nas, input.mac);
  const prefix = input.ip ? sourcePrefix(input.ip) : `radius:${input.nas}`;
  const ip = input.ip ?? '';
  ctx.throttle.check(key, prefix);
  if (byMac) {
    const found = poolVoucherOfDevice(ctx, mac);
    if (!found) throw new DomainError('VOUCHER_UNKNOWN', 'this device is not on any code');
    return { voucherId: found.voucherId, poolId: found.poolId, key, mac, ip, byMac };
  }
  const voucher = voucherByCode(ctx, parsedCode(input.code), { key, prefix, mac, data: { ip, nas: input.nas } }, find);
  return { voucherId: voucher.id, poolId: voucher.entitlementId, key, mac, ip, byMac };
}

/** After the grant is committed: the guess counter is cleared (code logins) and the redemption published. */
export function radiusGranted(ctx: CoreContext, p: PreparedRadius, grant: RadiusGrant): void {
  if (!p.byMac) ctx.throttle.succeed(p.key);
  ctx.bus.emit('voucher.redeemed', { voucherId: grant.voucherId, entitlementId: grant.entitlementId, deviceId: grant.sessionId, mac: p.mac, ip: p.ip, topUp: false });
  // A pool this grant created had no local device to tell: one that joined since computed its limits
  // with this slice already held.
  if (grant.sliceBytes !== null && !grant.firstUse) pushReservation(ctx, grant.entitlementId);
}

/** A refusal, published like the portal's (metrics count failures by code). */
export function radiusRefused(ctx: CoreContext, input: RadiusAuthorizeInput, err: unknown): void {
  if (isDomainError(err)) ctx.bus.emit('login.failed', { ip: input.ip ?? '', mac: deviceKey(input.nas, input.mac).mac, code: err.code });
}

async function authorize(ctx: CoreContext, input: RadiusAuthorizeInput, byMac: boolean): Promise<RadiusGrant> {
  try {
    const p = prepareRadius(ctx, input, byMac);
    // The voucher's lock, then its pool's (core/lifecycle.ts): the same order as a portal login.
    const grant = await ctx.locks.run(p.voucherId, () => {
      const poolId = ctx.store.vouchers.get(p.voucherId)?.entitlementId;
      const grantNow = async () => grantSession(ctx, p.voucherId, input, p.mac);
      return poolId ? ctx.locks.run(poolId, grantNow) : grantNow();
    });
    radiusGranted(ctx, p, grant);
    return grant;
  } catch (err) {
    radiusRefused(ctx, input, err);
    throw err;
  }
}

export function authorizeRadius(ctx: CoreContext, input: RadiusAuthorizeInput): Promise<RadiusGrant> {
  return authorize(ctx, input, false);
}

/**
 * MAC authentication (SPEC §9): the device — `input.mac`, already checked against User-Name by the
 * server — must be attached to an active pool, behind the local gateway or through a RADIUS session
 * that its NAS ended by itself (slice used, timeout, lost carrier: radius.md §b point 4, "a new slice by
 * MAC re-auth"); a resident's own logout (Acct-Terminate-Cause User-Request) or a Disconnect ends that.
 * It then gets that pool's slice like a code login. A device on no pool is refused without counting a
 * guess (NASes try MAC auth on every new device), but a locked-out device stays locked out.
 *
 * @example await authorizeRadiusMac(ctx, { nas: 'mk1', code: 'AA:BB:CC:00:11:22', mac: 'AA:BB:CC:00:11:22', ip: null, interimSec: 300 });
 */
export function authorizeRadiusMac(ctx: CoreContext, input: RadiusAuthorizeInput): Promise<RadiusGrant> {
  return authorize(ctx, input, true);
}

/**
 * The UAM login page's check before it hands a code to a NAS (http/uam.ts): the same refusals an
 * Access-Request would get — throttle, typo, unknown, revoked, expired, used up, device limit — without
 * writing anything but a counted guess, so the page shows them in the resident's language instead of
 * sending the browser to the NAS only to come back with a Reply-Message. Returns the normalized code
 * (what the page sends as User-Name and password).
 *
 * @example const { code } = checkRadiusCode(ctx, { nas: 'school', code: 'k7qm 4xpa 9tr', mac: 'AA-BB-CC-00-11-22', ip: '10.1.0.5', interimSec: 300 });
 */
export function checkRadiusCode(ctx: CoreContext, input: RadiusAuthorizeInput): { code: string } {
  const { key, mac } = deviceKey(input.nas, input.mac);
  const prefix = input.ip ? sourcePrefix(input.ip) : `radius:${input.nas}`;
  ctx.throttle.check(key, prefix);
  const code = parsedCode(input.code);
  const voucher = voucherByCode(ctx, code, { key, prefix, mac, data: { ip: input.ip ?? '', nas: input.nas } });
  const now = ctx.clock.now();
  const { ent, firstUse } = poolForLogin(ctx, voucher.id, now);
  if (!firstUse) {
    const members = poolMembers(ctx, ent.id, now, input.interimSec);
    attachDecision([...members.values()], ent.plan.devices, mac, false); // throws DEVICE_LIMIT
  }
  return { code };
}

/** A pool's device slots: local gateway devices and live RADIUS sessions, one per MAC (oldest first). */
export function poolMembers(ctx: CoreContext, entitlementId: string, now: number, interimSec: number): Map<string, AttachedDevice> {
  const members = new Map<string, AttachedDevice>();
  for (const d of ctx.store.entitlements.activeDevices(entitlementId)) members.set(d.mac, { mac: d.mac, attachedAt: d.attachedAt });
  for (const s of ctx.store.radiusSessions.livePoolSessions(entitlementId, now - staleAfterMs(interimSec))) {
    if (!members.has(s.mac)) members.set(s.mac, { mac: s.mac, attachedAt: s.grantedAt });
  }
  return members;
}

/** End reasons after which a MAC no longer re-attaches: the resident logged out, or we disconnected it. */
const DETACHING_END = /^(stop:1|stop:6|disconnect)/;

function poolVoucherOfDevice(ctx: CoreContext, mac: string): { voucherId: string; poolId: string } | null {
  const local = ctx.store.entitlements.activeDeviceByMac(mac);
  const s = ctx.store.radiusSessions.latestForMac(mac);
  const entId = local?.entitlementId ?? (s && (s.active || !DETACHING_END.test(s.endReason ?? '')) ? s.entitlementId : null);
  if (!entId) return null;
  const ent = ctx.store.entitlements.get(entId);
  return ent ? { voucherId: ent.voucherId, poolId: ent.id } : null;
}

/**
 * The grant itself (synchronous; callers hold the voucher's lock): device slots, the slice, one
 * transaction. `read`: the voucher's row as this transaction already read it (a batch reads its
 * vouchers together), untouched by anything since.
 */
export function grantSession(ctx: CoreContext, voucherId: string, input: RadiusAuthorizeInput, mac: string, read?: VoucherRow): RadiusGrant {
  const now = ctx.clock.now();
  // Decided and written in one transaction: with several instances on one database (SPEC §11) the
  // reads that decide (is the code used, how many devices, what the other slices hold) must be those
  // the write commits against. On PostgreSQL the transaction is SERIALIZABLE, so a concurrent grant of
  // the same pool on another instance makes one of them run again (store/pg/db.ts) and see the other;
  // in one process the voucher and pool locks already serialize it and this costs nothing.
  return transact(ctx, 'the login', (t) => {
    const { voucher, ent, firstUse } = poolForLogin(ctx, voucherId, now, read);

    // Device slots: local gateway devices and live RADIUS sessions, one slot per MAC (oldest first).
    const sessions = firstUse ? [] : ctx.store.radiusSessions.livePoolSessions(ent.id, now - staleAfterMs(input.interimSec));
    const members = new Map<string, AttachedDevice>();
    for (const d of firstUse ? [] : ctx.store.entitlements.activeDevices(ent.id)) members.set(d.mac, { mac: d.mac, attachedAt: d.attachedAt });
    for (const s of sessions) if (!members.has(s.mac)) members.set(s.mac, { mac: s.mac, attachedAt: s.grantedAt });
    const decision = attachDecision([...members.values()], ent.plan.devices, mac, false);

    // A device re-authenticating before its accounting started (a NAS retry with a new authenticator,
    // RFC 5080 §2.2.2) keeps its grant instead of opening a second one; so does a NAS re-authorizing a
    // running session with our State (Termination-Action RADIUS-Request, RFC 2865 §5.29).
    const pending =
      sessions.find((s) => input.state && s.id === input.state && s.nas === input.nas && s.mac === mac) ??
      sessions.find((s) => s.mac === mac && s.nas === input.nas && s.acctSessionId === null);
    const sessionId = pending?.id ?? ctx.newId('rad');

    // The slice: the NAS counts from its session start, so a continued session's limit is what it used
    // so far plus the new slice. Left = the pool's current remainder, local gateway usage included
    // (ctx.ledger.current folds in what the sweep has not written yet).
    const limits = poolLimits(ent, now);
    const usedInSession = pending ? pending.inOctets + pending.outOctets : 0;
    let sliceBytes: number | null = null;
    let bytesLeft = limits.bytesRemaining;
    if (input.slice && limits.bytesRemaining !== null) {
      const others = sessions.filter((s) => s.id !== pending?.id);
      const held = others.reduce((n, s) => n + sliceHeld(s), 0);
      const localOthers = [...members.keys()].filter((m) => m !== mac && !others.some((s) => s.mac === m)).length;
      const rule = { ...input.slice, capBytes: Math.max(0, input.slice.capBytes - usedInSession) };
      sliceBytes = sliceFor(rule, limits.bytesRemaining, held, others.length + localOthers);
      // A zero grant reads as "no limit" on some NASes (RouterOS): refuse instead.
      if (sliceBytes === 0) throw new DomainError('VOUCHER_EXHAUSTED', 'the data on this code is used up');
      bytesLeft = usedInSession + sliceBytes;
    }
    const actor = { type: 'device' as const, id: mac };
    if (firstUse) {
      ctx.store.entitlements.insert(ent);
      const usedMeanwhile = () => new DomainError('CONFLICT', 'this code was just used on another device; try again');
      ctx.store.vouchers.markRedeemed(voucher.id, ent.id, 'active', now, { firstUse: true, orElse: usedMeanwhile });
      t.record({ type: 'voucher.redeemed', actor, subject: voucher.id, data: { entitlementId: ent.id, ip: input.ip, nas: input.nas } });
    }
    if (pending) {
      ctx.store.radiusSessions.updateCounters(pending.id, pending.inOctets, pending.outOctets, now, null, input.ip);
      ctx.store.radiusSessions.setSlice(pending.id, sliceBytes, usedInSession, now);
    } else {
      ctx.store.radiusSessions.insert({
        id: sessionId, nas: input.nas, entitlementId: ent.id, mac, ip: input.ip, acctSessionId: null, grantedAt: now, lastSeen: now,
        active: true, endedAt: null, endReason: null, inOctets: 0, outOctets: 0,
        sliceBytes, sliceBase: 0, userName: input.userName ?? null, nasIp: input.nasIp ?? null,
      });
    }
    if (decision.kind === 'attach') t.record({ type: 'device.attached', actor, subject: ent.id, data: { sessionId, nas: input.nas, ip: input.ip } });
    return {
      sessionId, entitlementId: ent.id, voucherId: voucher.id, firstUse,
      secondsLeft: remaining(ent, now).seconds, bytesLeft, sliceBytes, downBps: limits.downBps, upBps: limits.upBps,
    };
  });
}
