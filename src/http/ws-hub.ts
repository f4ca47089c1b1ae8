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
 * Three parts: ws/broker.ts (connections, backpressure by read proof, heartbeats), ws/topics.ts (what
 * each topic carries, from the bus), ws/upgrade.ts (the checks before and at the upgrade). The hub does
 * nothing until `start()`: no bus subscription, no timer.
 *
 * @example
 *   const hub = createWsHub({ core, config, log });
 *   hub.attach(server);        // a node:http(s) server
 *   hub.start();
 *   hub.close();
 */
import type { Server } from 'node:http';
import { WS_CLOSE } from '../api/contract.js';
import type { HttpDeps } from './context.js';
import { routeUpgrades } from './upgrade-router.js';
import { createBroker } from './ws/broker.js';
import { createTopics } from './ws/topics.js';
import { createUpgrade } from './ws/upgrade.js';

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

export function createWsHub(deps: HttpDeps, opts: WsHubOptions = {}) {
  const { core, log } = deps;
  const broker = createBroker({
    log,
    heartbeatMs: opts.heartbeatMs ?? 25_000,
    maxBufferedBytes: opts.maxBufferedBytes ?? 256 * 1024,
    readTimeoutMs: opts.readTimeoutMs ?? 10_000,
  });
  const topics = createTopics({ core, broker, log, aggregateEveryMs: opts.aggregateEveryMs ?? 1000, eventsSnapshot: opts.eventsSnapshot ?? 25 });
  const upgrade = createUpgrade({ core, broker, topics, log, maxConnections: opts.maxConnections ?? 1000, maxPerAddress: opts.maxPerAddress ?? 20 });
  let started = false;

  return {
    handleUpgrade: upgrade.handleUpgrade,
    /** Listens for upgrades on a node:http(s) server: `/ws` here, any other path served as a plain request (upgrade-router.ts). */
    attach(server: Server): void {
      routeUpgrades(server, upgrade.handleUpgrade);
    },
    /** Subscribes to the bus and starts the heartbeats. */
    start(): void {
      if (started) return;
      started = true;
      topics.start();
      // An operator who signed out (or was disabled) stops receiving operator topics.
      broker.start((c) => (c.operator && !core.sessionOperator(c.operator.tokenHash) ? { close: WS_CLOSE.unauthenticated, why: 'session ended' } : null));
    },
    /** Open connections, and how many were dropped (too slow, no pong) or refused (cap) so far. */
    stats: () => broker.stats(),
    close(): void {
      started = false;
      topics.stop();
      broker.stop();
      upgrade.close();
    },
  };
}

export type WsHub = ReturnType<typeof createWsHub>;
