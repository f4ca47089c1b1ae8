/**
 * IP → MAC, the way the kernel sees it right now. IPv4 reads `/proc/net/arp` (a file read, no
 * process); IPv6 asks `ip -j -6 neigh show to IP` (no proc file exists for it). The dnsmasq lease file
 * is the fallback for an IPv4 client whose neighbour entry has gone stale. Entries without a link-layer
 * address (INCOMPLETE/FAILED) never count: a changed IP simply has no answer until it talks again.
 *
 * @example
 *   parseProcArp('IP address HW type Flags HW address Mask Device\n10.0.0.2 0x1 0x2 02:00:00:00:00:02 * br-lan\n');
 *   // Map { '10.0.0.2' => '02:00:00:00:00:02' }
 */
import { normalizeMac } from '../../lib/net.js';

export interface NeighbourEntry {
  ip: string;
  mac: string;
  dev?: string;
}

/** `/proc/net/arp`: flags 0x2 (ATF_COM) marks a complete entry. */
export function parseProcArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 6) continue;
    const flags = parseInt(f[2]!, 16);
    const mac = normalizeMac(f[3]!);
    if (!(flags & 0x2) || !mac || mac === '00:00:00:00:00:00') continue;
    out.set(f[0]!, mac);
  }
  return out;
}

/**
 * The MAC of one address in `/proc/net/arp`, without parsing the other lines (a login asks for one
 * address; the table holds every neighbour of the router). Same rules as parseProcArp.
 */
export function procArpMac(text: string, ip: string): string | undefined {
  for (let at = text.indexOf(`\n${ip} `); at >= 0; at = text.indexOf(`\n${ip} `, at + 1)) {
    const end = text.indexOf('\n', at + 1);
    const hit = parseProcArp(`header\n${text.slice(at + 1, end < 0 ? undefined : end)}`).get(ip);
    if (hit) return hit;
  }
  return undefined;
}

/** `ip -j neigh` output. */
export function parseIpNeighJson(json: string): NeighbourEntry[] {
  if (!json.trim()) return [];
  const rows = JSON.parse(json) as Array<{ dst?: string; lladdr?: string; dev?: string; state?: string[] }>;
  const out: NeighbourEntry[] = [];
  for (const r of rows) {
    const mac = r.lladdr ? normalizeMac(r.lladdr) : null;
    if (!r.dst || !mac || (r.state ?? []).some((s) => s === 'FAILED' || s === 'INCOMPLETE')) continue;
    out.push({ ip: r.dst.toLowerCase(), mac, ...(r.dev ? { dev: r.dev } : {}) });
  }
  return out;
}

/** dnsmasq lease lines: `expiry mac ip hostname client-id`; DHCPv6 lines carry a DUID, not a MAC. */
/**
 * Host names from the same dnsmasq leases file (`expiry mac ip hostname clientid`; `*` = none): what a
 * device called itself in DHCP option 12, so the status page can say "maria-phone" (issue 15 item 2).
 */
export function parseLeaseNames(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[0] === 'duid' || f[3] === '*') continue;
    const mac = normalizeMac(f[1]!);
    if (mac) out.set(mac, f[3]!);
  }
  return out;
}

export function parseLeases(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || f[0] === 'duid') continue;
    const mac = normalizeMac(f[1]!);
    if (mac && /^\d+\.\d+\.\d+\.\d+$/.test(f[2]!)) out.set(f[2]!, mac);
  }
  return out;
}
