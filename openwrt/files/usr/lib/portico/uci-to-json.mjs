#!/usr/bin/env node
/**
 * UCI → Portico's JSON config. The init script runs `uci -q export portico | node uci-to-json.mjs -`
 * (uci export includes changes staged with `uci set` but not committed) and writes the result to
 * /var/etc/portico/portico.json, which `portico serve --config` reads. Portico's own schema then
 * validates every value; this file only maps names and types, and refuses options it does not know
 * (a typo in /etc/config/portico must not be silently ignored).
 *
 * Plain JavaScript with no dependencies: it ships in the package as is and runs on the router's node.
 *
 * @example
 *   node uci-to-json.mjs /etc/config/portico > /var/etc/portico/portico.json
 *   uci -q export portico | node uci-to-json.mjs -
 */
import { readFileSync } from 'node:fs';

/** Parses UCI text (the /etc/config format or `uci export`) into sections. */
export function parseUci(text) {
  const sections = [];
  let current = null;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const words = splitWords(lines[n], n + 1);
    if (words.length === 0 || words[0] === 'package') continue;
    const [kw, a, b] = words;
    if (kw === 'config') {
      if (!a) throw new UciError(`line ${n + 1}: config needs a type`);
      current = { type: a, name: b ?? null, options: {}, lists: {} };
      sections.push(current);
    } else if (kw === 'option' || kw === 'list') {
      if (!current) throw new UciError(`line ${n + 1}: ${kw} outside a config section`);
      if (!a || b === undefined) throw new UciError(`line ${n + 1}: ${kw} needs a name and a value`);
      if (kw === 'option') current.options[a] = b;
      else (current.lists[a] ??= []).push(b);
    } else throw new UciError(`line ${n + 1}: unknown keyword "${kw}"`);
  }
  return sections;
}

export class UciError extends Error {}

function splitWords(line, n) {
  const words = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') break;
    let word = '';
    while (i < line.length && !/[ \t\r]/.test(line[i])) {
      const q = line[i];
      if (q === "'" || q === '"') {
        const end = line.indexOf(q, i + 1);
        if (end < 0) throw new UciError(`line ${n}: unterminated ${q}`);
        word += line.slice(i + 1, end);
        i = end + 1;
      } else if (q === '\\' && i + 1 < line.length) {
        word += line[i + 1];
        i += 2;
      } else {
        word += q;
        i++;
      }
    }
    words.push(word);
  }
  return words;
}

const int = (v) => {
  if (!/^-?\d+$/.test(v)) throw new UciError(`"${v}" is not a whole number`);
  return Number(v);
};
const bool = (v) => {
  if (['1', 'yes', 'on', 'true', 'enabled'].includes(v)) return true;
  if (['0', 'no', 'off', 'false', 'disabled'].includes(v)) return false;
  throw new UciError(`"${v}" is not a boolean (use 1 or 0)`);
};
const str = (v) => v;
const seconds = (v) => int(v) * 1000;

/** option name → [JSON path, converter]. Times are seconds in UCI (volunteer-friendly), ms in JSON. */
const MAIN = {
  enabled: null, // read by the init script
  memory_mb: null, // node --max-old-space-size, read by the init script
  dhcp_interface: null, // dnsmasq section for option 114, read by the init script
  dns_record: null, // local DNS record for the portal name, read by the init script
  data_dir: ['dataDir', str],
  storage: ['storage.mode', str],
  ram_dir: ['storage.ramDir', str],
  snapshot_interval: ['storage.snapshotIntervalMs', seconds],
  listen_host: ['listen.host', str],
  listen_port: ['listen.port', int],
  tls_port: ['tls.port', int],
  tls_cert: ['tls.cert', str],
  tls_key: ['tls.key', str],
  portal_url: ['portalUrl', str],
  accounting_interval: ['accounting.intervalMs', seconds],
  poll_interval: ['accounting.pollMs', seconds],
  log_level: ['log.level', str],
};
const MAIN_LISTS = { portal_host: 'portalHosts' };

const GATEWAY = {
  driver: ['gateway.driver', str],
  table: ['gateway.nftables.table', str],
  intercept_port: ['gateway.nftables.interceptPort', int],
  dns_port: ['gateway.nftables.dnsPort', int],
  ipv6: ['gateway.nftables.ipv6', str],
  leases_file: ['gateway.nftables.leasesFile', str],
  // What an explicit stop does to the table, read by the init script; checked here so a typo stops the start.
  stop_policy: [null, (v) => { if (v !== 'open' && v !== 'closed') throw new Error(`must be 'open' or 'closed', not '${v}'`); }],
};
const GATEWAY_LISTS = { interface: 'gateway.nftables.interfaces', walled_garden: 'gateway.nftables.walledGarden' };

const ROUTER = {
  name: ['name', str],
  host: ['host', str],
  port: ['port', int],
  user: ['user', str],
  password: ['password', str],
  tls: ['tls', bool],
  ca: ['ca', str],
  hotspot: ['hotspot', str],
  timeout: ['timeoutMs', seconds],
};

const NETWORK = {
  name: ['network.name', str],
  ssid: ['network.ssid', str],
  wifi_password: ['network.wifiPassword', str],
  venue_info_url: ['network.venueInfoUrl', str],
};
const NETWORK_LISTS = { language: 'network.languages' };

