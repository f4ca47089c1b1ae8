/**
 * Pool transitions shared by the accounting sweep, revoke and logout: each is stored (with its audit
 * entry) before the gateway is told and before anything is published.
 *
 * @example
 *   await endPool(ctx, entitlementId, 'expired', 'time is up', { type: 'system' });
 */
import type { EntitlementStatus } from '../domain/entitlement.js';
import type { DeviceRow } from './ports/model.js';
import type { Actor, CoreContext } from './context.js';
import { audit, poolLimits, tryGateway } from './pool.js';

/** Ends a pool: every device leaves the gateway; the status is final (expired, exhausted, revoked). */
export async function endPool(ctx: CoreContext, entitlementId: string, status: EntitlementStatus, reason: string, actor: Actor): Promise<void> {
  const now = ctx.clock.now();
  ctx.ledger.flush(now); // usage up to this moment is part of the record
  const ent = ctx.store.entitlements.get(entitlementId);
  if (!ent) return;
  const devices = ctx.store.entitlements.activeDevices(entitlementId);
  ctx.store.tx(() => {
    ctx.store.entitlements.update({ ...ent, status, updatedAt: now });
    ctx.store.vouchers.setStatusForEntitlement(entitlementId, status);
    for (const d of devices) ctx.store.entitlements.endDevice(d.id, reason, now);
    audit(ctx, `entitlement.${status}`, actor, entitlementId, { reason, devices: devices.length });
  });
  await detachFromGateway(ctx, devices);
  await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(entitlementId));
  ctx.bus.emit('entitlement.changed', { entitlementId, status, reason });
  for (const d of devices) ctx.bus.emit('device.detached', { deviceId: d.id, entitlementId, mac: d.mac, reason });
}

/** Marks a throttle-plan pool exhausted and drops its devices to the fair-use rate. */
export async function throttlePool(ctx: CoreContext, entitlementId: string): Promise<void> {
  const now = ctx.clock.now();
  const ent = ctx.store.entitlements.get(entitlementId);
  if (!ent) return;
  ctx.store.tx(() => {
    ctx.store.entitlements.update({ ...ent, status: 'exhausted', updatedAt: now });
    ctx.store.vouchers.setStatusForEntitlement(entitlementId, 'exhausted');
    audit(ctx, 'entitlement.exhausted', { type: 'system' }, entitlementId, { reason: 'data used up; throttled' });
  });
  const current = ctx.ledger.current({ ...ent, status: 'exhausted' });
  await tryGateway(ctx, 'setPool (throttle)', () => ctx.driver.setPool(poolLimits(current, now)));
  ctx.bus.emit('entitlement.changed', { entitlementId, status: 'exhausted', reason: 'throttled' });
}

/** Takes devices off the gateway (best effort; the sweep retries strays it still sees). */
export async function detachFromGateway(ctx: CoreContext, devices: DeviceRow[]): Promise<void> {
  for (const d of devices) {
    await tryGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(d.id));
    ctx.ledger.forget(d.id);
  }
}
