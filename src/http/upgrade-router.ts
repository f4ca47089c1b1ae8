/**
 * Which requests carrying `Upgrade:` are upgrades. Node hands every request with an `Upgrade` header to the
 * server's 'upgrade' listeners once there is one (the hub's), with the HTTP parser already detached from
 * the socket. Only `/ws` is a WebSocket; anything else — `curl --http2` sends `Upgrade: h2c` on a plain
 * GET, some captive probes do too — is still an ordinary request, and must get what it would get without
 * the header: the probe its 302, `/` the portal. So it is answered here through the server's own request
 * listener, on a `ServerResponse` bound to the detached socket, and the connection closes after it
 * (the parser is gone, so no second request can follow on it).
 *
 * The raw socket has no 'error' listener once Node has detached it: one is attached before anything is
 * written, so a peer that resets mid-answer is destroyed quietly instead of crashing the process.
 *
 * @example
 *   routeUpgrades(server, hub.handleUpgrade);
 */
import { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** The WebSocket path; everything else with an Upgrade header is a plain request. */
export const WS_PATH = '/ws';

/** Request bodies on this path are small forms (app.ts caps them at 16 KiB); more is refused unread. */
const MAX_PLAIN_BODY = 64 * 1024;

/** How long a plain request answered on a detached socket may take, headers excluded (its own timeout: Node's no longer applies). */
const PLAIN_TIMEOUT_MS = 15_000;

export function isWsPath(url: string | undefined): boolean {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return (q < 0 ? u : u.slice(0, q)) === WS_PATH;
}

/** Listens for 'upgrade' on `server`: `/ws` goes to `ws`, any other path is served as a plain request. */
export function routeUpgrades(server: Server, ws: UpgradeHandler): void {
  server.on('upgrade', function routeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    // First, before any branch can write: Node removed its own 'error' listener when it detached the socket.
    socket.on('error', () => socket.destroy());
    if (isWsPath(req.url)) return ws(req, socket, head);
    servePlain(server, req, socket, head);
  });
}

/** Answers `upgradeReq` through the server's 'request' listener on the already-detached `socket`. */
export function servePlain(server: Server, upgradeReq: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  // llhttp treats an upgrade as having no body, so Node has already ended `upgradeReq`: a fresh message
  // with the same request line and headers carries the body, if any.
  const req = new IncomingMessage(socket as Socket);
  req.httpVersionMajor = upgradeReq.httpVersionMajor;
  req.httpVersionMinor = upgradeReq.httpVersionMinor;
  req.httpVersion = upgradeReq.httpVersion;
  req.method = upgradeReq.method;
  req.url = upgradeReq.url;
  req.rawHeaders = upgradeReq.rawHeaders;
  req.headers = upgradeReq.headers;
  (socket as Socket).setTimeout?.(PLAIN_TIMEOUT_MS, () => socket.destroy());
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  res.on('close', () => socket.destroy());

  // The parser stopped at the headers, so the body (if any) is `head` plus what follows on the socket;
  // feed the request stream by Content-Length. Chunked bodies are not worth a second parser here.
  const length = req.headers['content-length'] === undefined ? 0 : Number(req.headers['content-length']);
  if (req.headers['transfer-encoding'] !== undefined || !Number.isSafeInteger(length) || length < 0) return plainError(res, 400, 'Bad Request');
  if (length > MAX_PLAIN_BODY) return plainError(res, 413, 'Payload Too Large');
  let left = length;
  const feed = (chunk: Buffer): void => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    if (part.length && !req.push(part)) (socket as Socket).pause?.();
    if (left === 0) {
      socket.off('data', feed);
      req.complete = true;
      req.push(null);
    }
  };
  if (left === 0) {
    req.complete = true;
    req.push(null);
  } else {
    feed(head);
    if (left > 0) socket.on('data', feed);
  }
  server.emit('request', req, res);
}

function plainError(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': text.length, Connection: 'close' });
  res.end(text);
}
