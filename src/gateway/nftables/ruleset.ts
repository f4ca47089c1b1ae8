/**
 * Desired state → nft script, pure (no I/O), golden-tested in ruleset.test.ts. Every function returns
 * a list of nft commands; the transport sends one list as one atomic batch.
 *
 * Layout of `table inet <t>` (captive-clients.md c11, gateways.md §3.5/§3.7):
 * - `prerouting` (nat, priority dstnat-10, before fw4's dstnat): authorized devices return; stray
 *   port-53 traffic is redirected to the local resolver (answers stay genuine, c5); tcp/80 not bound for
 *   the walled garden is redirected to the intercept listener.
 * - `forward` (filter-10): from the captive LAN, `ip saddr . ether saddr` picks the device's upload
 *   chain by verdict map; to the LAN, `ip daddr` picks its download chain. Everything else from an
 *   unauthorized client is rejected (tcp reset / icmpx), never silently dropped, so clients fail fast.
 *   There is deliberately no `ct state established accept` ahead of the device lookup: every packet is
 *   counted, rate-limited and charged to the quota, and a revoked device's old flows stop at once. The
 *   one `established` accept (to the LAN, after the lookup) is for flows that began in the pre-login
 *   or the bypass zone, so a logout needs no conntrack walk to take effect.
 * - `input` (filter-10): unauthorized clients may use DHCP, DNS, NTP, ICMP and the portal ports only.
 * - `raw_pre` (filter, priority raw-10, before conntrack): packets of unauthorized clients bound for
 *   other hosts get the conntrack zone PRE_LOGIN_ZONE in their original direction. A login moves the
 *   device's packets to the default zone in the same atomic batch that authorizes it, so a flow that
 *   was redirected to the portal (or to the resolver) before login can never match a packet sent after
 *   it (captive-clients.md c6): the stale NAT is unreachable the moment the rules are in, without the
 *   conntrack walk (nf_conntrack_buckets long; ~13 ms at 262,144 buckets) on the login path. Replies
 *   are looked up in the default zone (the zone is original-direction only), so NAT and fw4's
 *   masquerade keep working. Flows to the gateway itself stay in the default zone: a keep-alive to the
 *   portal must survive the login that travels on it.
 * - Per rate class, not per device: `up4`/`up6` (key `ip saddr . ether saddr`) and `down4`/`down6`
 *   (key `ip daddr`) send each device's addresses to the chain of its pool's per-device rate,
 *   `rc_<up|dn><4|6>_<bytes/s>` (`…_none` without a rate): a meter `update @rl_… { <key> limit rate over
 *   R bytes/second } drop` (a dynamic set, one bucket per address, kept 5 minutes after the address's
 *   last packet; past 65,536 addresses in one class `update` fails and the packet is not limited),
 *   then the pool's quota, then accept. Classes are created on first use and kept while Portico runs
 *   (a start-up drops those no element points to), so the table holds O(rates in use) chains
 *   whatever the number of devices online.
 * - The pool's named quota `q_<hex>` is reached through the object maps `uq4`/`uq6`/`dq4`/`dq6`
 *   (`quota name <key> map @uq4`): one element per address of every device of a pool with a data limit
 *   (a miss means no quota), so the kernel cuts the whole entitlement off at its remaining bytes for
 *   both directions of all its devices without waiting for a poll.
 * - Why this shape (nft 1.0.6): after any commit, a batch holding `add element`/`add rule`/`add chain`
 *   first loads every chain and every stateful object of every table (not set elements). With two
 *   chains and two named counters per device that was ~870 KB read per login at 2,000 devices
 *   (21.7 ms); with the devices as elements only, one login batch took 2–4 ms at 2,000 devices and
 *   1,000 pool quotas (the quotas were what was left in the cache). Elements are now added as `add
 *   map … { <declaration> elements = { … } }` (ELEMENT_SETS), which loads only the table list, so a
 *   login's batch costs the same with 0 or 4,000 pools online; `delete element` loads nothing either.
 *   Only a new rate class (`add chain`, `add rule`) still pays the load, once per class.
 * - Byte counters live on the elements of `up4`…`down6` (`counter` flag): each element counts the
 *   packets of one address of one device, and carries the device id as its comment (names.ts), which
 *   is how a restart knows whose it is. A sweep is one `list map` per map, which makes nft 1.0.6 load
 *   that map alone; `list counters` (named counters) loads every chain and rule of every table first.
 *   An element counts when the device is looked up, so bytes its rate limit or its pool's quota then
 *   drops are counted too (what the device sent, or was sent, not what got through). A rate change
 *   moves the elements to another class with the bytes read just before (bytes counted between the
 *   read and the batch are lost, never counted twice).
 * - The rate applies per address (the meter is keyed by the element's key): a dual-stack device gets
 *   its rate on IPv4 and on each IPv6 address it uses. Per-device chains gave one bucket per device;
 *   that cost the O(devices) chains above.
 * - The named counters `cu_<hex>` / `cd_<hex>` hold the bytes of addresses a device no longer has (an
 *   element's counter goes with the element); they exist only for devices that retired an address
 *   (an address moved to another device, a new MAC), and a restart reads them back from the kernel.
 *
 * Only our own table is touched. An `accept` here does not override fw4 (it still needs its lan→wan
 * forward), while our `reject`/`drop` are final for everyone: that is why the table can only deny.
 *
 * @example
 *   const script = baseRuleset({ table: 'portico', interfaces: ['br-lan'], interceptPort: 8080, ... });
 */
