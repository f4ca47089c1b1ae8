/**
 * createApp(deps): builds the Hono app. No I/O and no subscriptions here; tests call app.request(). Order matters:
 * interception runs first so a foreign Host never reaches a portal route, then body limits, then routes.
 *
 * @example
 *   const app = createApp({ core, config, log });
 *   serve({ fetch: app.fetch, port: 8080 });
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ErrorEnvelope } from './api/contract.js';
import { isDomainError } from './domain/errors.js';
import { adminRoutes } from './http/admin-routes.js';
import { captiveApiRoutes } from './http/captive-api.js';
import { clientIpOf, langOf, nodeRequest, sessionState, socketAddresses, type HttpDeps } from './http/context.js';
import { causeOf, errorEnvelope, statusFor } from './http/errors.js';
import { intercept, portalHostMatcher } from './http/intercept.js';
import { metricsRoutes } from './http/metrics.js';
import { networkRoutes } from './http/network-page.js';
import { portalRoutes } from './http/portal.js';
import { staticRoutes, uiDir } from './http/static.js';
import { uamRoutes } from './http/uam.js';

export const MAX_BODY_BYTES = 16 * 1024;

export function createApp(deps: HttpDeps) {
  const { config, core } = deps;
  const isPortalHost = portalHostMatcher(config);
  const app = new Hono();

  app.use(
    '*',
    intercept({
      portalUrl: config.portalUrl,
      // Our own names, or the address the request actually arrived on (http://10.0.0.1:8080/ typed by hand).
      isPortalHost: (host, c) => isPortalHost(host, () => socketAddresses(c).local),
      isAuthorized: (c) => core.isOnline(clientIpOf(deps, c)),
    }),
  );
  const tooLarge = (c: Context) => c.json({ ok: false, code: 'INVALID_INPUT', message: 'request body too large' } satisfies ErrorEnvelope, 413);
  const streamLimit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  app.use('*', (c, next) => {
    // Hono's bodyLimit looks at `c.req.raw.body`, which makes @hono/node-server build a whole web
    // Request for every request (~5 % of Portico's CPU while residents log in and out, CPU profile).
    // The headers decide alone when they can: a stated length, or no body at all (HTTP/1.1 §6.3: no
    // Content-Length and no Transfer-Encoding). Only a chunked body is counted as it streams in.
    const length = c.req.header('content-length');
    if (length !== undefined && /^\d+$/.test(length.trim())) return Number(length) > MAX_BODY_BYTES ? Promise.resolve(tooLarge(c)) : next();
    // (A web Request made in a test, `app.request()`, states no length for its body: counted.)
    if (length === undefined && c.req.header('transfer-encoding') === undefined && nodeRequest(c)) return next();
    return streamLimit(c, next);
  });

  app.route('/', portalRoutes(deps));
  app.route('/', uamRoutes(deps));
  app.route('/', captiveApiRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', networkRoutes(deps));
  app.route('/', staticRoutes({ dir: uiDir() }));
  app.route('/', metricsRoutes(deps, {
    metrics: core.metrics,
    ...(deps.wsClients ? { wsClients: deps.wsClients } : {}),
    ...(deps.radiusStats ? { radiusStats: deps.radiusStats } : {}),
    ...(deps.authorityStats ? { authorityStats: deps.authorityStats } : {}),
  }));
  app.get('/api/session', async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(sessionState(await core.deviceStatus(clientIpOf(deps, c)), langOf(deps, c)));
  });
  app.get('/healthz', (c) => {
    // The outcome of the last write (store/write-health.ts): 503 while writes fail, 200 after the next
    // one that succeeds, so monitoring sees a full disk that reads alone would hide.
    const { gateway: gw, storage: st } = core.health();
    const ok = gw.ok && st.ok;
    const storage = st.ok ? { storage: 'ok' } : { storage: 'failing', reason: st.reason, since: st.since };
    return c.json({ ok, gateway: gw, ...storage }, ok ? 200 : 503);
  });

  app.notFound((c) => c.json({ ok: false, code: 'NOT_FOUND', message: 'no such page' } satisfies ErrorEnvelope, 404));
  app.onError((thrown, c) => {
    // A storage error that escaped a use-case's transaction becomes STORAGE_FAILED as core/tx.ts does it.
    const err = core.asStorageFailure(thrown);
    if (isDomainError(err)) {
      // The cause is logged, never sent (STYLE rule 7).
      if (err.cause !== undefined) deps.log.warn('http', `${err.code}: ${err.message}`, { path: c.req.path, cause: causeOf(err.cause) });
      // A 429 says when to come back (RFC 6585 §4), in the header and in the envelope.
      const retryAfter = typeof err.details.retryAfter === 'number' ? err.details.retryAfter : undefined;
      if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
      return c.json(errorEnvelope(err), statusFor(err.code));
    }
    deps.log.error('http', 'unhandled error', { err: thrown, path: c.req.path });
    return c.json({ ok: false, code: 'INTERNAL', message: 'something went wrong' } satisfies ErrorEnvelope, 500);
  });
  return app;
}

export type App = ReturnType<typeof createApp>;
