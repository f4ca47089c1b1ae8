/**
 * The intercept fast path in front of Hono. Probes from devices that have not logged in arrive in bursts
 * (every phone on the network asks several probe URLs whenever Wi-Fi comes back), each on a connection
 * that must close after the answer; answering them straight on the node:http response skips building a
 * fetch Request/Response pair and roughly doubles the probes answered per second. The decision itself is
 * `interceptAnswer` (intercept.ts), shared with the Hono middleware, so both paths answer identically;
 * requests for the portal's own names go on to Hono untouched.
 *
 * @example
 *   const server = createServer(interceptListener({ portalUrl, isPortalHost, isAuthorized }, getRequestListener(app.fetch)));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeIp } from '../lib/net.js';
import { hostnameOf, interceptAnswer } from './intercept.js';

export interface InterceptListenerOptions {
  portalUrl: string;
  isPortalHost: (hostname: string, localAddress: () => string) => boolean;
  /** Whether the device at this address is online (synchronous, in-memory or indexed lookup). */
  isAuthorized: (ip: string) => boolean;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

export function interceptListener(opts: InterceptListenerOptions, next: Listener): Listener {
  return function interceptRequest(req, res) {
    const host = req.headers.host;
    const hostname = hostnameOf(host);
    if (hostname && opts.isPortalHost(hostname, () => normalizeIp(req.socket.localAddress ?? ''))) return next(req, res);
    const answer = interceptAnswer(opts.portalUrl, req.method ?? 'GET', host, req.url ?? '/', () =>
      opts.isAuthorized(normalizeIp(req.socket.remoteAddress ?? '')),
    );
    const headers: Record<string, string | number> = { ...answer.headers };
    if (answer.status !== 204) headers['Content-Length'] = Buffer.byteLength(answer.body);
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
  };
}
