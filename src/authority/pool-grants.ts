/**
 * A local pool as the sum of its devices' RADIUS grants (authority/radius.ts): each device's session
 * holds what the server granted it (a session-total, RFC 2865 Session-Timeout and the data attributes),
 * and the pool the gateway enforces is used + Σ(grant − used in that session), ending at the latest
 * session end. Here too: re-authorization before a grant runs out, when the server asked for it
 * (Termination-Action RADIUS-Request, RFC 2865 §5.29) — a central pool shared by several gateways is
 * handed out in slices (radius.md §b), so a gateway asks for the next slice while a third of the last
 * is still left, or 10 s before the Session-Timeout — Interim-Updates, and the Stop of every device that
 * leaves by any path (it listens for `device.detached`).
 *
 * @example
 *   const grants = createPoolGrants(ctx, { sessions, accounting, ask });
 *   await grants.refresh(poolId, now);        // after a grant changed: store + gateway
 */
import type { CoreContext } from '../core/context.js';
import { withPool } from '../core/lifecycle.js';
import type { DeviceRow } from '../core/ports/model.js';
import { onGateway, poolLimits, tryGateway } from '../core/pool.js';
import { transact } from '../core/tx.js';
import { DomainError } from '../domain/errors.js';
import { terminateCauseOf, type AccountingSender } from './accounting.js';
import type { Grant } from './grant.js';
import { regranted, sessionCounters, type RemoteSession, type Sessions } from './sessions.js';

export type Ask = (d: { userName: string; mac: string; ip: string; sessionId: string; stateHex: string | null }) => Promise<Grant>;

export interface PoolGrantsDeps {
  sessions: Sessions;
  accounting?: AccountingSender;
  ask?: Ask;
}

/** Re-authorize once less than this share of the last slice is left. */
const REAUTH_SHARE = 1 / 3;
/** …or this long before the Session-Timeout, at least (ms; the poll interval is added). */
const REAUTH_LEAD_MS = 10_000;
/** A pool is asked again at most this often (ms)… */
const REAUTH_EVERY_MS = 5_000;
/** …or this often while no server answers it (ms): an outage must not become a flood of questions. */
const SILENT_RETRY_MS = 30_000;

