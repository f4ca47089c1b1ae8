/**
 * Redeem / login: a resident types a code; their device joins the code's pool and the gateway lets it
 * through. Order matters (SPEC §5, captive-clients.md E1, issue 4 "nothing half-applied"):
 *
 *   1. throttle check, code parse (typos caught by the check character before any lookup)
 *   2. the gateway maps the caller's address to a MAC
 *   3. under the voucher's lock (and its pool's, core/lifecycle.ts): decide (unused → new pool; used → same pool, device limit)
 *   4. the gateway authorizes the device (rules in, conntrack flushed)
 *   5. one transaction stores the redemption, the device and the audit entries; only then is it acked
 *   6. events go out after the commit
 *
 * If the gateway fails at 4 nothing is stored: the voucher stays unused. If storage fails at 5 the
 * gateway change is undone before the error is returned.
 *
 * @example
 *   const result = await login(ctx, { ip: '10.0.0.23', code: 'K7QM-4XPA-9TR' });
 */
import { parseCode, constantTimeEqual } from '../domain/code.js';
import { attachDecision, redeemBlocker, topUp as addToPool } from '../domain/entitlement.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ClientHint, ClientInfo } from '../gateway/driver.js';
import { normalizeIp } from '../lib/net.js';
import type { CoreContext } from './context.js';
import { callerDevice, identify } from './identity.js';
import { deviceNames } from './device-names.js';
import { withPool } from './lifecycle.js';
import type { DeviceRow, EntitlementRow, VoucherRow } from './ports/model.js';
import { onGateway, poolForLogin, poolLimits, tryGateway } from './pool.js';
import { poolView, type DeviceStatus } from './session.js';
import { sourcePrefix } from './throttle.js';
import { transact } from './tx.js';

export interface LoginInput {
  ip: string;
  code: unknown;
  /** At the device limit, replace the device that joined first. */
  replace?: boolean;
  hint?: ClientHint;
}

export interface LoginResult {
  entitlementId: string;
  deviceId: string;
  voucherId: string;
  firstUse: boolean;
  /** The caller's status as of the commit: the portal answers with it instead of asking again. */
  status: DeviceStatus;
}

export { identify };

/**
 * Steps 1 of the order above, before any gateway question: the address's prefix must not be held by
 * the throttle, and the code must parse (a typo is caught by its check character). Returns the code.
 */
function precheck(ctx: CoreContext, code: unknown, ip: string): string {
  // No source is ever recorded under an address key, so this checks only the network and prefix limits.
  ctx.throttle.check(`ip:${ip}`, sourcePrefix(ip));
  const parsed = parseCode(code);
  if (!parsed.ok) {
    throw parsed.reason === 'check'
      ? new DomainError('CODE_CHECK_FAILED', 'this code has a typo; check each character')
      : new DomainError('CODE_MALFORMED', 'a code has 11 letters and digits, like K7QM-4XPA-9TR');
  }
  return parsed.code;
}

/**
 * Finds the voucher for a parsed code, counting failures against the device and its address prefix
 * (throttle) and in the audit log, aggregated per prefix per window so that guessing cannot fill the
 * disk (attack report D5; core/audit-summary.ts).
 */
function findVoucher(ctx: CoreContext, code: string, client: ClientInfo): VoucherRow {
  const key = client.mac;
  const prefix = sourcePrefix(client.ip);
  ctx.throttle.check(key, prefix);
  const voucher = ctx.store.vouchers.findByCode(code);
  if (!voucher || !constantTimeEqual(voucher.code, code)) {
    const t = ctx.throttle.fail(key, prefix);
    ctx.auditSummary.note(t.locked ? 'login.locked' : 'login.failed', prefix, { type: 'device', id: client.mac }, {
      ip: client.ip,
      failures: t.failures,
      retryAfter: t.retryAfter,
    });
    ctx.bus.emit('login.failed', { ip: client.ip, mac: client.mac, code: 'VOUCHER_UNKNOWN' });
    throw new DomainError('VOUCHER_UNKNOWN', 'this code does not exist', t.locked ? { retryAfter: t.retryAfter } : {});
  }
  return voucher;
}

