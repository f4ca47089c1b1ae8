/**
 * `GET /metrics` in the Prometheus text exposition format (version 0.0.4), for operators or localhost
 * (SPEC §5). A resident's device never sees it: the caller must be the loopback address (a scraper on
 * the gateway itself) or carry a valid operator session cookie. Everyone else gets 404, as if the route
 * did not exist, so the portal does not advertise it.
 *
 * @example
 *   app.route('/', metricsRoutes(deps, { metrics: core.metrics, wsClients: () => hub.stats().connections }));
 */
import { Hono } from 'hono';
import type { ErrorEnvelope } from '../api/contract.js';
import type { MetricsSnapshot } from '../core/metrics.js';
import { OPERATOR_COOKIE, cookieValue } from './admin-auth.js';
import { socketAddresses, type AuthorityCounters, type HttpDeps, type RadiusCounters } from './context.js';

export interface MetricsRouteOptions {
  metrics: { snapshot(): MetricsSnapshot };
  /** Open WebSocket connections (the hub's count), when a hub is running. */
  wsClients?: () => number;
  /** The RADIUS server's counters, when it runs. */
  radiusStats?: () => RadiusCounters;
  /** The remote authority's counters, when authority.kind is radius. */
  authorityStats?: () => AuthorityCounters;
}

const isLoopback = (ip: string) => ip === '::1' || /^127\./.test(ip);

