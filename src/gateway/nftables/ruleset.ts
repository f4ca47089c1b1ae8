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
 *   counted, rate-limited and charged to the quota, and a revoked device's old flows stop at once.
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
 * - Per device: chains `up_<hex>` / `dn_<hex>` = rate limit → pool quota → accept.
 *   The pool's named quota `q_<hex>` is referenced by both directions of every device of the pool, so
 *   the kernel cuts the whole entitlement off at its remaining bytes without waiting for a poll.
 * - Byte counters live on the elements of the maps that pick the device chains (`counter` flag): each
 *   element counts the packets of one address of one device, and its `goto` target names the device.
 *   A sweep is one `list map` per map, which makes nft 1.0.6 load that map alone; `list counters`
 *   (named counters) loads every chain and rule of every table first (~250 ms with 2,000 devices).
 *   An element counts when the device is looked up, so bytes the device's rate limit or its pool's
 *   quota then drops are counted too (what the device sent, or was sent, not what got through).
 *   The named counters `cu_<hex>` / `cd_<hex>` hold the bytes of addresses the device no longer has
 *   (an element's counter goes with the element), so a device's total survives an address moving to
 *   another device, and a restart reads them back from the kernel.
 *
 * Only our own table is touched. An `accept` here does not override fw4 (it still needs its lan→wan
 * forward), while our `reject`/`drop` are final for everyone: that is why the table can only deny.
 *
 * @example
 *   const script = baseRuleset({ table: 'portico', interfaces: ['br-lan'], interceptPort: 8080, ... });
 */
import { isIP } from 'node:net';
import { gardenElements } from './garden.js';

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

export interface PoolSpec {
  id: string;
  quota: string | null;
  downBps: number | null;
  upBps: number | null;
}

export interface DeviceSpec {
  names: { up: string; down: string; counterUp: string; counterDown: string };
  mac: string;
  ips4: string[];
  ips6: string[];
}

/** The priority offset keeps us ahead of fw4 (dstnat = -100, filter = 0) on the same hooks. */
const NAT_PRIO = -110;
const FILTER_PRIO = -10;
/** Before conntrack (-200) and the raw priority (-300) of anyone else. */
const RAW_PRIO = -310;

/** Conntrack zone of unauthorized clients' flows to other hosts (original direction; RFC 8908 as a number). */
export const PRE_LOGIN_ZONE = 8908;

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
    `add set ${t} auth4 { type ipv4_addr . ether_addr; }`,
    `add set ${t} auth6 { type ipv6_addr . ether_addr; }`,
    `add map ${t} up4 { type ipv4_addr . ether_addr : verdict; counter; }`,
    `add map ${t} up6 { type ipv6_addr . ether_addr : verdict; counter; }`,
    `add map ${t} down4 { type ipv4_addr : verdict; counter; }`,
    `add map ${t} down6 { type ipv6_addr : verdict; counter; }`,
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
    `add rule ${t} raw_pre ether saddr @bypass return`,
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
    // Replies of walled-garden flows and ICMP errors about them; nothing unsolicited reaches the LAN.
    `add rule ${t} to_lan ct state established,related accept`,
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
 * Bits/s → nft byte rate. No extra burst: for byte rates the kernel's bucket already holds one second
 * of the rate plus the burst (nft_limit_init: tokens_max = unit * (rate + burst) / rate), so a device
 * may run one second ahead of its rate after a pause, then holds the rate.
 */
export function limitExpr(bps: number): string {
  const rate = Math.max(1, Math.ceil(bps / 8));
  return `limit rate over ${rate} bytes/second drop`;
}

/**
 * Creates the pool's quota, or updates an existing one and zeroes what it has consumed, so that exactly
 * `bytes` may pass from now. (A `reset` of an object created in the same batch fails: it is a separate
 * request that nft sends before the batch commits.)
 */
export function poolQuotaCommands(table: string, quota: string, bytes: number, exists: boolean): string[] {
  const t = `inet ${table}`;
  const add = `add quota ${t} ${quota} { over ${Math.max(0, Math.floor(bytes))} bytes }`;
  return exists ? [add, `reset quota ${t} ${quota}`] : [add];
}

/** The maps whose elements pick (and count) the device chains. */
export const DEVICE_MAPS = ['up4', 'up6', 'down4', 'down6'] as const;

/**
 * Sets the bytes of a device's retired addresses (a named counter cannot be written, only replaced;
 * no rule references it). Sent in the batch that deletes the addresses' elements.
 */
export function retiredCommands(table: string, d: DeviceSpec, up: number, down: number): string[] {
  const t = `inet ${table}`;
  const n = d.names;
  return [
    `delete counter ${t} ${n.counterUp}`,
    `add counter ${t} ${n.counterUp} { packets 0 bytes ${Math.max(0, Math.floor(up))} }`,
    `delete counter ${t} ${n.counterDown}`,
    `add counter ${t} ${n.counterDown} { packets 0 bytes ${Math.max(0, Math.floor(down))} }`,
  ];
}

/** (Re)writes a device's two chains; its retired-bytes counters are created if missing and otherwise kept. */
export function deviceChainCommands(table: string, d: DeviceSpec, pool: PoolSpec): string[] {
  const t = `inet ${table}`;
  const n = d.names;
  const cmds = [
    `add counter ${t} ${n.counterUp}`,
    `add counter ${t} ${n.counterDown}`,
    `add chain ${t} ${n.up}`,
    `add chain ${t} ${n.down}`,
    `flush chain ${t} ${n.up}`,
    `flush chain ${t} ${n.down}`,
  ];
  if (pool.upBps !== null) cmds.push(`add rule ${t} ${n.up} ${limitExpr(pool.upBps)}`);
  if (pool.downBps !== null) cmds.push(`add rule ${t} ${n.down} ${limitExpr(pool.downBps)}`);
  // The quota expression charges every packet it sees, so each direction evaluates it exactly once.
  if (pool.quota !== null) {
    cmds.push(`add rule ${t} ${n.up} quota name "${pool.quota}" goto over_quota`);
    cmds.push(`add rule ${t} ${n.down} quota name "${pool.quota}" drop`);
  }
  cmds.push(`add rule ${t} ${n.up} accept`, `add rule ${t} ${n.down} accept`);
  return cmds;
}

function macOk(mac: string): string {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(mac)) throw new Error(`bad MAC ${mac}`);
  return mac;
}