/** Runs `task` under the voucher's lock and, when the voucher already has a pool, that pool's lock too. */
function underVoucher<T>(ctx: CoreContext, voucherId: string, task: () => Promise<T>): Promise<T> {
  return ctx.locks.run(voucherId, () => {
    const poolId = ctx.store.vouchers.get(voucherId)?.entitlementId;
    return poolId ? withPool(ctx, poolId, task) : task();
  });
}

export async function login(ctx: CoreContext, input: LoginInput): Promise<LoginResult> {
  let client: ClientInfo | undefined;
  try {
    const code = precheck(ctx, input.code, normalizeIp(input.ip));
    client = await identify(ctx, input.ip, input.hint);
    const found = findVoucher(ctx, code, client);
    return await underVoucher(ctx, found.id, () => redeem(ctx, found.id, client!, input.replace ?? false));
  } catch (err) {
    // Every refused login is published (metrics count failures by code); unknown codes were already
    // published by findVoucher together with their audit entry.
    if (isDomainError(err) && err.code !== 'VOUCHER_UNKNOWN') {
      ctx.bus.emit('login.failed', { ip: client?.ip ?? normalizeIp(input.ip), mac: client?.mac ?? null, code: err.code });
    }
    throw err;
  }
}

async function redeem(ctx: CoreContext, voucherId: string, client: ClientInfo, replace: boolean): Promise<LoginResult> {
  const now = ctx.clock.now();
  const { voucher, ent, firstUse } = poolForLogin(ctx, voucherId, now);

  const devices = firstUse ? [] : ctx.store.entitlements.activeDevices(ent.id);
  const decision = attachDecision(devices, ent.plan.devices, client.mac, replace);
  const present = devices.find((d) => d.mac === client.mac);
  const evicted = decision.kind === 'replace' ? devices.find((d) => d.mac === decision.evict) : undefined;
  // The same MAC on another pool (a resident switching codes) leaves that pool.
  const elsewhere = present ? undefined : ctx.store.entitlements.activeDeviceByMac(client.mac);

  const deviceId = present?.id ?? ctx.newId('dev');
  const grant = { deviceId, poolId: ent.id, mac: client.mac, ips: [client.ip], ...(client.site ? { site: client.site } : {}) };
  const poolIsNew = devices.length === 0;

  // 4. Gateway first: nothing is stored unless the device really got through.
  if (elsewhere) await onGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(elsewhere.id));
  if (poolIsNew) await onGateway(ctx, 'setPool', () => ctx.driver.setPool(poolLimits(ent, now)));
  try {
    await onGateway(ctx, 'authorize', () => ctx.driver.authorize(grant));
  } catch (err) {
    if (poolIsNew) await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(ent.id));
    throw err;
  }
  if (!present) ctx.ledger.reset(deviceId, now);

  // 5. Durable before acknowledged; 6. the outbox publishes after the commit.
  try {
    transact(ctx, 'the login', (t) => {
      const actor = { type: 'device' as const, id: client.mac };
      if (firstUse) {
        ctx.store.entitlements.insert(ent);
        ctx.store.vouchers.markRedeemed(voucher.id, ent.id, 'active', now);
        t.record({ type: 'voucher.redeemed', actor, subject: voucher.id, data: { entitlementId: ent.id, ip: client.ip } });
      }
      // A re-login never writes the pool itself: resets and status changes are the accounting sweep's.
      if (elsewhere) {
        ctx.store.entitlements.endDevice(elsewhere.id, 'switched', now);
        t.record(
          { type: 'device.detached', actor, subject: elsewhere.entitlementId, data: { deviceId: elsewhere.id, reason: 'switched' } },
          ['device.detached', { deviceId: elsewhere.id, entitlementId: elsewhere.entitlementId, mac: elsewhere.mac, reason: 'switched' }],
        );
      }
      if (evicted) {
        ctx.store.entitlements.endDevice(evicted.id, 'replaced', now);
        t.record(
          { type: 'device.detached', actor, subject: ent.id, data: { deviceId: evicted.id, reason: 'replaced' } },
          ['device.detached', { deviceId: evicted.id, entitlementId: ent.id, mac: evicted.mac, reason: 'replaced' }],
        );
      }
      if (present) ctx.store.entitlements.updateDeviceAddress(present.id, client.ip, client.site ?? null, now);
      else {
        const row: DeviceRow = {
          id: deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip, site: client.site ?? null, attachedAt: now,
          lastSeen: now, active: true, endedAt: null, endReason: null, bytesUp: 0, bytesDown: 0, counterUp: 0, counterDown: 0,
        };
        ctx.store.entitlements.insertDevice(row);
        t.record(
          { type: 'device.attached', actor, subject: ent.id, data: { deviceId, ip: client.ip } },
          ['device.attached', { deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip }],
        );
      }
      t.publish(['voucher.redeemed', { voucherId: voucher.id, entitlementId: ent.id, deviceId, mac: client.mac, ip: client.ip, topUp: false }]);
    });
  } catch (err) {
    await tryGateway(ctx, 'deauthorize (undo)', () => ctx.driver.deauthorize(deviceId));
    if (poolIsNew) await tryGateway(ctx, 'removePool (undo)', () => ctx.driver.removePool(ent.id));
    throw err;
  }
  ctx.throttle.succeed(client.mac);
  deviceNames(ctx).note(client.mac, client.hostName);

  // Evicted devices leave the gateway after the commit; a failure is retried by the sweep.
  if (evicted) {
    await tryGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(evicted.id));
    ctx.ledger.forget(evicted.id);
  }
  if (elsewhere) ctx.ledger.forget(elsewhere.id);
  return { entitlementId: ent.id, deviceId, voucherId: voucher.id, firstUse, status: poolView(ctx, ent.id, deviceId) };
}