/** Prometheus label values escape backslash, double quote and newline. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function metricsRoutes(deps: HttpDeps, opts: MetricsRouteOptions) {
  const app = new Hono();
  const started = Date.now();

  app.get('/metrics', (c) => {
    // The socket, never Host or X-Forwarded-For, says who is asking (SPEC §5).
    const allowed = isLoopback(socketAddresses(c).remote) || deps.core.operatorForToken(cookieValue(c.req.header('cookie'), OPERATOR_COOKIE)) !== null;
    if (!allowed) return c.json({ ok: false, code: 'NOT_FOUND', message: 'no such page' } satisfies ErrorEnvelope, 404);

    const { core } = deps;
    const m = opts.metrics.snapshot();
    const today = core.trafficToday();
    const gw = core.health().gateway;
    const lines: string[] = [];
    const metric = (name: string, type: 'counter' | 'gauge' | 'summary', help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
    };
    metric('portico_devices_online', 'gauge', 'Devices authorized on the gateway now.', [['', today.devicesOnline]]);
    metric('portico_logins_total', 'counter', 'Successful voucher logins and top-ups since start.', [
      ['{kind="login"}', m.logins],
      ['{kind="topup"}', m.topUps],
    ]);
    const failures = Object.entries(m.failures).sort(([a], [b]) => a.localeCompare(b));
    metric('portico_login_failures_total', 'counter', 'Failed logins since start, by error code.', failures.map(([code, n]) => [`{code="${label(code)}"}`, n]));
    metric('portico_bytes_total', 'counter', 'Bytes (up + down) the gateway counted for online pools since start.', [['', m.bytes]]);
    metric('portico_traffic_today_bytes', 'gauge', 'Stored traffic for the local day, by direction (written once per accounting interval).', [
      ['{direction="up"}', today.up],
      ['{direction="down"}', today.down],
    ]);
    metric('portico_accounting_sweep_seconds', 'summary', 'Duration of accounting sweeps (read counters, apply time, publish).', [
      ['_sum', m.sweepMsSum / 1000],
      ['_count', m.sweeps],
    ]);
    metric('portico_accounting_last_sweep_seconds', 'gauge', 'Duration of the last accounting sweep.', [['', m.sweepMs / 1000]]);
    metric('portico_websocket_clients', 'gauge', 'Open WebSocket connections.', [['', opts.wsClients?.() ?? 0]]);
    const radius = opts.radiusStats?.();
    if (radius) {
      const byKey = (o: Record<string, number>, key: string): [string, number][] =>
        Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [`{${key}="${label(k)}"}`, n]);
      metric('portico_radius_received_total', 'counter', 'RADIUS datagrams received on the auth and accounting ports.', [['', radius.received]]);
      metric('portico_radius_requests_total', 'counter', 'RADIUS requests answered, by outcome (ACCEPT, a refusal code, RECORDED, ...).', byKey(radius.outcomes, 'outcome'));
      metric('portico_radius_replayed_total', 'counter', 'RADIUS retransmissions answered from the duplicate cache (RFC 5080).', [['', radius.replayed]]);
      metric('portico_radius_dropped_total', 'counter', 'RADIUS datagrams dropped without an answer, by reason (unknown source, bad authenticator, ...).', byKey(radius.dropped, 'reason'));
      const nas = Object.entries(radius.byNas ?? {}).sort(([a], [b]) => a.localeCompare(b));
      const perNas = (key: 'outcomes' | 'dropped', l: string): [string, number][] => nas.flatMap(([n, s]) => byKey(s[key], l).map(([k, v]): [string, number] => [`{nas="${label(n)}",${k.slice(1)}`, v]));
      metric('portico_radius_nas_requests_total', 'counter', 'RADIUS requests answered, by NAS and outcome.', perNas('outcomes', 'outcome'));
      metric('portico_radius_nas_dropped_total', 'counter', 'RADIUS datagrams from a configured NAS dropped without an answer, by NAS and reason.', perNas('dropped', 'reason'));
      metric('portico_radius_nas_last_packet_seconds', 'gauge', 'When each NAS was last heard, Unix time (0: not yet).', nas.map(([n, s]) => [`{nas="${label(n)}"}`, Math.floor((s.lastPacketAt ?? 0) / 1000)]));
    }
    const authority = opts.authorityStats?.();
    if (authority) {
      const keyed = (o: Record<string, number>, key: string): [string, number][] =>
        Object.entries(o).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => [`{${key}="${label(k)}"}`, n]);
      metric('portico_authority_requests_sent_total', 'counter', 'Access- and Accounting-Requests sent to the central RADIUS servers (first transmissions).', [['', authority.sent]]);
      metric('portico_authority_retransmits_total', 'counter', 'Retransmissions of unanswered requests (RFC 2865 §2.5).', [['', authority.retried]]);
      metric('portico_authority_unanswered_total', 'counter', 'Requests no central server answered within authority.radius.timeoutMs.', [['', authority.unanswered]]);
      metric('portico_authority_replies_dropped_total', 'counter', 'Replies dropped: unknown, forged or without a required Message-Authenticator.', [['', authority.dropped]]);
      metric('portico_authority_server_up', 'gauge', 'Whether each central server answers (1) or is remembered as silent (0).', keyed(authority.servers, 'server'));
      metric('portico_authority_accounting_waiting', 'gauge', 'Accounting records kept on disk until a central server acknowledges them.', [['', authority.accountingWaiting]]);
      if (authority.das) {
        metric('portico_authority_das_answers_total', 'counter', 'Disconnect/CoA-Requests answered, by answer.', [['{answer="ack"}', authority.das.acked], ['{answer="nak"}', authority.das.naked]]);
        metric('portico_authority_das_dropped_total', 'counter', 'Disconnect/CoA-Requests dropped without an answer, by reason.', keyed(authority.das.dropped, 'reason'));
      }
    }
    metric('portico_gateway_up', 'gauge', 'Whether the gateway driver reports healthy (1) or not (0).', [['', gw.ok ? 1 : 0]]);
    metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', [['', process.memoryUsage.rss()]]);
    metric('process_start_time_seconds', 'gauge', 'When this process started serving metrics, Unix time.', [['', Math.floor(started / 1000)]]);

    c.header('Cache-Control', 'no-store');
    return c.body(lines.join('\n') + '\n', 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return app;
}
