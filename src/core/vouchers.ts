/**
 * Operator use-cases for vouchers: create a batch (from a named plan, inline limits, or both), list and
 * search, revoke with a reason. A batch is stored in one transaction before it is acknowledged.
 *
 * @example
 *   const batch = createBatch(ctx, { count: 20, plan: { durationSec: 86400, dataBytes: 1e9 } }, actor);
 */
import { generateCode, normalizeCode } from '../domain/code.js';
import { DomainError } from '../domain/errors.js';
import { validatePlan, type Plan } from '../domain/plan.js';
import type { BatchRow, VoucherRow } from './ports/model.js';
import type { Actor, CoreContext } from './context.js';
import { endPool } from './lifecycle.js';
import { transact } from './tx.js';

export const MAX_BATCH = 10_000;

export interface BatchInput {
  count: number;
  /** Name of a stored plan template; inline fields override it. */
  planName?: string;
  plan?: Partial<Plan>;
  note?: string | null;
  price?: number | null;
  sellerId?: string | null;
}

export function createBatch(ctx: CoreContext, input: BatchInput, actor: Actor): { batch: BatchRow; vouchers: Pick<VoucherRow, 'id' | 'code'>[] } {
  if (!Number.isInteger(input.count) || input.count < 1 || input.count > MAX_BATCH) {
    throw new DomainError('INVALID_INPUT', `count must be 1 to ${MAX_BATCH}`, { field: 'count' });
  }
  if (input.price !== undefined && input.price !== null && (!Number.isFinite(input.price) || input.price < 0)) {
    throw new DomainError('INVALID_INPUT', 'price must be zero or more', { field: 'price' });
  }
  if (input.note && input.note.length > 200) throw new DomainError('INVALID_INPUT', 'note is longer than 200 characters', { field: 'note' });
  let base: Partial<Plan> = {};
  let price = input.price ?? null;
  if (input.planName) {
    const tpl = ctx.store.vouchers.findPlan(input.planName);
    if (!tpl) {
      const names = ctx.store.vouchers.listPlans().map((p) => p.name);
      throw new DomainError('INVALID_INPUT', `no plan named "${input.planName}" (plans: ${names.join(', ') || 'none'})`, { field: 'plan' });
    }
    base = tpl.plan;
    price = input.price ?? tpl.price;
  }
  const plan = validatePlan({ ...base, ...stripUndefined(input.plan ?? {}) });
  const now = ctx.clock.now();
  if (plan.redeemBy !== null && plan.redeemBy <= now) throw new DomainError('INVALID_INPUT', 'redeem-by is in the past', { field: 'redeemBy' });

  const codes = new Set<string>();
  while (codes.size < input.count) {
    const code = generateCode(ctx.randomBytes);
    if (!codes.has(code) && !ctx.store.vouchers.codeExists(code)) codes.add(code);
  }
  const batch: BatchRow = {
    id: ctx.newId('bat'),
    planName: input.planName ?? null,
    plan,
    count: input.count,
    note: input.note ?? null,
    price,
    // The operator who issues a batch is its seller (the CLI acts as an operator without an account).
    sellerId: input.sellerId ?? (actor.type === 'operator' && ctx.store.operators.get(actor.id) ? actor.id : null),
    createdAt: now,
  };
  const vouchers = [...codes].map((code) => ({ id: ctx.newId('vch'), code }));
  transact(ctx, 'the batch', (t) => {
    ctx.store.vouchers.insertBatch(batch, vouchers);
    t.record(
      { type: 'batch.created', actor, subject: batch.id, data: { count: batch.count, price, note: batch.note, planName: batch.planName } },
      ['batch.created', { batchId: batch.id, count: batch.count, sellerId: batch.sellerId, price }],
    );
  });
  return { batch, vouchers };
}

/** Revokes a voucher (by id or code): stored first, then its devices are cut. */
export async function revokeVoucher(ctx: CoreContext, idOrCode: string, reason: string | null, actor: Actor): Promise<VoucherRow> {
  // An id, or a code as an operator types it (dashes, lower case, O for 0), normalized like the portal's.
  const typed = normalizeCode(idOrCode);
  const voucher = ctx.store.vouchers.resolve(idOrCode) ?? (typed ? ctx.store.vouchers.findByCode(typed) : undefined);
  if (!voucher) throw new DomainError('NOT_FOUND', `no voucher ${idOrCode}`);
  if (voucher.status === 'revoked') throw new DomainError('CONFLICT', 'this voucher is already revoked');
  if (reason && reason.length > 200) throw new DomainError('INVALID_INPUT', 'reason is longer than 200 characters', { field: 'reason' });
  return ctx.locks.run(voucher.id, async () => {
    const now = ctx.clock.now();
    transact(ctx, 'the revoke', (t) => {
      ctx.store.vouchers.revoke(voucher.id, reason, now);
      t.record(
        { type: 'voucher.revoked', actor, subject: voucher.id, data: { reason, entitlementId: voucher.entitlementId } },
        ['voucher.revoked', { voucherId: voucher.id, entitlementId: voucher.entitlementId, reason, operatorId: actor.type === 'operator' ? actor.id : null }],
      );
    });
    // A revoked code ends its pool only if it is the pool's own code; a revoked top-up just stops counting.
    if (voucher.entitlementId) {
      const ent = ctx.store.entitlements.get(voucher.entitlementId);
      if (ent && ent.voucherId === voucher.id && ent.status !== 'revoked') {
        await endPool(ctx, ent.id, 'revoked', reason ?? 'revoked by operator', actor);
      }
    }
    return ctx.store.vouchers.get(voucher.id)!;
  });
}

export function savePlan(ctx: CoreContext, name: string, plan: Partial<Plan>, price: number | null, actor: Actor): void {
  if (!/^[\p{L}\p{N} _.\-]{1,40}$/u.test(name)) throw new DomainError('INVALID_INPUT', 'plan name: 1 to 40 letters, digits, spaces, - _ .', { field: 'name' });
  const valid = validatePlan(plan);
  transact(ctx, 'the plan', (t) => {
    ctx.store.vouchers.upsertPlan({ id: ctx.newId('pln'), name, plan: valid, price, createdAt: ctx.clock.now() });
    t.record({ type: 'plan.saved', actor, subject: name, data: { plan: valid, price } });
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
