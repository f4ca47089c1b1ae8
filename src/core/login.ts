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
import { redeemBlocker, topUp as addToPool } from '../domain/entitlement.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ClientHint, ClientInfo } from './ports/driver.js';
import { normalizeIp } from '../lib/net.js';
import { parsedCode } from './code-lookup.js';
import type { CoreContext } from './context.js';
import { dropReading } from './authority-local.js';
import { callerDevice, identify } from './identity.js';
import { deviceNames } from './device-names.js';
import { withPool } from './lifecycle.js';
import type { DeviceRow, EntitlementRow, VoucherRow } from './ports/model.js';
import { onGateway, poolLimits, tryGateway } from './pool.js';
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
  /** The caller's status after the commit (computed when first read): the portal answers with it instead of asking again. */
  readonly status: DeviceStatus;
}

export { identify };

/**
 * The result with its `status`, computed from the committed pool the first time it is read: a JSON
 * answer reads it at once; a form login's 303 never does, and costs no extra queries.
 */
function withStatus<T extends object>(result: T, view: () => DeviceStatus): T & { readonly status: DeviceStatus } {
  let status: DeviceStatus | undefined;
  return Object.defineProperty(result, 'status', { enumerable: true, get: () => (status ??= view()) }) as T & { readonly status: DeviceStatus };
}

/**
 * Steps 1 of the order above, before any gateway question: the address's prefix must not be held by
 * the throttle, and the code must parse (a typo is caught by its check character). Returns the code.
 */
function precheck(ctx: CoreContext, code: unknown, ip: string): string {
  // No source is ever recorded under an address key, so this checks only the network and prefix limits.
  ctx.throttle.check(`ip:${ip}`, sourcePrefix(ip));
  return parsedCode(code);
}

/**
 * Runs `task` under the voucher's lock and, when the voucher already has a pool, that pool's lock too
 * (asked again under the voucher's lock: a first use may just have created it). With no pool lock to
 * wait for, `task` gets the voucher's row as just read: nothing can have changed it since.
 *
 * `found`, the row the code lookup just read, is taken as that reading when nobody held or waited for
 * the voucher's lock: no login or RADIUS grant can have changed it since, and what else could (an
 * operator's revoke) the commit's conditional first use refuses (a round trip fewer on PostgreSQL).
 * The caller's active device read with it goes along then, as fresh as a reading under the lock (the
 * commit's conditional device insert is what decides a device that logged in elsewhere meanwhile).
 */
function underVoucher<T>(ctx: CoreContext, voucherId: string, task: (read?: FoundVoucher) => Promise<T>, found?: FoundVoucher): Promise<T> {
  const fresh = found?.voucher && !ctx.locks.held(voucherId) ? found : undefined;
  return ctx.locks.run(voucherId, () => {
    const voucher = fresh?.voucher ?? ctx.store.vouchers.get(voucherId);
    const poolId = voucher?.entitlementId;
    const read = poolId ? undefined : (fresh ?? (voucher && { voucher }));
    if (read !== found) dropReading(found?.macDevice);
    return poolId ? withPool(ctx, poolId, () => task()) : task(read);
  });
}

/** A voucher's row as read, with the caller's active device when it was read at the same moment. */
interface FoundVoucher {
  voucher?: VoucherRow;
  macDevice?: () => DeviceRow | undefined;
}

/** An unknown code from `client`: counted by the authority (throttle, audit), refused. */
async function findVoucher(ctx: CoreContext, code: string, client: ClientInfo, typed: unknown): Promise<{ voucherId: string } & FoundVoucher> {
  return ctx.authority.find(code, client, typed);
}

