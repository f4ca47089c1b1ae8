/**
 * Portico as the RADIUS server of third-party NASes (SPEC §9): UDP listeners on the authentication and
 * accounting ports (RFC 2865 §3: 1812, RFC 2866 §3: 1813). Per datagram:
 *
 *   1. the source must be a configured NAS (nas-table.ts), else dropped — RFC 2865 §3 "silently discard";
 *   2. decode + authenticate with that NAS's secret (messages.ts): bad Request Authenticators
 *      (accounting, RFC 2866 §3), bad or — by default — missing Message-Authenticator (BlastRADIUS,
 *      CVE-2024-3596; RFC 3579 §3.2) and malformed packets are dropped;
 *   3. the duplicate cache (RFC 5080 §2.2.2, one per listener since the key includes the socket)
 *      answers a retransmission with the reply already sent, and drops one still being processed;
 *   4. Status-Server (RFC 5997) is answered without touching the ledger; Access-Requests go to
 *      access.ts, Accounting-Requests to accounting.ts.
 *
 * Every drop is counted by reason (`stats()`), never answered: an answer would tell a prober the
 * secret was wrong. Nothing happens until `start()`.
 *
 * @example
 *   const radius = createRadiusServer({ config: config.radius.server, core, clock, log, translate });
 *   await radius.start();   // binds authPort and acctPort
 *   await radius.stop();
 */
import { Buffer } from 'node:buffer';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Config } from '../config/schema.js';
import type { Core } from '../core/index.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { handleAccess, type Translate } from './access.js';
import { handleAccounting, type AccountingDeps } from './accounting.js';
import { createDedupeCache, type DedupeCache } from './dedupe.js';
import { RadiusError } from './errors.js';
import { decodeRequest } from './messages.js';
import { nasTable } from './nas-table.js';
import { Code } from './packet.js';
import { statusServerResponse, type ListenerKind } from './status-server.js';

export interface RadiusServerDeps {
  config: Config['radius']['server'];
  /** core.radius, or the group-committing batcher of core/radius-batch.ts (serve-radius.ts). */
  core: { radius: Pick<Core['radius'], 'authorize' | 'authorizeMac'> & { accounting: AccountingDeps['accounting']; isBypassed?: (mac: string) => boolean } };
  clock: Clock;
  log: Logger;
  /** Resident text for a refusal code, in the network's language (the portal's sentences). */
  translate: Translate;
}

export interface RadiusServerStats {
  received: number;
  answered: number;
  /** Replies sent again from the duplicate cache. */
  replayed: number;
  /** Dropped datagrams by reason (UNKNOWN_SOURCE, BAD_AUTHENTICATOR, MISSING_MESSAGE_AUTHENTICATOR, …). */
  dropped: Record<string, number>;
  /** Outcomes by kind (ACCEPT, VOUCHER_UNKNOWN, RECORDED, UNKNOWN_SESSION, …). */
  outcomes: Record<string, number>;
  /** The same per configured NAS (a datagram from an unknown source has none), and when it was last heard. */
  byNas: Record<string, NasStats>;
}

export interface NasStats {
  received: number;
  outcomes: Record<string, number>;
  dropped: Record<string, number>;
  /** Unix ms of the last datagram from it; null before the first. */
  lastPacketAt: number | null;
}

/** Which request codes each port takes (RFC 2865 §3, RFC 2866 §3, RFC 5997 §3). */
const ACCEPTS: Record<ListenerKind, readonly number[]> = {
  auth: [Code.AccessRequest, Code.StatusServer],
  acct: [Code.AccountingRequest, Code.StatusServer],
};

