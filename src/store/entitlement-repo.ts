/**
 * Entitlements (pools) and the devices attached to them: all their SQL. A device row is one device's
 * membership of a pool; when it ends (logout, replaced, expiry) the row stays as history with
 * `active = 0`, so the usage of every session is kept.
 *
 * @example
 *   const repo = entitlementRepo(db);
 *   repo.activeDevices(entitlementId);
 */
import type { EntitlementStatus } from '../domain/entitlement.js';
import type { Plan } from '../domain/plan.js';
import { getLater, IN_LIST, inList, runChanging, runLater, slices, type Db } from './db.js';
import type { EntitlementRow, DeviceRow } from '../core/ports/model.js';
import type { UsageBatch } from '../core/ports/store.js';
export type { EntitlementRow, DeviceRow } from '../core/ports/model.js';

/**
 * Rows are read as arrays in these columns' order (better-sqlite3's `raw` mode) and built into objects
 * here: named rows cost better-sqlite3 twice as much (1,000 pools: 6.6 → 3.6 ms; the accounting pass
 * reads every pool and device online each poll).
 */
const ENT = 'id, voucher_id, status, plan, activated_at, expires_at, data_total, used_bytes, period_start, updated_at';
const DEV = 'id, entitlement_id, mac, ip, site, attached_at, last_seen, active, ended_at, end_reason, bytes_up, bytes_down, counter_up, counter_down';

type Row = unknown[];

/** Rows per statement of a usage flush (at most 501 parameters: well under either engine's limit). */
const BATCH_ROWS = 100;

/**
 * A batch's vouchers share one plan text, so a pool's plan is parsed once per text, frozen (one object
 * is handed to many rows) and kept while there are few distinct texts.
 */
const plans = new Map<string, Plan>();
function planOf(text: string): Plan {
  let plan = plans.get(text);
  if (!plan) {
    plan = Object.freeze(JSON.parse(text) as Plan);
    if (plans.size >= 256) plans.clear();
    plans.set(text, plan);
  }
  return plan;
}

const toEntitlement = (r: Row): EntitlementRow => ({
  id: r[0] as string,
  voucherId: r[1] as string,
  status: r[2] as EntitlementStatus,
  plan: planOf(r[3] as string),
  activatedAt: r[4] as number,
  expiresAt: (r[5] as number | null) ?? null,
  dataTotal: (r[6] as number | null) ?? null,
  usedBytes: r[7] as number,
  periodStart: (r[8] as number | null) ?? null,
  updatedAt: r[9] as number,
});

const toDevice = (r: Row): DeviceRow => ({
  id: r[0] as string,
  entitlementId: r[1] as string,
  mac: r[2] as string,
  ip: r[3] as string,
  site: (r[4] as string | null) ?? null,
  attachedAt: r[5] as number,
  lastSeen: r[6] as number,
  active: r[7] === 1,
  endedAt: (r[8] as number | null) ?? null,
  endReason: (r[9] as string | null) ?? null,
  bytesUp: r[10] as number,
  bytesDown: r[11] as number,
  counterUp: r[12] as number,
  counterDown: r[13] as number,
});

