/**
 * The audit/event log: every state transition with its time and actor (resident device, operator,
 * system), written in the same transaction as the change it records. Kept for `audit.retentionDays`
 * and at most `audit.maxRows` rows: `prune()` deletes the oldest in bounded batches (the housekeeping
 * job runs it), so a long-lived router's flash does not fill with history (attack report D5).
 *
 * @example
 *   eventRepo(db).appendMany([{ at, type: 'voucher.revoked', actorType: 'operator', actorId, subject: voucherId, data: { reason } }]);
 */
import { allLater, slices, type Db } from './db.js';
import type { ActorType, EventRow } from '../core/ports/model.js';
export type { ActorType, EventRow } from '../core/ports/model.js';

type Raw = Record<string, unknown>;

/** Rows per INSERT (6 parameters each: well under either engine's limit, and few distinct statements to cache). */
const APPEND_CHUNK = 50;

export function eventRepo(db: Db) {
  const delOld = db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events WHERE at < ? ORDER BY id LIMIT ?)');
  const delFirst = db.prepare('DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?)');
  const count = db.prepare('SELECT COUNT(*) AS n FROM events');
  /**
   * appendMany with the ids read later: on PostgreSQL inside a transaction the INSERTs travel with the
   * COMMIT (store/pg/db.ts allLater), and the function returned gives the ids once it committed.
   */
  const appendManyLater = (rows: readonly EventRow[]): (() => number[]) => {
    const parts = [...slices(rows, APPEND_CHUNK)].map((chunk) => {
      const args = chunk.flatMap((e) => [e.at, e.type, e.actorType, e.actorId, e.subject, e.data ? JSON.stringify(e.data) : null]);
      const sql = `INSERT INTO events (at, type, actor_type, actor_id, subject, data) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')} RETURNING id`;
      return allLater(db.prepare(sql), ...args);
    });
    return () => parts.flatMap((rowsOf) => (rowsOf() as { id: number | string }[]).map((r) => Number(r.id)).sort((a, b) => a - b));
  };
  return {
    /**
     * Writes rows in one statement per 50 and returns their ids in the rows' order: a transaction's
     * audit rows go together just before its COMMIT (core/tx.ts), one round trip on PostgreSQL instead
     * of one per row. Ids grow in the order of the VALUES (each row takes the next one).
     */
    appendMany(rows: readonly EventRow[]): number[] {
      return appendManyLater(rows)();
    },
    appendManyLater,
    /**
     * Deletes at most `limit` of the oldest rows that are older than `before` or beyond the newest
     * `keep`; returns how many went. Oldest means lowest id (AUTOINCREMENT: insertion order), so each
     * batch walks the front of the rowid B-tree and never sorts. Call it inside a transaction.
     */
    prune(before: number, keep: number, limit: number): number {
      let deleted = delOld.run(before, limit).changes;
      const over = (count.get() as { n: number }).n - keep;
      if (over > 0 && deleted < limit) deleted += delFirst.run(Math.min(over, limit - deleted)).changes;
      return deleted;
    },
    list(f: { type?: string; subject?: string; actorId?: string; before?: number; limit?: number } = {}): EventRow[] {
      const where: string[] = [];
      const args: unknown[] = [];
      if (f.type) (where.push('type LIKE ?'), args.push(f.type.endsWith('*') ? f.type.slice(0, -1) + '%' : f.type));
      if (f.subject) (where.push('subject = ?'), args.push(f.subject));
      if (f.actorId) (where.push('actor_id = ?'), args.push(f.actorId));
      if (f.before) (where.push('id < ?'), args.push(f.before));
      const rows = db
        .prepare(`SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`)
        .all(...args, Math.min(f.limit ?? 100, 1000)) as Raw[];
      return rows.map((r) => ({
        id: r.id as number,
        at: r.at as number,
        type: r.type as string,
        actorType: r.actor_type as ActorType,
        actorId: (r.actor_id as string | null) ?? null,
        subject: (r.subject as string | null) ?? null,
        data: r.data ? (JSON.parse(r.data as string) as Record<string, unknown>) : null,
      }));
    },
  };
}

export type EventRepo = ReturnType<typeof eventRepo>;
