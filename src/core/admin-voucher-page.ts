/**
 * The console's voucher page (issue 14 item 3; User Manager's user page, UniFi's voucher detail): one
 * code with its pool — time and data left, the codes added to it, the devices it has had (MAC, host
 * name, address, usage, online or not, NAS sessions too) — and its history in words; and what an admin
 * does from there: disconnect one device, or give the pool more time or data. Each action holds the
 * pool's lock (core/lifecycle.ts), is audited in the same transaction as the change, and tells the
 * gateway like a resident's own logout or top-up does.
 *
 * @example
 *   const page = voucherPage(ctx);
 *   page.detail('K7QM-4XPA-9TR', op, 'es');
 *   await page.extend(voucherId, { duration: '1h', data: '500MB' }, op);
 *   await page.disconnect(deviceId, op);
 */
import type { AuditEvent, PoolExtend, VoucherDetail, VoucherDevice, VoucherView } from '../api/contract.js';
import { formatCode, normalizeCode } from '../domain/code.js';
import { isThrottled, remaining, statusAt } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import { describePlan, poolPlan, type Lang } from '../domain/plan-words.js';
import { parseBytes, parseDuration } from '../domain/units.js';
import { describeEvents } from './admin-words.js';
import type { CoreContext } from './context.js';
import { deviceNames } from './device-names.js';
import { withPool } from './lifecycle.js';
import { onGateway, poolLimits, tryGateway } from './pool.js';
import type { EventRow, OperatorRow, VoucherRow } from './ports/model.js';
import { transact } from './tx.js';

const actorOf = (op: OperatorRow) => ({ type: 'operator' as const, id: op.id });
/** Most history rows per subject (the code, its pool, each top-up). */
const HISTORY = 100;

