/**
 * RADIUS sessions: all their SQL (migrations 002–004). A row is one grant handed to a NAS in an
 * Access-Accept (its id is the Class, RFC 2865 §5.25) and, once accounting starts, that NAS session
 * (`nas` + Acct-Session-Id, RFC 2866 §5.5). Counters are the highest 64-bit values seen, so usage is
 * added as deltas against them (duplicates and reordering count once). Ended rows stay as history.
 *
 * @example
 *   const repo = radiusSessionRepo(db);
 *   repo.byClass('rad_x') ?? repo.byAcctSession('mikrotik-1', '80000001');
 */
import { runLater, type Db } from './db.js';
import type { RadiusSessionRow } from '../core/ports/model.js';
export type { RadiusSessionRow } from '../core/ports/model.js';

type Raw = Record<string, unknown>;

const toRow = (r: Raw): RadiusSessionRow => ({
  id: r.id as string,
  nas: r.nas as string,
  entitlementId: r.entitlement_id as string,
  mac: r.mac as string,
  ip: (r.ip as string | null) ?? null,
  acctSessionId: (r.acct_session_id as string | null) ?? null,
  grantedAt: r.granted_at as number,
  lastSeen: r.last_seen as number,
  active: r.active === 1,
  endedAt: (r.ended_at as number | null) ?? null,
  endReason: (r.end_reason as string | null) ?? null,
  inOctets: r.in_octets as number,
  outOctets: r.out_octets as number,
  sliceBytes: (r.slice_bytes as number | null) ?? null,
  sliceBase: (r.slice_base as number | null) ?? 0,
  userName: (r.user_name as string | null) ?? null,
  nasIp: (r.nas_ip as string | null) ?? null,
  epochIn: (r.epoch_in as number | undefined) ?? 0,
  epochOut: (r.epoch_out as number | undefined) ?? 0,
  resumes: (r.resumes as number | undefined) ?? 0,
});

export function radiusSessionRepo(db: Db) {
  const byId = db.prepare('SELECT * FROM radius_sessions WHERE id = ?');
  const byAcct = db.prepare('SELECT * FROM radius_sessions WHERE nas = ? AND acct_session_id = ? ORDER BY active DESC, granted_at DESC LIMIT 1');
  const livePool = db.prepare('SELECT * FROM radius_sessions WHERE entitlement_id = ? AND active = 1 AND last_seen >= ? ORDER BY granted_at');
  const counters = db.prepare(
    'UPDATE radius_sessions SET in_octets = ?, out_octets = ?, last_seen = ?, acct_session_id = COALESCE(acct_session_id, ?), ip = COALESCE(?, ip) WHERE id = ?',
  );
  const end = db.prepare('UPDATE radius_sessions SET active = 0, ended_at = ?, end_reason = ? WHERE id = ? AND active = 1');
  // Prepared once: an Access-Request's grant and an Interim run these (a prepare per call cost ~5 % of a grant).
  const insert = db.prepare(
    `INSERT INTO radius_sessions (id, nas, entitlement_id, mac, ip, acct_session_id, granted_at, last_seen, active, slice_bytes, slice_base, user_name, nas_ip)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
  );
  const slice = db.prepare('UPDATE radius_sessions SET slice_bytes = ?, slice_base = ?, last_seen = ? WHERE id = ?');
  const activePool = db.prepare('SELECT * FROM radius_sessions WHERE entitlement_id = ? AND active = 1 ORDER BY granted_at');
  const latestMac = db.prepare('SELECT * FROM radius_sessions WHERE mac = ? ORDER BY granted_at DESC, rowid DESC LIMIT 1');
  const resume = db.prepare(
    'UPDATE radius_sessions SET active = 1, ended_at = NULL, end_reason = NULL, epoch_in = in_octets, epoch_out = out_octets, resumes = resumes + 1, last_seen = ? WHERE id = ? AND active = 0',
  );

  return {
    insert(s: RadiusSessionRow): void {
      runLater(insert, s.id, s.nas, s.entitlementId, s.mac, s.ip, s.acctSessionId, s.grantedAt, s.lastSeen, s.sliceBytes, s.sliceBase, s.userName, s.nasIp);
    },
    get(id: string): RadiusSessionRow | undefined {
      const r = byId.get(id) as Raw | undefined;
      return r && toRow(r);
    },
    /** The most recent session of that NAS with that Acct-Session-Id (the live one first). */
    byAcctSession(nas: string, acctSessionId: string): RadiusSessionRow | undefined {
      const r = byAcct.get(nas, acctSessionId) as Raw | undefined;
      return r && toRow(r);
    },
    /** Live sessions of a pool heard from since `since` (older ones lost their Stop: radius.md §b). */
    livePoolSessions(entitlementId: string, since: number): RadiusSessionRow[] {
      return (livePool.all(entitlementId, since) as Raw[]).map(toRow);
    },
    /** Stores new high-water counters; binds the Acct-Session-Id the first time accounting names it. */
    updateCounters(id: string, inOctets: number, outOctets: number, at: number, acctSessionId: string | null, ip: string | null): void {
      runLater(counters, inOctets, outOctets, at, acctSessionId, ip, id);
    },
    /** A new slice for a live grant (re-authorization): held from the session's current counters. */
    setSlice(id: string, sliceBytes: number | null, sliceBase: number, at: number): void {
      runLater(slice, sliceBytes, sliceBase, at, id);
    },
    /** Live sessions of a pool, whatever their age (Disconnect targets). */
    activeOfPool(entitlementId: string): RadiusSessionRow[] {
      return (activePool.all(entitlementId) as Raw[]).map(toRow);
    },
    /** The latest session of a device (MAC authentication finds its pool by it). */
    latestForMac(mac: string): RadiusSessionRow | undefined {
      const r = latestMac.get(mac) as Raw | undefined;
      return r && toRow(r);
    },
    end(id: string, reason: string, at: number): boolean {
      return end.run(at, reason, id).changes > 0;
    },
    /** A Start re-opening a stopped session (pfSense Stop/Start, migration 004): counts restart on top of the current ones. */
    resume(id: string, at: number): boolean {
      return resume.run(at, id).changes > 0;
    },
    /** Accounting-On/Off (RFC 2866 §5.1): every live session of that NAS ended. Returns how many. */
    endAllOfNas(nas: string, reason: string, at: number): number {
      return db.prepare('UPDATE radius_sessions SET active = 0, ended_at = ?, end_reason = ? WHERE nas = ? AND active = 1').run(at, reason, nas).changes;
    },
    listActive(): RadiusSessionRow[] {
      return (db.prepare('SELECT * FROM radius_sessions WHERE active = 1 ORDER BY granted_at').all() as Raw[]).map(toRow);
    },
  };
}

export type RadiusSessionRepo = ReturnType<typeof radiusSessionRepo>;
