/**
 * The fleet: every configured MikroTik, and the failure policy for talking to several of them. A router
 * that is down must not block the others (a voucher works on any tower), so fan-outs settle on every
 * router and fail only when all of them did; a pool change a router missed is remembered as *dirty* and
 * replayed before that router's next call, so it converges as soon as it answers again.
 *
 * Calls to one router are serialised (the replay, then the call), because RouterOS applies sentences in
 * arrival order per connection and a login must see the profile its `shared-users` was raised in.
 *
 * @example
 *   const fleet = createFleet({ routers, log, replay: (r, poolId) => apply(r, poolId) });
 *   await fleet.everywhere('setPool p1', (r) => apply(r, 'p1'), (r) => fleet.markDirty(r, 'p1'));
 */
import { keyedMutex } from '../../lib/mutex.js';
import type { Logger } from '../../lib/log.js';
import { GatewayError } from '../driver.js';
import { RouterOsTrap } from './client.js';
import type { RouterOps } from './router.js';

export const OWNER = 'gateway/routeros';

export interface FleetDeps {
  routers: RouterOps[];
  log: Logger;
  /** Brings one pool on one router in line with what the driver wants now (push it, or remove it). */
  replay: (r: RouterOps, poolId: string) => Promise<void>;
}

export interface Fleet {
  /** By name, in configuration order. */
  readonly routers: ReadonlyMap<string, RouterOps>;
  /** Runs `fn` on one router, serialised per router, after replaying what it missed. */
  on<T>(r: RouterOps, fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` on every router; a failing router is logged and handed to `onFail`. Throws only if all fail. */
  everywhere(what: string, fn: (r: RouterOps) => Promise<void>, onFail?: (r: RouterOps) => void): Promise<void>;
  /** Remembers that `r` must be brought in line with `poolId` before its next call. */
  markDirty(r: RouterOps, poolId: string): void;
}

export function createFleet(deps: FleetDeps): Fleet {
  const routers = new Map(deps.routers.map((r) => [r.name, r]));
  /** Pools each router still has to be brought in line with (pushed, or removed if no longer wanted). */
  const dirty = new Map<string, Set<string>>([...routers.keys()].map((n) => [n, new Set<string>()]));
  const locks = keyedMutex();

  function on<T>(r: RouterOps, fn: () => Promise<T>): Promise<T> {
    return locks.run(r.name, async () => {
      const todo = dirty.get(r.name)!;
      for (const poolId of [...todo]) {
        try {
          await deps.replay(r, poolId);
        } catch (err) {
          // Unreachable: keep it for next time. Refused (`!trap`): retrying cannot help; say so once.
          if (!(err instanceof RouterOsTrap)) throw err;
          deps.log.warn(OWNER, 'router refused a replayed pool change', { router: r.name, poolId, err: err.trapMessage });
        }
        todo.delete(poolId);
      }
      return fn();
    });
  }

  async function everywhere(what: string, fn: (r: RouterOps) => Promise<void>, onFail?: (r: RouterOps) => void): Promise<void> {
    const all = [...routers.values()];
    const results = await Promise.allSettled(all.map((r) => on(r, () => fn(r))));
    const failed = results.flatMap((res, i) => (res.status === 'rejected' ? [[all[i]!, res.reason] as const] : []));
    for (const [r, err] of failed) {
      onFail?.(r);
      deps.log.warn(OWNER, `${what} failed on router ${r.name}`, { err: String(err) });
    }
    if (failed.length === routers.size) throw failed[0]![1] instanceof GatewayError ? failed[0]![1] : new GatewayError(`${what} failed`, { cause: failed[0]![1] });
  }

  return {
    routers,
    on,
    everywhere,
    markDirty: (r, poolId) => void dirty.get(r.name)!.add(poolId),
  };
}