import { isIP } from 'node:net';
import { gardenElements } from './garden.js';
import { deviceNames, elementComment, meterSet, quotaName, rateChain, type Direction } from './names.js';

export interface BaseOptions {
  table: string;
  interfaces: string[];
  interceptPort: number;
  dnsPort: number;
  /** Ports of the gateway unauthorized clients may open (portal HTTP, portal TLS). */
  portalPorts: number[];
  walledGarden: string[];
  /** `enforce`: IPv6 handled like IPv4. `refuse`: IPv6 from the LAN is rejected outright. */
  ipv6: 'enforce' | 'refuse';
}

/** One device's elements: its addresses, and where they point. */
export interface DeviceSpec {
  id: string;
  mac: string;
  ips4: string[];
  ips6: string[];
  /** Rate classes (bytes/s; null = no limit). */
  up: number | null;
  down: number | null;
  /** The pool id whose quota its addresses are charged to (null: none). */
  poolQuota: string | null;
}

/** The priority offset keeps us ahead of fw4 (dstnat = -100, filter = 0) on the same hooks. */
const NAT_PRIO = -110;
const FILTER_PRIO = -10;
/** Before conntrack (-200) and the raw priority (-300) of anyone else. */
const RAW_PRIO = -310;

/** Conntrack zone of unauthorized clients' flows to other hosts (original direction; RFC 8908 as a number). */
export const PRE_LOGIN_ZONE = 8908;
/** Conntrack zone of the bypass list's flows (original direction), so their replies are told apart too. */
export const BYPASS_ZONE = 8909;

/**
 * The sets and maps a login writes elements into, with the declaration each is created with.
 * `addElements` repeats the declaration: `add map t m { <decl> elements = { … } }` is an `add set`
 * to nft 1.0.6, which loads nothing but the table list before it sends the batch, whereas `add
 * element` first loads every chain and every stateful object of every table (all the pools' quotas:
 * 24 ms per batch with 4,000 of them here, against 0.5 ms this way). The kernel still checks
 * everything: an existing set whose declaration differs is refused (EEXIST), a missing chain or
 * quota too (ENOENT), and the elements are added without replacing the set or its other elements.
 */
