/**
 * Interception middleware: any request whose Host is not this portal is a device that has not logged in
 * (or a stale connection) and is sent to the portal (captive-clients.md B1, B3, E4).
 *
 * - GET/HEAD → `302 Found`, absolute `Location: <portalUrl>?orig=<url>`, `Cache-Control: no-store`,
 *   `Connection: close`, a small HTML body (> 4 bytes; Android treats ≤ 4 bytes as "no internet").
 *   Never 204, never an empty 200, never `X-NetworkManager-Status`.
 * - other methods → `511 Network Authentication Required` with a link (RFC 6585 §6).
 * - an authorized device asking a known probe URL gets the probe's genuine answer (E4 race fallback).
 *
 * This path does no I/O for unauthorized devices except the cheap `isAuthorized` lookup, which the caller
 * keeps in memory (probes arrive in bursts and must be answered in well under a second).
 *
 * @example
 *   app.use('*', intercept({ portalUrl, isPortalHost, isAuthorized }));
 */
import type { Context, MiddlewareHandler } from 'hono';
import { probeAnswer } from './probes.js';

export interface InterceptOptions {
  portalUrl: string;
  /** Whether a Host (without port) names this portal. */
  isPortalHost: (hostname: string, c: Context) => boolean;
  /** Whether the calling device is online (for the probe race fallback only). */
  isAuthorized: (c: Context) => boolean | Promise<boolean>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Splits `Host` into a lower-case hostname without port or IPv6 brackets. */
export function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.lastIndexOf(':');
  return colon > 0 && h.indexOf(':') === colon ? h.slice(0, colon) : h;
}

export function intercept(options: InterceptOptions): MiddlewareHandler {
  const base = new URL(options.portalUrl);
  const portal = base.toString();

  return async function interceptMiddleware(c, next) {
    const hostHeader = c.req.header('host');
    const hostname = hostnameOf(hostHeader);
    if (hostname && options.isPortalHost(hostname, c)) return next();

    const method = c.req.method;
    c.header('Cache-Control', 'no-store');
    c.header('Connection', 'close');
    if (method !== 'GET' && method !== 'HEAD') {
      const link = escapeHtml(portal);
      return c.html(
        `<!doctype html><html><head><meta http-equiv="refresh" content="0; url=${link}"><title>Sign in</title></head>` +
          `<body><a href="${link}">Sign in to the Wi-Fi network</a></body></html>`,
        511,
      );
    }
    const url = new URL(c.req.url);
    if (hostname && (await options.isAuthorized(c))) {
      const answer = probeAnswer(hostname, url.pathname);
      if (answer) {
        for (const [k, v] of Object.entries(answer.headers ?? {})) c.header(k, v);
        if (answer.status === 204) return c.body(null, 204);
        c.header('Content-Type', `${answer.contentType ?? 'text/plain'}; charset=utf-8`);
        return c.body(answer.body, answer.status as 200);
      }
    }
    const orig = hostHeader ? `http://${hostHeader}${url.pathname}${url.search}` : '';
    const target = new URL(portal);
    if (orig && orig.length <= 512) target.searchParams.set('orig', orig);
    const location = target.toString();
    const link = escapeHtml(location);
    c.header('Location', location);
    return c.html(`<!doctype html><html><head><title>Sign in</title></head><body><a href="${link}">Sign in to the Wi-Fi network</a></body></html>`, 302);
  };
}
