/**
 * Stand-in servers for the netns tests, run inside a namespace with `node --import tsx servers.ts`:
 *
 * - `internet <ipv4-answer>`: the "internet" host. HTTP on :80 and :8000 answers the OS probes the way
 *   the real servers do (captive-clients.md B2: Android 204, Apple Success HTML, Windows
 *   `Microsoft Connect Test`, Firefox canonical.html/success.txt, NetworkManager), `/ping` → `pong`,
 *   `/bytes/N` → N bytes; HTTPS on :443 (self-signed, made with openssl at start) for the reject tests;
 *   a DNS server on udp/53 that answers every A query with `<ipv4-answer>`.
 * - `portal <port> <dnsPort> <ipv4-answer>`: plays the gateway's portal until the real one runs: 302 to
 *   the portal for every request, plus the gateway's "local resolver" on udp/<dnsPort>.
 *
 * Prints `ready` once every listener is up.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROBES: Record<string, { status: number; body: string; headers?: Record<string, string> }> = {
  'connectivitycheck.gstatic.com/generate_204': { status: 204, body: '' },
  'captive.apple.com/hotspot-detect.html': { status: 200, body: '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>' },
  'www.msftconnecttest.com/connecttest.txt': { status: 200, body: 'Microsoft Connect Test' },
  'detectportal.firefox.com/canonical.html': {
    status: 200,
    body: '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>',
  },
  'detectportal.firefox.com/success.txt': { status: 200, body: 'success\n' },
  'connectivity-check.ubuntu.com/': { status: 204, body: '', headers: { 'X-NetworkManager-Status': 'online' } },
  'nmcheck.gnome.org/check_network_status.txt': { status: 200, body: 'NetworkManager is online\n' },
};

function internet(req: IncomingMessage, res: ServerResponse): void {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  const path = (req.url ?? '/').split('?')[0]!;
  const probe = PROBES[`${host}${path}`];
  if (probe) {
    res.writeHead(probe.status, { 'Content-Type': 'text/plain', ...(probe.headers ?? {}) });
    res.end(probe.body);
    return;
  }
  if (path === '/ping') {
    res.end('pong');
    return;
  }
  const m = /^\/bytes\/(\d+)$/.exec(path);
  if (m) {
    let left = Number(m[1]);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(left) });
    const chunk = Buffer.alloc(64 * 1024, 120);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
    return;
  }
  res.writeHead(404).end('not found');
}

/** Minimal DNS: echoes the question and answers one A record (RFC 1035 §4.1). */
function dnsServer(port: number, answer: string): Promise<void> {
  const sock = createSocket({ type: 'udp6', ipv6Only: false });
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    let off = 12;
    while (off < msg.length && msg[off] !== 0) off += msg[off]! + 1;
    const qend = off + 5;
    const qtype = msg.readUInt16BE(off + 1);
    const header = Buffer.from(msg.subarray(0, 12));
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(qtype === 1 ? 1 : 0, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const parts = [header, msg.subarray(12, qend)];
    if (qtype === 1) {
      const rr = Buffer.alloc(16);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(1, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(60, 6);
      rr.writeUInt16BE(4, 10);
      answer.split('.').forEach((b, i) => rr.writeUInt8(Number(b), 12 + i));
      parts.push(rr);
    }
    sock.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  return new Promise((r) => sock.bind(port, '::', () => r()));
}

const listen = (srv: { listen(port: number, host: string, cb: () => void): unknown }, port: number) =>
  new Promise<void>((r) => srv.listen(port, '::', () => r()));

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'internet') {
    const dir = mkdtempSync(join(tmpdir(), 'pnft-cert-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=www.google.com',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    await listen(createServer(internet), 80);
    await listen(createServer(internet), 8000);
    await listen(createHttpsServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, internet), 443);
    await dnsServer(53, args[0]!);
  } else if (mode === 'portal') {
    const [port, dnsPort, answer] = args;
    const portal = createServer((req, res) => {
      const orig = `http://${req.headers.host ?? ''}${req.url ?? '/'}`;
      const location = `http://portal.test:${port}/?orig=${encodeURIComponent(orig)}`;
      res.writeHead(302, { Location: location, 'Cache-Control': 'no-store', Connection: 'close', 'Content-Type': 'text/html' });
      res.end(`<a href="${location}">Sign in to the Wi-Fi network</a>`);
    });
    await listen(portal, Number(port));
    await dnsServer(Number(dnsPort), answer!);
  } else {
    throw new Error('usage: servers.ts internet <answer> | portal <port> <dnsPort> <answer>');
  }
  process.stdout.write('ready\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void main();
