/**
 * RFC 8908 Captive Portal API (captive-clients.md section C): always JSON at the API URL whatever the
 * Accept header (C3), `application/captive+json`, `Cache-Control: private`, ≤ 4096 bytes. While captive
 * it carries only `captive` and `user-portal-url`; once online it adds `seconds-remaining` and
 * `bytes-remaining` (integers; seconds capped at 2^31−1 for ChromeOS) and `can-extend-session`.
 * The state is always the caller's own (C6): the caller is the TCP peer.
 */
import { Hono } from 'hono';
import type { CaptiveApiState } from '../api/contract.js';
import { clientIpOf, type HttpDeps } from './context.js';

const INT32_MAX = 2_147_483_647;

export function captiveApiRoutes(deps: HttpDeps) {
  const app = new Hono();
  app.get('/api/captive', async (c) => {
    const status = await deps.core.deviceStatus(clientIpOf(deps, c));
    const body: CaptiveApiState = { captive: !(status.authorized && status.online), 'user-portal-url': deps.config.portalUrl };
    if (deps.config.network.venueInfoUrl) body['venue-info-url'] = deps.config.network.venueInfoUrl;
    if (status.authorized && status.online) {
      body['can-extend-session'] = true;
      if (status.secondsRemaining !== null) body['seconds-remaining'] = Math.min(INT32_MAX, Math.max(0, status.secondsRemaining));
      if (status.bytesRemaining !== null && !status.throttled) body['bytes-remaining'] = Math.max(0, status.bytesRemaining);
    }
    c.header('Cache-Control', 'private');
    c.header('Content-Type', 'application/captive+json');
    return c.body(JSON.stringify(body), 200);
  });
  return app;
}
