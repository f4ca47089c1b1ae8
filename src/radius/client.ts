/**
 * RADIUS client (Portico as a NAS of a central server, SPEC §10): Access-Requests and Accounting-
 * Requests over one bound UDP socket per address family, with
 * - RFC 2865 §2.5 / RFC 5080 §2.2.2 retransmission: a retry is the same datagram byte for byte (same
 *   Identifier, same Request Authenticator) from the same source port; Identifiers are allocated per
 *   server address+port and never reused while one is outstanding;
 * - one time budget per call (`timeoutMs`, all retries and failover included), split over the servers
 *   still to try, so a login answers within it whatever happens;
 * - failover in the configured order; a server that did not answer is remembered as dead for
 *   `deadTimeMs` and asked last until then (so a healthy second server answers at once, and the first
 *   is asked again later: recovery without a restart);
 * - Message-Authenticator first in every Access-Request, required in Access-Accept/Reject unless the
 *   server is opted out (BlastRADIUS, radius.md §c); Response Authenticator and MA compared in constant
 *   time (messages.ts `decodeResponse`); anything that does not verify is dropped and counted.
 *
 * @example
 *   const client = createRadiusClient({ servers, timeoutMs: 3000, deadTimeMs: 30_000, clock, log, randomBytes });
 *   await client.start();
 *   const r = await client.access([['User-Name', code], ['User-Password', code]]);
 *   r.packet.code === Code.AccessAccept;
 *   await client.accounting([['Acct-Status-Type', 1], ['Acct-Session-Id', 'dev_x']]); // throws RadiusUnreachable
 */
import type { Buffer } from 'node:buffer';
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { AttributeInput } from './attributes.js';
import { identifierAllocator } from './identifiers.js';
import { decodeResponse, encodeRequest } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';

export interface ClientServer {
  host: string;
  authPort: number;
  acctPort: number;
  secret: string;
  requireMessageAuthenticator?: boolean;
}

export interface RadiusClientDeps {
  servers: readonly ClientServer[];
  /** Source address; default: any. */
  bindAddress?: string;
  /** The whole budget of one call, ms. */
  timeoutMs: number;
  /** How long a silent server is asked last, ms. */
  deadTimeMs: number;
  /** Transmissions per server within its share of the budget (default 3). */
  triesPerServer?: number;
  clock: Clock;
  log: Logger;
  randomBytes: (n: number) => Buffer;
}

/** No configured server answered within the budget. */
export class RadiusUnreachable extends Error {
  override readonly name = 'RadiusUnreachable';
}

export interface ClientReply {
  packet: RadiusPacket;
  /** Index of the server that answered, in the configured order. */
  server: number;
}

interface Pending {
  packet: RadiusPacket;
  server: ClientServer;
  resolve: (p: RadiusPacket | null) => void;
}

