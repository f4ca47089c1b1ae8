/**
 * The store: every repository over one database handle, plus the transaction helper. Core receives
 * this object; nothing outside src/store writes SQL.
 *
 * @example
 *   const store = createStore(openDatabase(':memory:'));
 */
import { transaction, type Db } from './db.js';
import { entitlementRepo } from './entitlement-repo.js';
import { eventRepo } from './event-repo.js';
import { migrate } from './migrate.js';
import { operatorRepo } from './operator-repo.js';
import { settingsRepo } from './settings-repo.js';
import { voucherRepo } from './voucher-repo.js';

export function createStore(db: Db) {
  migrate(db);
  return {
    db,
    vouchers: voucherRepo(db),
    entitlements: entitlementRepo(db),
    operators: operatorRepo(db),
    events: eventRepo(db),
    settings: settingsRepo(db),
    tx<T>(fn: () => T): T {
      return transaction(db, fn);
    },
    /** Consistent online copy (SQLite backup API); safe while Portico runs. */
    async backup(file: string): Promise<void> {
      await db.backup(file);
    },
    close(): void {
      db.close();
    },
  };
}

export type Store = ReturnType<typeof createStore>;