/**
 * "Add a code": an unused voucher's time and data are added to the caller's current pool. The gateway
 * gets the new limits first; if storing fails, the old limits are put back. The caller's device is
 * found locally first (no gateway question for a device already online).
 */
export async function topUp(
  ctx: CoreContext,
  input: { ip: string; code: unknown; hint?: ClientHint },
): Promise<{ entitlementId: string; voucherId: string; status: DeviceStatus }> {
  const code = precheck(ctx, input.code, normalizeIp(input.ip));
  const { client, device } = await callerDevice(ctx, input.ip, input.hint);
  if (!device) throw new DomainError('NOT_AUTHORIZED', 'log in with a code first');
  const voucher = findVoucher(ctx, code, client);
  return ctx.locks.run(voucher.id, () =>
    withPool(ctx, device.entitlementId, async () => {
      const now = ctx.clock.now();
      const v = ctx.store.vouchers.get(voucher.id)!;
      const blocked = redeemBlocker(v.status, v.redeemBy, now);
      if (blocked) throw blocked;
      if (v.status !== 'unused') throw new DomainError('CONFLICT', 'this code was already used; add a new code');
      const before = ctx.ledger.current(ctx.store.entitlements.get(device.entitlementId)!);
      if (before.status === 'revoked') throw new DomainError('VOUCHER_REVOKED', 'this code was revoked');
      const after: EntitlementRow = { ...before, ...addToPool(before, v.plan, now), updatedAt: now };
      await onGateway(ctx, 'setPool', () => ctx.driver.setPool(poolLimits(after, now)));
      try {
        transact(ctx, 'the new code', (t) => {
          // used_bytes stays as stored; pending usage is added by the next flush.
          ctx.store.entitlements.update({ ...after, usedBytes: ctx.store.entitlements.get(after.id)!.usedBytes });
          ctx.store.vouchers.markRedeemed(v.id, after.id, after.status, now);
          ctx.store.vouchers.setStatusForEntitlement(after.id, after.status);
          if (after.status !== before.status) t.publish(['entitlement.changed', { entitlementId: after.id, status: after.status, reason: 'top-up' }]);
          t.record(
            { type: 'voucher.redeemed', actor: { type: 'device', id: client.mac }, subject: v.id, data: { entitlementId: after.id, topUp: true } },
            ['voucher.redeemed', { voucherId: v.id, entitlementId: after.id, deviceId: device.id, mac: client.mac, ip: client.ip, topUp: true }],
          );
        });
      } catch (err) {
        await tryGateway(ctx, 'setPool (undo)', () => ctx.driver.setPool(poolLimits(before, now)));
        throw err;
      }
      ctx.throttle.succeed(client.mac);
      return { entitlementId: after.id, voucherId: v.id, status: poolView(ctx, after.id, device.id) };
    }),
  );
}
