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
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import type { Config } from '../config/schema.js';
import { probeAnswer } from './probes.js';

export interface InterceptOptions {
  portalUrl: string;
  /** Whether a Host (without port) names this portal. */
  isPortalHost: (hostname: string, c: Context) => boolean;
  /** Whether the calling device is online (for the probe race fallback only). Cheap and synchronous. */
  isAuthorized: (c: Context) => boolean;
}

/** A complete answer to an intercepted request, ready for Hono or for a bare node:http response. */
export interface InterceptAnswer {
  status: 204 | 200 | 302 | 511;
  headers: Record<string, string>;
  body: string;
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

const html = (status: 302 | 511, extra: Record<string, string>, body: string): InterceptAnswer => ({
  status,
  headers: { 'Cache-Control': 'no-store', Connection: 'close', 'Content-Type': 'text/html; charset=UTF-8', ...extra },
  body,
});

/**
 * What an intercepted request gets: the one decision behind both the Hono middleware and the bare
 * node:http fast path (src/http/intercept-listener.ts), so the two can never disagree.
 *
 * @param target the request-target as sent (`/generate_204?x`, or absolute-form)
 * @param authorized asked only for GET/HEAD to a known probe URL
 */
export function interceptAnswer(portalUrl: string, method: string, hostHeader: string | undefined, target: string, authorized: () => boolean): InterceptAnswer {
  const portal = new URL(portalUrl).toString();
  if (method !== 'GET' && method !== 'HEAD') {
    const link = escapeHtml(portal);
    return html(
      511,
      {},
      `<!doctype html><html><head><meta http-equiv="refresh" content="0; url=${link}"><title>Sign in</title></head>` +
        `<body><a href="${link}">Sign in to the Wi-Fi network</a></body></html>`,
    );
  }
  const url = new URL(target, 'http://intercepted.invalid');
  const hostname = hostnameOf(hostHeader);
  if (hostname) {
    const answer = probeAnswer(hostname, url.pathname);
    if (answer && authorized()) {
      const headers: Record<string, string> = { 'Cache-Control': 'no-store', Connection: 'close', ...answer.headers };
      if (answer.status !== 204) headers['Content-Type'] = `${answer.contentType ?? 'text/plain'}; charset=utf-8`;
      return { status: answer.status as 200 | 204, headers, body: answer.status === 204 ? '' : answer.body };
    }
  }
  const orig = hostHeader ? `http://${hostHeader}${url.pathname}${url.search}` : '';
  const location = new URL(portal);
  if (orig && orig.length <= 512) location.searchParams.set('orig', orig);
  const href = location.toString();
  return html(302, { Location: href }, `<!doctype html><html><head><title>Sign in</title></head><body><a href="${escapeHtml(href)}">Sign in to the Wi-Fi network</a></body></html>`);
}

/**
 * Whether a Host names this portal: portalUrl's host, the listen host, loopback names, `portalHosts`, or
 * the address the request arrived on (someone typing http://10.0.0.1:8080/ by hand).
 */
/**
 * Whether a Host names the portal itself: one of its names, or the address the request came in on.
 * `localAddress` is asked only for an address literal (it costs a getsockname per connection).
 */
export function portalHostMatcher(config: Pick<Config, 'portalUrl' | 'listen' | 'portalHosts'>): (hostname: string, localAddress: () => string) => boolean {
  const names = new Set(
    [new URL(config.portalUrl).hostname.replace(/^\[|\]$/g, ''), config.listen.host, 'localhost', '127.0.0.1', '::1', ...config.portalHosts].map((h) => h.toLowerCase()),
  );
  // Most hosts asked are names (every OS probe): only what could be an address literal is checked as one.
  const maybeAddress = /^[0-9a-f.:]+$/;
  return (hostname, localAddress) => names.has(hostname) || (maybeAddress.test(hostname) && isIP(hostname) !== 0 && hostname === localAddress());
}

export function intercept(options: InterceptOptions): MiddlewareHandler {
  return async function interceptMiddleware(c, next) {
    const hostHeader = c.req.header('host');
    const hostname = hostnameOf(hostHeader);
    if (hostname && options.isPortalHost(hostname, c)) return next();
    const url = new URL(c.req.url);
    const answer = interceptAnswer(options.portalUrl, c.req.method, hostHeader, url.pathname + url.search, () => options.isAuthorized(c));
    for (const [k, v] of Object.entries(answer.headers)) c.header(k, v);
    return answer.status === 204 ? c.body(null, 204) : c.body(answer.body, answer.status);
  };
}
