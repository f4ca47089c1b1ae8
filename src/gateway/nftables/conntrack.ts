/**
 * Deletes connection-tracking entries (captive-clients.md c6, E1, E6): a tcp/80 flow redirected to the
 * portal stays redirected for its lifetime, and a logged-out device's NAT state must go. Each filter
 * walks the kernel's whole conntrack hash (nf_conntrack_buckets; ~13 ms at 262,144 buckets on a big
 * host, ~1 ms on a router's 16,384) whatever it names: conntrack-tools 1.4.x deletes by dump, even for
 * a full tuple. Nothing waits for it: the rules alone cut stale flows off (ruleset.ts), and the entries
 * are deleted in the background (conntrack-cleanup.ts).
 *
 * The filters of one call go to ONE process, `conntrack -R <file>` (1.4.6+: one command per line of
 * a file in the temp directory, removed after): starting a process costs Portico's event loop a fork
 * of the whole Node process (2–10 ms here, more as the heap grows), and a logout used to start two. A conntrack without `-R` (older than 1.4.6)
 * gets one process per filter, as before.
 *
 * @example
 *   await deleteFlows(runner, 'conntrack', [...flowsOf('10.0.0.23', 'source'), zoneFilter(8908, 'ipv4')]);
 */
import { rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayError } from '../driver.js';
import type { CommandRunner } from './transport.js';

/** One `conntrack -D` filter, without the program name: `['-D', '-f', 'ipv4', '-s', '10.0.0.23']`. */
export type FlowFilter = string[];

/** The filters for an address's flows: from it, or from and to it; only in `zone` when given. */
export function flowsOf(ip: string, which: 'source' | 'both', zone?: number): FlowFilter[] {
  const fam = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
  const z = zone === undefined ? [] : ['-w', String(zone)];
  const out = [['-D', '-f', fam, ...z, '-s', ip]];
  if (which === 'both') out.push(['-D', '-f', fam, ...z, '-d', ip]);
  return out;
}

/** Every entry of one zone and family (one walk: a burst's pre-login flows at once). */
export const zoneFilter = (zone: number, fam: 'ipv4' | 'ipv6'): FlowFilter => ['-D', '-f', fam, '-w', String(zone)];

/** conntrack binaries known to lack `-R` (asked once per path). */
const noBatch = new Set<string>();
let files = 0;

export async function deleteFlows(runner: CommandRunner, conntrackPath: string, filters: FlowFilter[]): Promise<void> {
  if (filters.length === 0) return;
  if (filters.some((f) => f.some((a) => /\s/.test(a) || a === ''))) throw new GatewayError('conntrack filter with a blank');
  if (!noBatch.has(conntrackPath)) {
    // A file, not `-R -`: conntrack opens /dev/stdin, which fails on the socket Node gives a child as stdin.
    const file = join(tmpdir(), `portico-conntrack-${process.pid}-${++files}`);
    await writeFile(file, filters.map((f) => f.join(' ')).join('\n') + '\n', { mode: 0o600 });
    let r;
    try {
      r = await runner.exec([conntrackPath, '-R', file]);
    } finally {
      await rm(file, { force: true });
    }
    if (r.code === 0) return;
    if (!/unknown option|invalid option|unrecognized option/i.test(r.stderr) || !/[`'"]-R\b|load-file/.test(r.stderr)) {
      // A line -R rejected: the ones before it ran; say which, the next clean-up retries nothing.
      throw new GatewayError(`${conntrackPath} -R failed: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    noBatch.add(conntrackPath);
  }
  await Promise.all(filters.map((f) => deleteOne(runner, [conntrackPath, ...f])));
}

async function deleteOne(runner: CommandRunner, argv: string[]): Promise<void> {
  const r = await runner.exec(argv);
  // Exit 1 with "0 flow entries have been deleted" just means there was nothing to flush; "such
  // conntrack doesn't exist" means another flush (or the flow's own end) removed an entry between
  // this call's dump and its delete: gone either way.
  if (r.code !== 0 && !/flow entries have been deleted|such conntrack doesn't exist/.test(r.stderr)) {
    throw new GatewayError(`${argv.join(' ')} failed: ${r.stderr.trim()}`);
  }
}
