/**
 * The procd init script, run by a real `sh` with a stand-in rc.common/procd (standin/rc.common) and a
 * stand-in `uci` reading a fixture: the command line procd would run, the generated JSON config, the
 * dnsmasq and odhcpd changes staged for RFC 8910 (option 114, RA option 37 / DHCPv6 option 103) and the
 * portal's local DNS record, and their removal on stop. Through the stand-in rc.common's dispatch
 * (`rc.common /etc/init.d/portico ACTION`, as OpenWrt runs it): `running` from procd's instance state,
 * what `stop` and `restart` do to the firewall table (a stand-in `nft` records the calls), the marker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';

const REPO = join(import.meta.dirname, '..', '..');
const STANDIN = join(import.meta.dirname, 'standin');
const INIT = join(REPO, 'openwrt/files/etc/init.d/portico');
const APP = join(REPO, 'openwrt/files/usr/lib/portico');
const SHARE = join(REPO, 'openwrt/files/usr/share/portico');
const DEFAULT_UCI = readFileSync(join(REPO, 'openwrt/files/etc/config/portico'), 'utf8');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const env = (lanIp: string) => ({
  PATH: `${STANDIN}:${process.env.PATH}`,
  UCI_FIXTURE: join(dir, 'portico.uci'),
  UCI_LOG: join(dir, 'uci.log'),
  UCI_LAN_IP: lanIp,
  PROCD_LOG: join(dir, 'procd.log'),
  PROCD_STATE: join(dir, 'procd'),
  SYSLOG: join(dir, 'syslog'),
  PORTICO_APP: APP,
  PORTICO_RUN: join(dir, 'run'),
  PORTICO_STATE: join(dir, 'state'),
  PORTICO_SHARE: SHARE,
  NODE: process.execPath,
  NFT: join(STANDIN, 'nft-log'),
  NFT_LOG: join(dir, 'nft.log'),
  DNSMASQ_INIT: join(STANDIN, 'dnsmasq-init'),
  ODHCPD_INIT: join(STANDIN, 'odhcpd-init'),
});
const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8').trim().split('\n').filter(Boolean) : []);

/** `/etc/init.d/portico ACTION` as OpenWrt runs it: rc.common sources the script and dispatches. */
function rc(action: 'start' | 'stop' | 'restart' | 'reload' | 'running', uci: string) {
  writeFileSync(join(dir, 'portico.uci'), uci);
  const r = spawnSync('sh', [join(STANDIN, 'rc.common'), INIT, action], { encoding: 'utf8', timeout: 10_000, env: env('10.0.0.1') });
  return { status: r.status, syslog: read('syslog').join('\n'), nft: read('nft.log'), procd: read('procd.log') };
}

function run(fn: 'start_service' | 'stop_service' | 'service_triggers', uci: string, lanIp = '10.0.0.1') {
  writeFileSync(join(dir, 'portico.uci'), uci);
  const r = spawnSync('sh', ['-c', `. "${STANDIN}/rc.common" && . "${INIT}" && ${fn}`], {
    encoding: 'utf8',
    timeout: 10_000,
    env: env(lanIp),
  });
  return { status: r.status, syslog: read('syslog').join('\n'), procd: read('procd.log'), uci: read('uci.log') };
}

const withMain = (extra: string) => DEFAULT_UCI.replace("config portico 'main'\n", `config portico 'main'\n${extra}`);

