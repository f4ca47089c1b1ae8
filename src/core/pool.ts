/**
 * Shared steps of the use-cases: the pool a login draws from, the gateway limits an entitlement implies,
 * and running gateway calls so that a failure becomes GATEWAY_UNAVAILABLE. (Audit rows are written by the
 * transaction handle, core/tx.ts.)
 */
import { activate, applyResets, isThrottled, loginBlocker, redeemBlocker, remaining } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import { throttleRates } from '../domain/plan.js';
import { GatewayError, type PoolLimits } from './ports/driver.js';
import type { EntitlementRow } from './ports/model.js';
import type { VoucherRow } from './ports/model.js';
import type { CoreContext } from './context.js';

/**
 * The pool a login with this voucher draws from, as it stands now: a new one on first use, else the
 * stored pool with unwritten usage folded in and any period reset applied. Throws the refusal
 * (revoked, redeem-by passed, used up, expired) before anything is written. Shared by the portal's
 * login and RADIUS authorization, so both apply the same rules. `read`: the voucher's row when the
 * caller has just read it under the voucher's lock.
 */
export function poolForLogin(ctx: CoreContext, voucherId: string, now: number, read?: VoucherRow): { voucher: VoucherRow; ent: EntitlementRow; firstUse: boolean } {
  const voucher = read ?? ctx.store.vouchers.get(voucherId)!;
  const blocked = redeemBlocker(voucher.status, voucher.redeemBy, now);
  if (blocked) throw blocked;
  if (voucher.entitlementId === null) {
    return { voucher, firstUse: true, ent: { id: ctx.newId('ent'), voucherId: voucher.id, updatedAt: now, ...activate(voucher.plan, now) } };
  }
  const stored = ctx.ledger.current(ctx.store.entitlements.get(voucher.entitlementId)!);
  const ent = { ...stored, ...applyResets(stored, now) };
  const blocker = loginBlocker(ent, now);
  if (blocker) throw blocker;
  return { voucher, firstUse: false, ent };
}

/** What the gateway must enforce for a pool (pass it with pending usage folded in) at `now`. */
export function poolLimits(e: EntitlementRow, now: number): PoolLimits {
  if (isThrottled(e, now)) return { id: e.id, ...throttleRates(e.plan), bytesRemaining: null };
  return { id: e.id, downBps: e.plan.downBps, upBps: e.plan.upBps, bytesRemaining: remaining(e, now).bytes };
}

/** Runs a gateway call; a driver failure becomes GATEWAY_UNAVAILABLE with the cause kept for the log. */
export async function onGateway<T>(ctx: CoreContext, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    ctx.log.warn('gateway', `${what} failed`, { err: err instanceof Error ? err.message : String(err) });
    throw new DomainError('GATEWAY_UNAVAILABLE', 'the network gateway is not answering', {}, { cause: err });
  }
}

/** Best-effort gateway call for clean-up paths; failures are logged and retried by the accounting sweep. */
export async function tryGateway(ctx: CoreContext, what: string, fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    ctx.log.warn('gateway', `${what} failed; will retry`, { err: err instanceof Error ? err.message : String(err), gateway: err instanceof GatewayError });
    return false;
  }
}

/** Hands the walled garden to the gateway, if its driver keeps one (best effort, logged). */
export async function applyWalledGarden(ctx: CoreContext, entries: string[]): Promise<void> {
  const set = ctx.driver.setWalledGarden?.bind(ctx.driver);
  if (set) await tryGateway(ctx, 'setWalledGarden', () => set(entries));
}

/** Hands the bypass list to the gateway (best effort, logged; applied again at every start). */
export async function applyBypass(ctx: CoreContext, macs: string[]): Promise<void> {
  const set = ctx.driver.setBypass?.bind(ctx.driver);
  if (set) await tryGateway(ctx, 'setBypass', () => set(macs));
}
