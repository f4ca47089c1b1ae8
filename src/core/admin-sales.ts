/**
 * Sales that mean money (issue 14 item 5; newcomer report: "Sales counts vouchers created, not sold"):
 * a voucher counts as sold when it was made, unless it was revoked before anyone used it (a lost or
 * misprinted sheet brought nothing in). Per day and per seller, in a date range of local days.
 *
 * The store adds batches up per day (one row per batch, cheap); the few codes revoked unused are then
 * taken off their day, so a sales view costs one aggregate query and one small list.
 *
 * @example
 *   salesView(ctx, { sellerId: 'op_…', from: '2026-12-01', to: '2026-12-31' });
 *   // { rows: [{ day: '2026-12-02', seller: 'maria', vouchers: 19, amount: 47.5 }], totals, perSeller, revokedUnused: 1 }
 */
import type { SalesView } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import type { CoreContext } from './context.js';
import { localDay } from './ledger.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface SalesRange {
  sellerId?: string;
  /** First and last local day included (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** Older callers: batches made at or after this time (ms). */
  since?: number;
}

export function salesView(ctx: Pick<CoreContext, 'store'>, r: SalesRange = {}): SalesView {
  const { store } = ctx;
  for (const k of ['from', 'to'] as const) {
    const v = r[k];
    if (v !== undefined && (!DAY.test(v) || Number.isNaN(Date.parse(v)))) throw new DomainError('INVALID_INPUT', `${k} must be a day like 2026-12-31`, { field: k });
  }
  if (r.from && r.to && r.from > r.to) throw new DomainError('INVALID_INPUT', 'from must be on or before to', { field: 'from' });
  // A day's start in any time zone is within a day of its UTC midnight; the day strings filter exactly.
  const fromMs = r.from ? Date.parse(r.from) - 86_400_000 : undefined;
  const since = Math.max(fromMs ?? 0, r.since ?? 0) || undefined;
  const inRange = (day: string) => (!r.from || day >= r.from) && (!r.to || day <= r.to);

  const rows = store.vouchers.sales({ ...(r.sellerId ? { sellerId: r.sellerId } : {}), ...(since ? { since } : {}) }).filter((x) => inRange(x.day));
  const byKey = new Map(rows.map((x) => [`${x.day}\u0000${x.sellerId ?? ''}`, x]));
  let revokedUnused = 0;
  const prices = new Map<string, number>();
  for (const v of store.vouchers.list({ status: 'revoked', ...(r.sellerId ? { sellerId: r.sellerId } : {}), limit: Infinity }).items) {
    if (v.redeemedAt !== null) continue; // used, then revoked: it was sold
    const day = localDay(v.createdAt);
    const row = byKey.get(`${day}\u0000${v.sellerId ?? ''}`);
    if (!row) continue;
    if (!prices.has(v.batchId)) prices.set(v.batchId, store.vouchers.getBatch(v.batchId)?.price ?? 0);
    row.vouchers -= 1;
    row.amount -= prices.get(v.batchId)!;
    revokedUnused += 1;
  }
  const sold = rows.filter((x) => x.vouchers > 0).map((x) => ({ ...x, amount: Math.round(x.amount * 100) / 100 }));
  const per = new Map<string, SalesView['perSeller'][number]>();
  const totals = { vouchers: 0, amount: 0 };
  for (const x of sold) {
    const key = x.sellerId ?? '';
    const p = per.get(key) ?? { sellerId: x.sellerId, seller: x.seller, vouchers: 0, amount: 0 };
    p.vouchers += x.vouchers;
    p.amount += x.amount;
    per.set(key, p);
    totals.vouchers += x.vouchers;
    totals.amount += x.amount;
  }
  totals.amount = Math.round(totals.amount * 100) / 100;
  const months = new Map<string, { month: string; vouchers: number; amount: number }>();
  for (const x of sold) {
    const m = months.get(x.day.slice(0, 7)) ?? { month: x.day.slice(0, 7), vouchers: 0, amount: 0 };
    m.vouchers += x.vouchers;
    m.amount = Math.round((m.amount + x.amount) * 100) / 100;
    months.set(m.month, m);
  }
  const perMonth = [...months.values()].sort((a, b) => (a.month < b.month ? 1 : -1));
  return { rows: sold, totals, perSeller: [...per.values()].sort((a, b) => b.amount - a.amount), perMonth, revokedUnused, from: r.from ?? null, to: r.to ?? null };
}
