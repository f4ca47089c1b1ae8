/**
 * Forward-only numbered migrations, each in its own transaction, tracked in SQLite's `user_version`.
 * A database newer than this build (a downgrade) is refused rather than guessed at.
 *
 * @example
 *   migrate(db); // → 1
 */
import type { Db } from './db.js';
import { MIGRATIONS } from './migrations/index.js';

export function migrate(db: Db, migrations = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this Portico (${latest}); upgrade Portico`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return latest;
}
