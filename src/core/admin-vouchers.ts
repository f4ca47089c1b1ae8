/**
 * Operator use-cases for plans, batches and vouchers as the console and /api/admin/ see them: what an
 * operator types (`2GB`, `30d`, `4Mbit`) is parsed here, and every read is scoped by role — a seller
 * sees only their own batches, vouchers and sales (SPEC §3).
 *
 * @example
 *   const av = adminVouchers(ctx);
 *   av.createBatch({ count: 10, plan: 'day-pass', note: 'market' }, operator);
 *   av.list({ q: 'k7qm', status: 'unused' }, operator);
 */
import type { BatchCreate, BatchView, PlanInput, PlanView, SalesView, VoucherList, VoucherView } from '../api/contract.js';
import { formatCode, normalizeCode } from '../domain/code.js';
import type { VoucherStatus } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import { describePlan, type Lang } from '../domain/plan-words.js';
import type { Plan } from '../domain/plan.js';
import type { OperatorRow } from './ports/model.js';
import type { BatchRow, VoucherFilter, VoucherRow } from './ports/model.js';
import type { CoreContext } from './context.js';
import { numberOf, planFromInput } from './plan-input.js';
import { revokeSelection, selectionForSheet } from './admin-bulk.js';
import { salesView, type SalesRange } from './admin-sales.js';
import { checkSellerBatch, sellerPlans } from './admin-sellers.js';
import { voucherPage } from './admin-voucher-page.js';
import { createBatch, revokeVoucher, savePlan } from './vouchers.js';
import { transact } from './tx.js';

const STATUSES: readonly VoucherStatus[] = ['unused', 'active', 'exhausted', 'expired', 'revoked'];
const actorOf = (op: OperatorRow) => ({ type: 'operator' as const, id: op.id });