const ELEMENT_SETS = {
  auth4: ['set', 'type ipv4_addr . ether_addr;'],
  auth6: ['set', 'type ipv6_addr . ether_addr;'],
  up4: ['map', 'type ipv4_addr . ether_addr : verdict; counter;'],
  up6: ['map', 'type ipv6_addr . ether_addr : verdict; counter;'],
  down4: ['map', 'type ipv4_addr : verdict; counter;'],
  down6: ['map', 'type ipv6_addr : verdict; counter;'],
  uq4: ['map', 'type ipv4_addr . ether_addr : quota;'],
  uq6: ['map', 'type ipv6_addr . ether_addr : quota;'],
  dq4: ['map', 'type ipv4_addr : quota;'],
  dq6: ['map', 'type ipv6_addr : quota;'],
} as const satisfies Record<string, readonly ['set' | 'map', string]>;

type ElementSet = keyof typeof ELEMENT_SETS;

/** What an add of elements to `name` starts with: the set's declaration, then its elements. */
function elementAddHead(table: string, name: ElementSet): string {
  const [kind, decl] = ELEMENT_SETS[name];
  return `add ${kind} inet ${table} ${name} { ${decl} elements = { `;
}

/** Adds (without loading nft's cache, see ELEMENT_SETS) or deletes elements of one of those sets. */
function elementCommand(table: string, verb: 'add' | 'delete', name: ElementSet, els: string[]): string {
  if (verb === 'delete') return `delete element inet ${table} ${name} { ${els.join(', ')} }`;
  return `${elementAddHead(table, name)}${els.join(', ')} } }`;
}

/** The table, set and elements of an add elementCommand wrote; null for any other command. */
function parseElementAdd(c: string): { table: string; name: ElementSet; els: string } | null {
  const m = /^add (?:set|map) inet (\S+) (\S+) \{ /.exec(c);
  if (!m || !Object.hasOwn(ELEMENT_SETS, m[2]!)) return null;
  const name = m[2] as ElementSet;
  const head = elementAddHead(m[1]!, name);
  return c.startsWith(head) && c.endsWith(' } }') ? { table: m[1]!, name, els: c.slice(head.length, -' } }'.length) } : null;
}

/**
 * One `add set|map … elements` per set where a batch had one per element: nft 1.0.6 evaluates each
 * command's declaration anew (~0.27 ms per command here, so a group commit of 300 logins, 1,500
 * commands, took 400 ms; the same elements in five commands ~130 ms). An add moves only later (to the
 * last add of its set), never across a command that is not an add (a `delete element` of the same
 * key, a `delete quota` it refers to): moving an add later cannot break what it needs from before.
 */
export function coalesceElementAdds(cmds: readonly string[]): string[] {
  const out: Array<string | null> = [...cmds];
  /** Per set, in the current run of adds: the index of its last add and all its elements so far. */
  let open = new Map<string, { at: number; table: string; name: ElementSet; els: string[] }>();
  const close = () => {
    for (const g of open.values()) out[g.at] = elementCommand(g.table, 'add', g.name, [...new Set(g.els)]);
    open = new Map();
  };
  cmds.forEach((c, i) => {
    const add = parseElementAdd(c);
    if (!add) {
      if (!c.startsWith('add ')) close();
      return;
    }
    const key = `${add.table} ${add.name}`;
    const g = open.get(key);
    if (g) {
      out[g.at] = null;
      g.at = i;
      g.els.push(add.els);
    } else {
      open.set(key, { at: i, table: add.table, name: add.name, els: [add.els] });
    }
  });
  close();
  return out.filter((c): c is string => c !== null);
}

/** ICMPv6 that must always pass (RFC 4890 §4.3.1; neighbour discovery is link-local and not forwarded). */
const ICMP6_ERRORS = 'destination-unreachable, packet-too-big, time-exceeded, parameter-problem';

function q(s: string): string {
  if (!/^[A-Za-z0-9_.:@\-+]+$/.test(s)) throw new Error(`unsafe nft token ${JSON.stringify(s)}`);
  return `"${s}"`;
}

function ifSet(ifs: string[]): string {
  return `{ ${ifs.map(q).join(', ')} }`;
}

function splitGarden(entries: string[]): { v4: string[]; v6: string[] } {
  const g = gardenElements(entries);
  if (g.invalid.length) throw new Error(`walled garden entry "${g.invalid[0]}" is not an IP or CIDR`);
  return g;
}

/**
 * Replaces the walled garden's addresses in one batch (flush + add, atomic: no instant in which the
 * garden is empty). Entries must be addresses or CIDRs; host names are resolved by the caller.
 */
export function gardenCommands(table: string, entries: string[]): string[] {
  const t = `inet ${table}`;
  const g = splitGarden(entries);
  const cmds = [`flush set ${t} garden4`, `flush set ${t} garden6`];
  if (g.v4.length) cmds.push(`add element ${t} garden4 { ${g.v4.join(', ')} }`);
  if (g.v6.length) cmds.push(`add element ${t} garden6 { ${g.v6.join(', ')} }`);
  return cmds;
}

/**
 * Replaces the bypass list (MACs that pass without a login: a till, a printer) in one atomic batch.
 * The base chains return early for them before any captive rule, so they are never redirected, zoned,
 * counted or cut.
 */
export function bypassCommands(table: string, macs: string[]): string[] {
  const t = `inet ${table}`;
  for (const m of macs) if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m)) throw new Error(`bypass entry "${m}" is not a MAC address`);
  return [`flush set ${t} bypass`, ...(macs.length ? [`add element ${t} bypass { ${macs.join(', ')} }`] : [])];
}

