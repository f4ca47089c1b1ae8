/**
 * Placement: which router a device is on. The Hotspot logs a device in only on the router whose host
 * table holds it (`/ip/hotspot/active/login` needs the host entry), so with several towers Portico asks
 * them all who sees the address and trusts only an unambiguous answer. A grant that names its `site`
 * (set at the last login) skips the question; with one router there is nothing to ask.
 *
 * @example
 *   const place = createPlacement(fleet);
 *   const r = await place.routerFor(grant, '10.5.50.10');
 */
import { GatewayError, type DeviceGrant } from '../driver.js';
import type { Fleet } from './fleet.js';
import type { RouterOps } from './router.js';

export interface Candidates {
  /** Every router that has `ip` in its host table, with the MAC it sees there. */
  found: Array<{ router: string; mac: string }>;
  /** Why the routers that did not answer failed. */
  failed: unknown[];
}

export interface Placement {
  candidates(ip: string): Promise<Candidates>;
  /** The one router to log `grant` in on; a GatewayError when none or several see it. */
  routerFor(grant: DeviceGrant, ip: string): Promise<RouterOps>;
}

export function createPlacement(fleet: Fleet): Placement {
  const { routers } = fleet;

  async function candidates(ip: string): Promise<Candidates> {
    const all = [...routers.values()];
    const results = await Promise.allSettled(all.map((r) => fleet.on(r, () => r.hostsAt(ip))));
    const found: Candidates['found'] = [];
    const failed: unknown[] = [];
    results.forEach((res, i) => {
      if (res.status === 'fulfilled') for (const h of res.value) found.push({ router: all[i]!.name, mac: h.mac });
      else failed.push(res.reason);
    });
    return { found, failed };
  }

  async function routerFor(grant: DeviceGrant, ip: string): Promise<RouterOps> {
    if (grant.site !== undefined) {
      const r = routers.get(grant.site);
      if (!r) throw new GatewayError(`unknown router "${grant.site}" (configured: ${[...routers.keys()].join(', ')})`);
      return r;
    }
    if (routers.size === 1) return [...routers.values()][0]!;
    const { found, failed } = await candidates(ip);
    const mine = found.filter((c) => c.mac === grant.mac);
    if (mine.length === 1) return routers.get(mine[0]!.router)!;
    if (mine.length === 0 && failed.length) throw new GatewayError(`cannot tell which router sees ${ip}: ${String(failed[0])}`);
    throw new GatewayError(mine.length ? `${ip} (${grant.mac}) is seen by several routers; pass its site` : `no router sees ${ip} (${grant.mac})`);
  }

  return { candidates, routerFor };
}