function ipOk(ip: string, fam: 4 | 6): string {
  if (isIP(ip) !== fam) throw new Error(`bad IPv${fam} address ${ip}`);
  return ip;
}

/** Map/set elements binding addresses (+ MAC) to the device chains. */
export function deviceAddressCommands(table: string, verb: 'add' | 'delete', d: DeviceSpec): string[] {
  const t = `inet ${table}`;
  const mac = macOk(d.mac);
  const cmds: string[] = [];
  for (const [fam, ips] of [[4, d.ips4], [6, d.ips6]] as const) {
    if (ips.length === 0) continue;
    const keys = ips.map((ip) => `${ipOk(ip, fam)} . ${mac}`);
    cmds.push(`${verb} element ${t} auth${fam} { ${keys.join(', ')} }`);
    if (verb === 'add') {
      cmds.push(`add element ${t} up${fam} { ${keys.map((k) => `${k} : goto ${d.names.up}`).join(', ')} }`);
      cmds.push(`add element ${t} down${fam} { ${ips.map((ip) => `${ip} : goto ${d.names.down}`).join(', ')} }`);
    } else {
      cmds.push(`delete element ${t} up${fam} { ${keys.join(', ')} }`);
      cmds.push(`delete element ${t} down${fam} { ${ips.join(', ')} }`);
    }
  }
  return cmds;
}

/** Removes a device whose addresses were already unbound (deviceAddressCommands 'delete'). */
export function deviceRemoveCommands(table: string, d: DeviceSpec): string[] {
  const t = `inet ${table}`;
  const n = d.names;
  return [
    `flush chain ${t} ${n.up}`,
    `flush chain ${t} ${n.down}`,
    `delete chain ${t} ${n.up}`,
    `delete chain ${t} ${n.down}`,
    `delete counter ${t} ${n.counterUp}`,
    `delete counter ${t} ${n.counterDown}`,
  ];
}

export function poolRemoveCommands(table: string, quota: string): string[] {
  return [`delete quota inet ${table} ${quota}`];
}
