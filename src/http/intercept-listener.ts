/**
 * The intercept fast path in front of Hono. Probes from devices that have not logged in arrive in bursts
 * (every phone on the network asks several probe URLs whenever Wi-Fi comes back), each on a connection
 * that must close after the answer; answering them straight on the node:http response skips building a
 * fetch Request/Response pair and roughly doubles the probes answered per second. The decision itself is
 * `interceptAnswer` (intercept.ts), shared with the Hono middleware, so both paths answer identically;
 * requests for the portal's own names go on to Hono untouched.
 *
 * The answers are kept, ready to write (status, flat header list, body bytes), per Host and
 * request-target: the same few probe URLs come again and again, and building an answer (three URL
 * parses, the escaping, the header object) cost more of the event loop than writing it. An answer
 * that depends on who asks (an authorized device gets a probe's genuine answer) is remembered as such
 * and asked about on every hit. The table is bounded: past `CACHE_MAX` different targets it starts
 * again (a peer sending random URLs only makes every request cost what it did before).
 *
 * @example
 *   const server = createServer(interceptListener({ portalUrl, isPortalHost, isAuthorized }, getRequestListener(app.fetch)));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { normalizeIp } from '../lib/net.js';
import { hostnameOf, interceptAnswer, type InterceptAnswer } from './intercept.js';

export interface InterceptListenerOptions {
  portalUrl: string;
  isPortalHost: (hostname: string, localAddress: () => string) => boolean;
  /** Whether the device at this address is online (synchronous, in-memory or indexed lookup). */
  isAuthorized: (ip: string) => boolean;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

interface Ready {
  status: number;
  headers: string[];
  /** A string, not a Buffer: Node then sends the head and the body in one write, not a writev of two (~4 % of a probe's CPU). */
  body: string;
  /** The answer was decided without asking whether the device is online: the same for everyone. */
  forAnyone: boolean;
}

const CACHE_MAX = 512;

function ready(answer: InterceptAnswer, forAnyone: boolean): Ready {
  const body = answer.body;
  const headers = Object.entries(answer.headers).flat();
  if (answer.status !== 204) headers.push('Content-Length', String(Buffer.byteLength(body)));
  return { status: answer.status, headers, body, forAnyone };
}

export function interceptListener(opts: InterceptListenerOptions, next: Listener): Listener {
  const answers = new Map<string, Ready>();
  /** A probe URL asked by a device that is online: the probe's own answer, never kept. */
  const genuine = (method: string, host: string | undefined, target: string) => ready(interceptAnswer(opts.portalUrl, method, host, target, () => true), false);
  const answerFor = (method: string, host: string | undefined, target: string, authorized: () => boolean): Ready => {
    // GET and HEAD get the same answer (HEAD without its body); any other method gets the one 511.
    const key = method === 'GET' || method === 'HEAD' ? `${host ?? ''}\n${target}` : '\n511';
    const kept = answers.get(key);
    if (kept?.forAnyone) return kept;
    if (kept) return authorized() ? genuine(method, host, target) : kept;
    let asked = false;
    const unauthorized = ready(
      interceptAnswer(opts.portalUrl, method, host, target, () => {
        asked = true;
        return false;
      }),
      true,
    );
    unauthorized.forAnyone = !asked;
    if (answers.size >= CACHE_MAX) answers.clear();
    answers.set(key, unauthorized);
    return asked && authorized() ? genuine(method, host, target) : unauthorized;
  };

  return function interceptRequest(req, res) {
    const host = req.headers.host;
    const hostname = hostnameOf(host);
    if (hostname && opts.isPortalHost(hostname, () => normalizeIp(req.socket.localAddress ?? ''))) return next(req, res);
    const method = req.method ?? 'GET';
    const a = answerFor(method, host, req.url ?? '/', () => opts.isAuthorized(normalizeIp(req.socket.remoteAddress ?? '')));
    res.writeHead(a.status, a.headers);
    res.end(method === 'HEAD' ? undefined : a.body);
  };
}
