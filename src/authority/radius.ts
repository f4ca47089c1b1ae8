/**
 * The authority over RADIUS (SPEC §10, issue 12): a gateway Portico whose residents are authorized by a
 * central server (a central Portico with profile `portico`, FreeRADIUS, OpenWISP, User Manager), so many
 * gateways share one ledger. It implements the same port as the local ledger (core/ports/authority.ts):
 *
 * - `redeem` sends the code as an Access-Request (PAP, Calling-Station-Id, Framed-IP-Address,
 *   NAS-Identifier, Acct-Session-Id = the device id, Message-Authenticator; radius/client.ts retries and
 *   fails over within `timeoutMs`). Accept → the grant (grant.ts); Reject → the portal's refusal; no
 *   answer → GATEWAY_UNAVAILABLE, the portal's 503 "the network is not answering, your code was not
 *   used", and nothing changes.
 * - `commit` keeps local rows of what the Accept said — a voucher (one batch per remote code), a pool
 *   and the device — so every synchronous reader (status, /api/captive, console, WebSocket feeds) works
 *   unchanged, and the gateway driver enforces the grant (with nftables the kernel quota holds it). The
 *   local pool's data is what the server granted its devices here: used + Σ(each session's grant − what
 *   that session used).
 * - accounting (accounting.ts) is durable: Start at commit, Interim-Update from the sweep's
 *   `recordUsage`, Stop when a device leaves (any path: logout, replace, pool end, Disconnect).
 * - re-authorization (pool-grants.ts) when the server asked for it (Termination-Action RADIUS-Request):
 *   before a slice or the Session-Timeout runs out, and when the sweep would end the pool.
 *
 * @example
 *   const authority = radiusAuthority(ctx, { config, client, sessions, accounting });
 */
import { Buffer } from 'node:buffer';
import type { Config } from '../config/schema.js';
import { localAuthority, loggedInElsewhere } from '../core/authority-local.js';
import type { CoreContext } from '../core/context.js';
import type { EntitlementAuthority, Redemption } from '../core/ports/authority.js';
import type { DeviceRow, EntitlementRow } from '../core/ports/model.js';
import { sourcePrefix } from '../core/throttle.js';
import { transact } from '../core/tx.js';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import { validatePlan } from '../domain/plan.js';
import { Code } from '../radius/packet.js';
import { RadiusUnreachable, type RadiusClient } from '../radius/client.js';
import { AcctTerminateCause } from '../radius/dictionary.js';
import { deviceAttributes, type AccountingSender, type NasIdentity } from './accounting.js';
import { grantOf, replyMessageOf, type Grant } from './grant.js';
import { regranted, sessionCounters, type RemoteSession, type Sessions } from './sessions.js';
import { createPoolGrants, type Ask } from './pool-grants.js';

export interface RadiusAuthorityDeps {
  config: Config['authority']['radius'];
  client: Pick<RadiusClient, 'access'>;
  sessions: Sessions;
  accounting: AccountingSender;
  /** The refusal code whose sentence a Reply-Message is, in any of the portal's languages (the composition knows them). */
  recognize?: (replyMessage: string) => ErrorCode | null;
}

type RemoteRedemption = Redemption & { ent: EntitlementRow; grant: Grant; userName: string; code: string; newVoucher: boolean; mac: string; ip: string };

/** Codes asked about and not yet stored are remembered in bounded maps: guessing must not grow memory. */
const MAX_PENDING = 1024;
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_PENDING) map.delete(map.keys().next().value as K);
}

const REFUSALS = new Set<ErrorCode>(['VOUCHER_UNKNOWN', 'VOUCHER_REVOKED', 'VOUCHER_EXPIRED', 'VOUCHER_EXHAUSTED', 'DEVICE_LIMIT', 'TOO_MANY_ATTEMPTS']);