describe('init script (procd)', () => {
  it('starts node on the bundle with the generated config, respawn, term_timeout, logs and the reload file', () => {
    const r = run('start_service', DEFAULT_UCI);
    expect(r.status).toBe(0);
    const conf = join(dir, 'run', 'portico.json');
    expect(r.procd).toEqual([
      'open_instance portico',
      `set command ${process.execPath} --max-old-space-size=64 --optimize-for-size --max-semi-space-size=1 --v8-pool-size=1`,
      `append command ${APP}/app/server/portico.mjs serve --config ${conf}`,
      `set env PORTICO_CONFIG=${conf}`,
      'set respawn 3600 5 5',
      'set term_timeout 15',
      'set stdout 1',
      'set stderr 1',
      `set file ${conf}`,
      'close_instance',
      // marks the table once node has built it, for the fw4 include (table-watch.sh)
      'open_instance table-watch',
      `set command /bin/sh ${SHARE}/table-watch.sh portico ${join(dir, 'state', 'table')}`,
      'set stdout 1',
      'set stderr 1',
      'close_instance',
    ]);
    expect(parseConfig(JSON.parse(readFileSync(conf, 'utf8'))).gateway.driver).toBe('nftables');
    // http:// portal: no option 114 (Android ignores it), and an IP literal needs no DNS record
    expect(r.uci).toEqual([]);
    expect(r.syslog).toMatch(/daemon.notice .*not https: no DHCP option 114/);
  });

  it('stages option 114, odhcpd\'s captive_portal_uri (RA 37 / DHCPv6 103) and a local record for the portal name, and removes them on stop', () => {
    const uci = withMain("\toption portal_url 'https://portal.barrio.example.net:8443/'\n\toption memory_mb '96'\n");
    const r = run('start_service', uci);
    expect(r.status).toBe(0);
    expect(r.procd[1]).toContain('--max-old-space-size=96');
    expect(r.uci).toEqual([
      'add_list dhcp.lan.dhcp_option_force=114,https://portal.barrio.example.net:8443/api/captive',
      'set dhcp.lan.captive_portal_uri=https://portal.barrio.example.net:8443/api/captive',
      'add_list dhcp.@dnsmasq[0].address=/portal.barrio.example.net/10.0.0.1',
      'dnsmasq reload',
      'odhcpd reload',
    ]);
    expect(r.uci.some((l) => l.startsWith('commit'))).toBe(false); // staged only: no flash write
    const s = run('stop_service', uci);
    expect(s.status).toBe(0);
    expect(s.uci.slice(5)).toEqual([
      'del_list dhcp.lan.dhcp_option_force=114,https://portal.barrio.example.net:8443/api/captive',
      'delete dhcp.lan.captive_portal_uri',
      'del_list dhcp.@dnsmasq[0].address=/portal.barrio.example.net/10.0.0.1',
      'dnsmasq reload',
      'odhcpd reload',
    ]);
  });

  it('sets no odhcpd option when IPv6 is refused instead of enforced (the LAN then has no global IPv6)', () => {
    const uci = withMain("\toption portal_url 'https://portal.barrio.example.net/'\n").replace("option ipv6 'enforce'", "option ipv6 'refuse'");
    const r = run('start_service', uci);
    expect(r.status).toBe(0);
    expect(r.uci).toEqual(['add_list dhcp.lan.dhcp_option_force=114,https://portal.barrio.example.net/api/captive', 'add_list dhcp.@dnsmasq[0].address=/portal.barrio.example.net/10.0.0.1', 'dnsmasq reload']);
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

describe('init script actions (rc.common dispatch)', () => {
  const marker = () => join(dir, 'state', 'table');
  const markTable = () => {
    mkdirSync(join(dir, 'state'), { recursive: true });
    writeFileSync(marker(), 'portico\n'); // what table-watch writes once node has built the table
  };

  it('`running` answers from procd\'s instance state: not before start, yes after, not after stop', () => {
    expect(rc('running', DEFAULT_UCI).status).not.toBe(0);
    expect(rc('start', DEFAULT_UCI).status).toBe(0);
    expect(rc('running', DEFAULT_UCI).status).toBe(0);
    expect(rc('stop', DEFAULT_UCI).status).toBe(0);
    expect(rc('running', DEFAULT_UCI).status).not.toBe(0);
  });

  it('an explicit stop removes the table (fail-open, logged as a warning) and the marker', () => {
    rc('start', DEFAULT_UCI);
    markTable();
    const s = rc('stop', DEFAULT_UCI);
    expect(s.status).toBe(0);
    expect(s.nft).toEqual(['nft delete table inet portico']);
    expect(s.syslog).toMatch(/daemon\.warn .*removed table inet portico, so the LAN has plain Internet/);
    // after procd has let go of the instances (rc.common: stop_service, procd_kill, service_stopped)
    expect(s.procd.indexOf('kill portico')).toBeGreaterThan(-1);
    expect(existsSync(marker())).toBe(false);
  });

  it("with stop_policy 'closed' a stop keeps the table", () => {
    const uci = DEFAULT_UCI.replace("option stop_policy 'open'", "option stop_policy 'closed'");
    rc('start', uci);
    const s = rc('stop', uci);
    expect(s.nft).toEqual([]);
    expect(s.syslog).toMatch(/daemon\.notice .*stop_policy 'closed': table inet portico stays/);
  });

  it('a restart keeps the table, so everyone stays online, and is running again', () => {
    rc('start', DEFAULT_UCI);
    markTable();
    const r = rc('restart', DEFAULT_UCI);
    expect(r.status).toBe(0);
    expect(r.nft).toEqual([]);
    expect(existsSync(marker())).toBe(false); // table-watch marks it again once the new node has it
    expect(rc('running', DEFAULT_UCI).status).toBe(0);
  });

  it('a routeros Portico never touches nft on stop', () => {
    const uci = DEFAULT_UCI.replace("option driver 'nftables'", "option driver 'routeros'");
    rc('start', uci);
    expect(rc('stop', uci).nft).toEqual([]);
  });
});
