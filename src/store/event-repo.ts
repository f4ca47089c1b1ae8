/**
 * The audit/event log: every state transition with its time and actor (resident device, operator,
 * system), written in the same transaction as the change it records.
 *
 * @example
 *   eventRepo(db).append({ at, type: 'voucher.revoked', actorType: 'operator', actorId, subject: voucherId, data: { reason } });
 */
import type { Db } from './db.js';

export type ActorType = 'device' | 'operator' | 'system';

export interface EventRow {
  id?: number;
  at: number;
  type: string;
  actorType: ActorType;
  actorId: string | null;
  subject: string | null;
  data: Record<string, unknown> | null;
}

type Raw = Record<string, unknown>;

export function eventRepo(db: Db) {
  const ins = db.prepare('INSERT INTO events (at, type, actor_type, actor_id, subject, data) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    append(e: EventRow): number {
      return Number(ins.run(e.at, e.type, e.actorType, e.actorId, e.subject, e.data ? JSON.stringify(e.data) : null).lastInsertRowid);
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
