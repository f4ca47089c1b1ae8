/**
 * Pool transitions shared by the accounting sweep, revoke and logout: each is stored (with its audit
 * entry, through the transaction outbox) before the gateway is told, and published after the commit.
 *
 * Every change to a pool's devices or status runs under that pool's lock (`withPool`): login and top-up
 * (after the voucher's lock), logout, and the sweep's end of a pool. So two codes of one pool cannot race
 * for its last device slot, and a re-login cannot land while the sweep is ending the pool. Lock order is
 * always voucher → pool; the lock is not re-entrant, so code already holding it calls `endPoolLocked`.
 *
 * @example
 *   await endPool(ctx, entitlementId, 'expired', 'time is up', { type: 'system' });
 */
import type { EntitlementStatus } from '../domain/entitlement.js';
import type { Actor, CoreContext } from './context.js';
import type { DeviceRow } from './ports/model.js';
import { poolLimits, tryGateway } from './pool.js';
import { transact } from './tx.js';

/** Runs `task` holding the pool's lock (the key space is shared with vouchers: ids are prefixed). */
export function withPool<T>(ctx: CoreContext, entitlementId: string, task: () => Promise<T>): Promise<T> {
  return ctx.locks.run(entitlementId, task);
}

/** Ends a pool: every device leaves the gateway; the status is final (expired, exhausted, revoked). */
export function endPool(ctx: CoreContext, entitlementId: string, status: EntitlementStatus, reason: string, actor: Actor): Promise<void> {
  return withPool(ctx, entitlementId, () => endPoolLocked(ctx, entitlementId, status, reason, actor));
}

/** endPool for a caller that already holds the pool's lock. */
export async function endPoolLocked(ctx: CoreContext, entitlementId: string, status: EntitlementStatus, reason: string, actor: Actor): Promise<void> {
  // Recorded by the authority first (its audit entry and events go out after the commit), then the gateway is told.
  const devices = await ctx.authority.end(entitlementId, status, reason, actor);
  const after = ctx.store.entitlements.get(entitlementId);
  // A remote authority may renew the pool instead (its server granted more, issue 12): it stays on the
  // gateway and only the devices returned leave.
  if (after?.status === 'active') return detachFromGateway(ctx, devices);
  if (!devices.length && !after) return;
  await detachFromGateway(ctx, devices);
  await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(entitlementId));
}

/** Marks a throttle-plan pool exhausted and drops its devices to the fair-use rate (caller holds the lock). */
export async function throttlePoolLocked(ctx: CoreContext, entitlementId: string): Promise<void> {
  const now = ctx.clock.now();
  // Read inside the transaction that writes the row back: with several instances on one database, the
  // usage another one added meanwhile is then kept (SERIALIZABLE retries), not overwritten.
  const ent = transact(ctx, 'the throttled pool', (t) => {
    const ent = ctx.store.entitlements.get(entitlementId);
    if (!ent) return undefined;
    ctx.store.entitlements.update({ ...ent, status: 'exhausted', updatedAt: now });
    ctx.store.vouchers.setStatusForEntitlement(entitlementId, 'exhausted');
    t.record(
      { type: 'entitlement.exhausted', actor: { type: 'system' }, subject: entitlementId, data: { reason: 'data used up; throttled' } },
      ['entitlement.changed', { entitlementId, status: 'exhausted', reason: 'throttled' }],
    );
    return ent;
  });
  if (!ent) return;
  const current = ctx.ledger.current({ ...ent, status: 'exhausted' });
  await tryGateway(ctx, 'setPool (throttle)', () => ctx.driver.setPool(poolLimits(current, now)));
}

/** Takes devices off the gateway (best effort; the sweep retries strays it still sees). */
export async function detachFromGateway(ctx: CoreContext, devices: DeviceRow[]): Promise<void> {
  // Together, so a driver that batches (nftables group commit) cuts a pool's devices in one transaction.
  await Promise.all(devices.map((d) => tryGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(d.id))));
  for (const d of devices) ctx.ledger.forget(d.id);
}
