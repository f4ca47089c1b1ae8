/**
 * The fw4 include and the table-watch marker, in a network namespace of its own (`powrt…`) with real
 * nftables: Portico's table as the nftables driver builds it (baseRuleset, plus an authorized device), a
 * stand-in fw4 ruleset re-applied the way `fw4 reload` does (`table inet fw4` / `flush table inet fw4` /
 * redeclare), and the worst case, `nft flush ruleset` (fw4 restart/flush).
 *
 * The include must leave an intact table alone (a firewall reload never restarts Portico), restart
 * Portico when the table it had created is gone, and never restart it before it has created one: at boot
 * (S19firewall runs before S95portico) and in the postinst (firewall reload a moment after restart).
 * The stand-in init script does to nft what `portico serve` does at start, and runs the real
 * table-watch.sh as the init script's procd instance does.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { baseRuleset } from '../../src/gateway/nftables/ruleset.js';

const REPO = join(import.meta.dirname, '..', '..');
const STANDIN = join(import.meta.dirname, 'standin');
const INCLUDE = join(REPO, 'openwrt/files/usr/share/portico/fw4-include.sh');
const WATCH = join(REPO, 'openwrt/files/usr/share/portico/table-watch.sh');
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
/** `fw4 restart` / `fw4 flush`: every table goes, then fw4 re-applies its own. */
const fw4Restart = () => {
  nsExec(['nft', 'flush', 'ruleset']);
  fw4Reload();
};
const table = () => spawnSync('ip', ['netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'portico'], { encoding: 'utf8', timeout: 10_000 });
const restarts = () => (existsSync(join(dir, 'init.log')) ? readFileSync(join(dir, 'init.log'), 'utf8').trim().split('\n').filter(Boolean) : []);
const marker = () => join(dir, 'state', 'table');
const nodeCreatesTable = () => nsExec(['nft', '-f', join(dir, 'base.nft')]);

function include(uci = 'default.uci') {
  return spawnSync('ip', ['netns', 'exec', NS, 'sh', INCLUDE], {
    encoding: 'utf8',
    timeout: 20_000,
    env: {
      PATH: `${STANDIN}:${process.env.PATH}`,
      UCI_FIXTURE: join(dir, uci),
      UCI_LOG: join(dir, 'uci.log'),
      SYSLOG: join(dir, 'syslog'),
      PORTICO_INIT: join(dir, 'portico-init'),
      PORTICO_STATE: join(dir, 'state'),
    },
  });
}

/** The init script's table-watch procd instance, started the way procd starts it (in the background). */
function tableWatch(tries = 10): Promise<number | null> {
  const c = spawn('ip', ['netns', 'exec', NS, 'sh', WATCH, 'portico', marker(), String(tries)], { stdio: 'ignore', env: { ...process.env, SYSLOG: join(dir, 'syslog'), PATH: `${STANDIN}:${process.env.PATH}` } });
  return new Promise((resolve) => c.on('exit', (code) => resolve(code)));
}

/** A stand-in /etc/init.d/portico: procd state in a file; start = node builds its table + table-watch. */
function writeInit() {
  const start = `: >"${dir}/running"; rm -f "${marker()}"; nft -f "${dir}/base.nft"; sh "${WATCH}" portico "${marker()}" 5`;
  writeFileSync(
    join(dir, 'portico-init'),
    `#!/bin/sh\ncase "$1" in\nrunning) [ -f "${dir}/running" ] ;;\nstart) ${start} ;;\nrestart) echo restart >>"${dir}/init.log"; ${start} ;;\nstop) rm -f "${dir}/running" "${marker()}"; nft delete table inet portico ;;\nesac\n`,
  );
  chmodSync(join(dir, 'portico-init'), 0o755);
}
const initScript = (action: string) => nsExec(['sh', join(dir, 'portico-init'), action]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-fw4-'));
  execFileSync('ip', ['netns', 'add', NS], { timeout: 10_000 });
  const base = baseRuleset({ table: 'portico', interfaces: ['br-lan'], interceptPort: 8080, dnsPort: 53, portalPorts: [8080, 8443], walledGarden: [], ipv6: 'enforce' });
  writeFileSync(join(dir, 'base.nft'), base.join('\n') + '\n');
  writeFileSync(join(dir, 'fw4.nft'), FW4);
  writeFileSync(join(dir, 'default.uci'), readFileSync(join(REPO, 'openwrt/files/etc/config/portico'), 'utf8'));
  writeFileSync(join(dir, 'routeros.uci'), "config gateway 'gateway'\n\toption driver 'routeros'\n");
  writeInit();
});

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS], { timeout: 10_000 });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A router just booted: empty ruleset, /var/run empty (tmpfs), procd has no portico service yet. */
beforeEach(() => {
  nsExec(['nft', 'flush', 'ruleset']);
  rmSync(join(dir, 'state'), { recursive: true, force: true });
  rmSync(join(dir, 'running'), { force: true });
  rmSync(join(dir, 'init.log'), { force: true });
});

describe('fw4 include', () => {
  it('boot: S19firewall runs the include before S95portico; it does not start Portico, S95 does, and a later reload leaves it alone', () => {
    fw4Reload(); // fw4 start at S19
    expect(include().status).toBe(0);
    expect(restarts()).toEqual([]);
    expect(existsSync(join(dir, 'running'))).toBe(false); // Portico not started from inside the firewall's boot
    initScript('start'); // S95portico: node builds its table, table-watch marks it
    expect(readFileSync(marker(), 'utf8').trim()).toBe('portico');
    fw4Reload(); // netifd's ifup hotplug reloads the firewall
    expect(include().status).toBe(0);
    expect(restarts()).toEqual([]);
  });

  it('postinst: a firewall reload right after restart, before node has built its table, does not restart Portico again', async () => {
    // restart: procd starts node and table-watch; node has not created its table yet
    writeFileSync(join(dir, 'running'), '');
    const watching = tableWatch();
    fw4Reload(); // /etc/init.d/firewall reload, a moment later
    expect(include().status).toBe(0);
    expect(restarts()).toEqual([]);
    expect(existsSync(marker())).toBe(false);
    nodeCreatesTable();
    expect(await watching).toBe(0);
    expect(existsSync(marker())).toBe(true);
    // from now on a flush is a real loss and is repaired
    fw4Restart();
    include();
    expect(restarts()).toEqual(['restart']);
  });

  it('fw4 reload leaves Portico alone: table, hooks and authorized devices stay; no restart', () => {
    fw4Reload();
    initScript('start');
    nsExec(['nft', 'add element inet portico auth4 { 10.0.0.23 . 02:00:00:00:00:23 }']);
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
    fw4Reload();
    initScript('start');
    fw4Restart();
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

  it('after a deliberate stop, a firewall restart does not bring Portico back', () => {
    fw4Reload();
    initScript('start');
    initScript('stop');
    fw4Restart();
    expect(include().status).toBe(0);
    expect(restarts()).toEqual([]);
  });

  it('a running Portico whose table-watch gave up is marked by the include when it sees the table', () => {
    fw4Reload();
    writeFileSync(join(dir, 'running'), '');
    nodeCreatesTable(); // no marker: table-watch timed out on a slow start
    include();
    expect(existsSync(marker())).toBe(true);
    expect(restarts()).toEqual([]);
  });

  it('does nothing when Portico drives a MikroTik instead of this router', () => {
    fw4Reload();
    initScript('start');
    fw4Restart();
    expect(include('routeros.uci').status).toBe(0);
    expect(restarts()).toEqual([]);
  });
});