export function createPoolGrants(ctx: CoreContext, deps: PoolGrantsDeps) {
  const { sessions } = deps;
  const lastInterim = new Map<string, number>();
  const nextTry = new Map<string, number>();
  const inFlight = new Set<string>();
  const running = new Set<Promise<unknown>>();

  function counters(s: RemoteSession) {
    return sessionCounters(s, ctx.store.entitlements.getDevice(s.deviceId));
  }

  /** Writes the pool the sessions add up to and hands it to the gateway. */
  async function refresh(poolId: string, now: number): Promise<void> {
    ctx.ledger.flush(now);
    const ent = ctx.store.entitlements.get(poolId);
    if (!ent) return;
    const devices = ctx.store.entitlements.activeDevices(poolId);
    const own = devices.map((d) => sessions.get(d.id)).filter((s): s is RemoteSession => !!s);
    if (!own.length) return;
    let left = 0;
    let unlimited = false;
    let endsAt = 0;
    let timeless = false;
    for (const s of own) {
      if (s.limitBytes === null) unlimited = true;
      else {
        const c = counters(s);
        left += Math.max(0, s.limitBytes - c.up - c.down);
      }
      if (s.endsAt === null) timeless = true;
      else endsAt = Math.max(endsAt, s.endsAt);
    }
    const latest = own[own.length - 1]!;
    const updated = {
      ...ent, status: 'active' as const, updatedAt: now,
      dataTotal: unlimited ? null : ent.usedBytes + left,
      expiresAt: timeless ? null : endsAt,
      plan: { ...ent.plan, devices: Math.max(ent.plan.devices, devices.length), downBps: latest.downBps, upBps: latest.upBps },
    };
    transact(ctx, 'the RADIUS grant', (t) => {
      ctx.store.entitlements.update(updated);
      ctx.store.vouchers.setStatusForEntitlement(poolId, 'active');
      t.publish(['entitlement.changed', { entitlementId: poolId, status: 'active', reason: 'radius-grant' }]);
    });
    await tryGateway(ctx, 'setPool (RADIUS grant)', () => ctx.driver.setPool(poolLimits(ctx.ledger.current(updated), now)));
  }

  /** Ends devices in the store (the caller holds the pool's lock and takes them off the gateway). */
  function endDevices(devices: DeviceRow[], reason: string, now: number): void {
    if (!devices.length) return;
    transact(ctx, 'the end of RADIUS sessions', (t) => {
      for (const d of devices) {
        ctx.store.entitlements.endDevice(d.id, reason, now);
        t.record(
          { type: 'device.detached', actor: { type: 'system' }, subject: d.entitlementId, data: { deviceId: d.id, reason } },
          ['device.detached', { deviceId: d.id, entitlementId: d.entitlementId, mac: d.mac, reason }],
        );
      }
    });
  }

  interface Answers {
    granted: Map<string, Grant>;
    refused: DeviceRow[];
    /** No server answered at all. */
    silent: boolean;
  }

  /**
   * Asks the server again for every device of the pool whose grant says so, after an Interim-Update
   * (the server counts each slice from what it knows the session used). Needs no lock: nothing is
   * written but accounting.
   */
  async function askAgain(poolId: string, now: number): Promise<Answers | null> {
    const ask = deps.ask;
    if (!ask) return null;
    ctx.ledger.flush(now);
    const targets = ctx.store.entitlements.activeDevices(poolId).filter((d) => sessions.get(d.id)?.reauth);
    if (!targets.length) return null;
    for (const d of targets) interim(sessions.get(d.id)!, d, now);
    await deps.accounting?.flush();
    const answers: Answers = { granted: new Map(), refused: [], silent: true };
    for (const d of targets) {
      const s = sessions.get(d.id);
      if (!s) continue;
      try {
        answers.granted.set(d.id, await ask({ userName: s.userName, mac: d.mac, ip: d.ip, sessionId: d.id, stateHex: s.stateHex }));
        answers.silent = false;
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        ctx.log.info('radius-authority', `re-authorization of ${d.id}: ${err.code}`);
        // No server answered: the others would wait as long for nothing (the sweep may be waiting on this).
        if (err.code === 'GATEWAY_UNAVAILABLE') break;
        answers.refused.push(d);
        answers.silent = false;
      }
    }
    return answers;
  }

  /**
   * Applies the answers (caller holds the pool's lock): accepted devices get their new grant, refused
   * ones end (returned; the caller takes them off the gateway). Null when nothing was granted.
   */
  async function applyAnswers(poolId: string, a: Answers): Promise<{ ended: DeviceRow[] } | null> {
    if (!a.granted.size) return null;
    const now = ctx.clock.now();
    ctx.ledger.flush(now);
    for (const [id, g] of a.granted) {
      const s = sessions.get(id);
      if (s && ctx.store.entitlements.getDevice(id)?.active) sessions.put(regranted(s, g, now, counters(s)));
    }
    const refused = a.refused.filter((d) => ctx.store.entitlements.getDevice(d.id)?.active);
    endDevices(refused, 'refused by the network', now);
    await refresh(poolId, now);
    return { ended: refused };
  }

  /** Both, for a caller that already holds the pool's lock (the sweep ending a pool, core/lifecycle.ts). */
  async function renew(poolId: string, now: number): Promise<{ ended: DeviceRow[] } | null> {
    const a = await askAgain(poolId, now);
    return a ? applyAnswers(poolId, a) : null;
  }

  /**
   * Proactive re-authorization from the sweep's figures (the `usage` event): the questions go out
   * without the pool's lock (a login or logout of that pool never waits on the backhaul), the answers
   * are applied under it. A pool whose server stayed silent is asked again only after SILENT_RETRY_MS.
   */
  function watchUsage(): () => void {
    return ctx.bus.on('usage', 'radius-authority', (u) => {
      const leadSec = (REAUTH_LEAD_MS + ctx.config.accounting.pollMs) / 1000;
      for (const p of u.pools) {
        const own = sessions.ofPool(p.entitlementId).filter((s) => s.reauth);
        if (!own.length || inFlight.has(p.entitlementId) || u.at < (nextTry.get(p.entitlementId) ?? 0)) continue;
        const slice = own.reduce((n, s) => n + (s.sliceBytes ?? 0), 0);
        const low = p.bytesRemaining !== null && p.bytesRemaining <= slice * REAUTH_SHARE;
        const late = p.secondsRemaining !== null && p.secondsRemaining <= leadSec;
        if (!low && !late) continue;
        inFlight.add(p.entitlementId);
        nextTry.set(p.entitlementId, u.at + REAUTH_EVERY_MS);
        const run = (async () => {
          const a = await askAgain(p.entitlementId, ctx.clock.now());
          if (!a) return;
          if (a.silent) nextTry.set(p.entitlementId, u.at + SILENT_RETRY_MS);
          const r = await withPool(ctx, p.entitlementId, () => applyAnswers(p.entitlementId, a));
          if (r) await Promise.all(r.ended.map((d) => tryGateway(ctx, 'deauthorize (refused)', () => ctx.driver.deauthorize(d.id))));
        })()
          .catch((err) => ctx.log.error('radius-authority/usage', 're-authorization failed', { err }))
          .finally(() => {
            inFlight.delete(p.entitlementId);
            running.delete(run);
          });
        running.add(run);
      }
    });
  }

  function stop(s: RemoteSession, reason: string, now: number): void {
    const c = counters(s);
    deps.accounting?.send({
      type: 2, sessionId: s.deviceId, userName: s.userName, mac: s.mac, ip: s.ip, classHex: s.classHex,
      inOctets: c.up, outOctets: c.down, sessionTime: Math.max(0, Math.floor((now - s.startedAt) / 1000)), cause: terminateCauseOf(reason), at: now,
    });
    sessions.remove(s.deviceId);
    lastInterim.delete(s.deviceId);
  }

  /** Stop for every device that leaves, whatever the path; after the commit, with its last usage flushed. */
  function watchEnds(): () => void {
    return ctx.bus.on('device.detached', 'radius-authority', (e) => {
      if (!sessions.get(e.deviceId)) return;
      setImmediate(() => {
        try {
          const s = sessions.get(e.deviceId);
          if (!s) return;
          const now = ctx.clock.now();
          ctx.ledger.flush(now);
          stop(s, e.reason, now);
        } catch (err) {
          // The next recordUsage sends the Stop of a session whose device is gone (interims()).
          ctx.log.error('radius-authority/device.detached', 'could not queue the Stop', { err });
        }
      });
    });
  }

  /** Interim-Updates that are due, and Stops for sessions whose device is gone (a missed event, a restart). */
  function interims(now: number, accounting: AccountingSender): void {
    for (const s of sessions.all()) {
      const d = ctx.store.entitlements.getDevice(s.deviceId);
      if (!d?.active) {
        stop(s, d?.endReason ?? 'gone', now);
        continue;
      }
      if (!s.interimSec || now - (lastInterim.get(s.deviceId) ?? s.startedAt) < s.interimSec * 1000) continue;
      interim(s, d, now, accounting);
    }
  }

  function interim(s: RemoteSession, d: DeviceRow, now: number, accounting = deps.accounting): void {
    lastInterim.set(s.deviceId, now);
    const c = counters(s);
    accounting?.send({
      type: 3, sessionId: s.deviceId, userName: s.userName, mac: s.mac, ip: d.ip, classHex: s.classHex,
      inOctets: c.up, outOctets: c.down, sessionTime: Math.max(0, Math.floor((now - s.startedAt) / 1000)), at: now,
    });
  }

  /**
   * Disconnect-Request (RFC 5176 §3.1): the device leaves the gateway at once (which must succeed for
   * an ACK), then the store. Returns false when no such session is online.
   */
  async function disconnect(deviceId: string): Promise<boolean> {
    const d = ctx.store.entitlements.getDevice(deviceId);
    if (!d?.active) return false;
    return withPool(ctx, d.entitlementId, async () => {
      if (!ctx.store.entitlements.getDevice(deviceId)?.active) return false;
      await onGateway(ctx, 'deauthorize (Disconnect-Request)', () => ctx.driver.deauthorize(deviceId));
      endDevices([d], 'disconnect', ctx.clock.now());
      ctx.ledger.forget(deviceId);
      if (!ctx.store.entitlements.activeDevices(d.entitlementId).length) await tryGateway(ctx, 'removePool', () => ctx.driver.removePool(d.entitlementId));
      return true;
    });
  }

  /** CoA-Request (RFC 5176 §3.2): the grant changes to what it carries (absent figures stay). */
  async function change(deviceId: string, g: Grant): Promise<boolean> {
    const d = ctx.store.entitlements.getDevice(deviceId);
    const s = sessions.get(deviceId);
    if (!d?.active || !s) return false;
    return withPool(ctx, d.entitlementId, async () => {
      const now = ctx.clock.now();
      ctx.ledger.flush(now);
      sessions.put(regranted(s, g, now, counters(s), true));
      await refresh(d.entitlementId, now);
      return true;
    });
  }

  /** Resolves when the re-authorizations started so far have finished (shutdown, tests). */
  async function settle(): Promise<void> {
    while (running.size) await Promise.allSettled([...running]);
  }

  return { refresh, renew, watchUsage, watchEnds, interims, disconnect, change, settle };
}

export type PoolGrants = ReturnType<typeof createPoolGrants>;
