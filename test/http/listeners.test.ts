/**
 * The real listeners (src/http/listeners.ts) on loopback, HTTP and HTTPS with a throwaway self-signed
 * certificate: an `Upgrade:` header on an ordinary URL is served as an ordinary request (D11); HTTPS has
 * the same headers/request timeouts as HTTP plus a handshake timeout (D7); the timeouts fire when they
 * say, not up to 30 s later; a slow reader is cut by the idle timeout, and the per-address and global
 * connection caps close extra sockets before they are read (D8). Timeouts are set to about a second so
 * the file runs in seconds; the figures printed are the ones observed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { formatCode } from '../../src/domain/code.js';
import { createSimulatedDriver } from '../../src/gateway/simulated/driver.js';
import { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import { createListeners, type Listeners } from '../../src/http/listeners.js';
import { silentLogger } from '../../src/lib/log.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { freePort } from '../helpers/free-port.js';

const LIMITS = { maxConnections: 24, maxPerAddress: 6, idleTimeoutMs: 1000, headersTimeoutMs: 1000, requestTimeoutMs: 2000, tlsHandshakeTimeoutMs: 1000 };

let dir: string;
let rt: Runtime;
let l: Listeners;
let port: number;
let tlsPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portico-listeners-'));
  // An EC key is generated in milliseconds; the certificate is never verified by these clients.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  port = await freePort();
  tlsPort = await freePort();
  const config = parseConfig({
    dataDir: dir,
    listen: { host: '127.0.0.1', port, ...LIMITS },
    tls: { port: tlsPort, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
    log: { level: 'silent' },
  });
  const network = new SimulatedNetwork(true);
  const driver = createSimulatedDriver({ network, downBps: 0, upBps: 0, tickMs: 0 });
  rt = await openRuntime(config, { log: silentLogger, driver });
  await driver.start();
  await rt.core.start({ timer: false });
  l = createListeners({ core: rt.core, config, log: silentLogger, tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
  await l.listen();
  await new Promise<void>((resolve) => (l.https!.listening ? resolve() : l.https!.once('listening', () => resolve())));
});

afterAll(async () => {
  await l?.close();
  await rt?.core.stop();
  await rt?.driver.stop();
  rt?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes from `from` and resolves with everything received until the server closes (or `ms`). */
function raw(data: string, opts: { from?: string; tls?: boolean; ms?: number } = {}): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    let text = '';
    const sock: Socket = opts.tls
      ? tlsFrom(opts.from, () => sock.write(data))
      : netConnect({ host: '127.0.0.1', port, ...(opts.from ? { localAddress: opts.from } : {}) }, () => sock.write(data));
    const timer = setTimeout(() => sock.destroy(), opts.ms ?? 5000);
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedAfterMs: Date.now() - t0 });
    });
  });
}

/** TLS from a chosen loopback address (node:tls types omit localAddress, so the TCP socket is made first). */
function tlsFrom(from: string | undefined, onSecure: () => void): Socket {
  const tcp = netConnect({ host: '127.0.0.1', port: tlsPort, ...(from ? { localAddress: from } : {}) });
  return tlsConnect({ socket: tcp, rejectUnauthorized: false }, onSecure);
}

const status = (text: string) => Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);

describe('Upgrade headers on ordinary URLs (D11)', () => {
  const h2c = 'Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n';

  it('serves the portal page on / (curl --http2 sends exactly this)', async () => {
    const r = await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${h2c}\r\n`, { from: '127.0.3.1' });
    expect(status(r.text)).toBe(200);
    expect(r.text).toMatch(/<html/i);
  });

  it('answers a probe with its 302 to the portal', async () => {
    const r = await raw(`GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n${h2c}\r\n`, { from: '127.0.3.2' });
    expect(status(r.text)).toBe(302);
    expect(r.text).toMatch(/\r\nlocation: http:\/\/127\.0\.0\.1:\d+\//i);
  });

  it('logs a resident in through POST /login with a body, over HTTP and HTTPS', async () => {
    const codes = rt.core.createBatch({ count: 2, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers.map((v) => formatCode(v.code));
    for (const [i, tls] of [false, true].entries()) {
      const body = `code=${codes[i]}`;
      const r = await raw(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`, { from: `127.0.3.${10 + i}`, tls });
      expect(status(r.text), r.text.slice(0, 200)).toBe(303);
      expect(rt.store.entitlements.isActiveIp(`127.0.3.${10 + i}`)).toBe(true);
    }
  });

  it('still routes /ws to the hub, over HTTPS too', async () => {
    const key = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
    const r = await raw(`GET /ws?topics=network HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${key}\r\n`, { tls: true, ms: 500 });
    expect(status(r.text)).toBe(101);
  });
});

