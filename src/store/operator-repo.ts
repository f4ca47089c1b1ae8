/**
 * Operators and their login sessions. Session tokens are stored as SHA-256 hashes, so a copied database
 * (or backup) does not hand out live sessions.
 *
 * @example
 *   operatorRepo(db).findByName('admin');
 */
import type { Db } from './db.js';
import type { Role, OperatorRow, OperatorSessionRow } from '../core/ports/model.js';
export type { Role, OperatorRow, OperatorSessionRow } from '../core/ports/model.js';

type Raw = Record<string, unknown>;
const toOperator = (r: Raw): OperatorRow => ({
  id: r.id as string,
  name: r.name as string,
  role: r.role as Role,
  passwordHash: r.password_hash as string,
  createdAt: r.created_at as number,
  disabled: r.disabled === 1,
});

export function operatorRepo(db: Db) {
  return {
    count(): number {
      return (db.prepare('SELECT COUNT(*) AS n FROM operators').get() as { n: number }).n;
    },
    insert(o: OperatorRow): void {
      db.prepare('INSERT INTO operators (id, name, role, password_hash, created_at, disabled) VALUES (?, ?, ?, ?, ?, ?)').run(
        o.id, o.name, o.role, o.passwordHash, o.createdAt, o.disabled ? 1 : 0,
      );
    },
    findByName(name: string): OperatorRow | undefined {
      const r = db.prepare('SELECT * FROM operators WHERE name = ?').get(name) as Raw | undefined;
      return r && toOperator(r);
    },
    get(id: string): OperatorRow | undefined {
      const r = db.prepare('SELECT * FROM operators WHERE id = ?').get(id) as Raw | undefined;
      return r && toOperator(r);
    },
    list(): OperatorRow[] {
      return (db.prepare('SELECT * FROM operators ORDER BY name').all() as Raw[]).map(toOperator);
    },
    update(o: Pick<OperatorRow, 'id' | 'role' | 'passwordHash' | 'disabled'>): void {
      db.prepare('UPDATE operators SET role = ?, password_hash = ?, disabled = ? WHERE id = ?').run(o.role, o.passwordHash, o.disabled ? 1 : 0, o.id);
    },
    insertSession(s: OperatorSessionRow): void {
      db.prepare('INSERT INTO operator_sessions (token_hash, operator_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
        s.tokenHash, s.operatorId, s.csrf, s.createdAt, s.expiresAt,
      );
    },
    findSession(tokenHash: string): OperatorSessionRow | undefined {
      const r = db.prepare('SELECT * FROM operator_sessions WHERE token_hash = ?').get(tokenHash) as Raw | undefined;
      return r && {
        tokenHash: r.token_hash as string,
        operatorId: r.operator_id as string,
        csrf: r.csrf as string,
        createdAt: r.created_at as number,
        expiresAt: r.expires_at as number,
      };
    },
    deleteSession(tokenHash: string): void {
      db.prepare('DELETE FROM operator_sessions WHERE token_hash = ?').run(tokenHash);
    },
    deleteSessionsOf(operatorId: string): void {
      db.prepare('DELETE FROM operator_sessions WHERE operator_id = ?').run(operatorId);
    },
    pruneSessions(now: number): void {
      db.prepare('DELETE FROM operator_sessions WHERE expires_at < ?').run(now);
    },
  };
}

export type OperatorRepo = ReturnType<typeof operatorRepo>;
