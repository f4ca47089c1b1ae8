/**
 * The UCI converter's RADIUS keys (docs/radius.md, "On OpenWrt"): `config radius` maps to
 * radius.server.*, each anonymous `config nas` to one radius.server.nas[] entry; the output is exactly
 * the fixture and passes Portico's schema; a typo in a NAS section stops the start with its name.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const REPO = join(import.meta.dirname, '..', '..');
const CONVERTER = join(REPO, 'openwrt/files/usr/lib/portico/uci-to-json.mjs');
const fixture = (f: string) => join(import.meta.dirname, 'fixtures', f);
const convert = (uci: string) => spawnSync(process.execPath, [CONVERTER, '-'], { input: uci, encoding: 'utf8', timeout: 10_000 });

describe('UCI → JSON converter: radius and nas sections', () => {
  it('maps radius.server and its NASes; Portico accepts the result', () => {
    const r = convert(readFileSync(fixture('radius.uci'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as unknown;
    expect(json).toEqual(JSON.parse(readFileSync(fixture('radius.json'), 'utf8')));
    const config = parseConfig(json);
    expect(config.radius.server.enabled).toBe(true);
    expect(config.radius.server.nas.map((n) => [n.name, n.coaPort, n.requireMessageAuthenticator])).toEqual([
      ['tower-north', 3799, true], ['school', 0, true], ['library', 3799, false],
    ]);
  });

  it('refuses an unknown NAS option with the allowed ones', () => {
    const r = convert("config nas\n\toption secrett 'x'\n");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option "secrett" in an anonymous nas section \(allowed: .*secret/);
  });
});