describe('request bodies, read off the Node request (a stated length) or streamed through Hono (chunked)', () => {
  const post = (from: string, head: string, body: string, ms?: number) =>
    raw(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${head}\r\n${body}`, { from, ...(ms ? { ms } : {}) });
  const code = () => formatCode(rt.core.createBatch({ count: 1, plan: { durationSec: 3600 } }, { type: 'system' }).vouchers[0]!.code);

  it('a JSON body of stated length logs in', async () => {
    const body = JSON.stringify({ code: code() });
    const r = await post('127.0.8.1', `Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: ${body.length}\r\n`, body);
    expect(status(r.text), r.text.slice(0, 300)).toBe(200);
    expect(r.text).toContain('"ok":true');
    expect(rt.store.entitlements.isActiveIp('127.0.8.1')).toBe(true);
  });

  it('a chunked form body logs in', async () => {
    const body = `code=${code()}`;
    const r = await post('127.0.8.2', 'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n', `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`);
    expect(status(r.text), r.text.slice(0, 300)).toBe(303);
    expect(rt.store.entitlements.isActiveIp('127.0.8.2')).toBe(true);
  });

  it('a stated length over the limit is refused with 413 before a byte of the body is sent', async () => {
    const r = await post('127.0.8.3', 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20000\r\n', '', 2000);
    expect(status(r.text)).toBe(413);
  });

  it('a chunked body over the limit is refused with 413', async () => {
    const chunk = 'code=' + 'A'.repeat(20_000);
    const r = await post('127.0.8.4', 'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n', `${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    expect(status(r.text)).toBe(413);
  });

  it('a body cut off mid-way logs nobody in and the server keeps answering', async () => {
    const typed = code();
    const body = `code=${typed}`;
    await new Promise<void>((resolve) => {
      const sock = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.8.5' }, () => {
        sock.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length + 20}\r\n\r\n${body}`);
        setTimeout(() => sock.destroy(), 100);
      });
      sock.on('error', () => {});
      sock.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(rt.store.entitlements.isActiveIp('127.0.8.5')).toBe(false);
    const ok = await raw('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n', { from: '127.0.8.6' });
    expect(status(ok.text)).toBe(200);
  });
});

describe('timeouts, on HTTP and HTTPS alike (D7, D8)', () => {
  /** Opens a connection, trickles a header byte every 300 ms, and resolves with the status and time of the close. */
  function slowHeaders(tls: boolean, from: string): Promise<{ text: string; closedAfterMs: number }> {
    return new Promise((resolve) => {
      const t0 = Date.now();
      let text = '';
      let timer: NodeJS.Timeout | undefined;
      const start = () => {
        sock.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
        timer = setInterval(() => sock.write('X'), 300);
      };
      const sock: Socket = tls ? tlsFrom(from, start) : netConnect({ host: '127.0.0.1', port, localAddress: from }, start);
      sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
      sock.on('error', () => {});
      sock.on('close', () => {
        clearInterval(timer);
        resolve({ text, closedAfterMs: Date.now() - t0 });
      });
      setTimeout(() => sock.destroy(), 8000);
    });
  }

  it('cuts slow headers at headersTimeout, swept within a second', async () => {
    const [http, https] = await Promise.all([slowHeaders(false, '127.0.4.1'), slowHeaders(true, '127.0.4.2')]);
    console.log(`slow headers closed after: HTTP ${http.closedAfterMs} ms, HTTPS ${https.closedAfterMs} ms (headersTimeout ${LIMITS.headersTimeoutMs} ms)`);
    for (const r of [http, https]) {
      expect(status(r.text)).toBe(408);
      expect(r.closedAfterMs).toBeLessThan(LIMITS.headersTimeoutMs + 1500);
    }
  });

  it('cuts a slow body on HTTPS at requestTimeout', async () => {
    const r = await new Promise<{ text: string; ms: number }>((resolve) => {
      const t0 = Date.now();
      let text = '';
      let timer: NodeJS.Timeout | undefined;
      const sock = tlsFrom('127.0.4.3', () => {
        sock.write(`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\n`);
        timer = setInterval(() => sock.write('a'), 200);
      });
      sock.on('data', (d: Buffer) => (text += d.toString('latin1')));
      sock.on('error', () => {});
      sock.on('close', () => (clearInterval(timer), resolve({ text, ms: Date.now() - t0 })));
      setTimeout(() => sock.destroy(), 10_000);
    });
    console.log(`HTTPS slow body closed after ${r.ms} ms (requestTimeout ${LIMITS.requestTimeoutMs} ms)`);
    expect(r.ms).toBeLessThan(LIMITS.requestTimeoutMs + 1500);
  });

  it('closes a TCP connection that never starts the TLS handshake', async () => {
    const t = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      const sock = netConnect({ host: '127.0.0.1', port: tlsPort, localAddress: '127.0.4.5' });
      sock.on('error', () => {});
      sock.on('close', () => resolve(Date.now() - t0));
      setTimeout(() => sock.destroy(), 8000);
    });
    console.log(`HTTPS socket with no ClientHello closed after ${t} ms (handshake timeout ${LIMITS.tlsHandshakeTimeoutMs} ms)`);
    expect(t).toBeLessThan(LIMITS.tlsHandshakeTimeoutMs + 1500);
  });

  it('drops a slow reader: pipelined requests whose answers are never read', async () => {
    const sock = netConnect({ host: '127.0.0.1', port, localAddress: '127.0.4.6' });
    sock.on('error', () => {});
    await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
    sock.pause(); // never read: the answers pile up in the kernel, then in Node
    sock.write(`GET /ui/admin.js HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`.repeat(600));
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    expect(l.openFrom('127.0.4.6')).toBe(1);
    while (l.openFrom('127.0.4.6') > 0 && Date.now() - t0 < 8000) await new Promise((r) => setTimeout(r, 100));
    console.log(`slow reader dropped after ${Date.now() - t0} ms (idleTimeout ${LIMITS.idleTimeoutMs} ms)`);
    expect(l.openFrom('127.0.4.6')).toBe(0);
    sock.destroy();
  });
});

describe('connection caps (D8)', () => {
  /** Opens `n` idle sockets from `from`; resolves once each has either connected or been closed. */
  async function hold(n: number, from: string, target = port): Promise<Socket[]> {
    const socks = Array.from({ length: n }, () => {
      const s = netConnect({ host: '127.0.0.1', port: target, localAddress: from });
      s.on('error', () => {});
      return s;
    });
    await Promise.all(socks.map((s) => new Promise((r) => (s.once('connect', r), s.once('close', r)))));
    await new Promise((r) => setTimeout(r, 150));
    return socks;
  }

  it('closes sockets past the per-address cap before reading them; other addresses are unaffected', async () => {
    const socks = await hold(LIMITS.maxPerAddress + 4, '127.0.5.1');
    expect(socks.filter((s) => !s.destroyed && !s.closed).length).toBe(LIMITS.maxPerAddress);
    // The same address over HTTPS counts in the same budget.
    const more = await hold(2, '127.0.5.1', tlsPort);
    expect(more.filter((s) => !s.destroyed && !s.closed).length).toBe(0);
    const r = await raw(`GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n`, { from: '127.0.5.2' });
    expect(status(r.text)).toBe(302);
    for (const s of [...socks, ...more]) s.destroy();
  });

  it('keeps the last quarter of the cap for addresses with few connections', async () => {
    await new Promise((r) => setTimeout(r, 200));
    // Heavy addresses fill three quarters (18 of 24) at 6 each; past that each gets only a few (3).
    const heavy = (await Promise.all([1, 2, 3].map((a) => hold(LIMITS.maxPerAddress, `127.0.7.${a}`)))).flat();
    const late = await hold(LIMITS.maxPerAddress, '127.0.7.4');
    expect(l.openFrom('127.0.7.4')).toBe(3);
    expect(l.stats().open).toBeLessThan(LIMITS.maxConnections);
    const r = await raw(`GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n`, { from: '127.0.7.99' });
    expect(status(r.text)).toBe(302);
    for (const s of [...heavy, ...late]) s.destroy();
  });

  it('holds at most maxConnections across both listeners', async () => {
    await new Promise((r) => setTimeout(r, 200));
    // Many light addresses (one socket each) can reach the hard cap; the rest are closed unread.
    const all = (await Promise.all(Array.from({ length: LIMITS.maxConnections + 8 }, (_, a) => hold(1, `127.0.6.${a + 1}`, a % 2 ? tlsPort : port)))).flat();
    expect(l.stats().open).toBe(LIMITS.maxConnections);
    expect(all.filter((s) => !s.destroyed && !s.closed).length).toBe(LIMITS.maxConnections);
    expect(l.stats().refused).toBeGreaterThan(0);
    for (const s of all) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const r = await raw(`GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\n\r\n`, { from: '127.0.6.99' });
    expect(status(r.text)).toBe(302);
  });
});
