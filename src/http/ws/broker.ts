/**
 * The WebSocket broker (PocketBase's tools/subscriptions shape): the open connections, each with its
 * topics, and sending to them with backpressure and heartbeats. It knows nothing of Portico's topics
 * (ws/topics.ts) or of HTTP upgrades (ws/upgrade.ts).
 *
 * Backpressure counts what the peer has not *read*, not what Node has not written: `bufferedAmount`
 * sees only the userland queue, and on loopback or a fast LAN the kernel's send and receive buffers hold
 * megabytes before it grows. So once unproven messages amount to a quarter of the byte limit, or reach
 * an eighth to a quarter of the age limit, a ping carrying a sequence number follows them; TCP is in
 * order, so its pong proves the peer read everything sent before it. A connection whose oldest
 * unproven message is older than `readTimeoutMs`, or whose unproven bytes pass `maxBufferedBytes`, is
 * terminated. Browsers answer pings in the network stack, so a tab that is merely busy keeps up.
 *
 * @example
 *   const broker = createBroker({ log, ...opts });
 *   broker.start((c) => stillSignedIn(c));   // heartbeats and the read check
 *   broker.send(conn, 'network', 'delta', state);
 */
import { WebSocket } from 'ws';
import type { SessionState, WsMessage, WsTopic, WsTopics } from '../../api/contract.js';
import type { Role } from '../../core/ports/model.js';
import type { Lang } from '../../domain/plan-words.js';
import type { Logger } from '../../lib/log.js';

export interface Conn {
  ws: WebSocket;
  ip: string;
  lang: Lang;
  topics: Set<WsTopic>;
  operator: { id: string; role: Role; tokenHash: string } | null;
  /** The pool last shown on the `device` topic (to route pool events). */
  entitlementId: string | null;
  /** The caller's device in that pool (to mark "this device" without asking the gateway again). */
  deviceId: string | null;
  /** The last `device` payload sent, patched with each sweep's numbers. */
  last: SessionState | null;
  alive: boolean;
  /** Read proof (see the module comment): the last ping's number, and the ping that will prove the oldest unproven message. */
  pingSeq: number;
  probe: { seq: number; bytes: number } | null;
  /** When the oldest unproven message was sent (0: none), and unproven bytes in total. */
  unreadSince: number;
  unreadBytes: number;
  /** Sent after the outstanding probe's ping: proven only by the next one. */
  after: { since: number; bytes: number } | null;
  /** How old unproven messages may get before a probe follows them (set by the broker, see probeDue). */
  probeAfterMs: number;
}

export interface BrokerOptions {
  log: Logger;
  heartbeatMs: number;
  maxBufferedBytes: number;
  readTimeoutMs: number;
}

/** A new connection's state: nothing sent yet, alive until its first missed heartbeat. */
export function newConn(ws: WebSocket, init: Pick<Conn, 'ip' | 'lang' | 'topics' | 'operator'>): Conn {
  return { ws, ...init, entitlementId: null, deviceId: null, last: null, alive: true, pingSeq: 0, probe: null, unreadSince: 0, unreadBytes: 0, after: null, probeAfterMs: 0 };
}

