/**
 * The WebSocket hub on GET /ws (SPEC §6): JSON messages `{ topic, kind, payload }` typed by WsTopics in
 * src/api/contract.ts, a snapshot first on every topic and then deltas. Topics are chosen with
 * `?topics=device,network,operator/sessions,operator/events,operator/sales`.
 *
 * - `device`: the caller's own entitlement; the caller is the TCP peer (never a header or cookie).
 * - `network`: public aggregates, no personal data.
 * - `operator/*`: need the operator session cookie; a missing or bad one closes with 4401, a seller
 *   asking for an admin topic with 4403. A foreign Origin is refused (cross-site WebSocket hijacking), on the
 *   resident `device` topic too (4403): a site a resident visits must not read their remaining data.
 *
 * Bounded by construction: a cap on connections (total and per address; the excess gets HTTP 503 before
 * the upgrade), protocol pings as heartbeats (no pong by the next beat: terminated), and backpressure —
 * a reader that stops reading is terminated instead of buffered (below).
 * Updates are driven by the core's event bus, which emits only after commits, and coalesced per tick.
 *
 * Backpressure counts what the peer has not *read*, not what Node has not written: `bufferedAmount`
 * sees only the userland queue, and on loopback or a fast LAN the kernel's send and receive buffers hold
 * megabytes before it grows. So each burst of messages is followed by a ping carrying a sequence number;
 * TCP is in order, so its pong proves the peer read everything sent before it. A connection whose oldest
 * unproven message is older than `readTimeoutMs`, or whose unproven bytes pass `maxBufferedBytes`, is
 * terminated. Browsers answer pings in the network stack, so a tab that is merely busy keeps up.
 *
 * Hostile input never reaches an emitter without an 'error' listener: the raw upgrade socket gets one
 * before anything is written (a reset during a refusal is EPIPE/ECONNRESET), and every WebSocket gets
 * one before any check, including those the hub is about to close (an invalid frame there is answered
 * with a close frame by `ws` and then emitted as 'error').
 *
 * @example
 *   const hub = createWsHub({ core, config, log });
 *   hub.attach(server);        // the node:http server from @hono/node-server's serve()
 *   hub.close();
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { WS_CLOSE, WS_TOPICS, type AuditEvent, type SessionState, type WsMessage, type WsTopic, type WsTopics } from '../api/contract.js';
import type { PorticoEvents } from '../core/events.js';
import type { Lang } from '../domain/plan-words.js';
import { normalizeIp } from '../lib/net.js';
import type { Role } from '../core/ports/model.js';
import { cookieValue, operatorAuth, sameOrigin } from './admin-auth.js';
import { sessionState, type HttpDeps } from './context.js';
import { pickLang } from './i18n.js';
import { routeUpgrades, WS_PATH } from './upgrade-router.js';

export interface WsHubOptions {
  /** Open connections across all clients (default 1000). */
  maxConnections?: number;
  /** Open connections from one address (default 20). */
  maxPerAddress?: number;
  /** Ping interval; a client that has not answered the previous ping is dropped (default 25 s). */
  heartbeatMs?: number;
  /** Bytes sent but not yet proven read (by a pong) a connection may have before it is dropped as too slow (default 256 KiB). */
  maxBufferedBytes?: number;
  /** How long a sent message may stay unproven read before the connection is dropped as too slow (default 10 s). */
  readTimeoutMs?: number;
  /** Fewest milliseconds between two `network`/`operator/sessions` deltas (default 1000). */
  aggregateEveryMs?: number;
  /** Events in the `operator/events` snapshot (default 25). */
  eventsSnapshot?: number;
}

const ADMIN_TOPICS: ReadonlySet<WsTopic> = new Set(['operator/sessions', 'operator/events']);
const OPERATOR_TOPICS: ReadonlySet<WsTopic> = new Set(['operator/sessions', 'operator/events', 'operator/sales']);

