/**
 * Who is behind an address, as the gateway's kernel sees it right now (neighbours.ts parses): IPv4 from
 * `/proc/net/arp` (a file read, no process) with the dnsmasq leases as the fallback, IPv6 from
 * `ip -j -6 neigh show to IP`; the host name, when the device gave one, from the dnsmasq leases. `neighbours()` lists the whole neighbour table for address learning
 * (a logged-in device's new IPv6 privacy address, or an address that moved to another MAC).
 *
 * @example
 *   const lookup = createClientLookup({ runner, readFile, procNetDir: '/proc/net', ipPath: 'ip', leasesFile, interfaces: ['br-lan'] });
 *   await lookup.client('10.0.0.23'); // { mac: '02:00:00:aa:bb:cc', ip: '10.0.0.23' }
 */
import { isIP } from 'node:net';
import { normalizeIp } from '../../lib/net.js';
import type { ClientInfo } from '../driver.js';
import { parseIpNeighJson, parseLeaseNames, parseLeases, procArpMac, type NeighbourEntry } from './neighbours.js';
import type { CommandRunner } from './transport.js';

export interface ClientLookupDeps {
  runner: CommandRunner;
  readFile(path: string): Promise<string>;
  /** `/proc/net` of the gateway's network namespace (tests pass `/proc/<pid>/net`). */
  procNetDir: string;
  ipPath: string;
  leasesFile: string;
  /** Only neighbours on these interfaces are learned. */
  interfaces: string[];
}

export function createClientLookup(deps: ClientLookupDeps) {
  return {
    async client(rawIp: string): Promise<ClientInfo | null> {
      const ip = normalizeIp(rawIp);
      if (isIP(ip) === 0) return null;
      let mac: string | undefined;
      // Read beside the neighbour lookup, not after it: the host name needs the leases anyway.
      const leaseText = deps.readFile(deps.leasesFile).catch(() => '');
      if (isIP(ip) === 4) {
        mac = procArpMac(await deps.readFile(`${deps.procNetDir}/arp`).catch(() => ''), ip);
        mac ??= parseLeases(await leaseText).get(ip);
      } else {
        const r = await deps.runner.exec([deps.ipPath, '-j', '-6', 'neigh', 'show', 'to', ip]);
        mac = r.code === 0 ? parseIpNeighJson(r.stdout).find((n) => n.ip === ip)?.mac : undefined;
      }
      if (!mac) return null;
      // The name the device gave in DHCP (status page device names); none when it gave none.
      const hostName = parseLeaseNames(await leaseText).get(mac);
      return hostName ? { mac, ip, hostName } : { mac, ip };
    },

    /** Complete neighbour entries on the captive interfaces, link-local addresses left out. */
    async neighbours(): Promise<NeighbourEntry[]> {
      const r = await deps.runner.exec([deps.ipPath, '-j', 'neigh', 'show']);
      if (r.code !== 0) return [];
      return parseIpNeighJson(r.stdout).filter((n) => (!n.dev || deps.interfaces.includes(n.dev)) && !n.ip.startsWith('fe80:'));
    },
  };
}
