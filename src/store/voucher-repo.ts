/**
 * Vouchers, batches and plan templates: all their SQL. A batch and its vouchers are inserted in one
 * transaction, so a batch is either wholly there or not at all.
 *
 * @example
 *   const repo = voucherRepo(db);
 *   repo.insertBatch(batch, vouchers);
 *   repo.findByCode('K7QM4XPA9TR');
 */
import type { Plan } from '../domain/plan.js';
import type { VoucherStatus } from '../domain/entitlement.js';
import { IN_LIST, inList, runChanging, slices, transaction, type Db } from './db.js';
import type { VoucherRow, BatchRow, PlanRow, VoucherFilter } from '../core/ports/model.js';
export type { VoucherRow, BatchRow, PlanRow, VoucherFilter } from '../core/ports/model.js';

type Raw = Record<string, unknown>;

/** YYYY-MM-DD of a ms timestamp in the process's time zone (SQLite's date(t / 1000, 'unixepoch', 'localtime')). */
const localDay = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

const toVoucher = (r: Raw): VoucherRow => ({
  id: r.id as string,
  code: r.code as string,
  batchId: r.batch_id as string,
  plan: JSON.parse(r.plan as string) as Plan,
  status: r.status as VoucherStatus,
  redeemBy: (r.redeem_by as number | null) ?? null,
  entitlementId: (r.entitlement_id as string | null) ?? null,
  createdAt: r.created_at as number,
  redeemedAt: (r.redeemed_at as number | null) ?? null,
  revokedAt: (r.revoked_at as number | null) ?? null,
  revokeReason: (r.revoke_reason as string | null) ?? null,
});

const toBatch = (r: Raw): BatchRow => ({
  id: r.id as string,
  planName: (r.plan_name as string | null) ?? null,
  plan: JSON.parse(r.plan as string) as Plan,
  count: r.count as number,
  note: (r.note as string | null) ?? null,
  price: (r.price as number | null) ?? null,
  sellerId: (r.seller_id as string | null) ?? null,
  createdAt: r.created_at as number,
});

