/** Config loading: defaults, file and environment layering, and the errors a bad key gets. */
import { describe, expect, it } from 'vitest';
import { ConfigError, envKeys, loadConfig } from './load.js';

const noFile = () => {
  throw new Error('ENOENT');
};

describe('config', () => {
  it('has working defaults: SQLite in ./data, simulated gateway, portal on 127.0.0.1:8080', () => {
    const c = loadConfig({ env: {}, readFile: noFile });
    expect(c.dataDir).toBe('./data');
    expect(c.gateway.driver).toBe('simulated');
    expect(c.listen).toMatchObject({ host: '127.0.0.1', port: 8080, headersTimeoutMs: 10_000, requestTimeoutMs: 15_000, maxConnections: 2000, maxPerAddress: 64 });
    expect(c.portalUrl).toBe('http://127.0.0.1:8080/');
    expect(c.accounting.intervalMs).toBe(60_000);
  });

  it('layers defaults → file → PORTICO_* environment', () => {
    const file = JSON.stringify({ listen: { host: '0.0.0.0', port: 80 }, network: { name: 'Vila Nova' }, gateway: { driver: 'nftables' } });
    const c = loadConfig({
      file: 'portico.json',
      env: { PORTICO_LISTEN_PORT: '8081', PORTICO_GATEWAY_NFTABLES_INTERFACES: 'br-lan,wlan1', PORTICO_NETWORK_LANGUAGES: '["es","pt"]', PORTICO_ACCOUNTING_INTERVAL_MS: '30000' },
      readFile: () => file,
    });
    expect(c.listen).toMatchObject({ host: '0.0.0.0', port: 8081 });
    expect(c.portalUrl).toBe('http://127.0.0.1:8081/');
    expect(c.network.name).toBe('Vila Nova');
    expect(c.gateway.driver).toBe('nftables');
    expect(c.gateway.nftables.interfaces).toEqual(['br-lan', 'wlan1']);
    expect(c.network.languages).toEqual(['es', 'pt']);
    expect(c.accounting.intervalMs).toBe(30_000);
  });

  it('reads the file named by PORTICO_CONFIG', () => {
    const c = loadConfig({ env: { PORTICO_CONFIG: '/etc/portico.json' }, readFile: (p) => (p === '/etc/portico.json' ? '{"dataDir":"/srv/portico"}' : '') });
    expect(c.dataDir).toBe('/srv/portico');
  });

  it('names every key in the environment', () => {
    const keys = envKeys();
    expect(keys.get('PORTICO_LISTEN_PORT')).toEqual(['listen', 'port']);
    expect(keys.get('PORTICO_ACCOUNTING_INTERVAL_MS')).toEqual(['accounting', 'intervalMs']);
    expect(keys.get('PORTICO_GATEWAY_NFTABLES_WALLED_GARDEN')).toEqual(['gateway', 'nftables', 'walledGarden']);
  });

  it.each([
    ['{"listen":{"port":70000}}', /listen\.port/],
    ['{"listen":{"prot":80}}', /unknown key listen\.prot \(allowed: host, port, /],
    ['{"gateway":{"driver":"pfsense"}}', /gateway\.driver: .*"simulated"\|"nftables"\|"routeros"/],
    ['{"portalUrl":"ftp://x"}', /portalUrl/],
    ['{"accounting":{"intervalMs":5}}', /accounting\.intervalMs/],
    ['{"tls":{"port":443}}', /tls\.port needs tls\.cert and tls\.key/],
    ['{"colour":"red"}', /unknown key colour/],
    ['[1,2]', /must hold a JSON object/],
    ['{not json', /not valid JSON/],
  ])('refuses %s with the key and what is allowed', (text, message) => {
    expect(() => loadConfig({ file: 'c.json', env: {}, readFile: () => text })).toThrow(ConfigError);
    expect(() => loadConfig({ file: 'c.json', env: {}, readFile: () => text })).toThrow(message);
  });

  it('refuses a bad environment value with its key', () => {
    expect(() => loadConfig({ env: { PORTICO_LISTEN_PORT: 'eighty' }, readFile: noFile })).toThrow(/listen\.port/);
  });

  it('says which file it cannot read', () => {
    expect(() => loadConfig({ file: '/nope.json', env: {}, readFile: noFile })).toThrow(/cannot read config file \/nope\.json/);
  });
});
