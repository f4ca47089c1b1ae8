/**
 * What the local gateway may let through when a pool also has live RADIUS sessions (SPEC §9: "devices
 * behind the local gateway and behind NASes draw from the same pool"; "the sum of what live sessions
 * hold never exceeds what is left"). A RADIUS slice is a reservation: its NAS enforces it, and nothing
 * else may spend it. The local gateway's quota is therefore what is left MINUS what live RADIUS
 * sessions still hold — the unreserved part, which the slice rule already shares with local devices
 * (each slice is an equal share counting them, core/radius.ts `sliceFor`). Without this a local device
 * could spend the whole remainder while a NAS session still spent its slice: the pool overshoots by
 * every slice held (coova-chilli #366 across enforcement points).
 *
 * As a driver decorator it covers every place core hands a pool's limits to the gateway (login, with
 * or without its device in the same step, top-up, resync, reset, throttle, reconcile) without each
 * knowing about RADIUS. Usage keeps it
 * steady (a NAS session's bytes raise the pool's use and lower what it holds by as much); a new slice,
 * a regrant or a session's end changes it, and `pushReservation` re-sends the pool's limits then.
 *
 * @example
 *   ctx.driver = withRadiusReservations(driver, (poolId) => radiusHeldBytes(ctx, poolId));
 */
import type { GatewayDriver, PoolLimits } from './ports/driver.js';
import type { CoreContext } from './context.js';
import { poolLimits, tryGateway } from './pool.js';
import { sliceHeld, staleAfterMs } from './radius.js';

/** Bytes live (not stale) RADIUS sessions of the pool still hold. */
export function radiusHeldBytes(ctx: Pick<CoreContext, 'store' | 'clock' | 'config'>, poolId: string): number {
  const since = ctx.clock.now() - staleAfterMs(ctx.config.radius.server.interimIntervalSec);
  return ctx.store.radiusSessions.livePoolSessions(poolId, since).reduce((n, s) => n + sliceHeld(s), 0);
}

export function withRadiusReservations(driver: GatewayDriver, held: (poolId: string) => number): GatewayDriver {
  const adjust = (p: PoolLimits): PoolLimits => {
    if (p.bytesRemaining === null) return p;
    const h = held(p.id);
    return h > 0 ? { ...p, bytesRemaining: Math.max(0, p.bytesRemaining - h) } : p;
  };
  return new Proxy(driver, {
    get(target, prop, receiver) {
      if (prop === 'setPool') return (p: PoolLimits) => target.setPool(adjust(p));
      // A first login's pool and device in one step (nftables) carries the pool's limits too; a driver
      // that does not offer it keeps not offering it.
      if (prop === 'authorizeWithPool') {
        const together = target.authorizeWithPool?.bind(target);
        return together && ((p: PoolLimits, g: Parameters<typeof together>[1]) => together(adjust(p), g));
      }
      if (prop === 'reconcile') {
        return (state: Parameters<GatewayDriver['reconcile']>[0]) => target.reconcile({ ...state, pools: state.pools.map(adjust) });
      }
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** After a RADIUS reservation changed: the local gateway gets the pool's new share (only if it has devices on it). */
export function pushReservation(ctx: CoreContext, entitlementId: string): void {
  if (!ctx.store.entitlements.activeDevices(entitlementId).length) return;
  const stored = ctx.store.entitlements.get(entitlementId);
  if (!stored || stored.dataTotal === null) return;
  void tryGateway(ctx, 'setPool (radius reservation)', () => ctx.driver.setPool(poolLimits(ctx.ledger.current(stored), ctx.clock.now())));
}
