/**
 * What the HTTP layer needs from the outside: the core, the config, and how to learn the caller's
 * address. The address comes from the socket (never Host, X-Forwarded-For or cookies: SPEC §5); tests
 * pass `{ incoming: { socket: { remoteAddress } } }` as the env of app.request().
 */
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import type { SessionState } from '../api/contract.js';
import type { Config } from '../config/schema.js';
import type { Core } from '../core/index.js';
import type { DeviceStatus } from '../core/session.js';
import { describePlan } from '../domain/plan-words.js';
import type { Lang } from '../domain/plan-words.js';
import type { Logger } from '../lib/log.js';
import { normalizeIp } from '../lib/net.js';
import { pickLang } from './i18n.js';

export interface HttpDeps {
  core: Core;
  config: Config;
  log: Logger;
  /** The caller's address; defaults to the TCP peer of @hono/node-server's request. */
  clientIp?: (c: Context) => string;
  /** Open WebSocket connections, for GET /metrics (main.ts passes the hub's count). */
  wsClients?: () => number;
  /** The RADIUS server's counters, for GET /metrics, when radius.server is enabled. */
  radiusStats?: () => RadiusCounters;
  /** The remote authority's counters (authority.kind radius, docs/towers.md), when it runs. */
  authorityStats?: () => AuthorityCounters;
  /** Sends a live RADIUS session's NAS a Disconnect-Request (the console's button), when radius.server is enabled. */
  radiusDisconnect?: (sessionId: string, operatorId: string) => Promise<'disconnected' | 'gone' | 'refused' | 'no-answer' | 'no-das' | 'not-live'>;
}

/** What GET /metrics reads from the RADIUS server (radius/server.ts `stats()`); a local shape, so http/ does not import radius/. */
export interface RadiusCounters {
  received: number;
  answered: number;
  replayed: number;
  dropped: Record<string, number>;
  outcomes: Record<string, number>;
  /** Per configured NAS: outcomes, drops, and when it was last heard (Unix ms). */
  byNas?: Record<string, { outcomes: Record<string, number>; dropped: Record<string, number>; lastPacketAt: number | null }>;
}

/** What GET /metrics reads from the remote authority (authority/index.ts `stats()`), a local shape. */
export interface AuthorityCounters {
  /** Access- and Accounting-Requests sent, retransmissions, calls no server answered, replies dropped. */
  sent: number;
  retried: number;
  unanswered: number;
  dropped: number;
  /** Per configured server (`host:authPort`): 1 while it answers, 0 while it is remembered as silent. */
  servers: Record<string, number>;
  /** Accounting records kept on disk until a server acknowledges them. */
  accountingWaiting: number;
  /** The DAS listener's answers and drops, when it runs. */
  das: { acked: number; naked: number; dropped: Record<string, number> } | null;
}

interface NodeEnv {
  incoming?: IncomingMessage;
}

export function socketAddresses(c: Context): { remote: string; local: string } {
  const socket = (c.env as NodeEnv | undefined)?.incoming?.socket;
  return { remote: normalizeIp(socket?.remoteAddress ?? ''), local: normalizeIp(socket?.localAddress ?? '') };
}

/** Node's own request under Hono's (@hono/node-server); none in `app.request()` tests, which hand Hono a bare `{ socket }`. */
export function nodeRequest(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as NodeEnv | undefined)?.incoming;
  return typeof incoming?.on === 'function' ? incoming : undefined;
}

/**
 * The request body as text. A small body of announced length (a resident's form: every browser sends
 * Content-Length, which app.ts's body limit has already checked) is read straight off Node's request:
 * Hono's `parseBody()` builds a web Request and runs undici's form parser, ~0.4 ms of a login's ~3.5 ms
 * inside Portico. Anything else (chunked, no Node request under it as in `app.request()` tests) goes
 * through Hono, body limit and all. A body the client aborts mid-way rejects.
 */
export function bodyText(c: Context): Promise<string> {
  const incoming = nodeRequest(c);
  const length = Number(incoming?.headers['content-length'] ?? NaN);
  if (!incoming || !Number.isSafeInteger(length) || incoming.readableDidRead || incoming.readableEnded) return c.req.text();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (d: Buffer) => chunks.push(d));
    incoming.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.once('error', reject);
    // After 'end' this changes nothing; before it, the client went away mid-body.
    incoming.once('close', () => reject(new Error('the request was cut off')));
  });
}

export function clientIpOf(deps: HttpDeps, c: Context): string {
  return deps.clientIp ? normalizeIp(deps.clientIp(c)) : socketAddresses(c).remote;
}

/** `?lang=`, then the `lang` cookie, then Accept-Language, among the languages the operator enabled. */
export function langOf(deps: HttpDeps, c: Context): Lang {
  const cookie = /(?:^|;\s*)lang=([a-z]{2})/.exec(c.req.header('cookie') ?? '')?.[1];
  return pickLang(c.req.header('accept-language'), c.req.query('lang') ?? cookie, deps.core.admin.settings().languages);
}

export function sessionState(s: DeviceStatus, lang: Lang): SessionState {
  if (!s.authorized) return s.ended ? { authorized: false, ended: s.ended } : { authorized: false };
  return {
    authorized: true,
    online: s.online,
    code: s.code,
    status: s.status,
    throttled: s.throttled,
    plan: { words: describePlan(s.plan, lang), devices: s.plan.devices, dataBytes: s.plan.dataBytes, durationSec: s.plan.durationSec },
    secondsRemaining: s.secondsRemaining,
    bytesRemaining: s.bytesRemaining,
    usedBytes: s.usedBytes,
    dataTotal: s.dataTotal,
    expiresAt: s.expiresAt,
    downBps: s.downBps,
    upBps: s.upBps,
    devices: s.devices,
  };
}