export function entitlementRepo(db: Db) {
  /** A read whose rows come as arrays (see ENT): only these statements use their SQL text. */
  const rows = (sql: string) => db.prepare(sql).raw(true);
  const getEnt = rows(`SELECT ${ENT} FROM entitlements WHERE id = ?`);
  const devByMac = rows(`SELECT ${DEV} FROM devices WHERE mac = ? AND active = 1`);
  const devByIp = db.prepare('SELECT 1 FROM devices WHERE ip = ? AND active = 1');
  const devRowByIp = rows(`SELECT ${DEV} FROM devices WHERE ip = ? AND active = 1 ORDER BY last_seen DESC LIMIT 1`);
  const devsOfEnt = rows(`SELECT ${DEV} FROM devices WHERE entitlement_id = ? AND active = 1 ORDER BY attached_at`);
  const addUsage = db.prepare('UPDATE entitlements SET used_bytes = used_bytes + ?, updated_at = ? WHERE id = ?');
  const devUsage = db.prepare(
    'UPDATE devices SET bytes_up = bytes_up + ?, bytes_down = bytes_down + ?, counter_up = ?, counter_down = ?, last_seen = ? WHERE id = ?',
  );
  const daily = db.prepare(
    `INSERT INTO usage_daily (day, entitlement_id, bytes_up, bytes_down) VALUES (?, ?, ?, ?)
     ON CONFLICT(day, entitlement_id) DO UPDATE SET bytes_up = usage_daily.bytes_up + excluded.bytes_up, bytes_down = usage_daily.bytes_down + excluded.bytes_down`,
  );

  return {
    insert(e: EntitlementRow): void {
      runLater(
        db.prepare(
          `INSERT INTO entitlements (id, voucher_id, status, plan, activated_at, expires_at, data_total, used_bytes, period_start, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
        e.id, e.voucherId, e.status, JSON.stringify(e.plan), e.activatedAt, e.expiresAt, e.dataTotal, e.usedBytes, e.periodStart, e.updatedAt,
      );
    },
    get(id: string): EntitlementRow | undefined {
      const r = getEnt.get(id) as Row | undefined;
      return r && toEntitlement(r);
    },
    /**
     * Several by id in one statement per 500 (the sweep reads every pool online each poll: one query per
     * pool is nothing on SQLite and a round trip each on PostgreSQL). Unknown ids are left out.
     */
    getMany(ids: readonly string[]): EntitlementRow[] {
      const out: EntitlementRow[] = [];
      for (const chunk of slices(ids, IN_LIST)) {
        for (const r of rows(`SELECT ${ENT} FROM entitlements WHERE id IN (${inList(chunk.length)})`).all(...chunk) as Row[]) out.push(toEntitlement(r));
      }
      return out;
    },
    /** Writes the mutable fields (status, expiry, allowance, usage, period). */
    update(e: EntitlementRow): void {
      db.prepare(
        'UPDATE entitlements SET status = ?, expires_at = ?, data_total = ?, used_bytes = ?, period_start = ?, updated_at = ? WHERE id = ?',
      ).run(e.status, e.expiresAt, e.dataTotal, e.usedBytes, e.periodStart, e.updatedAt, e.id);
    },
    /** Entitlements that may have devices online or need time-based transitions. */
    listLive(): EntitlementRow[] {
      return (rows(`SELECT ${ENT} FROM entitlements WHERE status IN ('active', 'exhausted')`).all() as Row[]).map(toEntitlement);
    },
    /**
     * Live pools whose stored figures say a transition may be due now: past their expiry, at their data
     * (within `slackBytes`), or on a periodic reset plan. The sweep adds the pools with usage not yet
     * written; every other live pool needs nothing, so a sweep never parses every pool's plan.
     */
    listDue(now: number, slackBytes: number): EntitlementRow[] {
      return (
        rows(
            `SELECT ${ENT} FROM entitlements WHERE status IN ('active', 'exhausted') AND (
               (expires_at IS NOT NULL AND expires_at <= ?)
               OR (status = 'active' AND data_total IS NOT NULL AND used_bytes + ? >= data_total)
               OR period_start IS NOT NULL)`,
        ).all(now, slackBytes) as Row[]
      ).map(toEntitlement);
    },
    insertDevice(d: DeviceRow, orElse?: () => Error): boolean {
      // Conditional, as markRedeemed is: the unique index of active MACs decides, in the statement
      // that writes (two instances on one database may log one device in at the same moment).
      const insert = db.prepare(
        `INSERT INTO devices (id, entitlement_id, mac, ip, site, attached_at, last_seen, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (mac) WHERE active = 1 DO NOTHING`,
      );
      const args = [d.id, d.entitlementId, d.mac, d.ip, d.site, d.attachedAt, d.lastSeen];
      if (!orElse) return insert.run(...args).changes > 0;
      runChanging(insert, orElse, ...args);
      return true;
    },
    updateDeviceAddress(id: string, ip: string, site: string | null, at: number): void {
      db.prepare('UPDATE devices SET ip = ?, site = ?, last_seen = ? WHERE id = ?').run(ip, site, at, id);
    },
    endDevice(id: string, reason: string, at: number): void {
      db.prepare('UPDATE devices SET active = 0, ended_at = ?, end_reason = ? WHERE id = ? AND active = 1').run(at, reason, id);
    },
    activeDeviceByMac(mac: string): DeviceRow | undefined {
      const r = devByMac.get(mac) as Row | undefined;
      return r && toDevice(r);
    },
    activeDeviceByMacLater(mac: string): () => DeviceRow | undefined {
      const row = getLater(devByMac, mac);
      return () => {
        const r = row() as Row | undefined;
        return r && toDevice(r);
      };
    },
    /** Whether an address belongs to a device that is logged in (the intercept fast path). */
    isActiveIp(ip: string): boolean {
      return devByIp.get(ip) !== undefined;
    },
    activeDeviceByIp(ip: string): DeviceRow | undefined {
      const r = devRowByIp.get(ip) as Row | undefined;
      return r && toDevice(r);
    },
    getDevice(id: string): DeviceRow | undefined {
      const r = rows(`SELECT ${DEV} FROM devices WHERE id = ?`).get(id) as Row | undefined;
      return r && toDevice(r);
    },
    activeDevices(entitlementId: string): DeviceRow[] {
      return (devsOfEnt.all(entitlementId) as Row[]).map(toDevice);
    },
    allActiveDevices(): DeviceRow[] {
      return (rows(`SELECT ${DEV} FROM devices WHERE active = 1`).all() as Row[]).map(toDevice);
    },
    /** Adds a batch of usage; call inside one transaction per flush. */
    addUsage(entitlementId: string, bytes: number, at: number): void {
      addUsage.run(bytes, at, entitlementId);
    },
    addDeviceUsage(id: string, up: number, down: number, counterUp: number, counterDown: number, at: number): void {
      devUsage.run(up, down, counterUp, counterDown, at, id);
    },
    addDaily(day: string, entitlementId: string, up: number, down: number): void {
      daily.run(day, entitlementId, up, down);
    },
    addUsageBatch(u: UsageBatch): void {
      // UPDATE … FROM (VALUES …) runs on both engines (SQLite ≥ 3.33); a VALUES column is `columnN` in
      // both, and its numbers are cast so PostgreSQL does not take the untyped parameters for text.
      const n = 'CAST(? AS BIGINT)';
      for (const rows of slices(u.devices, BATCH_ROWS)) {
        db.prepare(
          `UPDATE devices SET bytes_up = bytes_up + v.column2, bytes_down = bytes_down + v.column3, counter_up = v.column4, counter_down = v.column5, last_seen = ?
           FROM (VALUES ${rows.map(() => `(?, ${n}, ${n}, ${n}, ${n})`).join(', ')}) AS v WHERE devices.id = v.column1`,
        ).run(u.at, ...rows.flatMap((d) => [d.id, d.up, d.down, d.counterUp, d.counterDown]));
      }
      for (const rows of slices(u.pools, BATCH_ROWS)) {
        db.prepare(
          `UPDATE entitlements SET used_bytes = used_bytes + v.column2, updated_at = ?
           FROM (VALUES ${rows.map(() => `(?, ${n})`).join(', ')}) AS v WHERE entitlements.id = v.column1`,
        ).run(u.at, ...rows.flatMap((p) => [p.id, p.up + p.down]));
        db.prepare(
          `INSERT INTO usage_daily (day, entitlement_id, bytes_up, bytes_down) VALUES ${rows.map(() => '(?, ?, ?, ?)').join(', ')}
           ON CONFLICT(day, entitlement_id) DO UPDATE SET bytes_up = usage_daily.bytes_up + excluded.bytes_up, bytes_down = usage_daily.bytes_down + excluded.bytes_down`,
        ).run(...rows.flatMap((p) => [u.day, p.id, p.up, p.down]));
      }
    },
    trafficOn(day: string): { up: number; down: number } {
      const r = db.prepare('SELECT COALESCE(SUM(bytes_up), 0) AS up, COALESCE(SUM(bytes_down), 0) AS down FROM usage_daily WHERE day = ?').get(day) as Record<string, unknown>;
      return { up: r.up as number, down: r.down as number };
    },
  };
}

export type EntitlementRepo = ReturnType<typeof entitlementRepo>;
