/**
 * What a resident's device can do and see once it is online: its status (remaining time and data,
 * rates, the devices sharing its pool), logging out this device or all, and removing another device of
 * the same pool.
 *
 * @example
 *   const s = await deviceStatus(ctx, '10.0.0.23');
 *   if (s.authorized) s.secondsRemaining;
 */
import { allowsTraffic, isThrottled, remaining, statusAt, type EntitlementStatus } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import { poolPlan } from '../domain/plan-words.js';
import type { ClientHint } from './ports/driver.js';
import { normalizeIp } from '../lib/net.js';
import type { CoreContext } from './context.js';
import type { DeviceRow, EntitlementRow } from './ports/model.js';
import { formatCode } from '../domain/code.js';
import { deviceNames } from './device-names.js';
import { endings, type Ending } from './endings.js';
import { callerDevice } from './identity.js';
import { withPool } from './lifecycle.js';
import { transact } from './tx.js';
import { onGateway, tryGateway } from './pool.js';

export interface DeviceView {
  id: string;
  /** Last 5 characters of the MAC: enough for a resident to tell devices apart, not a full identifier. */
  label: string;
  /** The host name the gateway learned for it (core/device-names.ts), or null: then show `label`. */
  name: string | null;
  isCaller: boolean;
  attachedAt: number;
  downBps: number;
  upBps: number;
}

export type DeviceStatus =
  /** `ended`: why this device's session ended, when it did so lately (core/endings.ts). */
  | { authorized: false; ended?: Ending }
  | {
      authorized: true;
      online: boolean;
      entitlementId: string;
      deviceId: string;
      /** The pool's own code, printed form: what another device of the household types to join. */
      code: string;
      status: EntitlementStatus;
      throttled: boolean;
      /** What the pool amounts to now: its plan with the time and data of every code added to it. */
      plan: Plan;
      secondsRemaining: number | null;
      bytesRemaining: number | null;
      usedBytes: number;
      dataTotal: number | null;
      expiresAt: number | null;
      downBps: number;
      upBps: number;
      devices: DeviceView[];
    };

/** The caller's status; the gateway is asked only for an address no active device has (core/identity.ts). */
export async function deviceStatus(ctx: CoreContext, ip: string, hint?: ClientHint): Promise<DeviceStatus> {
  let found;
  try {
    found = await callerDevice(ctx, ip, hint);
  } catch (err) {
    if (err instanceof DomainError && (err.code === 'CLIENT_UNKNOWN' || err.code === 'GATEWAY_UNAVAILABLE')) return { authorized: false };
    throw err;
  }
  const { client, device } = found;
  if (!device) {
    const ended = endings(ctx).of(client.mac);
    return ended ? { authorized: false, ended } : { authorized: false };
  }
  const stored = ctx.store.entitlements.get(device.entitlementId);
  if (!stored) return { authorized: false };
  const names = deviceNames(ctx);
  names.note(client.mac, client.hostName);
  await names.learn(ctx.store.entitlements.activeDevices(stored.id));
  return poolView(ctx, stored.id, device.id);
}

/** What a caller already holds of a pool (a first use just committed): then nothing is read back. */
export interface KnownPool {
  ent: EntitlementRow;
  code: string;
  devices: Array<Pick<DeviceRow, 'id' | 'mac' | 'attachedAt'>>;
}

export function poolView(ctx: CoreContext, entitlementId: string, callerDeviceId: string | null, known?: KnownPool): DeviceStatus {
  const now = ctx.clock.now();
  const ent = ctx.ledger.current(known?.ent ?? ctx.store.entitlements.get(entitlementId)!);
  const devices = (known?.devices ?? ctx.store.entitlements.activeDevices(ent.id)).map((d) => {
    const r = ctx.ledger.rate(d.id);
    return { id: d.id, label: d.mac.slice(-5).toUpperCase(), name: deviceNames(ctx).of(d.mac), isCaller: d.id === callerDeviceId, attachedAt: d.attachedAt, ...r };
  });
  const left = remaining(ent, now);
  return {
    authorized: true,
    online: allowsTraffic(ent, now),
    entitlementId: ent.id,
    deviceId: callerDeviceId ?? '',
    code: formatCode(known?.code ?? ctx.store.vouchers.get(ent.voucherId)?.code ?? ''),
    status: statusAt(ent, now),
    throttled: isThrottled(ent, now),
    plan: poolPlan(ent.plan, ent),
    secondsRemaining: left.seconds,
    bytesRemaining: left.bytes,
    usedBytes: ent.usedBytes,
    dataTotal: ent.dataTotal,
    expiresAt: ent.expiresAt,
    downBps: devices.reduce((n, d) => n + d.downBps, 0),
    upBps: devices.reduce((n, d) => n + d.upBps, 0),
    devices,
  };
}

/**
 * Logs out the caller's device, or every device of its pool (`all`). The gateway is updated first (and
 * must succeed), then the devices are stored as ended. The pool itself keeps its remaining time/data.
 */
export async function logout(ctx: CoreContext, input: { ip: string; all?: boolean; deviceId?: string; hint?: ClientHint }): Promise<number> {
  const { client, device: caller } = await callerDevice(ctx, normalizeIp(input.ip), input.hint);
  if (!caller) throw new DomainError('NOT_AUTHORIZED', 'this device is not logged in');
  // Under the pool's lock (core/lifecycle.ts): a login or the sweep cannot change the pool meanwhile.
  return withPool(ctx, caller.entitlementId, async () => {
    const device = ctx.store.entitlements.getDevice(caller.id);
    if (!device?.active) throw new DomainError('NOT_AUTHORIZED', 'this device is not logged in');
    const pool = ctx.store.entitlements.activeDevices(device.entitlementId);
    let targets = input.all ? pool : [device];
    if (input.deviceId) {
      const other = pool.find((d) => d.id === input.deviceId);
      if (!other) throw new DomainError('NOT_FOUND', 'that device is not on this code');
      targets = [other];
    }
    // Together, so a driver that batches (nftables group commit) cuts them in one transaction. When they
    // are the pool's last devices, removePool (which cuts a pool's devices with it, driver port) does
    // both at once: one nft transaction per logout, not two.
    const last = pool.every((d) => targets.some((x) => x.id === d.id));
    if (last) await onGateway(ctx, 'removePool', () => ctx.driver.removePool(device.entitlementId));
    else await Promise.all(targets.map((d) => onGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(d.id))));
    const now = ctx.clock.now();
    const reason = input.deviceId && input.deviceId !== device.id ? 'removed' : 'logout';
    await ctx.commits.run('the logout', (t) => {
      for (const d of targets) {
        ctx.store.entitlements.endDevice(d.id, reason, now);
        t.record(
          { type: 'device.detached', actor: { type: 'device', id: client.mac }, subject: d.entitlementId, data: { deviceId: d.id, reason } },
          ['device.detached', { deviceId: d.id, entitlementId: d.entitlementId, mac: d.mac, reason }],
        );
      }
    });
    for (const d of targets) ctx.ledger.forget(d.id);
    return targets.length;
  });
}
