/**
 * Is PostgreSQL taking writes? The PostgreSQL counterpart of write-health.ts: `pgFailure(err)` says
 * whether an error is the database's or the connection's (refused, reset, shutting down, not
 * answering, disk full on the server, a serialization conflict that outlived its retries) and why, in
 * words an operator can act on; `pgHealth()` remembers the last outcome for /healthz. A connection
 * failure is cleared by the next statement that gets an answer, a failed write only by a write.
 *
 * @example
 *   pgFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })); // 'PostgreSQL refused the connection (ECONNREFUSED)'
 */
import type { StorageState } from '../../core/ports/store.js';

const CONNECTION = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'CONNECTION_LOST_IN_TRANSACTION',
]);

function reasonFor(code: string): string | null {
  if (code === 'PG_TIMEOUT') return 'PostgreSQL is not answering';
  if (code === 'ECONNREFUSED') return 'PostgreSQL refused the connection (ECONNREFUSED)';
  if (CONNECTION.has(code)) return `the connection to PostgreSQL was lost (${code})`;
  if (code.startsWith('08')) return `the connection to PostgreSQL failed (SQLSTATE ${code})`;
  if (code === '57P01' || code === '57P02' || code === '57P03') return `PostgreSQL is shutting down or starting (SQLSTATE ${code})`;
  if (code === '57014') return 'a statement took longer than the configured timeout';
  if (code === '53100') return 'the database server disk is full';
  if (code.startsWith('53')) return `PostgreSQL is out of resources (SQLSTATE ${code})`;
  if (code.startsWith('58')) return `PostgreSQL reported a system error (SQLSTATE ${code})`;
  if (code === '40001' || code === '40P01') return 'the database is busy with conflicting writes; try again';
  if (code === '28P01' || code === '28000') return 'PostgreSQL refused the credentials';
  if (code === '3D000') return 'the PostgreSQL database does not exist';
  if (code === '25006') return 'the PostgreSQL server is read-only (a standby?)';
  return null;
}

/** Why `err` (or an error in its cause chain) is a PostgreSQL failure, or null when it is not one. */
export function pgFailure(err: unknown): string | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const reason = reasonFor(code);
    if (reason) return reason;
  }
  return null;
}

export interface PgHealth {
  state(): StorageState;
  /** A statement got an answer; `write`: it was a write (or a COMMIT). */
  succeeded(write: boolean): void;
  failed(err: unknown): void;
}

export function pgHealth(now: () => number = Date.now): PgHealth {
  let state: StorageState = { ok: true, reason: null, since: null };
  let connection = false;
  return {
    state: () => ({ ...state }),
    succeeded(write) {
      if (!state.ok && (write || connection)) state = { ok: true, reason: null, since: null };
    },
    failed(err) {
      const reason = pgFailure(err);
      // A conflict is the request's bad luck (its 503 says "try again"), not the database's health.
      if (!reason || reason.startsWith('the database is busy')) return;
      connection = !reason.includes('disk') && !reason.includes('read-only');
      state = { ok: false, reason, since: state.since ?? now() };
    },
  };
}
