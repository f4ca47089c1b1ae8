/**
 * The storage keys of the one config schema: `storage.driver` postgres needs `storage.postgres.url`,
 * which the environment can give (PORTICO_STORAGE_POSTGRES_URL); a URL that is not postgres:// is
 * refused naming the key, and nothing opens.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const load = (env: Record<string, string>, file?: object) =>
  loadConfig({ env, ...(file ? { file: 'c.json' } : {}), readFile: () => JSON.stringify(file ?? {}) });

describe('storage config', () => {
  it('defaults to SQLite', () => {
    expect(load({}).storage).toMatchObject({ driver: 'sqlite', mode: 'direct', postgres: { timeoutMs: 3000 } });
  });

  it('postgres from the environment alone', () => {
    const c = load({ PORTICO_STORAGE_DRIVER: 'postgres', PORTICO_STORAGE_POSTGRES_URL: 'postgres://portico:pw@db.lan:5432/portico', PORTICO_STORAGE_POSTGRES_TIMEOUT_MS: '1500' });
    expect(c.storage).toMatchObject({ driver: 'postgres', postgres: { url: 'postgres://portico:pw@db.lan:5432/portico', timeoutMs: 1500 } });
  });

  it('the environment overrides the file', () => {
    const c = load({ PORTICO_STORAGE_POSTGRES_URL: 'postgresql://b@db2/p' }, { storage: { driver: 'postgres', postgres: { url: 'postgres://a@db1/p' } } });
    expect(c.storage.postgres.url).toBe('postgresql://b@db2/p');
  });

  it('refuses postgres without a URL, a URL that is not postgres://, an unknown driver', () => {
    expect(() => load({ PORTICO_STORAGE_DRIVER: 'postgres' })).toThrow(/storage\.postgres\.url: storage\.driver "postgres" needs storage\.postgres\.url/);
    expect(() => load({ PORTICO_STORAGE_DRIVER: 'postgres', PORTICO_STORAGE_POSTGRES_URL: 'mysql://x@y/z' })).toThrow(/storage\.postgres\.url: must be a postgres:\/\/ URL/);
    expect(() => load({ PORTICO_STORAGE_DRIVER: 'mongodb' })).toThrow(ConfigError);
    expect(() => load({}, { storage: { postgres: { host: 'db' } } })).toThrow(/unknown key storage\.postgres\.host/);
  });
});
