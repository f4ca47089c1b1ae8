/**
 * The UCI → JSON converter shipped in the package (openwrt/files/usr/lib/portico/uci-to-json.mjs), run
 * as the init script runs it: a real node process reading UCI on stdin. Its output must be exactly the
 * fixture and must pass Portico's own schema (what `portico serve --config` will do with it).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const REPO = join(import.meta.dirname, '..', '..');
const CONVERTER = join(REPO, 'openwrt/files/usr/lib/portico/uci-to-json.mjs');
const fixture = (f: string) => join(import.meta.dirname, 'fixtures', f);

function convert(uci: string): { status: number | null; json: unknown; stderr: string } {
  const r = spawnSync(process.execPath, [CONVERTER, '-'], { input: uci, encoding: 'utf8', timeout: 10_000 });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { status: r.status, json, stderr: r.stderr };
}

describe('UCI → JSON converter', () => {
  it('turns the shipped /etc/config/portico into the expected JSON, which Portico accepts', () => {
    const r = convert(readFileSync(join(REPO, 'openwrt/files/etc/config/portico'), 'utf8'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.json).toEqual(JSON.parse(readFileSync(fixture('default.json'), 'utf8')));
    const config = parseConfig(r.json);
    expect(config.storage.mode).toBe('ram');
    expect(config.gateway.nftables.interfaces).toEqual(['br-lan']);
  });

  it('reads `uci export` output: package line, double quotes, joined quotes, anonymous router sections, seconds → ms', () => {
    const r = convert(readFileSync(fixture('routeros-https.uci'), 'utf8'));
    expect(r.status).toBe(0);
    expect(r.json).toEqual(JSON.parse(readFileSync(fixture('routeros-https.json'), 'utf8')));
    const config = parseConfig(r.json);
    expect(config.tls.port).toBe(443);
    expect(config.gateway.routeros.routers.map((x) => x.port ?? null)).toEqual([null, null]);
  });

  it.each([
    ["config portico 'main'\n\toption listen_prot '80'\n", /unknown option "listen_prot" in portico 'main' \(allowed: .*listen_port/],
    ["config portico 'main'\n\toption listen_port 'eighty'\n", /option listen_port in portico 'main': "eighty" is not a whole number/],
    ["config router\n\toption tls 'maybe'\n", /option tls in an anonymous router section: "maybe" is not a boolean/],
    ["config portal 'main'\n", /unknown section type "portal"/],
    ["config portico 'main'\n\toption portal_url 'http://x\n", /line 2: unterminated '/],
  ])('refuses a bad file with a one-line reason and exit 2: %j', (uci, message) => {
    const r = convert(uci);
    expect(r.status).toBe(2);
    expect(r.json).toBeUndefined();
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('leaves value validation to Portico: a bad storage mode converts, then the schema names the key', () => {
    const r = convert("config portico 'main'\n\toption storage 'flash'\n");
    expect(r.status).toBe(0);
    expect(() => parseConfig(r.json)).toThrow(/storage\.mode/);
  });
});