export function createRadiusClient(deps: RadiusClientDeps) {
  const tries = deps.triesPerServer ?? 3;
  const sockets = new Map<4 | 6, Promise<Socket>>();
  const pending = new Map<string, Pending>(); // `${host}|${port}|${id}`
  const allocate = identifierAllocator(pending);
  const deadUntil = new Map<number, number>();
  const stats = { sent: 0, retried: 0, answered: 0, timedOut: 0, failedOver: 0, dropped: 0, unreachable: 0 };
  let stopped = false;

  function onMessage(msg: Buffer, address: string, port: number): void {
    const entry = msg.length >= 20 ? pending.get(`${address}|${port}|${msg[1]}`) : undefined;
    if (!entry) return void stats.dropped++;
    let decoded;
    try {
      decoded = decodeResponse(msg, entry.packet, entry.server.secret, { requireMessageAuthenticator: entry.server.requireMessageAuthenticator ?? true });
    } catch {
      return void stats.dropped++;
    }
    if (!decoded.ok) {
      deps.log.warn('radius-client', `dropped a reply from ${address}:${port}`, { reasons: decoded.reasons });
      return void stats.dropped++;
    }
    entry.resolve(decoded.packet);
  }

  function socketFor(host: string): Promise<Socket> {
    const family = isIP(host) === 6 ? 6 : 4;
    let s = sockets.get(family);
    if (!s) {
      s = new Promise<Socket>((resolve, reject) => {
        const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
        socket.on('message', (m, r) => onMessage(m, r.address, r.port));
        socket.once('error', reject);
        const bind = deps.bindAddress && (isIP(deps.bindAddress) === family) ? deps.bindAddress : undefined;
        socket.bind(0, bind, () => {
          socket.off('error', reject);
          socket.on('error', (err) => deps.log.warn('radius-client', `socket: ${err.message}`));
          resolve(socket);
        });
      });
      sockets.set(family, s);
    }
    return s;
  }


  /** One server: `tries` identical transmissions within `budgetMs`; the reply, or null. */
  async function exchange(index: number, code: number, attrs: readonly AttributeInput[], budgetMs: number): Promise<RadiusPacket | null> {
    const server = deps.servers[index]!;
    const port = code === Code.AccessRequest ? server.authPort : server.acctPort;
    const socket = await socketFor(server.host);
    const peer = `${server.host}|${port}`;
    const identifier = allocate(peer);
    if (identifier === null) return null; // 256 outstanding: treat as no answer from this one
    const key = `${peer}|${identifier}`;
    const { bytes, packet } = encodeRequest(code, attrs, server.secret, { identifier, randomBytes: deps.randomBytes });
    return new Promise<RadiusPacket | null>((resolve) => {
      let sent = 0;
      let timer: NodeJS.Timeout | undefined;
      const finish = (p: RadiusPacket | null) => {
        clearTimeout(timer);
        pending.delete(key);
        resolve(p);
      };
      pending.set(key, { packet, server, resolve: finish });
      const every = Math.max(50, Math.floor(budgetMs / tries));
      const transmit = () => {
        if (stopped || sent === tries) return finish(null);
        if (sent++ > 0) stats.retried++;
        else stats.sent++;
        socket.send(bytes, port, server.host, (err) => {
          if (err) deps.log.warn('radius-client', `cannot send to ${server.host}:${port}: ${err.message}`);
        });
        timer = setTimeout(transmit, every);
      };
      transmit();
    });
  }

  /** Servers alive now in configured order, then the dead ones (the longest dead first). */
  function order(): number[] {
    const now = deps.clock.now();
    const all = deps.servers.map((_, i) => i);
    const alive = all.filter((i) => (deadUntil.get(i) ?? 0) <= now);
    const dead = all.filter((i) => (deadUntil.get(i) ?? 0) > now).sort((a, b) => deadUntil.get(a)! - deadUntil.get(b)!);
    return [...alive, ...dead];
  }

  async function request(code: number, attrs: readonly AttributeInput[]): Promise<ClientReply> {
    if (stopped) throw new RadiusUnreachable('the RADIUS client is stopped');
    // The budget is real time (sockets wait in real time); the injected clock only dates dead servers.
    const started = performance.now();
    const list = order();
    for (let n = 0; n < list.length; n++) {
      const index = list[n]!;
      const left = deps.timeoutMs - (performance.now() - started);
      if (left <= 0) break;
      const share = Math.floor(left / (list.length - n));
      const reply = await exchange(index, code, attrs, share);
      if (reply) {
        stats.answered++;
        deadUntil.delete(index);
        return { packet: reply, server: index };
      }
      stats.timedOut++;
      if (!deadUntil.has(index) || deadUntil.get(index)! <= deps.clock.now()) {
        deps.log.warn('radius-client', `${deps.servers[index]!.host} did not answer; asking it last for ${deps.deadTimeMs} ms`);
      }
      deadUntil.set(index, deps.clock.now() + deps.deadTimeMs);
      if (n + 1 < list.length) stats.failedOver++;
    }
    stats.unreachable++;
    throw new RadiusUnreachable(`no RADIUS server answered within ${deps.timeoutMs} ms`);
  }

  return {
    async start(): Promise<void> {
      stopped = false;
      await Promise.all([...new Set(deps.servers.map((s) => s.host))].map((h) => socketFor(h)));
    },
    /** An Access-Request (Message-Authenticator first; `['User-Password', text]` is hidden). Resolves Accept, Reject or Challenge. */
    access: (attrs: readonly AttributeInput[]): Promise<ClientReply> => request(Code.AccessRequest, attrs),
    /** An Accounting-Request (RFC 2866 §3 authenticator); resolves once a server acknowledged it. */
    accounting: (attrs: readonly AttributeInput[]): Promise<ClientReply> => request(Code.AccountingRequest, attrs),
    /** Whether a server is currently remembered as not answering. */
    isDead: (index: number) => (deadUntil.get(index) ?? 0) > deps.clock.now(),
    stats: () => ({ ...stats }),
    async stop(): Promise<void> {
      stopped = true;
      for (const p of [...pending.values()]) p.resolve(null);
      for (const s of sockets.values()) {
        const socket = await s.catch(() => null);
        if (socket) await new Promise<void>((r) => { try { socket.close(() => r()); } catch { r(); } });
      }
      sockets.clear();
    },
  };
}

export type RadiusClient = ReturnType<typeof createRadiusClient>;
