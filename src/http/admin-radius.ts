/**
 * The console's RADIUS page (SPEC §9, issue 18 item 6): the live RADIUS sessions with their NAS, MAC,
 * address, code, usage and what is left, each configured NAS's health (last packet, answers, refusals,
 * drops), and a Disconnect for one session, sent to its NAS as an RFC 5176 Disconnect-Request. Routes
 * join the one admin table (admin-routes.ts) so roles and CSRF apply as everywhere else.
 *
 * @example
 *   GET  /api/admin/radius                          → { enabled, nas: [...], sessions: [...] }
 *   POST /api/admin/radius/sessions/:id/disconnect  → { ok: true, outcome: 'disconnected' }
 */
import type { Role } from '../core/ports/model.js';
import { DomainError } from '../domain/errors.js';
import type { AdminRoute } from './admin-routes.js';
import type { HttpDeps } from './context.js';

/** Answers that are not a Disconnect-ACK, as the operator reads them. */
const REFUSALS = {
  'not-live': ['NOT_FOUND', 'this session is no longer live'],
  'no-das': ['CONFLICT', 'this NAS takes no Disconnect-Request (coaPort 0): end the session on the NAS itself'],
  refused: ['CONFLICT', 'the NAS refused the Disconnect-Request (see the log for its Error-Cause)'],
  'no-answer': ['GATEWAY_UNAVAILABLE', 'the NAS did not answer the Disconnect-Request; the session stays listed until it does or its accounting stops'],
} as const;

/** Outcomes that are not a refusal: Accepts, accounting answers, Status-Server (radius/access.ts, accounting.ts). */
const NOT_REFUSALS = new Set(['ACCEPT', 'BYPASS', 'STATUS_SERVER', 'RECORDED', 'NAS_RESET', 'UNKNOWN_SESSION']);
const isRefusal = (outcome: string) => !NOT_REFUSALS.has(outcome);

export function radiusAdminRoutes(deps: HttpDeps, admin: readonly Role[]): AdminRoute[] {
  const { core, config } = deps;
  return [
    {
      method: 'GET', path: '/api/admin/radius', roles: admin, does: 'live RADIUS sessions and the health of each NAS',
      handler: (c) => {
        const stats = deps.radiusStats?.();
        const nas = config.radius.server.nas.map((n) => {
          const s = stats?.byNas?.[n.name];
          const outcomes = Object.entries(s?.outcomes ?? {});
          return {
            name: n.name, profile: n.profile, address: n.address, disconnects: n.coaPort !== 0,
            lastPacketAt: s?.lastPacketAt ?? null,
            answered: outcomes.reduce((k, [, v]) => k + v, 0),
            refused: outcomes.filter(([o]) => isRefusal(o)).reduce((k, [, v]) => k + v, 0),
            dropped: Object.values(s?.dropped ?? {}).reduce((k, v) => k + v, 0),
          };
        });
        return c.json({
          enabled: config.radius.server.enabled,
          unknownSourceDrops: stats?.dropped.UNKNOWN_SOURCE ?? 0,
          nas,
          sessions: core.radius.liveSessions(),
        });
      },
    },
    {
      method: 'POST', path: '/api/admin/radius/sessions/:id/disconnect', roles: admin, does: "disconnect one RADIUS session (a Disconnect-Request to its NAS)",
      handler: async (c, s) => {
        if (!deps.radiusDisconnect) throw new DomainError('CONFLICT', 'the RADIUS server is not running (radius.server.enabled is false)');
        const outcome = await deps.radiusDisconnect(c.req.param('id') ?? '', s.operator.id);
        if (outcome === 'disconnected' || outcome === 'gone') return c.json({ ok: true, outcome });
        const [code, message] = REFUSALS[outcome];
        throw new DomainError(code, message);
      },
    },
  ];
}
