/**
 * The local authority: the ledger in this Portico's own store (SQLite by default). It is what every
 * login, the accounting sweep and revoke used directly before the authority port (core/ports/
 * authority.ts) existed, moved behind it unchanged: codes, pools, device limits and usage are rows here.
 *
 * @example
 *   const authority = localAuthority(ctx);
 *   const r = await authority.redeem({ voucherId, client, replace: false, now });
 *   // … the gateway enforces r.limits …
 *   await authority.commit(r, client, now);
 */
import { attachDecision } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import { voucherByCode } from './code-lookup.js';
import type { CoreContext } from './context.js';
import type { EntitlementAuthority, Redemption } from './ports/authority.js';
import type { DeviceRow, EntitlementRow } from './ports/model.js';
import { poolForLogin, poolLimits } from './pool.js';
import { sourcePrefix } from './throttle.js';
import { transact } from './tx.js';

type LocalRedemption = Redemption & { ent: EntitlementRow };

/** The device's MAC got an active row from another instance while this login was on its way (SPEC §11). */
export const loggedInElsewhere = () => new DomainError('CONFLICT', 'this device was just logged in elsewhere; try again');

const deviceLimit = (taken: number, max: number) => new DomainError('DEVICE_LIMIT', `this code is already in use on ${taken} device(s)`, { max });

/** A first use that lost to another instance: the code's pool is full now, or it has room and a retry joins it. */
function usedMeanwhile(ctx: CoreContext, voucherId: string): DomainError {
  const poolId = ctx.store.vouchers.get(voucherId)?.entitlementId;
  const pool = poolId ? ctx.store.entitlements.get(poolId) : undefined;
  const taken = pool ? ctx.store.entitlements.activeDevices(pool.id).length : 0;
  if (pool && taken >= pool.plan.devices) return deviceLimit(taken, pool.plan.devices);
  return new DomainError('CONFLICT', 'this code was just used on another device; try again');
}

/** Takes a reading sent ahead that is not needed after all, so its answer is not kept; its failure does not matter. */
export function dropReading(reading: (() => unknown) | undefined): void {
  try {
    reading?.();
  } catch {
    // the statements that mattered report the database's state
  }
}

