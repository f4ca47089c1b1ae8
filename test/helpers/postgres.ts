/**
 * A throwaway PostgreSQL 15 cluster for a test file (Debian `postgresql`; radius.md §f): initdb as the
 * `postgres` user (initdb refuses root) in a temp directory on a free loopback port, fsync off, trust
 * auth for the `portico` superuser. `createDatabase()` gives each test its own database; `restart()`
 * and `stop()`/`start()` are the fault tests' levers. Skip the file when the binaries are missing.
 *
 * @example
 *   const pg = await startPostgres();
 *   afterAll(() => pg.close());
 *   const url = await pg.createDatabase();
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
export const hasPostgres = existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));

export interface TestPostgres {
  port: number;
  dir: string;
  /** URL of the `postgres` maintenance database. */
  url: string;
  /** A new empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** psql one statement against a database (for assertions); returns the unaligned output. */
  psql(db: string, sql: string): string;
  stop(): void;
  start(): void;
  restart(): void;
  close(): void;
}

function asPostgres(args: string[], timeout = 30_000): string {
  return execFileSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });
}

let dbSeq = 0;

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-pg-'));
  chmodSync(dir, 0o755);
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  const port = await freePort();
  const data = join(dir, 'data');
  asPostgres([join(PG_BIN, 'initdb'), '-D', data, '-A', 'trust', '-U', 'portico', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const opts = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=60`;
  const ctl = (...args: string[]) => asPostgres([join(PG_BIN, 'pg_ctl'), '-D', data, '-l', join(dir, 'log'), ...args]);
  const start = () => void ctl('-w', '-o', opts, 'start');
  start();
  const psql = (db: string, sql: string) =>
    execFileSync(join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'portico', '-d', db, '-XAtqc', sql], { encoding: 'utf8', timeout: 15_000 }).trim();
  let stopped = false;
  return {
    port,
    dir,
    url: `postgres://portico@127.0.0.1:${port}/postgres`,
    async createDatabase(name = `t${process.pid}_${++dbSeq}`) {
      psql('postgres', `CREATE DATABASE ${name}`);
      return `postgres://portico@127.0.0.1:${port}/${name}`;
    },
    psql,
    stop: () => void ctl('-m', 'fast', '-w', 'stop'),
    start,
    restart: () => void ctl('-m', 'fast', '-w', '-o', opts, 'restart'),
    close() {
      if (stopped) return;
      stopped = true;
      try {
        ctl('-m', 'immediate', '-w', 'stop');
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
