/**
 * The fw4 include, in a network namespace of its own (`powrt…`) with real nftables: Portico's table as
 * the nftables driver builds it (baseRuleset, plus an authorized device), a stand-in fw4 ruleset
 * re-applied the way `fw4 reload` does (`table inet fw4` / `flush table inet fw4` / redeclare), and the
 * worst case, `nft flush ruleset` (fw4 restart/flush). The include must leave an intact table alone —
 * a firewall reload never restarts Portico — and restart Portico (here: a stand-in init script that
 * re-applies the driver's base ruleset, as `portico serve` does at start) when the table is gone.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseRuleset } from '../../src/gateway/nftables/ruleset.js';

const REPO = join(import.meta.dirname, '..', '..');
const STANDIN = join(import.meta.dirname, 'standin');
const INCLUDE = join(REPO, 'openwrt/files/usr/share/portico/fw4-include.sh');
const NS = `powrtfw${process.pid % 100000}`;
let dir: string;

const FW4 = `table inet fw4
flush table inet fw4
table inet fw4 {
	chain input { type filter hook input priority filter; policy drop; iifname "lo" accept; }
	chain forward { type filter hook forward priority filter; policy drop; ct state established,related accept; }
	chain dstnat { type nat hook prerouting priority dstnat; policy accept; }
}
`;

const nsExec = (args: string[]) => execFileSync('ip', ['netns', 'exec', NS, ...args], { encoding: 'utf8', timeout: 10_000 });
const fw4Reload = () => nsExec(['nft', '-f', join(dir, 'fw4.nft')]);
const table = () => spawnSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'portico'], { encoding: 'utf8', timeout: 10_000 });
const restarts = () => (existsSync(join(dir, 'init.log')) ? readFileSync(join(dir, 'init.log'), 'utf8').trim().split('\n').filter(Boolean) : []);

function include(uci = 'default.uci') {
  return spawnSync('ip', ['netns', 'exec', NS, 'sh', INCLUDE], {
    encoding: 'utf8',
    timeout: 10_000,
    env: {
      PATH: `${STANDIN}:${process.env.PATH}`,
      UCI_FIXTURE: join(dir, uci),
      UCI_LOG: join(dir, 'uci.log'),
      SYSLOG: join(dir, 'syslog'),
      PORTICO_INIT: join(dir, 'portico-init'),
    },
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-fw4-'));
  execFileSync('ip', ['netns', 'add', NS], { timeout: 10_000 });
  const base = baseRuleset({ table: 'portico', interfaces: ['br-lan'], interceptPort: 8080, dnsPort: 53, portalPorts: [8080, 8443], walledGarden: [], ipv6: 'enforce' });
  writeFileSync(join(dir, 'base.nft'), base.join('\n') + '\n');
  writeFileSync(join(dir, 'fw4.nft'), FW4);
  writeFileSync(join(dir, 'default.uci'), readFileSync(join(REPO, 'openwrt/files/etc/config/portico'), 'utf8'));
  writeFileSync(join(dir, 'routeros.uci'), "config gateway 'gateway'\n\toption driver 'routeros'\n");
  // Stand-in /etc/init.d/portico: `enabled` succeeds; `restart` does what Portico's start does to nft.
  writeFileSync(
    join(dir, 'portico-init'),
    `#!/bin/sh\ncase "$1" in\nenabled) exit 0 ;;\nrestart) echo restart >>"${dir}/init.log"; nft -f "${dir}/base.nft" ;;\nesac\n`,
  );
  chmodSync(join(dir, 'portico-init'), 0o755);
  fw4Reload();
  nsExec(['nft', '-f', join(dir, 'base.nft')]);
  nsExec(['nft', 'add element inet portico auth4 { 10.0.0.23 . 02:00:00:00:00:23 }']);
});

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS], { timeout: 10_000 });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fw4 include', () => {
  it('fw4 reload leaves Portico alone: table, hooks and authorized devices stay; no restart', () => {
    fw4Reload();
    const r = include();
    expect(r.status).toBe(0);
    expect(restarts()).toEqual([]);
    const t = table();
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/chain forward \{\s*type filter hook forward priority/);
    expect(t.stdout).toContain('10.0.0.23 . 02:00:00:00:00:23');
  });

  it('after a flush of the whole ruleset (fw4 restart), restarts Portico once, which restores its hooks', () => {
    nsExec(['nft', 'flush', 'ruleset']);
    fw4Reload();
    expect(table().status).not.toBe(0);
    const r = include();
    expect(r.status).toBe(0);
    expect(restarts()).toEqual(['restart']);
    expect(readFileSync(join(dir, 'syslog'), 'utf8')).toMatch(/table inet portico is gone/);
    const t = table();
    expect(t.stdout).toMatch(/chain prerouting \{\s*type nat hook prerouting priority/);
    expect(t.stdout).toMatch(/chain input \{\s*type filter hook input priority/);
    // fw4's own table is untouched by Portico
    expect(nsExec(['nft', 'list', 'table', 'inet', 'fw4'])).toMatch(/policy drop/);
    include(); // now intact: nothing more
    expect(restarts()).toEqual(['restart']);
  });

  it('does nothing when Portico drives a MikroTik instead of this router', () => {
    nsExec(['nft', 'delete', 'table', 'inet', 'portico']);
    expect(include('routeros.uci').status).toBe(0);
    expect(restarts()).toEqual(['restart']);
  });
});
