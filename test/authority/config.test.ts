/**
 * The `authority` block of the one settings schema (SPEC §10): defaults, and a clear error naming the
 * key for each bad value.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';

const SECRET = 'a-secret-of-twenty-chars';
const bad = (authority: unknown) => {
  try {
    parseConfig({ authority });
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  return 'accepted';
};

describe('authority config', () => {
  it('defaults to the local ledger; radius fills in ports, timeout and the DAS off', () => {
    expect(parseConfig({}).authority.kind).toBe('local');
    const r = parseConfig({ authority: { kind: 'radius', radius: { servers: [{ host: '10.99.0.1', secret: SECRET }] } } }).authority.radius;
    expect(r.servers[0]).toEqual({ host: '10.99.0.1', authPort: 1812, acctPort: 1813, secret: SECRET, requireMessageAuthenticator: true });
    expect([r.nasIdentifier, r.timeoutMs, r.normalizeCode, r.das.port]).toEqual(['portico', 3000, true, 0]);
  });

  it('refuses bad values with the key and what is allowed', () => {
    expect(bad({ kind: 'radius' })).toMatch(/authority\.radius\.servers: .*at least one server/);
    expect(bad({ kind: 'remote' })).toMatch(/authority\.kind/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: 'central.example', secret: SECRET }] } })).toMatch(/authority\.radius\.servers\.0\.host: must be an IP address/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: 'short' }] } })).toMatch(/servers\.0\.secret: must be at least 16 characters/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: SECRET, authPort: 70000 }] } })).toMatch(/servers\.0\.authPort/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: SECRET }], timeoutMs: 10 } })).toMatch(/authority\.radius\.timeoutMs/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: SECRET }], das: { port: 3799, host: 'any' } } })).toMatch(/das\.host/);
    expect(bad({ kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: SECRET }], nasId: 'x' } })).toMatch(/nasId/);
    expect(() => parseConfig({ authority: { kind: 'radius', radius: { servers: [{ host: '10.0.0.1', secret: SECRET }] } }, radius: { server: { enabled: true } } }))
      .toThrow(/radius\.server\.enabled: a gateway with authority\.kind "radius" cannot also be a RADIUS server/);
  });
});
