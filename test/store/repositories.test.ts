/**
 * The repository suite (repositories.case.ts) on both engines: SQLite in memory, and PostgreSQL 15 in a
 * throwaway cluster started for this file (a new database per test, migrated by the store itself).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase } from '../../src/store/db.js';
import { createStore } from '../../src/store/index.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { repositoryCases } from './repositories.case.js';

repositoryCases('SQLite', () => createStore(openDatabase(':memory:')));

describe.skipIf(!hasPostgres)('PostgreSQL', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.close());
  repositoryCases('PostgreSQL', async () => openPgStore({ url: await pg.createDatabase(), timeoutMs: 5000 }));
});