/**
 * Idempotent set-up: creates the table, sets and maps if missing (keeping their elements, device
 * chains, counters and quotas), and atomically replaces the base chains' rules. Safe at every start.
 */
export function baseRuleset(o: BaseOptions): string[] {
  const t = `inet ${o.table}`;
  const lan = ifSet(o.interfaces);
  const localTcp = [...new Set([o.interceptPort, ...o.portalPorts])].sort((a, b) => a - b).join(', ');
  const dnsPorts = [...new Set([53, o.dnsPort])].sort((a, b) => a - b).join(', ');
  const v6 = o.ipv6 === 'enforce';
  const cmds: string[] = [
    `add table ${t}`,
    ...Object.entries(ELEMENT_SETS).map(([name, decl]) => `add ${decl[0]} ${t} ${name} { ${decl[1]} }`),
    `add set ${t} garden4 { type ipv4_addr; flags interval; }`,
    `add set ${t} garden6 { type ipv6_addr; flags interval; }`,
    `add set ${t} bypass { type ether_addr; }`,
    ...gardenCommands(o.table, o.walledGarden),
  ];
  cmds.push(
    `add chain ${t} raw_pre { type filter hook prerouting priority ${RAW_PRIO}; policy accept; }`,
    `add chain ${t} prerouting { type nat hook prerouting priority ${NAT_PRIO}; policy accept; }`,
    `add chain ${t} forward { type filter hook forward priority ${FILTER_PRIO}; policy accept; }`,
    `add chain ${t} input { type filter hook input priority ${FILTER_PRIO}; policy accept; }`,
    `add chain ${t} from_lan`,
    `add chain ${t} to_lan`,
    `add chain ${t} lan_local`,
    `add chain ${t} over_quota`,
    `flush chain ${t} raw_pre`,
    `flush chain ${t} prerouting`,
    `flush chain ${t} forward`,
    `flush chain ${t} input`,
    `flush chain ${t} from_lan`,
    `flush chain ${t} to_lan`,
    `flush chain ${t} lan_local`,
    `flush chain ${t} over_quota`,
    // raw: pre-login flows to other hosts live in their own conntrack zone (see the module comment).
    `add rule ${t} raw_pre iifname != ${lan} return`,
    `add rule ${t} raw_pre ether saddr @bypass ct original zone set ${BYPASS_ZONE} return`,
    `add rule ${t} raw_pre ip saddr . ether saddr @auth4 return`,
    `add rule ${t} raw_pre ip6 saddr . ether saddr @auth6 return`,
    `add rule ${t} raw_pre fib daddr type local return`,
    `add rule ${t} raw_pre ct original zone set ${PRE_LOGIN_ZONE}`,
    // nat: authorized devices are left alone; stray DNS goes to the local resolver, tcp/80 to the portal.
    `add rule ${t} prerouting iifname != ${lan} return`,
    `add rule ${t} prerouting ether saddr @bypass return`,
    `add rule ${t} prerouting ip saddr . ether saddr @auth4 return`,
    v6 ? `add rule ${t} prerouting ip6 saddr . ether saddr @auth6 return` : `add rule ${t} prerouting meta nfproto ipv6 return`,
    `add rule ${t} prerouting meta l4proto { tcp, udp } th dport 53 redirect to :${o.dnsPort}`,
    `add rule ${t} prerouting tcp dport 80 ip daddr @garden4 return`,
    `add rule ${t} prerouting tcp dport 80 ip6 daddr @garden6 return`,
    `add rule ${t} prerouting tcp dport 80 redirect to :${o.interceptPort}`,
    // forward
    `add rule ${t} forward iifname ${lan} jump from_lan`,
    `add rule ${t} forward oifname ${lan} jump to_lan`,
    `add rule ${t} from_lan ether saddr @bypass accept`,
    `add rule ${t} from_lan ip saddr . ether saddr vmap @up4`,
  );
  if (v6) cmds.push(`add rule ${t} from_lan ip6 saddr . ether saddr vmap @up6`);
  else cmds.push(`add rule ${t} from_lan meta nfproto ipv6 reject with icmpx admin-prohibited`);
  cmds.push(
    `add rule ${t} from_lan icmpv6 type { ${ICMP6_ERRORS} } accept`,
    `add rule ${t} from_lan tcp dport { 80, 443 } ip daddr @garden4 accept`,
    `add rule ${t} from_lan tcp dport { 80, 443 } ip6 daddr @garden6 accept`,
    `add rule ${t} from_lan meta l4proto tcp reject with tcp reset`,
    `add rule ${t} from_lan reject with icmpx admin-prohibited`,
    `add rule ${t} to_lan ip daddr vmap @down4`,
  );
  if (v6) cmds.push(`add rule ${t} to_lan ip6 daddr vmap @down6`);
  cmds.push(
    // Replies of walled-garden flows and of the bypass list's, and ICMP errors about them: only flows
    // that started in those zones. A device that logged out has no element above any more, so the
    // replies of the flows it opened while logged in (default zone) stop here at once, UDP included,
    // without waiting for the conntrack walk that clears them away later (conntrack-cleanup.ts).
    `add rule ${t} to_lan ct original zone { ${PRE_LOGIN_ZONE}, ${BYPASS_ZONE} } ct state established,related accept`,
    `add rule ${t} to_lan icmpv6 type { ${ICMP6_ERRORS} } accept`,
    `add rule ${t} to_lan drop`,
    // input
    `add rule ${t} input iifname ${lan} jump lan_local`,
    `add rule ${t} lan_local ether saddr @bypass accept`,
    `add rule ${t} lan_local ip saddr . ether saddr @auth4 accept`,
    `add rule ${t} lan_local ip6 saddr . ether saddr @auth6 accept`,
    `add rule ${t} lan_local ct state established,related accept`,
    `add rule ${t} lan_local meta l4proto { icmp, ipv6-icmp } accept`,
    `add rule ${t} lan_local udp dport { 67, 123, 547 } accept`,
    `add rule ${t} lan_local meta l4proto { tcp, udp } th dport { ${dnsPorts} } accept`,
    `add rule ${t} lan_local tcp dport { ${localTcp} } accept`,
    `add rule ${t} lan_local meta l4proto tcp reject with tcp reset`,
    `add rule ${t} lan_local reject with icmpx admin-prohibited`,
    // Over quota: the client learns at once (its next ACK gets a reset) instead of timing out.
    `add rule ${t} over_quota meta l4proto tcp reject with tcp reset`,
    `add rule ${t} over_quota reject with icmpx admin-prohibited`,
  );
  return cmds;
}

