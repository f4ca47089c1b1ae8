/**
 * The portal's listeners: node:http on listen.port (interception and the portal) and, with tls.port, the
 * same request listener over HTTPS; the WebSocket hub on both. Everything a hostile peer on the LAN can
 * reach first is bounded here, so no input on a socket can hold resources for long or end the process:
 *
 * - a connection cap across both listeners and a per-address cap, checked on 'connection' (before any
 *   byte is parsed), kept under the descriptor limit so residents still get in during a flood;
 * - the same headers / request / keep-alive timeouts on HTTP and HTTPS, swept every second instead of
 *   Node's default 30 s (`connectionsCheckingInterval`), so "10 s" means 10 s and not up to 40 s;
 * - an idle timeout (`server.timeout`) that also catches slow readers: a response stuck behind a peer
 *   that does not read completes no write, so the socket goes idle and is destroyed;
 * - a TLS handshake timeout (Node's default is 120 s);
 * - upgrades routed by path (upgrade-router.ts): `/ws` to the hub, anything else served as a plain request.
 *
 * Building them does no I/O; `listen()` binds. main.ts decides what a bind failure means for the process.
 *
 * @example
 *   const l = createListeners({ core, config, log, tls: { cert, key } });
 *   await l.listen();
 *   await l.close();
 */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createApp } from '../app.js';
import type { Config } from '../config/schema.js';
import type { Core } from '../core/index.js';
import type { Logger } from '../lib/log.js';
import { normalizeIp } from '../lib/net.js';
import { portalHostMatcher } from './intercept.js';
import { interceptListener } from './intercept-listener.js';
import type { HttpDeps } from './context.js';
import { createWsHub, type WsHubOptions } from './ws-hub.js';

export interface ListenersDeps {
  core: Core;
  config: Config;
  log: Logger;
  /** PEM certificate and key for tls.port (read by main.ts); without them only HTTP listens. */
  tls?: { cert: Buffer | string; key: Buffer | string } | null;
  hub?: WsHubOptions;
  /** The RADIUS server's counters for GET /metrics, when it runs (main.ts). */
  radiusStats?: HttpDeps['radiusStats'];
  radiusDisconnect?: HttpDeps['radiusDisconnect'];
  authorityStats?: HttpDeps['authorityStats'];
}

/** Probes must never ride a kept-alive, DNAT'd connection past login (captive-clients.md c6, c8). */
const KEEP_ALIVE_MS = 2000;

/** How often Node sweeps for requests past headersTimeout/requestTimeout (its default, 30 s, makes them late by that much). */
const CHECK_EVERY_MS = 1000;

export function createListeners(deps: ListenersDeps) {
  const { core, config, log } = deps;
  const l = config.listen;
  const hub = createWsHub({ core, config, log }, deps.hub);
  const app = createApp({ core, config, log, wsClients: () => hub.stats().connections, ...(deps.radiusStats ? { radiusStats: deps.radiusStats } : {}),
    ...(deps.radiusDisconnect ? { radiusDisconnect: deps.radiusDisconnect } : {}), ...(deps.authorityStats ? { authorityStats: deps.authorityStats } : {}) });
  // Interception is answered on the bare node:http response (intercept-listener.ts); the rest is Hono.
  const listener = interceptListener(
    { portalUrl: config.portalUrl, isPortalHost: portalHostMatcher(config), isAuthorized: (ip) => core.isOnline(ip) },
    getRequestListener(app.fetch),
  );
  const guard = connectionGuard(l.maxConnections, l.maxPerAddress);
  const timeouts = {
    // Node refuses a headersTimeout above requestTimeout.
    headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs),
    requestTimeout: l.requestTimeoutMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
    connectionsCheckingInterval: CHECK_EVERY_MS,
  };

  const http = harden(createHttpServer(timeouts, listener as RequestListener));
  const https = deps.tls && config.tls.port ? harden(createHttpsServer({ ...timeouts, cert: deps.tls.cert, key: deps.tls.key, handshakeTimeout: l.tlsHandshakeTimeoutMs }, listener as RequestListener)) : null;
  // A handshake that fails or times out is the peer's problem; Node destroys the socket, this only stops the noise.
  https?.on('tlsClientError', (err) => log.debug('https', 'TLS handshake failed', { err: err.message }));

  function harden<S extends Server>(server: S): S {
    // Both setters exist on the instance and also survive Node versions whose options object ignores them.
    server.keepAliveTimeout = timeouts.keepAliveTimeout;
    server.headersTimeout = timeouts.headersTimeout;
    server.requestTimeout = timeouts.requestTimeout;
    server.timeout = l.idleTimeoutMs;
    // Node's own cap per listener, a backstop under the shared one below (it refuses at accept time).
    server.maxConnections = l.maxConnections;
    guard.watch(server);
    hub.attach(server);
    return server;
  }

  const servers = https ? [http, https] : [http];
  return {
    hub,
    http,
    https,
    /** Binds HTTP (rejects if it cannot) and HTTPS (a failure is logged: the portal still works on HTTP). */
    async listen(): Promise<void> {
      hub.start();
      if (https) {
        https.on('error', (err) => log.error('http', `cannot listen on ${l.host}:${config.tls.port} (TLS): ${err.message}`));
        https.listen(config.tls.port, l.host);
      }
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(l.port, l.host, () => {
          http.off('error', reject);
          resolve();
        });
      });
    },
    /** The port HTTP is bound to (useful with listen.port 0 in tests). */
    port: () => (http.address() as AddressInfo | null)?.port ?? l.port,
    tlsPort: () => (https?.address() as AddressInfo | null)?.port ?? config.tls.port,
    /** Open connections and how many were refused by the caps. */
    stats: () => guard.stats(),
    /** Open connections from one address. */
    openFrom: (ip: string) => guard.openFrom(ip),
    async close(): Promise<void> {
      hub.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}

export type Listeners = ReturnType<typeof createListeners>;

/**
 * One count for both listeners, because descriptors are one budget: past `max` open sockets in total, or
 * `perAddress` from one address, a new socket is destroyed before its first byte is read. The address is
 * the TCP peer, as everywhere in Portico; a flood from a few addresses fills only their own share.
 *
 * The last quarter of `max` is kept for addresses with only a few connections (a phone opening the
 * portal), so a flood from many addresses at their per-address cap — 40 addresses × 64 fills 2,000 —
 * stops at three quarters and residents still get in until the timeouts clear the flood.
 */
function connectionGuard(max: number, perAddress: number) {
  const reserveFrom = Math.floor(max * 0.75);
  const few = Math.min(8, Math.ceil(perAddress / 2));
  let open = 0;
  let refused = 0;
  const byAddress = new Map<string, number>();
  return {
    stats: () => ({ open, refused, addresses: byAddress.size }),
    openFrom: (ip: string) => byAddress.get(normalizeIp(ip)) ?? 0,
    watch(server: Server): void {
      server.on('connection', (socket: Socket) => {
        const ip = normalizeIp(socket.remoteAddress ?? '');
        const mine = byAddress.get(ip) ?? 0;
        if (!ip || open >= max || mine >= perAddress || (open >= reserveFrom && mine >= few)) {
          refused++;
          socket.destroy();
          return;
        }
        open++;
        byAddress.set(ip, mine + 1);
        socket.once('close', () => {
          open--;
          const n = (byAddress.get(ip) ?? 1) - 1;
          if (n <= 0) byAddress.delete(ip);
          else byAddress.set(ip, n);
        });
      });
    },
  };
}
