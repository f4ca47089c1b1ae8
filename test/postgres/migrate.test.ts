/**
 * PostgreSQL migrations (store/pg/migrate.ts): the same numbered migrations as SQLite, under an
 * advisory lock. An instance that finds another one migrating waits for it (longer than a request's
 * timeout) and then has nothing left to do; a database migrated by a newer Portico is refused. And
 * the command line on a PostgreSQL store configured from the environment alone: commands work,
 * `portico backup` says to use pg_dump and writes nothing.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations/index.js';
import { openPgStore } from '../../src/store/pg/index.js';
import { MIGRATE_LOCK } from '../../src/store/pg/migrate.js';
import { hasPostgres, PG_BIN, startPostgres, type TestPostgres } from '../helpers/postgres.js';

describe.skipIf(!hasPostgres)('PostgreSQL migrations', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.close());

  it('waits for another instance holding the migration lock, past its request timeout, then finds the schema current', async () => {
    const url = await pg.createDatabase();
    const db = new URL(url).pathname.slice(1);
    // Another "instance" holds the lock for 1.5 s.
    const holder = spawn(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'portico', '-d', db, '-XAtq', '-c', `SELECT pg_advisory_lock(${MIGRATE_LOCK}); SELECT pg_sleep(1.5);`], { stdio: 'ignore' });
    const exited = new Promise((r) => holder.on('exit', r));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      const store = openPgStore({ url, timeoutMs: 300 });
      expect(Date.now() - t0).toBeGreaterThan(800);
      store.close();
      expect(pg.psql(db, 'SELECT version FROM portico_schema')).toBe(String(MIGRATIONS.at(-1)!.version));
      // Opening again migrates nothing and keeps one version row.
      openPgStore({ url, timeoutMs: 300 }).close();
      expect(pg.psql(db, 'SELECT count(*) FROM portico_schema')).toBe('1');
    } finally {
      holder.kill();
      await exited;
    }
  });

  it('refuses a database a newer Portico migrated, and changes nothing', async () => {
    const url = await pg.createDatabase();
    const db = new URL(url).pathname.slice(1);
    openPgStore({ url, timeoutMs: 2000 }).close();
    pg.psql(db, 'UPDATE portico_schema SET version = 999');
    expect(() => openPgStore({ url, timeoutMs: 2000 })).toThrow(/schema version 999 is newer than this Portico/);
    expect(pg.psql(db, 'SELECT version FROM portico_schema')).toBe('999');
  });

  it('a bad URL or a database that does not exist is a clear error at start, not a hang', async () => {
    expect(() => openPgStore({ url: `postgres://portico@127.0.0.1:${pg.port}/no_such_db`, timeoutMs: 2000 })).toThrow(/does not exist/);
  });

  it('the CLI configured by environment only (PORTICO_STORAGE_DRIVER, PORTICO_STORAGE_POSTGRES_URL); backup says to use pg_dump', async () => {
    const url = await pg.createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'portico-pg-cli-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = {
        stdout: (l: string) => out.push(l), stderr: (l: string) => err.push(l), readFile: (p: string) => readFileSync(p, 'utf8'), readStdin: async () => '',
        env: { PORTICO_DATA_DIR: dir, PORTICO_STORAGE_DRIVER: 'postgres', PORTICO_STORAGE_POSTGRES_URL: url },
      };
      expect(await runCli(['vouchers', 'list', '--json'], io)).toBe(0);
      expect(JSON.parse(out.join('\n'))).toEqual([]);
      const file = join(dir, 'backup.db');
      expect(await runCli(['backup', file], io)).toBe(1);
      expect(err.join('\n')).toMatch(/PostgreSQL: back it up with pg_dump/);
      expect(existsSync(file)).toBe(false);
      expect(existsSync(join(dir, 'portico.db'))).toBe(false); // no SQLite file was made on the side
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