export function adminVouchers(ctx: CoreContext) {
  const { store } = ctx;
  // Plan words come in the caller's language (the console sends its own); without one, the network's first.
  const lang = (l?: Lang): Lang => l ?? ((ctx.config.network.languages[0] ?? 'en') as Lang);
  const sellerName = (id: string | null) => (id ? store.operators.get(id)?.name ?? null : null);
  const scope = (op: OperatorRow) => (op.role === 'seller' ? op.id : undefined);

  const batchView = (b: BatchRow, l?: Lang): BatchView => ({
    id: b.id, planName: b.planName, words: describePlan(b.plan, lang(l)), count: b.count, note: b.note, price: b.price,
    sellerId: b.sellerId, seller: sellerName(b.sellerId), createdAt: b.createdAt, used: store.vouchers.batchUsed(b.id),
  });
  const voucherView = (v: VoucherRow & { note?: string | null; sellerId?: string | null }, l?: Lang): VoucherView => ({
    id: v.id, code: formatCode(v.code), batchId: v.batchId, status: v.status, words: describePlan(v.plan, lang(l)),
    note: v.note ?? null, sellerId: v.sellerId ?? null, createdAt: v.createdAt, redeemedAt: v.redeemedAt,
    revokedAt: v.revokedAt, revokeReason: v.revokeReason,
  });

  function filterOf(q: Record<string, string | undefined>, op: OperatorRow): VoucherFilter {
    const f: VoucherFilter = {};
    if (q.status) {
      if (!STATUSES.includes(q.status as VoucherStatus)) throw new DomainError('INVALID_INPUT', `status must be one of ${STATUSES.join(', ')}`, { field: 'status' });
      f.status = q.status as VoucherStatus;
    }
    if (q.batch) f.batchId = q.batch.slice(0, 64);
    if (q.q) f.q = q.q.slice(0, 64);
    const seller = scope(op) ?? (q.seller || undefined);
    if (seller) f.sellerId = seller;
    const limit = numberOf('limit', q.limit, { integer: true, min: 1 });
    const offset = numberOf('offset', q.offset, { integer: true, min: 0 });
    if (limit !== undefined) f.limit = Math.min(limit, 1000);
    if (offset !== undefined) f.offset = offset;
    return f;
  }

  function ownBatch(id: string, op: OperatorRow): BatchRow {
    const b = store.vouchers.getBatch(id);
    // A seller asking for someone else's batch learns nothing, not even that it exists.
    if (!b || (op.role === 'seller' && b.sellerId !== op.id)) throw new DomainError('NOT_FOUND', 'no such batch');
    return b;
  }

  return {
    planFromInput,
    /** The plans, in words; a seller gets only those the admin let them sell (core/admin-sellers.ts). */
    listPlans(l?: Lang, op?: OperatorRow): PlanView[] {
      const allowed = op?.role === 'seller' ? sellerPlans(ctx, op.id) : null;
      return store.vouchers.listPlans().filter((p) => !allowed || allowed.includes(p.name)).map((p) => ({ name: p.name, plan: p.plan, price: p.price, words: describePlan(p.plan, lang(l)) }));
    },
    savePlan(name: string, input: PlanInput, op: OperatorRow, l?: Lang): PlanView {
      const { plan, price } = planFromInput(input);
      savePlan(ctx, name, plan, price ?? null, actorOf(op));
      return this.listPlans(l).find((p) => p.name.toLowerCase() === name.toLowerCase())!;
    },
    archivePlan(name: string, op: OperatorRow): void {
      transact(ctx, 'the archived plan', (t) => {
        if (!store.vouchers.archivePlan(name)) throw new DomainError('NOT_FOUND', `no plan named ${name}`);
        t.record({ type: 'plan.archived', actor: actorOf(op), subject: name });
      });
    },
    createBatch(input: BatchCreate, op: OperatorRow, l?: Lang): { batch: BatchView; codes: string[] } {
      const count = numberOf('count', input.count, { integer: true, min: 1 });
      if (count === undefined) throw new DomainError('INVALID_INPUT', 'count is required', { field: 'count' });
      checkSellerBatch(ctx, op, input);
      const { plan, price } = planFromInput(input);
      if (input.note !== undefined && typeof input.note !== 'string') throw new DomainError('INVALID_INPUT', 'note must be text', { field: 'note' });
      const r = createBatch(ctx, {
        count,
        ...(input.plan ? { planName: String(input.plan) } : {}),
        plan,
        ...(price !== undefined ? { price } : {}),
        note: input.note?.trim() || null,
        sellerId: op.id,
      }, actorOf(op));
      return { batch: batchView(r.batch, l), codes: r.vouchers.map((v) => formatCode(v.code)) };
    },
    listBatches(op: OperatorRow, l?: Lang): BatchView[] {
      const seller = scope(op);
      return store.vouchers.listBatches(seller ? { sellerId: seller } : {}).map((b) => batchView(b, l));
    },
    /**
     * Deletes a batch none of whose codes was ever used (printed by mistake, the wrong plan): its codes
     * stop existing, audited. A batch with a used code stays; its codes can be revoked instead.
     */
    deleteBatch(id: string, op: OperatorRow): { deleted: number } {
      const b = ownBatch(id, op);
      return transact(ctx, 'the deleted batch', (t) => {
        if (store.vouchers.batchUsed(b.id)) throw new DomainError('CONFLICT', 'a code of this batch was already used; revoke its codes instead');
        const deleted = store.vouchers.deleteBatch(b.id);
        t.record({ type: 'batch.deleted', actor: actorOf(op), subject: b.id, data: { count: deleted, note: b.note, price: b.price } }, ['batch.deleted', { batchId: b.id, count: deleted }]);
        return { deleted };
      });
    },
    batch(id: string, op: OperatorRow, l?: Lang): { batch: BatchView; plan: Plan; vouchers: VoucherView[] } {
      const b = ownBatch(id, op);
      return { batch: batchView(b, l), plan: b.plan, vouchers: store.vouchers.batchVouchers(b.id).map((v) => voucherView({ ...v, note: b.note, sellerId: b.sellerId }, l)) };
    },
    list(q: Record<string, string | undefined>, op: OperatorRow, l?: Lang): VoucherList {
      const r = store.vouchers.list(filterOf(q, op));
      return { total: r.total, items: r.items.map((v) => voucherView(v, l)) };
    },
    /** CSV of the filtered vouchers (RFC 4180 quoting; cells starting with = + - @ are defused for spreadsheets). */
    csv(q: Record<string, string | undefined>, op: OperatorRow, l?: Lang): string {
      const f = { ...filterOf(q, op), limit: 10_000, offset: 0 };
      const cell = (v: unknown) => {
        let s = v === null || v === undefined ? '' : String(v);
        if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      };
      const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : '');
      const lines = [['code', 'status', 'plan', 'price', 'currency', 'batch', 'note', 'seller', 'created', 'redeemed', 'revoked', 'revoke_reason'].join(',')];
      const currency = typeof store.settings.get('currency') === 'string' ? (store.settings.get('currency') as string) : '';
      const prices = new Map<string, number | null>();
      const priceOf = (batchId: string) => {
        if (!prices.has(batchId)) prices.set(batchId, store.vouchers.getBatch(batchId)?.price ?? null);
        return prices.get(batchId)!;
      };
      for (const v of store.vouchers.list(f).items) {
        const price = priceOf(v.batchId);
        lines.push([formatCode(v.code), v.status, describePlan(v.plan, lang(l)), price, price === null ? '' : currency, v.batchId, v.note, sellerName(v.sellerId), iso(v.createdAt), iso(v.redeemedAt), iso(v.revokedAt), v.revokeReason].map(cell).join(','));
      }
      return lines.join('\r\n') + '\r\n';
    },
    async revoke(idOrCode: string, reason: unknown, op: OperatorRow, l?: Lang): Promise<VoucherView> {
      if (reason !== undefined && reason !== null && typeof reason !== 'string') throw new DomainError('INVALID_INPUT', 'reason must be text', { field: 'reason' });
      const target = store.vouchers.get(idOrCode) ? idOrCode : normalizeCode(idOrCode.slice(0, 64));
      const v = await revokeVoucher(ctx, target, (reason as string | undefined)?.trim() || null, actorOf(op));
      return voucherView(v, l);
    },
    /** A selection: its sheet, or revoke it all (core/admin-bulk.ts). */
    selectionForSheet: (ids: unknown, op: OperatorRow) => selectionForSheet(ctx, ids, op),
    revokeSelection: (ids: unknown, reason: unknown, op: OperatorRow) => revokeSelection(ctx, ids, reason, op),
    /** The voucher page: detail, extend, disconnect (core/admin-voucher-page.ts). */
    ...voucherPage(ctx, voucherView),
    /** Vouchers sold (core/admin-sales.ts); sellers see their own. */
    sales(op: OperatorRow, range: Omit<SalesRange, 'sellerId'> = {}): SalesView {
      const seller = scope(op);
      return salesView(ctx, { ...range, ...(seller ? { sellerId: seller } : {}) });
    },
  };
}

export type AdminVouchers = ReturnType<typeof adminVouchers>;