export function createBroker(o: BrokerOptions) {
  const conns = new Set<Conn>();
  const perAddress = new Map<string, number>();
  const stats = { tooSlow: 0, silent: 0, refused: 0 };
  let timers: NodeJS.Timeout[] = [];

  function drop(c: Conn, why: 'too slow' | 'no pong'): void {
    if (why === 'too slow') stats.tooSlow++;
    else stats.silent++;
    o.log.debug('ws', `dropping a connection: ${why}`, { ip: c.ip });
    c.ws.terminate();
  }

  /** Pings with the next sequence number; the pong echoes it (RFC 6455 §5.5.3). */
  function ping(c: Conn): number {
    c.ws.ping(String(++c.pingSeq));
    return c.pingSeq;
  }

  /**
   * Whether the unproven messages are worth a probe now: a quarter of the byte limit, or an age of an
   * eighth to a quarter of `readTimeoutMs` (each connection its own, so that subscribers who came
   * together are not all probed in the same fan-out). Sooner would ask every subscriber for a pong on
   * every status update (one more packet from each phone each second, and on a fan-out to 1,000 as
   * many writes again in the readers); later could cut a reader that keeps up.
   */
  function probeDue(c: Conn, now: number): boolean {
    return c.unreadBytes >= o.maxBufferedBytes / 4 || now - c.unreadSince >= c.probeAfterMs;
  }

  /** Probes a connection's reading (see the module comment): everything sent so far is proven by the pong. */
  function probe(c: Conn): void {
    c.probe = { seq: ping(c), bytes: c.unreadBytes };
  }

  /** Sends a serialized message and counts it against the subscriber's unread bytes (then probes its reading when due). */
  function deliver(c: Conn, data: string): void {
    c.ws.send(data);
    const length = Buffer.byteLength(data);
    // Counted as on the wire: the frame header too (RFC 6455 §5.2), or small messages would slip past the cap.
    const bytes = length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
    const now = Date.now();
    if (!c.unreadSince) c.unreadSince = now;
    c.unreadBytes += bytes;
    if (!c.probe) {
      if (probeDue(c, now)) probe(c);
    } else if (c.after) c.after.bytes += bytes;
    else c.after = { since: now, bytes };
  }

  function tooSlow(c: Conn, now: number): boolean {
    return c.ws.bufferedAmount > o.maxBufferedBytes || c.unreadBytes > o.maxBufferedBytes || (c.unreadSince > 0 && now - c.unreadSince > o.readTimeoutMs);
  }

  /** A pong for ping `seq`: everything sent before that ping has been read. */
  function proven(c: Conn, seq: number): void {
    c.alive = true;
    if (!c.probe || !(seq >= c.probe.seq)) return;
    c.probe = null;
    if (!c.after) {
      c.unreadSince = 0;
      c.unreadBytes = 0;
      return;
    }
    c.unreadSince = c.after.since;
    c.unreadBytes = c.after.bytes;
    c.after = null;
    if (probeDue(c, Date.now())) probe(c);
  }

  /** `send` of a message already serialized (ws/usage-frame.ts), or serialized only if it is sent. */
  function sendSerialized(c: Conn, message: string | (() => string)): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // Backpressure: a phone that stopped reading gets cut, never an ever-growing buffer (SPEC §6).
    if (tooSlow(c, Date.now())) return drop(c, 'too slow');
    const data = typeof message === 'string' ? message : message();
    // The message and the read probe that follows it leave in one write (one syscall, not two, per
    // subscriber: a fan-out to 1,000 is 1,000 fewer). `_socket` is ws's own socket.
    const socket = (c.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    socket?.cork();
    try {
      deliver(c, data);
    } finally {
      socket?.uncork();
    }
  }

  return {
    conns,
    stats: () => ({ connections: conns.size, ...stats }),
    refused: () => void stats.refused++,
    /** Whether one more connection from `ip` fits under the caps. */
    hasRoom: (ip: string, max: number, maxPerAddress: number) => conns.size < max && (perAddress.get(ip) ?? 0) < maxPerAddress,
    withTopic: (t: WsTopic) => [...conns].filter((c) => c.topics.has(t)),
    hasTopic(t: WsTopic): boolean {
      for (const c of conns) if (c.topics.has(t)) return true;
      return false;
    },

    /** Registers an open connection; `onClose` runs when it goes. */
    add(c: Conn, onClose: () => void): void {
      c.probeAfterMs = o.readTimeoutMs * (0.125 + Math.random() * 0.125);
      conns.add(c);
      perAddress.set(c.ip, (perAddress.get(c.ip) ?? 0) + 1);
      c.ws.on('pong', (data) => proven(c, Number(data.toString('latin1'))));
      c.ws.on('message', () => {}); // the hub takes no client messages; maxPayload bounds them
      c.ws.on('close', () => {
        conns.delete(c);
        onClose();
        const n = (perAddress.get(c.ip) ?? 1) - 1;
        if (n <= 0) perAddress.delete(c.ip);
        else perAddress.set(c.ip, n);
      });
    },

    send<K extends WsTopic>(c: Conn, topic: K, kind: 'snapshot' | 'delta', payload: WsTopics[K]): void {
      sendSerialized(c, () => JSON.stringify({ topic, kind, payload } as WsMessage));
    },

    sendSerialized,

    /**
     * Starts the heartbeat (no pong since the last beat: terminated; `keep(c)` false: closed with `why`)
     * and the read check, which finds a reader that stopped while nothing more is being sent to it.
     */
    start(keep: (c: Conn) => { close: number; why: string } | null): void {
      const heartbeat = setInterval(() => {
        for (const c of conns) {
          if (!c.alive) {
            drop(c, 'no pong');
            continue;
          }
          const closing = keep(c);
          if (closing) {
            c.ws.close(closing.close, closing.why);
            continue;
          }
          c.alive = false;
          ping(c);
        }
      }, o.heartbeatMs);
      const readCheck = setInterval(() => {
        const now = Date.now();
        for (const c of conns) {
          if (tooSlow(c, now)) drop(c, 'too slow');
          else if (c.unreadSince && !c.probe && probeDue(c, now)) probe(c);
        }
      }, Math.max(100, Math.min(1000, o.readTimeoutMs / 4)));
      heartbeat.unref();
      readCheck.unref();
      timers = [heartbeat, readCheck];
    },

    stop(): void {
      for (const t of timers) clearInterval(t);
      timers = [];
      for (const c of conns) c.ws.close(1001, 'server shutting down');
      conns.clear();
      perAddress.clear();
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
