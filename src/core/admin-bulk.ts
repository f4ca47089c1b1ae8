/**
 * Acting on a selection of vouchers (issue 14 item 7; Omada batch actions, Mikhmon): print the chosen
 * codes on one sheet (a reprint of one lost ticket, or a handful from several batches), or revoke them
 * all with one reason. Each revoke is its own audited transaction, as when done one by one; a code
 * already revoked is reported, not an error for the rest.
 *
 * @example
 *   selectionForSheet(ctx, ['vch_a', 'K7QM-4XPA-9TR'], op);  // [{ code, plan, price }] without the revoked
 *   await revokeSelection(ctx, ['vch_a', 'vch_b'], 'lost sheet', op);  // { revoked: ['K7QM-…'], skipped: [] }
 */
import { formatCode, normalizeCode } from '../domain/code.js';
import { DomainError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import type { CoreContext } from './context.js';
import type { OperatorRow, VoucherRow } from './ports/model.js';
import { revokeVoucher } from './vouchers.js';

/** Most codes one selection holds (a sheet of 500 is already many pages). */
export const MAX_SELECTION = 500;

function selected(ctx: Pick<CoreContext, 'store'>, ids: unknown, op: OperatorRow): VoucherRow[] {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_SELECTION || !ids.every((x) => typeof x === 'string' && x.length <= 64)) {
    throw new DomainError('INVALID_INPUT', `ids: 1 to ${MAX_SELECTION} voucher ids or codes`, { field: 'ids' });
  }
  const out: VoucherRow[] = [];
  for (const id of new Set(ids as string[])) {
    const v = ctx.store.vouchers.get(id) ?? ctx.store.vouchers.findByCode(normalizeCode(id));
    const batch = v && ctx.store.vouchers.getBatch(v.batchId);
    // Someone else's code is as unknown to a seller as a code that does not exist.
    if (!v || !batch || (op.role === 'seller' && batch.sellerId !== op.id)) throw new DomainError('NOT_FOUND', `no voucher ${id.slice(0, 64)}`);
    if (!out.some((x) => x.id === v.id)) out.push(v);
  }
  return out;
}

/** The selection's codes with their own plan and price, revoked ones left out, in the order given. */
export function selectionForSheet(ctx: Pick<CoreContext, 'store'>, ids: unknown, op: OperatorRow): { code: string; plan: Plan; price: number | null }[] {
  return selected(ctx, ids, op)
    .filter((v) => v.status !== 'revoked')
    .map((v) => ({ code: v.code, plan: v.plan, price: ctx.store.vouchers.getBatch(v.batchId)?.price ?? null }));
}

export async function revokeSelection(ctx: CoreContext, ids: unknown, reason: unknown, op: OperatorRow): Promise<{ revoked: string[]; skipped: string[] }> {
  if (reason !== undefined && reason !== null && (typeof reason !== 'string' || reason.length > 200)) throw new DomainError('INVALID_INPUT', 'reason must be text of at most 200 characters', { field: 'reason' });
  const list = selected(ctx, ids, op);
  const why = (reason as string | undefined)?.trim() || null;
  const revoked: string[] = [];
  const skipped: string[] = [];
  for (const v of list) {
    if (v.status === 'revoked') {
      skipped.push(formatCode(v.code));
      continue;
    }
    await revokeVoucher(ctx, v.id, why, { type: 'operator', id: op.id });
    revoked.push(formatCode(v.code));
  }
  return { revoked, skipped };
}
