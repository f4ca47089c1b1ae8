/**
 * Disconnect- and CoA-Request sender (RFC 5176): Portico as the Dynamic Authorization Client of a NAS's DAS.
 * One bound ephemeral UDP socket per address family, so retransmissions leave from the same source port
 * as RFC 5080 §2.2.2 asks; Identifiers are allocated per NAS address+port and never reused while one is
 * outstanding (RFC 2865 §2.5). A retry is the same datagram byte for byte (same Identifier, same
 * Request Authenticator, same Event-Timestamp), so the NAS's duplicate detection (RFC 5176 §2.3) sees
 * one request. Replies are authenticated with the NAS's secret (Response Authenticator and, when present,
 * Message-Authenticator); anything else is dropped and counted.
 *
 * @example
 *   const das = createDasClient({ clock, log, randomBytes });
 *   await das.start();
 *   const r = await das.disconnect({ address: '10.5.0.1', port: 3799, secret }, [['User-Name', 'k7qm4xpa9tr'], ['Acct-Session-Id', '81a00003']]);
 *   r.kind; // 'ack' | 'nak' (r.errorCause) | 'timeout'
 */
import type { Buffer } from 'node:buffer';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { get, type AttributeInput } from './attributes.js';
import { identifierAllocator } from './identifiers.js';
import { decodeResponse, encodeRequest } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';

export interface DasTarget {
  address: string;
  port: number;
  secret: string;
  /**
   * Message-Authenticator and Event-Timestamp in the request (default true). uspot's DAS NAKs both
   * (`src/radius-das.c`: "does not support … Message-Authenticator"; Event-Timestamp "NOT supported").
   */
  signed?: boolean;
}

export type DisconnectResult = { kind: 'ack' } | { kind: 'nak'; errorCause: number | null } | { kind: 'timeout' };

export interface DasClientDeps {
  clock: Clock;
  log: Logger;
  randomBytes: (n: number) => Buffer;
  /** Tries in all (default 3) and the wait between them (default 1000 ms). */
  tries?: number;
  intervalMs?: number;
}

interface Pending {
  packet: RadiusPacket;
  secret: string;
  resolve: (r: DisconnectResult) => void;
}

export function createDasClient(deps: DasClientDeps) {
  const tries = deps.tries ?? 3;
  const intervalMs = deps.intervalMs ?? 1000;
  const sockets = new Map<4 | 6, Socket>();
  const pending = new Map<string, Pending>(); // `${address}|${port}|${id}`
  const allocateId = identifierAllocator(pending);
  const stats = { sent: 0, retried: 0, acked: 0, naked: 0, timedOut: 0, dropped: 0, errorCauses: {} as Record<string, number> };

  function onMessage(msg: Buffer, address: string, port: number): void {
    const entry = pending.get(`${address}|${port}|${msg[1]}`);
    if (!entry || msg.length < 20) return void stats.dropped++;
    let decoded;
    try {
      decoded = decodeResponse(msg, entry.packet, entry.secret);
    } catch {
      return void stats.dropped++;
    }
    if (!decoded.ok) return void stats.dropped++;
    if (decoded.packet.code === Code.DisconnectACK || decoded.packet.code === Code.CoAACK) entry.resolve({ kind: 'ack' });
    else entry.resolve({ kind: 'nak', errorCause: get(decoded.packet, 'Error-Cause') ?? null });
  }


  async function socketFor(address: string): Promise<Socket> {
    const family = isIP(address) === 6 ? 6 : 4;
    const existing = sockets.get(family);
    if (existing) return existing;
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    sockets.set(family, socket);
    socket.on('message', (msg, rinfo) => onMessage(msg, rinfo.address, rinfo.port));
    socket.on('error', (err) => deps.log.warn('radius-das', `socket: ${err.message}`));
    await new Promise<void>((resolve) => socket.bind(0, resolve));
    return socket;
  }

  async function request(code: number, target: DasTarget, attrs: readonly AttributeInput[]): Promise<DisconnectResult> {
    const socket = await socketFor(target.address);
    const peer = `${target.address}|${target.port}`;
    const identifier = allocateId(peer);
    if (identifier === null) throw new Error(`256 Disconnect-Requests outstanding to ${peer}`);
    const key = `${peer}|${identifier}`;
    const signed = target.signed ?? true;
    // RFC 5176 §6.3: Event-Timestamp against replay; fixed at the first transmission so retries are identical.
    const all: AttributeInput[] = signed ? [...attrs, ['Event-Timestamp', Math.floor(deps.clock.now() / 1000)]] : [...attrs];
    const { bytes, packet } = encodeRequest(code, all, target.secret, {
      identifier, randomBytes: deps.randomBytes, messageAuthenticator: signed,
    });
    return new Promise<DisconnectResult>((resolve) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (r: DisconnectResult) => {
        clearTimeout(timer);
        pending.delete(key);
        if (r.kind === 'ack') stats.acked++;
        else if (r.kind === 'nak') {
          stats.naked++;
          const c = String(r.errorCause ?? 'none');
          stats.errorCauses[c] = (stats.errorCauses[c] ?? 0) + 1;
        } else stats.timedOut++;
        resolve(r);
      };
      pending.set(key, { packet, secret: target.secret, resolve: finish });
      const transmit = () => {
        if (sent === tries) return finish({ kind: 'timeout' });
        if (sent++ > 0) stats.retried++;
        else stats.sent++;
        socket.send(bytes, target.port, target.address, (err) => {
          if (err) deps.log.warn('radius-das', `cannot send to ${target.address}:${target.port}: ${err.message}`);
        });
        timer = setTimeout(transmit, intervalMs);
      };
      transmit();
    });
  }

  return {
    /**
     * Sends a Disconnect-Request (Event-Timestamp and Message-Authenticator added unless the target is
     * unsigned) and resolves with the NAS's answer, or 'timeout' after `tries` identical transmissions
     * `intervalMs` apart.
     */
    disconnect: (target: DasTarget, attrs: readonly AttributeInput[]): Promise<DisconnectResult> => request(Code.DisconnectRequest, target, attrs),
    /** The same for a CoA-Request (RFC 5176 §3.2): new authorization attributes for a live session. */
    coa: (target: DasTarget, attrs: readonly AttributeInput[]): Promise<DisconnectResult> => request(Code.CoARequest, target, attrs),
    stats: () => structuredClone(stats),
    /** Closes the sockets; outstanding requests resolve as timeouts. */
    async stop(): Promise<void> {
      for (const p of [...pending.values()]) p.resolve({ kind: 'timeout' });
      for (const s of sockets.values()) await new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } });
      sockets.clear();
    },
  };
}

export type DasClient = ReturnType<typeof createDasClient>;
