/**
 * Seller limits (issue 14 item 6; newcomer report: "A seller can mint anything", Mikhmon resellers): a
 * seller sells the admin's plans, at the plan's price or more, and only the plans the admin allowed
 * them (all plans unless the admin chose some). Enforced here, in the use-case the API calls, not only
 * by what the console shows. The allowed plans live in the settings store (`sellerPlans`, operator id →
 * plan names), not in a column.
 *
 * @example
 *   setSellerPlans(ctx, sellerId, ['Day', 'Week']);   // inside the operator update's transaction
 *   checkSellerBatch(ctx, seller, { plan: 'Day', price: 1 }); // throws FORBIDDEN: below the plan's price
 */
import type { BatchCreate } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import type { CoreContext } from './context.js';
import { planFromInput } from './plan-input.js';
import type { OperatorRow } from './ports/model.js';

const KEY = 'sellerPlans';

function all(ctx: Pick<CoreContext, 'store'>): Record<string, string[]> {
  const v = ctx.store.settings.get(KEY);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string[]>) : {};
}

/** The plans this seller may sell, or null for every plan. */
export function sellerPlans(ctx: Pick<CoreContext, 'store'>, operatorId: string): string[] | null {
  const list = all(ctx)[operatorId];
  return Array.isArray(list) ? list : null;
}

/** Checks and stores the seller's plans (null: every plan); names are matched to the stored plans. */
export function setSellerPlans(ctx: Pick<CoreContext, 'store'>, operatorId: string, plans: unknown): string[] | null {
  const map = { ...all(ctx) };
  if (plans === null) {
    delete map[operatorId];
    ctx.store.settings.set(KEY, map);
    return null;
  }
  if (!Array.isArray(plans) || plans.length > 100 || !plans.every((p) => typeof p === 'string')) {
    throw new DomainError('INVALID_INPUT', 'plans: a list of plan names, or null for every plan', { field: 'plans' });
  }
  const names: string[] = [];
  for (const p of plans as string[]) {
    const found = ctx.store.vouchers.findPlan(p);
    if (!found) throw new DomainError('INVALID_INPUT', `plans: no plan named "${p.slice(0, 40)}"`, { field: 'plans' });
    if (!names.includes(found.name)) names.push(found.name);
  }
  map[operatorId] = names;
  ctx.store.settings.set(KEY, map);
  return names;
}

/** Refuses a seller's batch that is not one of their plans at its price or more. Admins pass. */
export function checkSellerBatch(ctx: Pick<CoreContext, 'store'>, op: OperatorRow, input: BatchCreate): void {
  if (op.role !== 'seller') return;
  const { plan, price } = planFromInput(input);
  // A deadline for unused codes only shortens what is sold; every other limit is the plan's.
  const custom = Object.keys(plan).filter((k) => k !== 'redeemBy');
  if (!input.plan || custom.length) throw new DomainError('FORBIDDEN', "a seller sells the admin's plans: choose one (custom limits are for admins)", { field: 'plan' });
  const tpl = ctx.store.vouchers.findPlan(String(input.plan));
  if (!tpl) return; // createBatch names the missing plan
  const allowed = sellerPlans(ctx, op.id);
  if (allowed && !allowed.includes(tpl.name)) throw new DomainError('FORBIDDEN', `you may not sell the plan ${tpl.name}; ask an admin`, { field: 'plan' });
  if (price !== undefined && tpl.price !== null && (price === null || price < tpl.price)) {
    throw new DomainError('FORBIDDEN', `the price cannot be below the plan's price, ${tpl.price}`, { field: 'price' });
  }
}