/**
 * Bits/s → the byte rate of a class (null = no limit). No extra burst: for byte rates the kernel's
 * bucket already holds one second of the rate plus the burst (nft_limit_init: tokens_max = unit *
 * (rate + burst) / rate), so a device may run one second ahead of its rate after a pause, then holds it.
 */
export function classRate(bps: number | null): number | null {
  return bps === null ? null : Math.max(1, Math.ceil(bps / 8));
}

const KEY = {
  up: { 4: 'ip saddr . ether saddr', 6: 'ip6 saddr . ether saddr' },
  dn: { 4: 'ip daddr', 6: 'ip6 daddr' },
} as const;
const KEY_TYPE = {
  up: { 4: 'ipv4_addr . ether_addr', 6: 'ipv6_addr . ether_addr' },
  dn: { 4: 'ipv4_addr', 6: 'ipv6_addr' },
} as const;

/**
 * (Re)writes a rate class's chain (and creates its meter set, kept with its buckets if it exists).
 * The quota expression charges every packet it sees, so each direction evaluates it exactly once.
 */
export function rateClassCommands(table: string, dir: Direction, fam: 4 | 6, rate: number | null): string[] {
  const t = `inet ${table}`;
  const chain = rateChain(dir, fam, rate);
  const cmds: string[] = [];
  if (rate !== null) {
    if (!Number.isSafeInteger(rate) || rate < 1) throw new Error(`bad rate ${rate}`);
    cmds.push(`add set ${t} ${meterSet(dir, fam, rate)} { type ${KEY_TYPE[dir][fam]}; flags dynamic,timeout; timeout 5m; size 65536; }`);
  }
  cmds.push(`add chain ${t} ${chain}`, `flush chain ${t} ${chain}`);
  if (rate !== null) cmds.push(`add rule ${t} ${chain} update @${meterSet(dir, fam, rate)} { ${KEY[dir][fam]} limit rate over ${rate} bytes/second } drop`);
  const objmap = `${dir === 'up' ? 'u' : 'd'}q${fam}`;
  cmds.push(`add rule ${t} ${chain} quota name ${KEY[dir][fam]} map @${objmap} ${dir === 'up' ? 'goto over_quota' : 'drop'}`);
  cmds.push(`add rule ${t} ${chain} accept`);
  return cmds;
}

