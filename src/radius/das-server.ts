/**
 * A Dynamic Authorization Server (RFC 5176): Portico in authority mode listens for its central
 * servers' Disconnect-Requests and CoA-Requests. The transport and the checks live here; what a request
 * means for a device is the handler's (authority/das.ts).
 *
 * - Only the configured servers' source addresses are heard; each request is verified with that
 *   server's secret: Request Authenticator (RFC 5176 §2.3, RFC 2866 §3) and Message-Authenticator when
 *   present (required by default, RFC 5176 §3.3); anything else is dropped silently and counted.
 * - Event-Timestamp outside ±300 s of our clock is dropped (RFC 5176 §3.5 and §6.3 replay protection;
 *   the 300 s window is the RFC's suggestion). A request without one is accepted (it is a SHOULD).
 * - Retransmissions (same source, Identifier and authenticator) get the cached reply, or are dropped
 *   while the first is still in progress (RFC 5176 §2.3, RFC 5080 §2.2.2: dedupe.ts).
 * - Replies: ACK, or NAK with Error-Cause (RFC 5176 §3.5), Message-Authenticator first.
 *
 * @example
 *   const das = createDasServer({ host: '0.0.0.0', port: 3799, peers, clock, log, handle });
 *   await das.start();
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { get, type AttributeInput } from './attributes.js';
import { createDedupeCache } from './dedupe.js';
import { decodeRequest, encodeResponse } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';

export interface DasPeer {
  host: string;
  secret: string;
}

export type DasAnswer = { ack: true; attrs?: AttributeInput[] } | { ack: false; errorCause: number };

export interface DasServerDeps {
  host: string;
  port: number;
  peers: readonly DasPeer[];
  requireMessageAuthenticator: boolean;
  clock: Clock;
  log: Logger;
  handle: (kind: 'disconnect' | 'coa', packet: RadiusPacket) => Promise<DasAnswer>;
}

/** RFC 5176 §3.5 / §6.3: the suggested Event-Timestamp window, seconds. */
export const EVENT_WINDOW_SEC = 300;

export function createDasServer(deps: DasServerDeps) {
  let socket: Socket | null = null;
  const cache = createDedupeCache({ clock: deps.clock, windowMs: 30_000 });
  const stats = { received: 0, acked: 0, naked: 0, dropped: { unknownSource: 0, malformed: 0, badAuthenticator: 0, stale: 0, notDas: 0, duplicate: 0 } };

  async function onMessage(msg: Buffer, address: string, port: number): Promise<void> {
    stats.received++;
    const peer = deps.peers.find((p) => p.host === address);
    if (!peer) return void stats.dropped.unknownSource++;
    let decoded;
    try {
      decoded = decodeRequest(msg, peer.secret);
    } catch {
      return void stats.dropped.malformed++;
    }
    const p = decoded.packet;
    if (p.code !== Code.DisconnectRequest && p.code !== Code.CoARequest) return void stats.dropped.notDas++;
    if (!decoded.ok || (deps.requireMessageAuthenticator && decoded.messageAuthenticator !== 'valid')) {
      deps.log.warn('radius-das', `dropped a request from ${address}`, { reasons: decoded.ok ? ['MISSING_MESSAGE_AUTHENTICATOR'] : decoded.reasons });
      return void stats.dropped.badAuthenticator++;
    }
    const ts = get(p, 'Event-Timestamp');
    if (ts && Math.abs(ts.getTime() - deps.clock.now()) > EVENT_WINDOW_SEC * 1000) return void stats.dropped.stale++;
    const key = { address, port, identifier: p.identifier, authenticator: p.authenticator };
    const seen = cache.begin(key);
    if (seen.kind === 'in-progress') return void stats.dropped.duplicate++;
    if (seen.kind === 'replay') return void socket?.send(seen.response, port, address);
    let answer: DasAnswer;
    try {
      answer = await deps.handle(p.code === Code.DisconnectRequest ? 'disconnect' : 'coa', p);
    } catch (err) {
      deps.log.error('radius-das/handle', 'request failed', { err });
      answer = { ack: false, errorCause: 506 }; // Resources-Unavailable
    }
    const ackCode = p.code === Code.DisconnectRequest ? Code.DisconnectACK : Code.CoAACK;
    const nakCode = p.code === Code.DisconnectRequest ? Code.DisconnectNAK : Code.CoANAK;
    const reply = answer.ack
      ? encodeResponse(p, ackCode, answer.attrs ?? [], peer.secret)
      : encodeResponse(p, nakCode, [['Error-Cause', answer.errorCause]], peer.secret);
    if (answer.ack) stats.acked++;
    else stats.naked++;
    cache.complete(key, reply);
    socket?.send(reply, port, address);
  }

  return {
    async start(): Promise<void> {
      const s = createSocket(deps.host.includes(':') ? 'udp6' : 'udp4');
      s.on('message', (m, r) => void onMessage(m, r.address, r.port));
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(deps.port, deps.host, () => {
          s.off('error', reject);
          s.on('error', (err) => deps.log.warn('radius-das', `socket: ${err.message}`));
          resolve();
        });
      });
      socket = s;
    },
    /** The bound port (the configured one, or the kernel's choice for 0 in tests). */
    port: () => socket?.address().port ?? 0,
    stats: () => structuredClone(stats),
    async stop(): Promise<void> {
      const s = socket;
      socket = null;
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
  };
}

export type DasServer = ReturnType<typeof createDasServer>;