export function localAuthority(ctx: CoreContext): EntitlementAuthority {
  return {
    async find(code, client) {
      const key = client.mac;
      const prefix = sourcePrefix(client.ip);
      ctx.throttle.check(key, prefix);
      // Sent ahead of the code's lookup, so both share one round trip on PostgreSQL.
      const macDevice = ctx.store.entitlements.activeDeviceByMacLater(client.mac);
      try {
        const voucher = voucherByCode(ctx, code, { key, prefix, mac: client.mac, data: { ip: client.ip } });
        return { voucherId: voucher.id, poolId: voucher.entitlementId, voucher, macDevice };
      } catch (err) {
        dropReading(macDevice);
        // Published here: login's catch leaves unknown codes to the authority that counted them.
        ctx.bus.emit('login.failed', { ip: client.ip, mac: client.mac, code: 'VOUCHER_UNKNOWN' });
        throw err;
      }
    },

    async redeem({ voucherId, client, replace, now, voucher: read, macDevice }) {
      const { voucher, ent, firstUse } = poolForLogin(ctx, voucherId, now, read);
      const devices = firstUse ? [] : ctx.store.entitlements.activeDevices(ent.id);
      const decision = attachDecision(devices, ent.plan.devices, client.mac, replace);
      const present = devices.find((d) => d.mac === client.mac);
      const r: LocalRedemption = {
        voucherId: voucher.id, poolId: ent.id, firstUse, ent, limits: poolLimits(ent, now),
        deviceId: present?.id ?? ctx.newId('dev'), present: !!present, poolIsNew: devices.length === 0,
        evicted: decision.kind === 'replace' ? devices.find((d) => d.mac === decision.evict) : undefined,
        // The same MAC on another pool (a resident switching codes) leaves that pool.
        elsewhere: present ? undefined : (macDevice ?? (() => ctx.store.entitlements.activeDeviceByMac(client.mac)))(),
        ...(firstUse ? { made: { pool: ent, code: voucher.code } } : {}),
      };
      return r;
    },

    async commit(red, client, now) {
      const r = red as LocalRedemption;
      const { ent, evicted, elsewhere, deviceId } = r;
      // Shared with the logins and logouts committing in the same turn: one fsync (core/commit-group.ts).
      await ctx.commits.run('the login', (t) => {
        const actor = { type: 'device' as const, id: client.mac };
        // The decision (redeem) was taken before the gateway call, outside this transaction. In one
        // process the voucher and pool locks keep it true until here; with several instances on one
        // database (SPEC §11) another may have used the code or filled the pool meanwhile, so the
        // decisive checks are taken again in the transaction that writes: a first use is a conditional
        // UPDATE that must change one row, and the device slot is counted again.
        if (r.firstUse) {
          ctx.store.entitlements.insert(ent);
          ctx.store.vouchers.markRedeemed(r.voucherId, ent.id, 'active', now, { firstUse: true, orElse: () => usedMeanwhile(ctx, r.voucherId) });
          t.record({ type: 'voucher.redeemed', actor, subject: r.voucherId, data: { entitlementId: ent.id, ip: client.ip } });
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
        if (r.present) ctx.store.entitlements.updateDeviceAddress(deviceId, client.ip, client.site ?? null, now);
        else {
          // A pool this transaction created has no other device: nobody else knows its id yet.
          const taken = r.firstUse ? 0 : ctx.store.entitlements.activeDevices(ent.id).filter((d) => d.id !== evicted?.id && d.mac !== client.mac).length;
          if (taken >= ent.plan.devices) throw deviceLimit(taken, ent.plan.devices);
          const row: DeviceRow = {
            id: deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip, site: client.site ?? null, attachedAt: now,
            lastSeen: now, active: true, endedAt: null, endReason: null, bytesUp: 0, bytesDown: 0, counterUp: 0, counterDown: 0,
          };
          // Another instance logged this device in since the decision: the resident is told to try
          // again, which switches the device over.
          ctx.store.entitlements.insertDevice(row, loggedInElsewhere);
          t.record(
            { type: 'device.attached', actor, subject: ent.id, data: { deviceId, ip: client.ip } },
            ['device.attached', { deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip }],
          );
        }
        t.publish(['voucher.redeemed', { voucherId: r.voucherId, entitlementId: ent.id, deviceId, mac: client.mac, ip: client.ip, topUp: false }]);
      });
    },

    async abort() {
      // Nothing was written before commit.
    },

    async recordUsage(now) {
      ctx.ledger.flush(now);
    },

    async end(poolId, status, reason, actor) {
      const now = ctx.clock.now();
      ctx.ledger.flush(now); // usage up to this moment is part of the record
      // Read inside the transaction that writes: another instance on the same database may have added
      // usage or a device since (update() writes used_bytes back; a device read before would stay on).
      let devices: DeviceRow[] = [];
      transact(ctx, 'the end of the pool', (t) => {
        const ent = ctx.store.entitlements.get(poolId);
        devices = ent ? ctx.store.entitlements.activeDevices(poolId) : [];
        if (!ent) return;
        ctx.store.entitlements.update({ ...ent, status, updatedAt: now });
        ctx.store.vouchers.setStatusForEntitlement(poolId, status);
        for (const d of devices) ctx.store.entitlements.endDevice(d.id, reason, now);
        t.record({ type: `entitlement.${status}`, actor, subject: poolId, data: { reason, devices: devices.length } }, ['entitlement.changed', { entitlementId: poolId, status, reason }]);
        for (const d of devices) t.publish(['device.detached', { deviceId: d.id, entitlementId: poolId, mac: d.mac, reason }]);
      });
      return devices;
    },
  };
}