/** Removes a rate class no element points to any more (its rule first: it references the meter set). */
export function rateClassRemoveCommands(table: string, dir: Direction, fam: 4 | 6, rate: number | null): string[] {
  const t = `inet ${table}`;
  const chain = rateChain(dir, fam, rate);
  return [`flush chain ${t} ${chain}`, `delete chain ${t} ${chain}`, ...(rate === null ? [] : [`delete set ${t} ${meterSet(dir, fam, rate)}`])];
}

/**
 * Creates the pool's quota, or updates an existing one and zeroes what it has consumed, so that exactly
 * `bytes` may pass from now. (A `reset` of an object created in the same batch fails: it is a separate
 * request that nft sends before the batch commits.) Neither loads nft's cache.
 */
export function poolQuotaCommands(table: string, quota: string, bytes: number, exists: boolean): string[] {
  const t = `inet ${table}`;
  const add = `add quota ${t} ${quota} { over ${Math.max(0, Math.floor(bytes))} bytes }`;
  return exists ? [add, `reset quota ${t} ${quota}`] : [add];
}

/** The maps whose elements pick (and count) the rate classes. */
export const DEVICE_MAPS = ['up4', 'up6', 'down4', 'down6'] as const;

/**
 * Sets the bytes of a device's retired addresses (a named counter cannot be written, only replaced;
 * no rule references it). Sent in the batch that deletes the addresses' elements; `exists` whether the
 * counters are in the kernel already (they are created by a device's first retired address).
 */
