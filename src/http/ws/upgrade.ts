/**
 * The HTTP side of GET /ws: caps, topics, Origin and the operator session are checked before the
 * upgrade (a refusal is a plain HTTP answer, or a close code right after it: 4401 without a session,
 * 4403 for a seller asking for an admin topic or a foreign Origin, 4400 for unknown topics).
 *
 * Hostile input never reaches an emitter without an 'error' listener: the raw upgrade socket gets one
 * before anything is written (a reset during a refusal is EPIPE/ECONNRESET), and every WebSocket gets
 * one before any check, including those about to be closed (an invalid frame there is answered with a
 * close frame by `ws` and then emitted as 'error'). A connection being closed must finish the close
 * handshake within CLOSE_GRACE_MS or it is cut (`ws` would wait 30 s).
 *
 * @example
 *   const onUpgrade = createUpgrade({ core, broker, topics, log, maxConnections: 1000, maxPerAddress: 20 });
 *   onUpgrade(req, socket, head);
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WS_CLOSE, WS_TOPICS, type WsTopic } from '../../api/contract.js';
import type { Core } from '../../core/index.js';
import { normalizeIp } from '../../lib/net.js';
import type { Logger } from '../../lib/log.js';
import { cookieValue, operatorAuth, sameOrigin } from '../admin-auth.js';
import { pickLang } from '../i18n.js';
import { WS_PATH } from '../upgrade-router.js';
import { newConn, type Broker, type Conn } from './broker.js';
import type { Topics } from './topics.js';

const ADMIN_TOPICS: ReadonlySet<WsTopic> = new Set(['operator/sessions', 'operator/events']);
const OPERATOR_TOPICS: ReadonlySet<WsTopic> = new Set(['operator/sessions', 'operator/events', 'operator/sales']);
const CLOSE_GRACE_MS = 2000;

export interface UpgradeOptions {
  core: Core;
  broker: Broker;
  topics: Topics;
  log: Logger;
  maxConnections: number;
  maxPerAddress: number;
}

export function createUpgrade(o: UpgradeOptions) {
  const { core, broker, topics, log } = o;
  const auth = operatorAuth(core);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, perMessageDeflate: false, clientTracking: false });

  function refuse(socket: Duplex, status: number, reason: string): void {
    broker.refused();
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
    broker.add(c, () => topics.forget(c));
    try {
      await topics.snapshot(c);
    } catch (err) {
      log.error('ws/snapshot', 'snapshot failed', { err });
      c.ws.close(1011, 'internal error');
    }
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://portal.invalid');
    if (url.pathname !== WS_PATH) return refuse(socket, 404, 'Not Found');
    const ip = normalizeIp(req.socket.remoteAddress ?? '');
    if (!broker.hasRoom(ip, o.maxConnections, o.maxPerAddress)) return refuse(socket, 503, 'Too many connections');
    const requested = (url.searchParams.get('topics') ?? 'device').split(',').filter(Boolean);
    const wanted = new Set<WsTopic>();
    let closeWith: number | null = null;
    for (const t of requested) {
      if ((WS_TOPICS as readonly string[]).includes(t)) wanted.add(t as WsTopic);
      else closeWith = WS_CLOSE.badRequest;
    }
    if (wanted.size === 0) closeWith = WS_CLOSE.badRequest;
    // A resident's own remaining data and devices must not be readable by a site they visit (D10):
    // browsers always send Origin on a WebSocket handshake, so a foreign one (or `null`) is refused.
    if (closeWith === null && wanted.has('device') && !sameOrigin(req.headers.origin, req.headers.host)) closeWith = WS_CLOSE.forbidden;
    let operator: Conn['operator'] = null;
    if (closeWith === null && [...wanted].some((t) => OPERATOR_TOPICS.has(t))) {
      const s = sameOrigin(req.headers.origin, req.headers.host) ? auth.session(req.headers.cookie) : null;
      if (!s) closeWith = WS_CLOSE.unauthenticated;
      else if (s.operator.role !== 'admin' && [...wanted].some((t) => ADMIN_TOPICS.has(t))) closeWith = WS_CLOSE.forbidden;
      // A handed-over password opens no live topic either, like the operator API (admin-routes.ts).
      else if (core.admin.mustChangePassword(s.operator.id)) closeWith = WS_CLOSE.forbidden;
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
      void opened(newConn(ws, { ip, lang, topics: wanted, operator }), closeWith).catch((err) => {
        log.error('ws/open', 'opening failed', { err });
        ws.terminate();
      });
    });
  }

  return {
    /** Takes over an upgrade request's socket (node:http 'upgrade'). */
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // Before anything can write to it: Node removed its own listener when it handed the socket over (D2).
      socket.on('error', () => socket.destroy());
      try {
        upgrade(req, socket, head);
      } catch (err) {
        // An input the checks did not foresee (a URL `new URL` rejects, say) is a refusal, not an exception.
        log.debug('ws', 'upgrade failed', { err: (err as Error).message });
        refuse(socket, 400, 'Bad Request');
      }
    },
    close(): void {
      wss.close();
    },
  };
}
