/**
 * The procd init script, run by a real `sh` with a stand-in rc.common/procd (standin/rc.common) and a
 * stand-in `uci` reading a fixture: the command line procd would run, the generated JSON config, the
 * dnsmasq changes staged for option 114 and the portal's local DNS record, and their removal on stop.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const REPO = join(import.meta.dirname, '..', '..');
const STANDIN = join(import.meta.dirname, 'standin');
const INIT = join(REPO, 'openwrt/files/etc/init.d/portico');
const APP = join(REPO, 'openwrt/files/usr/lib/portico');
const DEFAULT_UCI = readFileSync(join(REPO, 'openwrt/files/etc/config/portico'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(fn: 'start_service' | 'stop_service' | 'service_triggers', uci: string, lanIp = '10.0.0.1') {
  writeFileSync(join(dir, 'portico.uci'), uci);
  const r = spawnSync('sh', ['-c', `. "${STANDIN}/rc.common" && . "${INIT}" && ${fn}`], {
    encoding: 'utf8',
    timeout: 10_000,
    env: {
      PATH: `${STANDIN}:${process.env.PATH}`,
      UCI_FIXTURE: join(dir, 'portico.uci'),
      UCI_LOG: join(dir, 'uci.log'),
      UCI_LAN_IP: lanIp,
      PROCD_LOG: join(dir, 'procd.log'),
      SYSLOG: join(dir, 'syslog'),
      PORTICO_APP: APP,
      PORTICO_RUN: join(dir, 'run'),
      NODE: process.execPath,
      DNSMASQ_INIT: join(STANDIN, 'dnsmasq-init'),
    },
  });
  const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean) : []);
  return { status: r.status, syslog: read('syslog').join('\n'), procd: read('procd.log'), uci: read('uci.log') };
}

const withMain = (extra: string) => DEFAULT_UCI.replace("config portico 'main'\n", `config portico 'main'\n${extra}`);

describe('init script (procd)', () => {
  it('starts node on the bundle with the generated config, respawn, term_timeout, logs and the reload file', () => {
    const r = run('start_service', DEFAULT_UCI);
    expect(r.status).toBe(0);
    const conf = join(dir, 'run', 'portico.json');
    expect(r.procd).toEqual([
      'open_instance',
      `set command ${process.execPath} --max-old-space-size=64 --optimize-for-size --max-semi-space-size=1`,
      `append command ${APP}/app/server/portico.mjs serve --config ${conf}`,
      `set env PORTICO_CONFIG=${conf}`,
      'set respawn 3600 5 5',
      'set term_timeout 15',
      'set stdout 1',
      'set stderr 1',
      `set file ${conf}`,
      'close_instance',
    ]);
    expect(parseConfig(JSON.parse(readFileSync(conf, 'utf8'))).gateway.driver).toBe('nftables');
    // http:// portal: no option 114 (Android ignores it), and an IP literal needs no DNS record
    expect(r.uci).toEqual([]);
    expect(r.syslog).toMatch(/daemon.notice .*not https: no DHCP option 114/);
  });

  it('stages option 114 with the https API URL and a local record for the portal name, and removes them on stop', () => {
    const uci = withMain("\toption portal_url 'https://portal.barrio.example.net:8443/'\n\toption memory_mb '96'\n");
    const r = run('start_service', uci);
    expect(r.status).toBe(0);
    expect(r.procd[1]).toContain('--max-old-space-size=96');
    expect(r.uci).toEqual([
      'add_list dhcp.lan.dhcp_option_force=114,https://portal.barrio.example.net:8443/api/captive',
      'add_list dhcp.@dnsmasq[0].address=/portal.barrio.example.net/10.0.0.1',
      'dnsmasq reload',
    ]);
    expect(r.uci.some((l) => l.startsWith('commit'))).toBe(false); // staged only: no flash write
    const s = run('stop_service', uci);
    expect(s.status).toBe(0);
    expect(s.uci.slice(3)).toEqual([
      'del_list dhcp.lan.dhcp_option_force=114,https://portal.barrio.example.net:8443/api/captive',
      'del_list dhcp.@dnsmasq[0].address=/portal.barrio.example.net/10.0.0.1',
      'dnsmasq reload',
    ]);
  });

  it('does not start when disabled, and refuses a bad config with the reason in the log', () => {
    expect(run('start_service', withMain("\toption enabled '0'\n")).procd).toEqual([]);
    const bad = run('start_service', withMain("\toption listen_prot '80'\n"));
    expect(bad.status).not.toBe(0);
    expect(bad.procd).toEqual([]);
    expect(bad.syslog).toMatch(/daemon.err .*unknown option "listen_prot"/);
  });

  it('asks procd to reload on changes to /etc/config/portico', () => {
    expect(run('service_triggers', DEFAULT_UCI).procd).toEqual(['reload_trigger portico']);
  });
});
