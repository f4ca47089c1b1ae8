/**
 * OpenWrt: `config authority` and `config authority_server` in /etc/config/portico convert to the
 * authority block (the init script's uci-to-json.mjs), which the schema accepts; typos are refused.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

// Run as the init script runs it on the router: node, the UCI text on stdin.
const CONVERTER = join(import.meta.dirname, '..', '..', 'openwrt/files/usr/lib/portico/uci-to-json.mjs');
const convert = (uci: string) => spawnSync(process.execPath, [CONVERTER, '-'], { input: uci, encoding: 'utf8', timeout: 10_000 });

const UCI = `
config authority 'authority'
	option kind 'radius'
	option nas_identifier 'tower-north'
	option timeout '2500'
	option das_port '3799'

config authority_server
	option host '10.99.0.1'
	option secret 'central-secret-of-24-chars'

config authority_server
	option host '10.99.0.2'
	option auth_port '11812'
	option secret 'backup-secret-of-24-chars!'
	option require_message_authenticator '0'
`;

describe('UCI authority sections', () => {
  it('convert to authority.kind and authority.radius with the servers in order', () => {
    const r = convert(UCI);
    expect(r.stderr).toBe('');
    const config = parseConfig(JSON.parse(r.stdout));
    expect(config.authority.kind).toBe('radius');
    expect(config.authority.radius).toMatchObject({ nasIdentifier: 'tower-north', timeoutMs: 2500, das: { port: 3799 } });
    expect(config.authority.radius.servers.map((s) => [s.host, s.authPort, s.requireMessageAuthenticator])).toEqual([['10.99.0.1', 1812, true], ['10.99.0.2', 11812, false]]);
  });

  it('refuses an unknown option with the ones allowed', () => {
    const r = convert("config authority_server\n\toption hots '10.0.0.1'\n");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "hots" in an anonymous authority_server section \(allowed: host/);
  });
});