export function voucherPage(ctx: CoreContext, view: (v: VoucherRow & { note?: string | null; sellerId?: string | null }, l?: Lang) => VoucherView) {
  const { store } = ctx;

  /** The voucher by id or code; a seller's view is their own batches only (others: not found). */
  function find(idOrCode: string, op: OperatorRow): VoucherRow {
    const v = store.vouchers.get(idOrCode) ?? store.vouchers.findByCode(normalizeCode(idOrCode.slice(0, 64)));
    const batch = v && store.vouchers.getBatch(v.batchId);
    if (!v || !batch || (op.role === 'seller' && batch.sellerId !== op.id)) throw new DomainError('NOT_FOUND', 'no such voucher');
    return v;
  }

  function unit<T>(field: string, text: unknown, parse: (s: string) => T): T | null {
    if (text === undefined || text === null || text === '') return null;
    if (typeof text !== 'string') throw new DomainError('INVALID_INPUT', `${field} must be text like 1h or 500MB`, { field });
    try {
      return parse(text.trim());
    } catch (err) {
      throw new DomainError('INVALID_INPUT', (err as Error).message, { field });
    }
  }

  return {
    detail(idOrCode: string, op: OperatorRow, l: Lang): VoucherDetail {
      const v = find(idOrCode, op);
      const batch = store.vouchers.getBatch(v.batchId)!;
      const seller = batch.sellerId ? store.operators.get(batch.sellerId)?.name ?? null : null;
      const stored = v.entitlementId ? store.entitlements.get(v.entitlementId) : undefined;
      // The code that opened the pool first (top-ups in the same millisecond would tie on redeemed_at).
      const codes = stored ? store.vouchers.ofPool(stored.id).sort((a, b) => Number(b.id === stored.voucherId) - Number(a.id === stored.voucherId)) : [v];
      const rows: EventRow[] = [];
      const seen = new Set<number>();
      for (const subject of [...codes.map((c) => c.id), ...(stored ? [stored.id] : [])]) {
        for (const r of store.events.list({ subject, limit: HISTORY })) if (r.id !== undefined && !seen.has(r.id) && seen.add(r.id)) rows.push(r);
      }
      rows.sort((a, b) => (b.id ?? 0) - (a.id ?? 0));
      const history: AuditEvent[] = describeEvents(ctx, rows.slice(0, HISTORY));
      const voucher = view({ ...v, note: batch.note, sellerId: batch.sellerId }, l);
      const batchView = { id: batch.id, note: batch.note, price: batch.price, seller, createdAt: batch.createdAt };
      if (!stored) return { voucher, batch: batchView, pool: null, history };

      const now = ctx.clock.now();
      const ent = ctx.ledger.current(stored);
      const left = remaining(ent, now);
      const names = deviceNames(ctx);
      // The devices it has now, and those its history names (device ids in attach/detach rows).
      const ids = new Set(store.entitlements.activeDevices(ent.id).map((d) => d.id));
      for (const r of rows) {
        const id = (r.data as Record<string, unknown> | null)?.deviceId;
        if (typeof id === 'string') ids.add(id);
      }
      const devices: VoucherDevice[] = [];
      for (const id of ids) {
        const d = store.entitlements.getDevice(id);
        if (!d || d.entitlementId !== ent.id) continue;
        const r = d.active ? ctx.ledger.rate(d.id) : { downBps: 0, upBps: 0 };
        devices.push({
          id: d.id, mac: d.mac, name: names.of(d.mac), ip: d.ip, nas: null, online: d.active, attachedAt: d.attachedAt,
          endedAt: d.endedAt, endReason: d.endReason, usedBytes: d.bytesUp + d.bytesDown, downBps: r.downBps, upBps: r.upBps,
        });
      }
      for (const s of store.radiusSessions.activeOfPool(ent.id)) {
        devices.push({
          id: null, mac: s.mac, name: names.of(s.mac), ip: s.ip, nas: s.nas, online: s.active, attachedAt: s.grantedAt,
          endedAt: s.endedAt, endReason: s.endReason, usedBytes: s.inOctets + s.outOctets, downBps: 0, upBps: 0,
        });
      }
      devices.sort((a, b) => Number(b.online) - Number(a.online) || b.attachedAt - a.attachedAt);
      return {
        voucher, batch: batchView, history,
        pool: {
          entitlementId: ent.id, status: statusAt(ent, now), throttled: isThrottled(ent, now), words: describePlan(poolPlan(ent.plan, ent), l),
          activatedAt: ent.activatedAt, expiresAt: ent.expiresAt, secondsRemaining: left.seconds, bytesRemaining: left.bytes,
          usedBytes: ent.usedBytes, dataTotal: ent.dataTotal,
          codes: codes.map((c) => ({ voucherId: c.id, code: formatCode(c.code), words: describePlan(c.plan, l), redeemedAt: c.redeemedAt })),
          devices,
        },
      };
    },

    /**
     * More time and/or data for the code's pool (UniFi "extend"): time counts from the later of now and
     * the current end; data adds to the allowance, so a used-up pool can go on. Limits the plan does not
     * have (unlimited time or data) stay unlimited. A pool already expired or revoked is final: make a
     * new voucher.
     */
    async extend(idOrCode: string, input: PoolExtend, op: OperatorRow): Promise<void> {
      const v = find(idOrCode, op);
      const durationSec = unit('duration', input.duration, parseDuration);
      const dataBytes = unit('data', input.data, parseBytes);
      if (durationSec === null && dataBytes === null) throw new DomainError('INVALID_INPUT', 'give the time or the data to add, like 1h or 500MB', { field: 'duration' });
      if (!v.entitlementId) throw new DomainError('CONFLICT', 'this code was not used yet; its time starts when it is first used');
      const poolId = v.entitlementId;
      await withPool(ctx, poolId, async () => {
        const now = ctx.clock.now();
        const stored = store.entitlements.get(poolId)!;
        const before = ctx.ledger.current(stored);
        const was = statusAt(before, now);
        if (was === 'expired' || was === 'revoked') throw new DomainError('CONFLICT', `this code is ${was}; make a new voucher instead`);
        // Not domain topUp(): there a plan without a data limit makes the pool unlimited; here it adds nothing.
        const grown = {
          ...before,
          expiresAt: before.expiresAt === null || durationSec === null ? before.expiresAt : Math.max(before.expiresAt, now) + durationSec * 1000,
          dataTotal: before.dataTotal === null || dataBytes === null ? before.dataTotal : before.dataTotal + dataBytes,
          status: 'active' as const,
        };
        const after = { ...grown, status: statusAt(grown, now), updatedAt: now };
        const online = store.entitlements.activeDevices(poolId).length > 0;
        // The gateway first, like a resident's top-up; if storing fails the old limits go back.
        if (online) await onGateway(ctx, 'setPool', () => ctx.driver.setPool(poolLimits(after, now)));
        const added = [input.duration, input.data].filter((x) => typeof x === 'string' && x.trim()).map((x) => (x as string).trim()).join(' + ');
        try {
          transact(ctx, 'the extension', (t) => {
            store.entitlements.update({ ...after, usedBytes: store.entitlements.get(poolId)!.usedBytes });
            if (after.status !== stored.status) store.vouchers.setStatusForEntitlement(poolId, after.status);
            t.record(
              { type: 'entitlement.extended', actor: actorOf(op), subject: poolId, data: { added, durationSec, dataBytes, voucherId: v.id } },
              // `active` also re-grants live RADIUS sessions (radius/pool-coa.ts) and refreshes the residents' pages.
              ['entitlement.changed', { entitlementId: poolId, status: after.status, reason: 'extended' }],
            );
          });
        } catch (err) {
          if (online) await tryGateway(ctx, 'setPool (undo)', () => ctx.driver.setPool(poolLimits(before, now)));
          throw err;
        }
      });
    },

    /** Takes one device off its pool (Mikhmon "remove active"); the pool keeps its time and data. */
    async disconnect(deviceId: string, op: OperatorRow): Promise<void> {
      const d = store.entitlements.getDevice(deviceId.slice(0, 64));
      if (!d) throw new DomainError('NOT_FOUND', 'no such device');
      await withPool(ctx, d.entitlementId, async () => {
        const device = store.entitlements.getDevice(d.id)!;
        if (!device.active) throw new DomainError('CONFLICT', 'this device is not online any more');
        await onGateway(ctx, 'deauthorize', () => ctx.driver.deauthorize(device.id));
        const now = ctx.clock.now();
        ctx.ledger.flush(now); // its usage up to now stays on the record
        transact(ctx, 'the disconnect', (t) => {
          store.entitlements.endDevice(device.id, 'removed', now);
          t.record(
            { type: 'device.detached', actor: actorOf(op), subject: device.entitlementId, data: { deviceId: device.id, reason: 'removed' } },
            ['device.detached', { deviceId: device.id, entitlementId: device.entitlementId, mac: device.mac, reason: 'removed' }],
          );
        });
        ctx.ledger.forget(device.id);
        if (store.entitlements.activeDevices(device.entitlementId).length === 0) {
          await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(device.entitlementId));
        }
      });
    },
  };
}
