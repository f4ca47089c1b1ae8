/**
 * The `nftables` driver entry point: resolves the config (intercept port defaults to listen.port, the
 * portal's TLS port is allowed pre-login) and wires the real process runner and /proc/net.
 *
 * @example
 *   const driver = await createNftablesDriver(config, { log, clock });
 */
import type { Config } from '../../config/schema.js';
import { memoryFileReader } from '../../lib/memory-files.js';
import type { DriverDeps } from '../driver.js';
import type { GatewayDriver } from '../driver.js';
import { createNftablesDriverWith, type NftablesOptions } from './driver.js';
import { nodeRunner } from './transport.js';

export function nftablesOptions(config: Config): NftablesOptions {
  const n = config.gateway.nftables;
  const interceptPort = n.interceptPort ?? config.listen.port;
  const portalPorts = [config.listen.port, ...(config.tls.port !== undefined ? [config.tls.port] : [])];
  return {
    table: n.table,
    interfaces: n.interfaces,
    interceptPort,
    dnsPort: n.dnsPort,
    portalPorts,
    walledGarden: n.walledGarden,
    ipv6: n.ipv6,
    leasesFile: n.leasesFile,
    nftPath: n.nftPath,
    conntrackPath: n.conntrackPath,
    ipPath: n.ipPath,
    learnIntervalMs: n.learnIntervalMs,
  };
}

export async function createNftablesDriver(config: Config, deps: DriverDeps): Promise<GatewayDriver> {
  const read = memoryFileReader();
  return createNftablesDriverWith(nftablesOptions(config), {
    log: deps.log,
    runner: nodeRunner(),
    // /proc/net/arp and the dnsmasq leases (tmpfs on OpenWrt) are memory reads: read at once. An async
    // read is five thread-pool round trips, each waiting for a busy event loop: 1–67 ms of a login's
    // time in the nftables bench, against ~0.1 ms; /proc/net/arp through a descriptor kept open
    // (lib/memory-files.ts). It lives as long as the process.
    readFile: async (p) => read(p),
    procNetDir: '/proc/net',
  });
}
