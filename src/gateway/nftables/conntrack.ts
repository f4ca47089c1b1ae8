/**
 * Flushes a device's connection-tracking entries (captive-clients.md c6, E1, E6): a tcp/80 flow
 * redirected to the portal stays redirected for its lifetime, so login must drop it; logout must drop
 * the device's NAT state too. One `conntrack -D` per address and direction, run in parallel: each call
 * walks the kernel's whole conntrack hash (nf_conntrack_buckets; ~13 ms at 262,144 buckets on a big host,
 * ~1 ms on a router's 16,384) whatever the filter: conntrack-tools 1.4.x deletes by dump, even for a
 * full tuple. Nothing waits for it: the rules alone cut stale flows off (ruleset.ts), and the entries
 * are deleted in the background (conntrack-cleanup.ts).
 *
 * @example
 *   await flushConntrack(runner, 'conntrack', ['10.0.0.23'], 'source');
 */
import { isIP } from 'node:net';
import { GatewayError } from '../driver.js';
import type { CommandRunner } from './transport.js';

export async function flushConntrack(
  runner: CommandRunner,
  conntrackPath: string,
  ips: string[],
  which: 'source' | 'both',
  /** Only entries of this conntrack zone (e.g. the pre-login zone, leaving new flows alone). */
  zone?: number,
): Promise<void> {
  const calls: string[][] = [];
  const z = zone === undefined ? [] : ['-w', String(zone)];
  for (const ip of ips) {
    const fam = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    calls.push([conntrackPath, '-D', '-f', fam, ...z, '-s', ip]);
    if (which === 'both') calls.push([conntrackPath, '-D', '-f', fam, ...z, '-d', ip]);
  }
  await Promise.all(calls.map((argv) => deleteFlows(runner, argv)));
}

/** Every entry of one conntrack zone and family (one walk: a burst's pre-login flows at once). */
export async function flushZone(runner: CommandRunner, conntrackPath: string, zone: number, fam: 'ipv4' | 'ipv6'): Promise<void> {
  await deleteFlows(runner, [conntrackPath, '-D', '-f', fam, '-w', String(zone)]);
}

async function deleteFlows(runner: CommandRunner, argv: string[]): Promise<void> {
  const r = await runner.exec(argv);
  // Exit 1 with "0 flow entries have been deleted" just means there was nothing to flush; "such
  // conntrack doesn't exist" means another flush (or the flow's own end) removed an entry between
  // this call's dump and its delete: gone either way.
  if (r.code !== 0 && !/flow entries have been deleted|such conntrack doesn't exist/.test(r.stderr)) {
    throw new GatewayError(`${argv.join(' ')} failed: ${r.stderr.trim()}`);
  }
}
