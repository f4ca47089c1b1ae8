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
import type { Db } from './db.js';
import type { EntitlementRow, DeviceRow } from '../core/ports/model.js';
export type { EntitlementRow, DeviceRow } from '../core/ports/model.js';

type Raw = Record<string, unknown>;

const toEntitlement = (r: Raw): EntitlementRow => ({
  id: r.id as string,
  voucherId: r.voucher_id as string,
  status: r.status as EntitlementStatus,
  plan: JSON.parse(r.plan as string) as Plan,
  activatedAt: r.activated_at as number,
  expiresAt: (r.expires_at as number | null) ?? null,
  dataTotal: (r.data_total as number | null) ?? null,
  usedBytes: r.used_bytes as number,
  periodStart: (r.period_start as number | null) ?? null,
  updatedAt: r.updated_at as number,
});

const toDevice = (r: Raw): DeviceRow => ({
  id: r.id as string,
  entitlementId: r.entitlement_id as string,
  mac: r.mac as string,
  ip: r.ip as string,
  site: (r.site as string | null) ?? null,
  attachedAt: r.attached_at as number,
  lastSeen: r.last_seen as number,
  active: r.active === 1,
  endedAt: (r.ended_at as number | null) ?? null,
  endReason: (r.end_reason as string | null) ?? null,
  bytesUp: r.bytes_up as number,
  bytesDown: r.bytes_down as number,
  counterUp: r.counter_up as number,
  counterDown: r.counter_down as number,
});

export function entitlementRepo(db: Db) {
  const getEnt = db.prepare('SELECT * FROM entitlements WHERE id = ?');
  const devByMac = db.prepare('SELECT * FROM devices WHERE mac = ? AND active = 1');
  const devByIp = db.prepare('SELECT 1 FROM devices WHERE ip = ? AND active = 1');
  const devRowByIp = db.prepare('SELECT * FROM devices WHERE ip = ? AND active = 1 ORDER BY last_seen DESC LIMIT 1');
  const devsOfEnt = db.prepare('SELECT * FROM devices WHERE entitlement_id = ? AND active = 1 ORDER BY attached_at');
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
      db.prepare(
        `INSERT INTO entitlements (id, voucher_id, status, plan, activated_at, expires_at, data_total, used_bytes, period_start, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(e.id, e.voucherId, e.status, JSON.stringify(e.plan), e.activatedAt, e.expiresAt, e.dataTotal, e.usedBytes, e.periodStart, e.updatedAt);
    },
    get(id: string): EntitlementRow | undefined {
      const r = getEnt.get(id) as Raw | undefined;
      return r && toEntitlement(r);
    },
    /**
     * Several by id in one statement per 500 (the sweep reads every pool online each poll: one query per
     * pool is nothing on SQLite and a round trip each on PostgreSQL). Unknown ids are left out.
     */
    getMany(ids: readonly string[]): EntitlementRow[] {
      const out: EntitlementRow[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = db.prepare(`SELECT * FROM entitlements WHERE id IN (${chunk.map(() => '?').join(', ')})`).all(...chunk) as Raw[];
        out.push(...rows.map(toEntitlement));
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
      return (db.prepare("SELECT * FROM entitlements WHERE status IN ('active', 'exhausted')").all() as Raw[]).map(toEntitlement);
    },
    /**
     * Live pools whose stored figures say a transition may be due now: past their expiry, at their data
     * (within `slackBytes`), or on a periodic reset plan. The sweep adds the pools with usage not yet
     * written; every other live pool needs nothing, so a sweep never parses every pool's plan.
     */
    listDue(now: number, slackBytes: number): EntitlementRow[] {
      return (
        db
          .prepare(
            `SELECT * FROM entitlements WHERE status IN ('active', 'exhausted') AND (
               (expires_at IS NOT NULL AND expires_at <= ?)
               OR (status = 'active' AND data_total IS NOT NULL AND used_bytes + ? >= data_total)
               OR period_start IS NOT NULL)`,
          )
          .all(now, slackBytes) as Raw[]
      ).map(toEntitlement);
    },
    insertDevice(d: DeviceRow): boolean {
      // Conditional, as markRedeemed is: the unique index of active MACs decides, in the statement
      // that writes (two instances on one database may log one device in at the same moment).
      return (
        db
          .prepare(
            `INSERT INTO devices (id, entitlement_id, mac, ip, site, attached_at, last_seen, active) VALUES (?, ?, ?, ?, ?, ?, ?, 1)
             ON CONFLICT (mac) WHERE active = 1 DO NOTHING`,
          )
          .run(d.id, d.entitlementId, d.mac, d.ip, d.site, d.attachedAt, d.lastSeen).changes > 0
      );
    },
    updateDeviceAddress(id: string, ip: string, site: string | null, at: number): void {
      db.prepare('UPDATE devices SET ip = ?, site = ?, last_seen = ? WHERE id = ?').run(ip, site, at, id);
    },
    endDevice(id: string, reason: string, at: number): void {
      db.prepare('UPDATE devices SET active = 0, ended_at = ?, end_reason = ? WHERE id = ? AND active = 1').run(at, reason, id);
    },
    activeDeviceByMac(mac: string): DeviceRow | undefined {
      const r = devByMac.get(mac) as Raw | undefined;
      return r && toDevice(r);
    },
    /** Whether an address belongs to a device that is logged in (the intercept fast path). */
    isActiveIp(ip: string): boolean {
      return devByIp.get(ip) !== undefined;
    },
    activeDeviceByIp(ip: string): DeviceRow | undefined {
      const r = devRowByIp.get(ip) as Raw | undefined;
      return r && toDevice(r);
    },
    getDevice(id: string): DeviceRow | undefined {
      const r = db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Raw | undefined;
      return r && toDevice(r);
    },
    activeDevices(entitlementId: string): DeviceRow[] {
      return (devsOfEnt.all(entitlementId) as Raw[]).map(toDevice);
    },
    allActiveDevices(): DeviceRow[] {
      return (db.prepare('SELECT * FROM devices WHERE active = 1').all() as Raw[]).map(toDevice);
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
    trafficOn(day: string): { up: number; down: number } {
      const r = db.prepare('SELECT COALESCE(SUM(bytes_up), 0) AS up, COALESCE(SUM(bytes_down), 0) AS down FROM usage_daily WHERE day = ?').get(day) as Raw;
      return { up: r.up as number, down: r.down as number };
    },
  };
}

export type EntitlementRepo = ReturnType<typeof entitlementRepo>;