export function radiusAuthority(ctx: CoreContext, deps: RadiusAuthorityDeps) {
  const local = localAuthority(ctx);
  const { sessions, accounting } = deps;
  const nas: NasIdentity = { nasIdentifier: deps.config.nasIdentifier, ...(deps.config.bindAddress ? { nasIp: deps.config.bindAddress } : {}) };
  /** The voucher id `find` handed out for a code not stored yet (until `commit` writes it), and the code as typed per login. */
  const idOfCode = new Map<string, string>();
  const asked = new Map<string, { code: string; typed: string }>();
  const grants = createPoolGrants(ctx, { sessions, accounting, ask: (d) => ask(d) });

  /** An Access-Request for a device; throws the refusal, GATEWAY_UNAVAILABLE when no server answers. */
  async function ask(d: Parameters<Ask>[0]): Promise<Grant> {
    const attrs = [...deviceAttributes(nas, d), ['User-Password', d.userName] as const, ...(d.stateHex ? [['State', Buffer.from(d.stateHex, 'hex')] as const] : [])];
    let reply;
    try {
      reply = await deps.client.access(attrs);
    } catch (err) {
      if (!(err instanceof RadiusUnreachable)) throw err;
      throw new DomainError('GATEWAY_UNAVAILABLE', 'the network is not answering; your code was not used', {}, { cause: err });
    }
    if (reply.packet.code === Code.AccessAccept) {
      const grant = grantOf(reply.packet);
      if (grant.bytes === 0) throw new DomainError('VOUCHER_EXHAUSTED', 'the data on this code is used up');
      return grant;
    }
    // Reject (or a Challenge, which a voucher login cannot answer): the server's words, else ours.
    const text = reply.packet.code === Code.AccessReject ? replyMessageOf(reply.packet) : null;
    const known = text ? (deps.recognize?.(text) ?? (REFUSALS.has(text as ErrorCode) ? (text as ErrorCode) : null)) : null;
    throw new DomainError(known ?? 'VOUCHER_UNKNOWN', text ?? 'the network refused this code', known || !text ? {} : { serverMessage: text });
  }

  /** The session a login opens (a new device from zero) or continues (a device already in the pool). */
  function sessionOf(deviceId: string, r: { poolId: string; voucherId: string; mac: string; ip: string; userName: string }, grant: Grant, now: number, prev?: RemoteSession): RemoteSession {
    if (prev) return regranted({ ...prev, ip: r.ip }, grant, now, sessionCounters(prev, ctx.store.entitlements.getDevice(deviceId)));
    return regranted({
      deviceId, poolId: r.poolId, voucherId: r.voucherId, mac: r.mac, ip: r.ip, userName: r.userName, startedAt: now,
      limitBytes: null, endsAt: null, downBps: null, upBps: null, classHex: null, stateHex: null, reauth: false, interimSec: null,
      baseUp: 0, baseDown: 0, sliceBytes: null,
    }, grant, now, { up: 0, down: 0 });
  }

  const authority: EntitlementAuthority = {
    async find(code, client, typed) {
      ctx.throttle.check(client.mac, sourcePrefix(client.ip));
      const voucher = ctx.store.vouchers.findByCode(code);
      const voucherId = voucher?.id ?? idOfCode.get(code) ?? ctx.newId('vch');
      if (!voucher) remember(idOfCode, code, voucherId);
      remember(asked, `${voucherId}|${client.mac}`, { code, typed: typeof typed === 'string' && typed.trim() ? typed.trim() : code });
      return { voucherId, poolId: voucher?.entitlementId ?? null };
    },

    async redeem({ voucherId, client, now }) {
      const stored = ctx.store.vouchers.get(voucherId);
      const pending = asked.get(`${voucherId}|${client.mac}`);
      const code = stored?.code ?? pending?.code;
      if (!code) throw new DomainError('VOUCHER_UNKNOWN', 'this code does not exist');
      // An operator of this gateway revoked the code here: that stands, whatever the server would say.
      if (stored?.status === 'revoked') throw new DomainError('VOUCHER_REVOKED', 'this code was revoked');
      const userName = deps.config.normalizeCode ? code : (pending?.typed ?? code);
      const pool = stored?.entitlementId ? ctx.store.entitlements.get(stored.entitlementId) : undefined;
      const live = pool?.status === 'active' ? pool : undefined;
      const present = live ? ctx.store.entitlements.activeDevices(live.id).find((d) => d.mac === client.mac) : undefined;
      const deviceId = present?.id ?? ctx.newId('dev');
      const prev = present ? sessions.get(present.id) : undefined;
      let grant: Grant;
      try {
        grant = await ask({ userName: prev?.userName ?? userName, mac: client.mac, ip: client.ip, sessionId: deviceId, stateHex: prev?.stateHex ?? null });
      } catch (err) {
        // A code the server does not know is a guess, counted like the local ledger counts it (device limit, used up… are not).
        if (err instanceof DomainError && err.code === 'VOUCHER_UNKNOWN') {
          const prefix = sourcePrefix(client.ip);
          const t = ctx.throttle.fail(client.mac, prefix);
          if (t.locked) err.details.retryAfter = t.retryAfter;
          ctx.auditSummary.note(t.locked ? 'login.locked' : 'login.failed', prefix, { type: 'device', id: client.mac }, { ip: client.ip, failures: t.failures, retryAfter: t.retryAfter, authority: 'radius' });
          ctx.bus.emit('login.failed', { ip: client.ip, mac: client.mac, code: err.code });
        }
        throw err;
      }
      const ent: EntitlementRow = live ?? {
        id: ctx.newId('ent'), voucherId, status: 'active', updatedAt: now, activatedAt: now, usedBytes: 0, periodStart: null,
        plan: validatePlan({ durationSec: grant.secondsLeft ?? undefined, dataBytes: grant.bytes ?? undefined, downBps: grant.downBps ?? undefined, upBps: grant.upBps ?? undefined } as never),
        expiresAt: grant.secondsLeft !== null ? now + grant.secondsLeft * 1000 : null, dataTotal: grant.bytes,
      };
      const r: RemoteRedemption = {
        voucherId, poolId: ent.id, firstUse: !live, ent, grant, userName: prev?.userName ?? userName, code, newVoucher: !stored, mac: client.mac, ip: client.ip,
        limits: { id: ent.id, downBps: grant.downBps, upBps: grant.upBps, bytesRemaining: grant.bytes },
        // A live pool whose devices all left is no longer on the gateway (logout removed it).
        deviceId, present: !!present, poolIsNew: !live || ctx.store.entitlements.activeDevices(live.id).length === 0, evicted: undefined,
        elsewhere: present ? undefined : ctx.store.entitlements.activeDeviceByMac(client.mac),
      };
      return r;
    },

    async commit(red, client, now) {
      const r = red as RemoteRedemption;
      const { ent, deviceId } = r;
      const actor = { type: 'device' as const, id: client.mac };
      transact(ctx, 'the login', (t) => {
        if (r.newVoucher) {
          ctx.store.vouchers.insertBatch(
            { id: ctx.newId('bat'), planName: 'RADIUS', plan: ent.plan, count: 1, note: `authorized by RADIUS (${deps.config.nasIdentifier})`, price: null, sellerId: null, createdAt: now },
            [{ id: r.voucherId, code: r.code }],
          );
        }
        if (r.firstUse) {
          ctx.store.entitlements.insert(ent);
          ctx.store.vouchers.markRedeemed(r.voucherId, ent.id, 'active', now);
          t.record({ type: 'voucher.redeemed', actor, subject: r.voucherId, data: { entitlementId: ent.id, ip: client.ip, authority: 'radius' } });
        }
        if (r.elsewhere) {
          ctx.store.entitlements.endDevice(r.elsewhere.id, 'switched', now);
          t.record(
            { type: 'device.detached', actor, subject: r.elsewhere.entitlementId, data: { deviceId: r.elsewhere.id, reason: 'switched' } },
            ['device.detached', { deviceId: r.elsewhere.id, entitlementId: r.elsewhere.entitlementId, mac: r.elsewhere.mac, reason: 'switched' }],
          );
        }
        if (r.present) ctx.store.entitlements.updateDeviceAddress(deviceId, client.ip, client.site ?? null, now);
        else {
          const row: DeviceRow = {
            id: deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip, site: client.site ?? null, attachedAt: now,
            lastSeen: now, active: true, endedAt: null, endReason: null, bytesUp: 0, bytesDown: 0, counterUp: 0, counterDown: 0,
          };
          ctx.store.entitlements.insertDevice(row, loggedInElsewhere);
          t.record(
            { type: 'device.attached', actor, subject: ent.id, data: { deviceId, ip: client.ip, authority: 'radius' } },
            ['device.attached', { deviceId, entitlementId: ent.id, mac: client.mac, ip: client.ip }],
          );
        }
        t.publish(['voucher.redeemed', { voucherId: r.voucherId, entitlementId: ent.id, deviceId, mac: client.mac, ip: client.ip, topUp: false }]);
      });
      idOfCode.delete(r.code);
      asked.delete(`${r.voucherId}|${client.mac}`);
      const prev = sessions.get(deviceId);
      const s = sessionOf(deviceId, { poolId: ent.id, voucherId: r.voucherId, mac: client.mac, ip: client.ip, userName: r.userName }, r.grant, now, prev);
      sessions.put(s);
      if (!prev) accounting.send({ type: 1, sessionId: deviceId, userName: s.userName, mac: s.mac, ip: s.ip, classHex: s.classHex, inOctets: 0, outOctets: 0, sessionTime: 0, at: now });
      // A device joining a pool already on the gateway brings its own grant: the pool's quota grows by it.
      if (!r.firstUse) await grants.refresh(ent.id, now);
    },

    async abort(red) {
      const r = red as RemoteRedemption;
      if (r.present) return;
      // The server granted a session the gateway could not open: tell it the session is over at once.
      const now = ctx.clock.now();
      accounting.send({ type: 1, sessionId: r.deviceId, userName: r.userName, mac: r.mac, ip: r.ip, classHex: r.grant.classHex, inOctets: 0, outOctets: 0, sessionTime: 0, at: now });
      accounting.send({ type: 2, sessionId: r.deviceId, userName: r.userName, mac: r.mac, ip: r.ip, classHex: r.grant.classHex, inOctets: 0, outOctets: 0, sessionTime: 0, cause: AcctTerminateCause.NASError, at: now });
    },

    async recordUsage(now) {
      ctx.ledger.flush(now);
      grants.interims(now, accounting);
    },

    async end(poolId, status, reason, actor) {
      // The sweep ends a pool whose local grant ran out; a server that asked for re-authorization may
      // grant more instead (core/lifecycle.ts then keeps the pool and takes off only the devices returned).
      if (actor.type === 'system' && (status === 'exhausted' || status === 'expired')) {
        const renewed = await grants.renew(poolId, ctx.clock.now());
        if (renewed) return renewed.ended;
      }
      return local.end(poolId, status, reason, actor);
    },
  };

  return { authority, grants, ask, sessions };
}

export type RadiusAuthority = ReturnType<typeof radiusAuthority>;