export function createRadiusServer(deps: RadiusServerDeps) {
  const { config, log } = deps;
  const findNas = nasTable(config.nas);
  const stats: RadiusServerStats = { received: 0, answered: 0, replayed: 0, dropped: {}, outcomes: {}, byNas: {} };
  for (const n of config.nas) stats.byNas[n.name] = { received: 0, outcomes: {}, dropped: {}, lastPacketAt: null };
  const bump = (o: Record<string, number>, k: string) => void (o[k] = (o[k] ?? 0) + 1);
  const sockets = new Map<ListenerKind, Socket>();
  const caches = new Map<ListenerKind, DedupeCache>();
  const inFlight = new Set<Promise<void>>();

  const drop = (reason: string, rinfo: RemoteInfo, nas?: string) => {
    bump(stats.dropped, reason);
    if (nas) bump(stats.byNas[nas]!.dropped, reason);
    log.debug('radius', `dropped a datagram from ${rinfo.address}:${rinfo.port}: ${reason}`);
  };

  async function handle(kind: ListenerKind, msg: Buffer, rinfo: RemoteInfo): Promise<void> {
    stats.received++;
    const nas = findNas(rinfo.address);
    if (!nas) return drop('UNKNOWN_SOURCE', rinfo);
    const per = stats.byNas[nas.name]!;
    per.received++;
    per.lastPacketAt = deps.clock.now();
    let decoded;
    try {
      decoded = decodeRequest(msg, nas.secret, { requireMessageAuthenticator: nas.requireMessageAuthenticator });
    } catch (err) {
      if (err instanceof RadiusError) return drop(err.code, rinfo, nas.name);
      throw err;
    }
    if (!decoded.ok) return drop(decoded.reasons[0]!, rinfo, nas.name);
    const packet = decoded.packet;
    if (!ACCEPTS[kind].includes(packet.code)) return drop('WRONG_PORT', rinfo, nas.name);

    const cache = caches.get(kind)!;
    const key = { address: rinfo.address, port: rinfo.port, identifier: packet.identifier, authenticator: packet.authenticator };
    const seen = cache.begin(key);
    if (seen.kind === 'in-progress') return drop('DUPLICATE_IN_PROGRESS', rinfo, nas.name);
    if (seen.kind === 'replay') {
      stats.replayed++;
      return send(kind, seen.response, rinfo);
    }
    let result: { reply: Buffer; outcome: string } | undefined;
    try {
      if (packet.code === Code.StatusServer) result = { reply: statusServerResponse(packet, kind, nas.secret), outcome: 'STATUS_SERVER' };
      else if (packet.code === Code.AccessRequest) {
        result = await handleAccess(packet, nas, {
          authorize: deps.core.radius.authorize, authorizeMac: deps.core.radius.authorizeMac, translate: deps.translate, interimSec: config.interimIntervalSec,
          ...(deps.core.radius.isBypassed ? { isBypassed: deps.core.radius.isBypassed } : {}),
          slice: { minBytes: config.sliceMinBytes, maxBytes: config.sliceMaxBytes }, nasIp: rinfo.address,
        });
      } else result = await handleAccounting(packet, nas, { accounting: deps.core.radius.accounting });
    } catch (err) {
      // No answer: the NAS retransmits, and the retransmission is processed anew (RFC 2866 §4.1).
      cache.abandon(key);
      log.warn('radius', `could not handle a request from NAS ${nas.name}; not answered`, { err: err instanceof Error ? err.message : String(err) });
      return drop('HANDLER_FAILED', rinfo, nas.name);
    }
    if (!result) {
      cache.abandon(key);
      return drop('MISSING_ATTRIBUTE', rinfo, nas.name);
    }
    bump(stats.outcomes, result.outcome);
    bump(per.outcomes, result.outcome);
    cache.complete(key, result.reply);
    send(kind, result.reply, rinfo);
  }

  function send(kind: ListenerKind, reply: Buffer, rinfo: RemoteInfo): void {
    stats.answered++;
    sockets.get(kind)?.send(reply, rinfo.port, rinfo.address, (err) => {
      if (err) log.warn('radius', `cannot answer ${rinfo.address}:${rinfo.port}: ${err.message}`);
    });
  }

  function bind(kind: ListenerKind, port: number): Promise<void> {
    const socket = createSocket({ type: isIP(config.host) === 6 ? 'udp6' : 'udp4' });
    sockets.set(kind, socket);
    caches.set(kind, createDedupeCache({ clock: deps.clock, windowMs: 30_000 }));
    socket.on('message', (msg, rinfo) => {
      const p = handle(kind, msg, rinfo).catch((err) => log.error('radius', 'unexpected failure', { err }));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    });
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, config.host, () => {
        socket.off('error', reject);
        socket.on('error', (err) => log.error('radius', `${kind} socket: ${err.message}`));
        resolve();
      });
    });
  }

  return {
    /** Binds both ports; rejects (nothing left bound) when either cannot be bound. */
    async start(): Promise<void> {
      try {
        await bind('auth', config.authPort);
        await bind('acct', config.acctPort);
      } catch (err) {
        await this.stop();
        throw new Error(`RADIUS cannot listen on ${config.host} ports ${config.authPort}/${config.acctPort}: ${(err as Error).message}`, { cause: err });
      }
      log.info('radius', `RADIUS server on ${config.host}:${this.ports().auth}/${this.ports().acct} for ${config.nas.length} NAS(es)`);
    },
    /** Closes the sockets and waits for requests being processed. */
    async stop(): Promise<void> {
      for (const s of sockets.values()) await new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } });
      sockets.clear();
      await Promise.allSettled([...inFlight]);
    },
    /** Bound ports (useful with port 0 in tests). */
    ports(): { auth: number; acct: number } {
      return { auth: sockets.get('auth')?.address().port ?? 0, acct: sockets.get('acct')?.address().port ?? 0 };
    },
    stats: (): RadiusServerStats => structuredClone(stats),
  };
}

export type RadiusServer = ReturnType<typeof createRadiusServer>;
