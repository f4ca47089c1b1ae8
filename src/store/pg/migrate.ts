/**
 * The same forward-only numbered migrations as SQLite (migrations/index.ts), on PostgreSQL: each
 * migration's DDL through `ddl()` (dialect.ts), plus the few PostgreSQL-only statements below, in its
 * own transaction, the version in `portico_schema`. Taken under a session advisory lock
 * (`pg_advisory_lock`, PostgreSQL manual §13.3.5), so two instances starting together migrate once:
 * the second waits, then finds nothing left to do. A database newer than this build is refused.
 *
 * A migration added later (006+) needs nothing here unless it uses SQLite-only SQL the translator does
 * not know; then its PostgreSQL text goes in PG_EXTRA as `replace`.
 *
 * @example
 *   migratePg(db); // → 5
 */
import { MIGRATIONS } from '../migrations/index.js';
import type { PgDb } from './db.js';
import { ddl } from './dialect.js';

/** The advisory lock key of migrations ('portico.migrate' as a fixed 64-bit number). */
export const MIGRATE_LOCK = 7_236_854_051_001;

/** PostgreSQL-only statements around a migration, or its whole replacement. */
const PG_EXTRA: Record<number, { before?: string; after?: string; replace?: string }> = {
  1: {
    // SQLite's NOCASE: case-insensitive equality, UNIQUE and ON CONFLICT for plan and operator names.
    before: "CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);",
    // The repositories order a batch's codes by SQLite's rowid (insertion order): the same column here.
    after: 'ALTER TABLE vouchers ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;',
  },
  2: { after: 'ALTER TABLE radius_sessions ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY;' },
};

/** How long a migration statement (or waiting for another instance's migration) may take. */
const MIGRATION_TIMEOUT_MS = 15 * 60_000;

export function migratePg(db: PgDb, migrations = MIGRATIONS): number {
  return db.patient(MIGRATION_TIMEOUT_MS, () => migrateLocked(db, migrations));
}

function migrateLocked(db: PgDb, migrations: typeof MIGRATIONS): number {
  // The session's statement_timeout (storage.postgres.timeoutMs) is for requests, not for a migration.
  db.exec('SET statement_timeout = 0');
  db.prepare('SELECT pg_advisory_lock(?)').get(MIGRATE_LOCK);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS portico_schema (version BIGINT NOT NULL)');
    const current = Number((db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM portico_schema').get() as { v: number }).v);
    const latest = migrations.at(-1)?.version ?? 0;
    if (current > latest) {
      throw new Error(`database schema version ${current} is newer than this Portico (${latest}); upgrade Portico`);
    }
    for (const m of migrations) {
      if (m.version <= current) continue;
      const extra = PG_EXTRA[m.version] ?? {};
      db.tx(() => {
        db.exec([extra.before ?? '', extra.replace ?? ddl(m.sql), extra.after ?? ''].join('\n'));
        db.prepare('DELETE FROM portico_schema').run();
        db.prepare('INSERT INTO portico_schema (version) VALUES (?)').run(m.version);
      });
    }
    return latest;
  } finally {
    db.prepare('SELECT pg_advisory_unlock(?)').get(MIGRATE_LOCK);
    db.exec('RESET statement_timeout');
  }
}
