/**
 * Entitlements: a redeemed voucher becomes one pool of time and data shared by up to `devices` devices.
 * Re-entering the code on another device (or the same phone with a new random MAC, iOS 14+/Android 10+)
 * attaches that device to the same pool; it never starts a fresh quota. These are the pure rules; the
 * use-cases in src/core apply them and store the results.
 *
 * States: unused → active → exhausted | expired | revoked (a voucher is `unused` until its first
 * redemption creates the entitlement).
 *
 * @example
 *   const e = activate(plan, now);
 *   statusAt(e, now + 3_600_000);     // 'active' | 'expired' | ...
 *   remaining(e, now);                // { seconds: 86400, bytes: 1e9 }
 */
import { DomainError } from './errors.js';
import type { Plan, ResetPeriod } from './plan.js';

export type VoucherStatus = 'unused' | 'active' | 'exhausted' | 'expired' | 'revoked';
export type EntitlementStatus = Exclude<VoucherStatus, 'unused'>;

export interface Entitlement {
  status: EntitlementStatus;
  plan: Plan;
  activatedAt: number;
  expiresAt: number | null;
  /** Bytes allowed in the current period: the plan's data plus any top-ups. null = unlimited. */
  dataTotal: number | null;
  /** Bytes used (up + down) in the current period. */
  usedBytes: number;
  /** Start of the current reset period (ms); null for plans without `reset`. */
  periodStart: number | null;
}

export function activate(plan: Plan, now: number): Entitlement {
  return {
    status: 'active',
    plan,
    activatedAt: now,
    expiresAt: plan.durationSec !== null ? now + plan.durationSec * 1000 : null,
    dataTotal: plan.dataBytes,
    usedBytes: 0,
    periodStart: plan.reset !== null ? now : null,
  };
}

/** Why an unused voucher cannot be redeemed now, or null if it can. */
export function redeemBlocker(status: VoucherStatus, redeemBy: number | null, now: number): DomainError | null {
  if (status === 'revoked') return new DomainError('VOUCHER_REVOKED', 'this code was revoked');
  if (status === 'unused' && redeemBy !== null && now > redeemBy) {
    return new DomainError('VOUCHER_EXPIRED', 'this code was not used before its deadline');
  }
  return null;
}

/**
 * The state an entitlement is in at `now`. Revoked and expired are final; exhausted stays until a reset
 * or a top-up makes the pool active again (they set `status: 'active'` and ask again).
 *
 * @param slackBytes how far short of the quota the gateway may already have cut the pool off: a kernel
 *   quota drops the whole packet that would cross the limit, up to 64 KiB with GSO, so a pool that close
 *   to its quota is used up as far as the resident can tell.
 */
export function statusAt(e: Entitlement, now: number, slackBytes = 0): EntitlementStatus {
  if (e.status === 'revoked' || e.status === 'expired') return e.status;
  if (e.expiresAt !== null && now >= e.expiresAt) return 'expired';
  if (e.status === 'exhausted') return 'exhausted';
  if (e.dataTotal !== null && e.usedBytes + slackBytes >= e.dataTotal) return 'exhausted';
  return 'active';
}

/** Whether devices may be online: active, or exhausted under a throttle plan (fair-use speed). */
export function allowsTraffic(e: Entitlement, now: number): boolean {
  const s = statusAt(e, now);
  return s === 'active' || (s === 'exhausted' && e.plan.onExhausted === 'throttle');
}

export function isThrottled(e: Entitlement, now: number): boolean {
  return statusAt(e, now) === 'exhausted' && e.plan.onExhausted === 'throttle';
}

export function remaining(e: Entitlement, now: number): { seconds: number | null; bytes: number | null } {
  return {
    seconds: e.expiresAt === null ? null : Math.max(0, Math.floor((e.expiresAt - now) / 1000)),
    bytes: e.dataTotal === null ? null : Math.max(0, e.dataTotal - e.usedBytes),
  };
}

/** The error a login into this entitlement should get, or null when it may proceed. */
export function loginBlocker(e: Entitlement, now: number): DomainError | null {
  const s = statusAt(e, now);
  if (s === 'revoked') return new DomainError('VOUCHER_REVOKED', 'this code was revoked');
  if (s === 'expired') return new DomainError('VOUCHER_EXPIRED', 'this code has expired');
  if (s === 'exhausted' && e.plan.onExhausted === 'block') {
    return new DomainError('VOUCHER_EXHAUSTED', 'the data on this code is used up', {
      nextReset: e.periodStart !== null && e.plan.reset ? nextReset(e.periodStart, e.plan.reset) : null,
    });
  }
  return null;
}

/** When the period that started at `periodStart` renews (local calendar arithmetic). */
export function nextReset(periodStart: number, reset: ResetPeriod): number {
  const d = new Date(periodStart);
  if (reset === 'daily') d.setDate(d.getDate() + 1);
  else if (reset === 'weekly') d.setDate(d.getDate() + 7);
  else d.setMonth(d.getMonth() + 1);
  return d.getTime();
}

/** Applies every reset period that has passed by `now`; returns the same object when none has. */
export function applyResets(e: Entitlement, now: number): Entitlement {
  if (e.plan.reset === null || e.periodStart === null || e.status === 'revoked' || e.status === 'expired') return e;
  let start = e.periodStart;
  let next = nextReset(start, e.plan.reset);
  if (next > now) return e;
  while (next <= now) {
    start = next;
    next = nextReset(start, e.plan.reset);
  }
  const renewed: Entitlement = { ...e, periodStart: start, usedBytes: 0, dataTotal: e.plan.dataBytes };
  return { ...renewed, status: statusAt({ ...renewed, status: 'active' }, now) };
}

/** Adds another voucher's time and data to this pool ("add a code"). */
export function topUp(e: Entitlement, plan: Plan, now: number): Entitlement {
  const base = e.expiresAt !== null ? Math.max(e.expiresAt, now) : null;
  const expiresAt = e.expiresAt === null || plan.durationSec === null ? e.expiresAt : base! + plan.durationSec * 1000;
  const dataTotal = e.dataTotal === null || plan.dataBytes === null ? null : e.dataTotal + plan.dataBytes;
  const next: Entitlement = { ...e, expiresAt, dataTotal, status: 'active' };
  return { ...next, status: statusAt(next, now) };
}

export interface AttachedDevice {
  mac: string;
  attachedAt: number;
}

export type AttachDecision =
  | { kind: 'present' }
  | { kind: 'attach' }
  | { kind: 'replace'; evict: string };

/**
 * Whether `mac` may join a pool that already has `devices` attached, out of `max`. At the limit the
 * resident may choose to replace the device that joined first (`replace`), otherwise DEVICE_LIMIT.
 */
export function attachDecision(devices: readonly AttachedDevice[], max: number, mac: string, replace: boolean): AttachDecision {
  if (devices.some((d) => d.mac === mac)) return { kind: 'present' };
  if (devices.length < max) return { kind: 'attach' };
  const oldest = [...devices].sort((a, b) => a.attachedAt - b.attachedAt)[0]!;
  if (replace) return { kind: 'replace', evict: oldest.mac };
  throw new DomainError('DEVICE_LIMIT', `this code is already in use on ${devices.length} device(s)`, {
    max,
    oldest: oldest.mac,
  });
}
