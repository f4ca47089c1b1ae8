/**
 * Which configured NAS a datagram comes from, by source address (RFC 2865 §3: the server "MUST" know
 * each client and its shared secret; packets from anywhere else are silently discarded). An exact IP
 * wins over a CIDR, and a longer prefix over a shorter one, like FreeRADIUS's `clients.conf`.
 *
 * @example
 *   const find = nasTable(config.radius.server.nas);
 *   find('::ffff:10.5.0.1')?.name; // 'mikrotik-1'
 */
import { BlockList, isIP } from 'node:net';
import type { NasConfig } from '../config/schema.js';
import { normalizeIp } from '../lib/net.js';

export function nasTable(list: readonly NasConfig[]): (address: string) => NasConfig | undefined {
  const entries = list
    .map((nas) => {
      const [raw, bits] = nas.address.split('/') as [string, string | undefined];
      const ip = normalizeIp(raw);
      const family = isIP(ip) === 6 ? ('ipv6' as const) : ('ipv4' as const);
      const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
      const block = new BlockList();
      block.addSubnet(ip, prefix, family);
      return { nas, family, prefix: family === 'ipv4' ? prefix + 96 : prefix, block };
    })
    .sort((a, b) => b.prefix - a.prefix);
  return (address) => {
    const ip = normalizeIp(address);
    const family = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    return entries.find((e) => e.family === family && e.block.check(ip, family))?.nas;
  };
}