const SECURITY = {
  free_attempts: ['security.freeAttempts', int],
  max_lockout: ['security.maxLockoutSec', int],
  network_attempts_per_minute: ['security.networkAttemptsPerMinute', int],
  prefix_attempts_per_minute: ['security.prefixAttemptsPerMinute', int],
  operator_session_hours: ['security.operatorSessionHours', int],
};

// Audit retention: keep router flash bounded (a row is about 170 bytes with its indexes).
const AUDIT = {
  retention_days: ['audit.retentionDays', int],
  max_rows: ['audit.maxRows', int],
};

// Portico as the RADIUS server of NAS gear (docs/radius.md): `config radius` plus one `config nas` per NAS.
const RADIUS = {
  enabled: ['radius.server.enabled', bool],
  host: ['radius.server.host', str],
  auth_port: ['radius.server.authPort', int],
  acct_port: ['radius.server.acctPort', int],
  interim_interval: ['radius.server.interimIntervalSec', int],
  slice_min_bytes: ['radius.server.sliceMinBytes', int],
  slice_max_bytes: ['radius.server.sliceMaxBytes', int],
};

const NAS = {
  name: ['name', str],
  address: ['address', str],
  secret: ['secret', str],
  profile: ['profile', str],
  coa_port: ['coaPort', int],
  require_message_authenticator: ['requireMessageAuthenticator', bool],
  uam_secret: ['uamSecret', str],
  das_message_authenticator: ['dasMessageAuthenticator', bool],
};
const NAS_LISTS = { uam_host: 'uamHosts' };

// A tower that authorizes against a central server (docs/towers.md): `config authority` plus one
// anonymous `config authority_server` per server, tried in the order written.
const AUTHORITY = {
  kind: ['authority.kind', str],
  nas_identifier: ['authority.radius.nasIdentifier', str],
  bind_address: ['authority.radius.bindAddress', str],
  timeout: ['authority.radius.timeoutMs', int],
  dead_time: ['authority.radius.deadTimeMs', int],
  normalize_code: ['authority.radius.normalizeCode', bool],
  das_host: ['authority.radius.das.host', str],
  das_port: ['authority.radius.das.port', int],
  das_message_authenticator: ['authority.radius.das.requireMessageAuthenticator', bool],
};

const AUTHORITY_SERVER = {
  host: ['host', str],
  auth_port: ['authPort', int],
  acct_port: ['acctPort', int],
  secret: ['secret', str],
  require_message_authenticator: ['requireMessageAuthenticator', bool],
};

const SECTIONS = {
  portico: [MAIN, MAIN_LISTS],
  radius: [RADIUS, {}],
  authority: [AUTHORITY, {}],
  gateway: [GATEWAY, GATEWAY_LISTS],
  network: [NETWORK, NETWORK_LISTS],
  security: [SECURITY, {}],
  audit: [AUDIT, {}],
};

function set(obj, path, value) {
  const keys = path.split('.');
  let node = obj;
  for (const k of keys.slice(0, -1)) node = node[k] ??= {};
  node[keys.at(-1)] = value;
}

function where(s) {
  return s.name ? `${s.type} '${s.name}'` : `an anonymous ${s.type} section`;
}

function apply(target, s, options, lists) {
  for (const [name, value] of Object.entries(s.options)) {
    if (!(name in options)) {
      throw new UciError(`unknown option "${name}" in ${where(s)} (allowed: ${Object.keys(options).join(', ')})`);
    }
    const rule = options[name];
    if (!rule) continue;
    try {
      if (rule[0] === null) rule[1](value); // init-script option: validated, not passed to Portico
      else set(target, rule[0], rule[1](value));
    } catch (err) {
      throw new UciError(`option ${name} in ${where(s)}: ${err.message}`);
    }
  }
  for (const [name, values] of Object.entries(s.lists)) {
    if (!(name in lists)) throw new UciError(`unknown list "${name}" in ${where(s)} (allowed: ${Object.keys(lists).join(', ') || 'none'})`);
    set(target, lists[name], values);
  }
}

/** Converts parsed sections to the JSON object Portico's schema validates. */
export function toConfig(sections) {
  const out = {};
  const routers = [];
  const nases = [];
  const authorities = [];
  for (const s of sections) {
    if (s.type === 'authority_server') {
      const a = {};
      apply(a, s, AUTHORITY_SERVER, {});
      authorities.push(a);
      continue;
    }
    if (s.type === 'router') {
      const r = {};
      apply(r, s, ROUTER, {});
      routers.push(r);
      continue;
    }
    if (s.type === 'nas') {
      const n = {};
      apply(n, s, NAS, NAS_LISTS);
      nases.push(n);
      continue;
    }
    const rules = SECTIONS[s.type];
    if (!rules) throw new UciError(`unknown section type "${s.type}" (allowed: ${[...Object.keys(SECTIONS), 'router', 'nas', 'authority_server'].join(', ')})`);
    apply(out, s, rules[0], rules[1]);
  }
  if (routers.length) set(out, 'gateway.routeros.routers', routers);
  if (nases.length) set(out, 'radius.server.nas', nases);
  if (authorities.length) set(out, 'authority.radius.servers', authorities);
  return out;
}

export function convert(text) {
  return toConfig(parseUci(text));
}

if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file://').href) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: uci-to-json.mjs FILE|-\n');
    process.exit(2);
  }
  try {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8');
    process.stdout.write(JSON.stringify(convert(text), null, 2) + '\n');
  } catch (err) {
    process.stderr.write(`portico: /etc/config/portico: ${err.message}\n`);
    process.exit(err instanceof UciError ? 2 : 1);
  }
}