export async function login(ctx: CoreContext, input: LoginInput): Promise<LoginResult> {
  let client: ClientInfo | undefined;
  try {
    const code = precheck(ctx, input.code, normalizeIp(input.ip));
    client = await identify(ctx, input.ip, input.hint);
    const found = await findVoucher(ctx, code, client, input.code);
    return await underVoucher(ctx, found.voucherId, (read) => redeem(ctx, found.voucherId, client!, input.replace ?? false, read), found);
  } catch (err) {
    // Every refused login is published (metrics count failures by code); unknown codes were already
    // published by findVoucher together with their audit entry.
    if (isDomainError(err) && err.code !== 'VOUCHER_UNKNOWN') {
      ctx.bus.emit('login.failed', { ip: client?.ip ?? normalizeIp(input.ip), mac: client?.mac ?? null, code: err.code });
    }
    throw err;
  }
}

/** Decide (the authority), enforce (the gateway), record (the authority); undo the gateway if recording fails. */
async function redeem(ctx: CoreContext, voucherId: string, client: ClientInfo, replace: boolean, read: FoundVoucher | undefined): Promise<LoginResult> {
  const now = ctx.clock.now();
  const r = await ctx.authority.redeem({ voucherId, client, replace, now, ...(read?.voucher ? { voucher: read.voucher } : {}), ...(read?.macDevice ? { macDevice: read.macDevice } : {}) });
  const { deviceId, elsewhere, evicted } = r;
  const grant = { deviceId, poolId: r.poolId, mac: client.mac, ips: [client.ip], ...(client.site ? { site: client.site } : {}) };

  // 4. Gateway first: nothing is stored unless the device really got through. A pool this login
  // creates holds no RADIUS slice (nobody else knows it yet): its limits need no look at the sessions.
  if (r.made) ctx.creatingPools.add(r.poolId);
  try {
    if (elsewhere) await onGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(elsewhere.id));
    // The pool's limits and the device in one step where the driver offers it (one nft transaction).
    const together = r.poolIsNew ? ctx.driver.authorizeWithPool?.bind(ctx.driver) : undefined;
    if (r.poolIsNew && !together) await onGateway(ctx, 'setPool', () => ctx.driver.setPool(r.limits));
    try {
      await onGateway(ctx, 'authorize', () => (together ? together(r.limits, grant) : ctx.driver.authorize(grant)));
    } catch (err) {
      if (r.poolIsNew) await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(r.poolId));
      throw err;
    }
  } catch (err) {
    await ctx.authority.abort(r);
    throw err;
  } finally {
    ctx.creatingPools.delete(r.poolId);
  }
  if (!r.present) ctx.ledger.reset(deviceId, now);

  // 5. Durable before acknowledged; 6. the outbox publishes after the commit.
  try {
    await ctx.authority.commit(r, client, now);
  } catch (err) {
    await tryGateway(ctx, 'deauthorize (undo)', () => ctx.driver.deauthorize(deviceId));
    if (r.poolIsNew) await tryGateway(ctx, 'removePool (undo)', () => ctx.driver.removePool(r.poolId));
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
  // A first use's pool holds this device alone: its status is what the commit wrote.
  const known = r.made && { ent: r.made.pool, code: r.made.code, devices: [{ id: deviceId, mac: client.mac, attachedAt: now }] };
  return withStatus({ entitlementId: r.poolId, deviceId, voucherId: r.voucherId, firstUse: r.firstUse }, () => poolView(ctx, r.poolId, deviceId, known));
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
  const { voucherId } = await findVoucher(ctx, code, client, input.code);
  return ctx.locks.run(voucherId, () =>
    withPool(ctx, device.entitlementId, async () => {
      const now = ctx.clock.now();
      const v = ctx.store.vouchers.get(voucherId);
      // A remote authority (issue 12) knows no code before its server grants it: no top-up from here.
      if (!v) throw new DomainError('INVALID_INPUT', 'on this network a new code is used by logging in with it');
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
          // Taken once even across instances on one database (SPEC §11): another may have used the code
          // since it was read as unused above (the gateway call in between is where that can happen).
          if (!ctx.store.vouchers.markRedeemed(v.id, after.id, after.status, now, { firstUse: true })) {
            throw new DomainError('CONFLICT', 'this code was already used; add a new code');
          }
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
      return withStatus({ entitlementId: after.id, voucherId: v.id }, () => poolView(ctx, after.id, device.id));
    }),
  );
}