export function voucherRepo(db: Db) {
  const insBatch = db.prepare(
    'INSERT INTO batches (id, plan_name, plan, count, note, price, seller_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insVoucher = db.prepare(
    'INSERT INTO vouchers (id, code, batch_id, plan, status, redeem_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const byCode = db.prepare('SELECT * FROM vouchers WHERE code = ?');
  const byId = db.prepare('SELECT * FROM vouchers WHERE id = ?');
  /** Several by one column, one statement per 500 (a RADIUS batch reads its vouchers together: a round trip each on PostgreSQL). */
  const manyBy = (column: 'id' | 'code', values: readonly string[]): VoucherRow[] => {
    const out: VoucherRow[] = [];
    for (const chunk of slices([...new Set(values)], IN_LIST)) {
      for (const r of db.prepare(`SELECT * FROM vouchers WHERE ${column} IN (${inList(chunk.length)})`).all(...chunk) as Raw[]) out.push(toVoucher(r));
    }
    return out;
  };

  return {
    insertBatch(batch: BatchRow, vouchers: Pick<VoucherRow, 'id' | 'code'>[]): void {
      transaction(db, () => {
        insBatch.run(batch.id, batch.planName, JSON.stringify(batch.plan), batch.count, batch.note, batch.price, batch.sellerId, batch.createdAt);
        const plan = JSON.stringify(batch.plan);
        for (const v of vouchers) insVoucher.run(v.id, v.code, batch.id, plan, 'unused', batch.plan.redeemBy, batch.createdAt);
      });
    },
    codeExists(code: string): boolean {
      return byCode.get(code) !== undefined;
    },
    findByCode(code: string): VoucherRow | undefined {
      const r = byCode.get(code) as Raw | undefined;
      return r && toVoucher(r);
    },
    get(id: string): VoucherRow | undefined {
      const r = byId.get(id) as Raw | undefined;
      return r && toVoucher(r);
    },
    getMany: (ids: readonly string[]) => manyBy('id', ids),
    findManyByCode: (codes: readonly string[]) => manyBy('code', codes),
    /** The codes redeemed into one pool, first use first (the console's voucher page lists its top-ups). */
    ofPool(entitlementId: string): VoucherRow[] {
      return (db.prepare('SELECT * FROM vouchers WHERE entitlement_id = ? ORDER BY redeemed_at, id').all(entitlementId) as Raw[]).map(toVoucher);
    },
    /** Finds by id or by (normalized) code. */
    resolve(idOrCode: string): VoucherRow | undefined {
      return this.get(idOrCode) ?? this.findByCode(idOrCode);
    },
    /**
     * Binds a voucher to its pool; returns whether it changed a row. With `firstUse` it only takes a code
     * no pool holds yet: the conditional UPDATE is the decisive check that a code is redeemed once across
     * instances sharing one database (safe even under READ COMMITTED: radius.md §f). With `orElse`, no
     * row changed throws `orElse()` instead (and on PostgreSQL the write is pipelined: db.ts runChanging).
     */
    markRedeemed(id: string, entitlementId: string, status: VoucherStatus, at: number, opts: { firstUse?: boolean; orElse?: () => Error } = {}): boolean {
      const sql = opts.firstUse
        ? "UPDATE vouchers SET status = ?, entitlement_id = ?, redeemed_at = ? WHERE id = ? AND entitlement_id IS NULL AND status = 'unused'"
        : 'UPDATE vouchers SET status = ?, entitlement_id = ?, redeemed_at = ? WHERE id = ?';
      if (!opts.orElse) return db.prepare(sql).run(status, entitlementId, at, id).changes > 0;
      runChanging(db.prepare(sql), opts.orElse, status, entitlementId, at, id);
      return true;
    },
    /** Mirrors an entitlement's status onto every voucher redeemed into it. */
    setStatusForEntitlement(entitlementId: string, status: VoucherStatus): void {
      db.prepare("UPDATE vouchers SET status = ? WHERE entitlement_id = ? AND status != 'revoked'").run(status, entitlementId);
    },
    revoke(id: string, reason: string | null, at: number): void {
      db.prepare("UPDATE vouchers SET status = 'revoked', revoked_at = ?, revoke_reason = ? WHERE id = ?").run(at, reason, id);
    },
    /** Unused vouchers whose redeem-by deadline has passed become `expired`; returns their ids. */
    expireUnredeemed(now: number): string[] {
      const rows = db.prepare("SELECT id FROM vouchers WHERE status = 'unused' AND redeem_by IS NOT NULL AND redeem_by < ?").all(now) as Raw[];
      if (rows.length) db.prepare("UPDATE vouchers SET status = 'expired' WHERE status = 'unused' AND redeem_by IS NOT NULL AND redeem_by < ?").run(now);
      return rows.map((r) => r.id as string);
    },
    list(f: VoucherFilter = {}): { total: number; items: (VoucherRow & { note: string | null; sellerId: string | null })[] } {
      const where: string[] = [];
      const args: unknown[] = [];
      if (f.status) (where.push('v.status = ?'), args.push(f.status));
      if (f.batchId) (where.push('v.batch_id = ?'), args.push(f.batchId));
      if (f.sellerId) (where.push('b.seller_id = ?'), args.push(f.sellerId));
      if (f.q) {
        const q = f.q.toUpperCase().replace(/[-\s]/g, '');
        where.push("(v.code LIKE ? ESCAPE '\\' OR b.note LIKE ? ESCAPE '\\')");
        const like = (s: string) => `%${s.replace(/[\\%_]/g, (m) => '\\' + m)}%`;
        args.push(like(q), like(f.q));
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const from = `FROM vouchers v JOIN batches b ON b.id = v.batch_id ${clause}`;
      // "No limit" as a number both engines take (SQLite's LIMIT -1 is not PostgreSQL's). The count and
      // the rows are read in one transaction so that "N of TOTAL" describes the same snapshot even while
      // logins and batches are being written.
      const limit = f.limit === Infinity ? Number.MAX_SAFE_INTEGER : Math.min(f.limit ?? 100, 10_000);
      const { total, rows } = db.transaction(() => ({
        total: (db.prepare(`SELECT COUNT(*) AS n ${from}`).get(...args) as { n: number }).n,
        rows: db
          .prepare(`SELECT v.*, b.note AS note, b.seller_id AS seller_id ${from} ORDER BY v.created_at DESC, v.id LIMIT ? OFFSET ?`)
          .all(...args, limit, f.offset ?? 0) as Raw[],
      }))();
      return { total, items: rows.map((r) => ({ ...toVoucher(r), note: (r.note as string | null) ?? null, sellerId: (r.seller_id as string | null) ?? null })) };
    },
    getBatch(id: string): BatchRow | undefined {
      const r = db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as Raw | undefined;
      return r && toBatch(r);
    },
    /** Whether any code of the batch was ever redeemed (then it stays, as history of what was sold). */
    batchUsed(batchId: string): boolean {
      return db.prepare('SELECT 1 FROM vouchers WHERE batch_id = ? AND entitlement_id IS NOT NULL LIMIT 1').get(batchId) !== undefined;
    },
    /** Deletes a batch and its codes; returns how many codes went. Call inside a transaction. */
    deleteBatch(batchId: string): number {
      const n = db.prepare('DELETE FROM vouchers WHERE batch_id = ?').run(batchId).changes;
      db.prepare('DELETE FROM batches WHERE id = ?').run(batchId);
      return n;
    },
    batchVouchers(batchId: string): VoucherRow[] {
      return (db.prepare('SELECT * FROM vouchers WHERE batch_id = ? ORDER BY rowid').all(batchId) as Raw[]).map(toVoucher);
    },
    listBatches(opts: { sellerId?: string; limit?: number } = {}): BatchRow[] {
      const rows = opts.sellerId
        ? db.prepare('SELECT * FROM batches WHERE seller_id = ? ORDER BY created_at DESC LIMIT ?').all(opts.sellerId, opts.limit ?? 200)
        : db.prepare('SELECT * FROM batches ORDER BY created_at DESC LIMIT ?').all(opts.limit ?? 200);
      return (rows as Raw[]).map(toBatch);
    },
    /**
     * Sales: vouchers issued × price, per seller and per local day of issue. The day is the process's
     * local date of each batch, computed here rather than in SQL (SQLite's date(…, 'localtime') has no
     * PostgreSQL spelling); there is one row per batch, not per code.
     */
    sales(opts: { sellerId?: string; since?: number } = {}): { day: string; sellerId: string | null; seller: string | null; vouchers: number; amount: number }[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (opts.sellerId) (where.push('b.seller_id = ?'), args.push(opts.sellerId));
      if (opts.since) (where.push('b.created_at >= ?'), args.push(opts.since));
      const rows = db
        .prepare(
          `SELECT b.created_at AS created_at, b.seller_id AS seller_id, o.name AS seller, b.count AS count, COALESCE(b.price, 0) AS price
             FROM batches b LEFT JOIN operators o ON o.id = b.seller_id
             ${where.length ? 'WHERE ' + where.join(' AND ') : ''}`,
        )
        .all(...args) as Raw[];
      const groups = new Map<string, { day: string; sellerId: string | null; seller: string | null; vouchers: number; amount: number }>();
      for (const r of rows) {
        const day = localDay(r.created_at as number);
        const sellerId = (r.seller_id as string | null) ?? null;
        const key = `${day}\u0000${sellerId ?? ''}`;
        const g = groups.get(key) ?? { day, sellerId, seller: (r.seller as string | null) ?? null, vouchers: 0, amount: 0 };
        g.vouchers += r.count as number;
        g.amount += (r.count as number) * (r.price as number);
        groups.set(key, g);
      }
      // Newest day first, then by seller name (no seller first), as the SQL ORDER BY did.
      const byName = (a: string | null, b: string | null) => ((a ?? '') === (b ?? '') ? 0 : (a ?? '') < (b ?? '') ? -1 : 1);
      return [...groups.values()].sort((a, b) => (a.day === b.day ? byName(a.seller, b.seller) : a.day < b.day ? 1 : -1));
    },
    countByStatus(): Record<VoucherStatus, number> {
      const out: Record<VoucherStatus, number> = { unused: 0, active: 0, exhausted: 0, expired: 0, revoked: 0 };
      for (const r of db.prepare('SELECT status, COUNT(*) AS n FROM vouchers GROUP BY status').all() as Raw[]) {
        out[r.status as VoucherStatus] = r.n as number;
      }
      return out;
    },
    // Plan templates
    listPlans(): PlanRow[] {
      return (db.prepare('SELECT * FROM plans WHERE archived = 0 ORDER BY name').all() as Raw[]).map((r) => ({
        id: r.id as string,
        name: r.name as string,
        plan: JSON.parse(r.spec as string) as Plan,
        price: (r.price as number | null) ?? null,
        createdAt: r.created_at as number,
      }));
    },
    findPlan(name: string): PlanRow | undefined {
      return this.listPlans().find((p) => p.name.toLowerCase() === name.toLowerCase());
    },
    upsertPlan(p: PlanRow): void {
      db.prepare(
        `INSERT INTO plans (id, name, spec, price, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, price = excluded.price, archived = 0`,
      ).run(p.id, p.name, JSON.stringify(p.plan), p.price, p.createdAt);
    },
    archivePlan(name: string): boolean {
      return db.prepare('UPDATE plans SET archived = 1 WHERE name = ? AND archived = 0').run(name).changes > 0;
    },
  };
}

export type VoucherRepo = ReturnType<typeof voucherRepo>;