export function retiredCommands(table: string, deviceId: string, up: number, down: number, exists: boolean): string[] {
  const t = `inet ${table}`;
  const n = deviceNames(deviceId);
  return [
    ...(exists ? [`delete counter ${t} ${n.counterUp}`] : []),
    `add counter ${t} ${n.counterUp} { packets 0 bytes ${Math.max(0, Math.floor(up))} }`,
    ...(exists ? [`delete counter ${t} ${n.counterDown}`] : []),
    `add counter ${t} ${n.counterDown} { packets 0 bytes ${Math.max(0, Math.floor(down))} }`,
  ];
}

export function retiredRemoveCommands(table: string, deviceId: string): string[] {
  const n = deviceNames(deviceId);
  return [`delete counter inet ${table} ${n.counterUp}`, `delete counter inet ${table} ${n.counterDown}`];
}

function macOk(mac: string): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`bad MAC ${mac}`);
  return mac;
}

function ipOk(ip: string, fam: 4 | 6): string {
  if (isIP(ip) !== fam) throw new Error(`bad IPv${fam} address ${ip}`);
  return ip;
}

const fams = (d: DeviceSpec) => [[4, d.ips4], [6, d.ips6]] as const;
const keyOf = (dir: Direction, ip: string, mac: string) => (dir === 'up' ? `${ip} . ${mac}` : ip);

/**
 * The elements of one direction that send the device's addresses to its rate class. `bytes` (address →
 * bytes counted so far) carries an element's counter to its new class (a move: delete, then add).
 */
export function classElementCommands(table: string, verb: 'add' | 'delete', dir: Direction, d: DeviceSpec, bytes?: Map<string, number>): string[] {
  const t = `inet ${table}`;
  const mac = macOk(d.mac);
  const comment = JSON.stringify(elementComment(d.id));
  const cmds: string[] = [];
  for (const [fam, ips] of fams(d)) {
    if (ips.length === 0) continue;
    const map = `${dir === 'up' ? 'up' : 'down'}${fam}` as const;
    const rate = dir === 'up' ? d.up : d.down;
    const els = ips.map((ip) => {
      const k = keyOf(dir, ipOk(ip, fam), mac);
      if (verb === 'delete') return k;
      const b = bytes?.get(ip);
      return `${k}${b ? ` counter packets 0 bytes ${Math.max(0, Math.floor(b))}` : ''} comment ${comment} : goto ${rateChain(dir, fam, rate)}`;
    });
    cmds.push(elementCommand(table, verb, map, els));
  }
  return cmds;
}

/** The object-map elements charging the device's addresses to its pool's quota (none without one). */
export function quotaElementCommands(table: string, verb: 'add' | 'delete', d: DeviceSpec): string[] {
  if (d.poolQuota === null) return [];
  const t = `inet ${table}`;
  const mac = macOk(d.mac);
  const quota = JSON.stringify(quotaName(d.poolQuota));
  const cmds: string[] = [];
  for (const [fam, ips] of fams(d)) {
    if (ips.length === 0) continue;
    for (const dir of ['up', 'dn'] as const) {
      const els = ips.map((ip) => keyOf(dir, ipOk(ip, fam), mac) + (verb === 'add' ? ` : ${quota}` : ''));
      cmds.push(elementCommand(table, verb, `${dir === 'up' ? 'u' : 'd'}q${fam}`, els));
    }
  }
  return cmds;
}

/** Every element of the device's addresses: authorized, counted, rate-limited and charged. */
export function deviceAddressCommands(table: string, verb: 'add' | 'delete', d: DeviceSpec): string[] {
  const t = `inet ${table}`;
  const mac = macOk(d.mac);
  const cmds: string[] = [];
  for (const [fam, ips] of fams(d)) {
    if (ips.length) cmds.push(elementCommand(table, verb, `auth${fam}`, ips.map((ip) => `${ipOk(ip, fam)} . ${mac}`)));
  }
  return [...cmds, ...classElementCommands(table, verb, 'up', d), ...classElementCommands(table, verb, 'dn', d), ...quotaElementCommands(table, verb, d)];
}

export function poolRemoveCommands(table: string, quota: string): string[] {
  return [`delete quota inet ${table} ${quota}`];
}