interface Conn {
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
}

/** How long a connection the hub is closing may take to finish the close handshake (`ws` would wait 30 s). */
const CLOSE_GRACE_MS = 2000;

export function createWsHub(deps: HttpDeps, opts: WsHubOptions = {}) {
  const { core, config, log } = deps;
  const o = {
    maxConnections: opts.maxConnections ?? 1000,
    maxPerAddress: opts.maxPerAddress ?? 20,
    heartbeatMs: opts.heartbeatMs ?? 25_000,
    maxBufferedBytes: opts.maxBufferedBytes ?? 256 * 1024,
    readTimeoutMs: opts.readTimeoutMs ?? 10_000,
    aggregateEveryMs: opts.aggregateEveryMs ?? 1000,
    eventsSnapshot: opts.eventsSnapshot ?? 25,
  };
  const auth = operatorAuth(core);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false, clientTracking: false });
  const conns = new Set<Conn>();
  const perAddress = new Map<string, number>();
  const stats = { tooSlow: 0, silent: 0, refused: 0 };
  const unsubscribe: (() => void)[] = [];
  let lastEventId = core.admin.audit({ limit: 1 })[0]?.id ?? 0;
  let lastAggregate = 0;
  let aggregateTimer: NodeJS.Timeout | undefined;

  function drop(c: Conn, why: 'too slow' | 'no pong'): void {
    if (why === 'too slow') stats.tooSlow++;
    else stats.silent++;
    log.debug('ws', `dropping a connection: ${why}`, { ip: c.ip });
    c.ws.terminate();
  }

  /** Pings with the next sequence number; the pong echoes it (RFC 6455 §5.5.3). */
  function ping(c: Conn): number {
    c.ws.ping(String(++c.pingSeq));
    return c.pingSeq;
  }

  function send<K extends WsTopic>(c: Conn, topic: K, kind: 'snapshot' | 'delta', payload: WsTopics[K]): void {
    if (c.ws.readyState !== WebSocket.OPEN) return;
    // Backpressure: a phone that stopped reading gets cut, never an ever-growing buffer (SPEC §6).
    if (tooSlow(c, Date.now())) return drop(c, 'too slow');
    const data = JSON.stringify({ topic, kind, payload } as WsMessage);
    c.ws.send(data);
    const length = Buffer.byteLength(data);
    // Counted as on the wire: the frame header too (RFC 6455 §5.2), or small messages would slip past the cap.
    const bytes = length + (length < 126 ? 2 : length < 65_536 ? 4 : 10);
    if (!c.unreadSince) c.unreadSince = Date.now();
    c.unreadBytes += bytes;
    if (!c.probe) c.probe = { seq: ping(c), bytes: c.unreadBytes };
    else if (c.after) c.after.bytes += bytes;
    else c.after = { since: Date.now(), bytes };
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
    c.probe = { seq: ping(c), bytes: c.unreadBytes };
  }

  const withTopic = (t: WsTopic) => [...conns].filter((c) => c.topics.has(t));

  async function sendDevice(c: Conn, kind: 'snapshot' | 'delta'): Promise<void> {
    const status = await core.deviceStatus(c.ip);
    c.entitlementId = status.authorized ? status.entitlementId : null;
    c.deviceId = status.authorized ? status.deviceId : null;
    c.last = sessionState(status, c.lang);
    send(c, 'device', kind, c.last);
  }

  /**
   * Usage ticks change numbers, not membership (logins and logouts arrive as pool events): each online
   * subscriber's last payload is patched with its pool's figures from the sweep, with no query and no
   * gateway lookup per connection. A device whose pool no longer lists it is looked up afresh.
   */
  async function sendUsage(list: Conn[], usage: PorticoEvents['usage']): Promise<void> {
    const pools = new Map(usage.pools.map((p) => [p.entitlementId, p]));
    for (const c of list) {
      const p = c.entitlementId ? pools.get(c.entitlementId) : undefined;
      const last = c.last;
      if (!p || !last?.authorized || last.devices.length !== p.devices.length || !p.devices.some((d) => d.deviceId === c.deviceId)) {
        await sendDevice(c, 'delta');
        continue;
      }
      const rates = new Map(p.devices.map((d) => [d.deviceId, d]));
      c.last = {
        ...last,
        at: usage.at,
        status: p.status,
        throttled: p.throttled,
        online: p.status === 'active' || p.throttled,
        secondsRemaining: p.secondsRemaining,
        bytesRemaining: p.bytesRemaining,
        usedBytes: p.usedBytes,
        downBps: p.downBps,
        upBps: p.upBps,
        devices: last.devices.map((d) => ({ ...d, downBps: rates.get(d.id)?.downBps ?? 0, upBps: rates.get(d.id)?.upBps ?? 0 })),
      };
      send(c, 'device', 'delta', c.last);
    }
  }

  function salesFor(c: Conn) {
    const op = c.operator && core.sessionOperator(c.operator.tokenHash);
    return op ? core.admin.vouchers.sales(op) : { rows: [], totals: { vouchers: 0, amount: 0 }, perSeller: [] };
  }

  // --- coalesced updates: many bus events in one tick become one message per connection ---
  const dirtyDevices = new Set<Conn>();
  const dirtyUsage = new Set<Conn>();
  let lastUsage: PorticoEvents['usage'] | null = null;
  let dirtyEvents = false;
  let dirtySales = false;
  let scheduled = false;
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush().catch((err) => log.error('ws/flush', 'update failed', { err }));
    });
  }
  async function flush(): Promise<void> {
    const devices = [...dirtyDevices];
    dirtyDevices.clear();
    for (const c of devices) dirtyUsage.delete(c);
    const usage = [...dirtyUsage].filter((c) => conns.has(c));
    dirtyUsage.clear();
    for (const c of devices) if (conns.has(c)) await sendDevice(c, 'delta');
    if (lastUsage) await sendUsage(usage, lastUsage);
    if (dirtyEvents) {
      dirtyEvents = false;
      const fresh: AuditEvent[] = core.admin.audit({ limit: 100 }).filter((e) => (e.id ?? 0) > lastEventId);
      if (fresh.length) {
        lastEventId = fresh[0]!.id ?? lastEventId;
        for (const c of withTopic('operator/events')) send(c, 'operator/events', 'delta', fresh);
      }
    }
    if (dirtySales) {
      dirtySales = false;
      for (const c of withTopic('operator/sales')) send(c, 'operator/sales', 'delta', salesFor(c));
    }
  }
  function markPool(entitlementId: string | null, ip?: string): void {
    for (const c of conns) {
      if (c.topics.has('device') && ((entitlementId && c.entitlementId === entitlementId) || (ip && c.ip === ip))) dirtyDevices.add(c);
    }
    dirtyEvents = true;
    schedule();
  }

  function aggregates(): void {
    const now = Date.now();
    if (now - lastAggregate < o.aggregateEveryMs) {
      aggregateTimer ??= setTimeout(() => {
        aggregateTimer = undefined;
        aggregates();
      }, o.aggregateEveryMs - (now - lastAggregate));
      return;
    }
    lastAggregate = now;
    const net = withTopic('network');
    if (net.length) {
      const state = core.admin.networkState();
      for (const c of net) send(c, 'network', 'delta', state);
    }
    const ops = withTopic('operator/sessions');
    if (ops.length) {
      const state = core.admin.dashboard();
      for (const c of ops) send(c, 'operator/sessions', 'delta', state);
    }
  }

  unsubscribe.push(
    core.bus.on('usage', 'ws', (u) => {
      lastUsage = u;
      // Only devices that are online have numbers that move; logins and logouts arrive as pool events.
      for (const c of conns) if (c.topics.has('device') && c.entitlementId) dirtyUsage.add(c);
      dirtyEvents = true;
      schedule();
      aggregates();
    }),
    core.bus.on('voucher.redeemed', 'ws', (e) => (markPool(e.entitlementId, normalizeIp(e.ip)), aggregates())),
    core.bus.on('device.attached', 'ws', (e) => markPool(e.entitlementId, normalizeIp(e.ip))),
    core.bus.on('device.detached', 'ws', (e) => (markPool(e.entitlementId), aggregates())),
    core.bus.on('entitlement.changed', 'ws', (e) => markPool(e.entitlementId)),
    core.bus.on('voucher.revoked', 'ws', (e) => (markPool(e.entitlementId), (dirtySales = true), aggregates())),
    core.bus.on('batch.created', 'ws', () => ((dirtySales = true), (dirtyEvents = true), schedule())),
    core.bus.on('login.failed', 'ws', () => ((dirtyEvents = true), schedule())),
    core.bus.on('operator.action', 'ws', () => ((dirtyEvents = true), schedule())),
  );

  const heartbeat = setInterval(() => {
    for (const c of conns) {
      if (!c.alive) {
        drop(c, 'no pong');
        continue;
      }
      // An operator who signed out (or was disabled) stops receiving operator topics.
      if (c.operator && !core.sessionOperator(c.operator.tokenHash)) {
        c.ws.close(WS_CLOSE.unauthenticated, 'session ended');
        continue;
      }
      c.alive = false;
      ping(c);
    }
  }, o.heartbeatMs);
  heartbeat.unref();

  // A reader that stopped while nothing more is being sent to it is found here rather than on the next send.
  const readCheck = setInterval(() => {
    const now = Date.now();
    for (const c of conns) if (tooSlow(c, now)) drop(c, 'too slow');
  }, Math.max(100, Math.min(1000, o.readTimeoutMs / 4)));
  readCheck.unref();

  function refuse(socket: Duplex, status: number, reason: string): void {
    stats.refused++;
    // A peer that never reads the answer (or never closes) must not keep the descriptor.
    (socket as Socket).setTimeout?.(CLOSE_GRACE_MS, () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n${status === 503 ? 'Retry-After: 10\r\n' : ''}\r\n${reason}`);
  }

  async function opened(c: Conn, closeWith: number | null): Promise<void> {
    if (closeWith !== null) {
      c.ws.close(closeWith, closeWith === WS_CLOSE.unauthenticated ? 'sign in first' : closeWith === WS_CLOSE.forbidden ? 'not for this role' : 'bad topics');
      // Not counted in the caps, so it must not linger: cut it if the peer does not finish the close.
      const cut = setTimeout(() => c.ws.terminate(), CLOSE_GRACE_MS);
      cut.unref();
      c.ws.once('close', () => clearTimeout(cut));
      return;
    }
    conns.add(c);
    perAddress.set(c.ip, (perAddress.get(c.ip) ?? 0) + 1);
    c.ws.on('pong', (data) => proven(c, Number(data.toString('latin1'))));
    c.ws.on('message', () => {}); // the hub takes no client messages; maxPayload bounds them
    c.ws.on('close', () => {
      conns.delete(c);
      dirtyDevices.delete(c);
      const n = (perAddress.get(c.ip) ?? 1) - 1;
      if (n <= 0) perAddress.delete(c.ip);
      else perAddress.set(c.ip, n);
    });
    try {
      if (c.topics.has('device')) await sendDevice(c, 'snapshot');
      if (c.topics.has('network')) send(c, 'network', 'snapshot', core.admin.networkState());
      if (c.topics.has('operator/sessions')) send(c, 'operator/sessions', 'snapshot', core.admin.dashboard());
      if (c.topics.has('operator/events')) send(c, 'operator/events', 'snapshot', core.admin.audit({ limit: o.eventsSnapshot }));
      if (c.topics.has('operator/sales')) send(c, 'operator/sales', 'snapshot', salesFor(c));
    } catch (err) {
      log.error('ws/snapshot', 'snapshot failed', { err });
      c.ws.close(1011, 'internal error');
    }
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Before anything can write to it: Node removed its own listener when it handed the socket over (D2).
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch (err) {
      // An input the checks did not foresee (a URL `new URL` rejects, say) is a refusal, not an exception.
      log.debug('ws', 'upgrade failed', { err: (err as Error).message });
      refuse(socket, 400, 'Bad Request');
    }
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://portal.invalid');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    const ip = normalizeIp(req.socket.remoteAddress ?? '');
    if (conns.size >= o.maxConnections || (perAddress.get(ip) ?? 0) >= o.maxPerAddress) return refuse(socket, 503, 'Too many connections');
    const requested = (url.searchParams.get('topics') ?? 'device').split(',').filter(Boolean);
    const topics = new Set<WsTopic>();
    let closeWith: number | null = null;
    for (const t of requested) {
      if ((WS_TOPICS as readonly string[]).includes(t)) topics.add(t as WsTopic);
      else closeWith = WS_CLOSE.badRequest;
    }
    if (topics.size === 0) closeWith = WS_CLOSE.badRequest;
    // A resident's own remaining data and devices must not be readable by a site they visit (D10):
    // browsers always send Origin on a WebSocket handshake, so a foreign one (or `null`) is refused.
    if (closeWith === null && topics.has('device') && !sameOrigin(req.headers.origin, req.headers.host)) closeWith = WS_CLOSE.forbidden;
    let operator: Conn['operator'] = null;
    if (closeWith === null && [...topics].some((t) => OPERATOR_TOPICS.has(t))) {
      const s = sameOrigin(req.headers.origin, req.headers.host) ? auth.session(req.headers.cookie) : null;
      if (!s) closeWith = WS_CLOSE.unauthenticated;
      else if (s.operator.role !== 'admin' && [...topics].some((t) => ADMIN_TOPICS.has(t))) closeWith = WS_CLOSE.forbidden;
      else operator = { id: s.operator.id, role: s.operator.role, tokenHash: s.tokenHash };
    }
    const lang = pickLang(req.headers['accept-language'], cookieValue(req.headers.cookie, 'lang'), core.admin.settings().languages);
    wss.handleUpgrade(req, socket, head, (ws) => {
      // First, before any check (D1): `ws` answers a bad frame with a close frame and then emits 'error'.
      ws.on('error', (err) => {
        log.debug('ws', 'protocol error', { ip, err: err.message });
        const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
        cut.unref();
        ws.once('close', () => clearTimeout(cut));
      });
      const c: Conn = { ws, ip, lang, topics, operator, entitlementId: null, deviceId: null, last: null, alive: true, pingSeq: 0, probe: null, unreadSince: 0, unreadBytes: 0, after: null };
      void opened(c, closeWith).catch((err) => {
        log.error('ws/open', 'opening failed', { err });
        ws.terminate();
      });
    });
  }

  return {
    handleUpgrade,
    /** Listens for upgrades on a node:http(s) server: `/ws` here, any other path served as a plain request (upgrade-router.ts). */
    attach(server: Server): void {
      routeUpgrades(server, handleUpgrade);
    },
    /** Open connections, and how many were dropped (too slow, no pong) or refused (cap) so far. */
    stats: () => ({ connections: conns.size, ...stats }),
    close(): void {
      clearInterval(heartbeat);
      clearInterval(readCheck);
      if (aggregateTimer) clearTimeout(aggregateTimer);
      for (const u of unsubscribe) u();
      for (const c of conns) c.ws.close(1001, 'server shutting down');
      conns.clear();
      wss.close();
    },
  };
}

export type WsHub = ReturnType<typeof createWsHub>;
