/**
 * The WebSocket hub against hostile peers on raw sockets. An invalid frame on a connection the hub is
 * closing (bad topic, operator topic without or with a bad cookie, foreign Origin, seller asking for an
 * admin topic) is answered with a close frame, not an unhandled 'error' that ends the process (D1). A
 * refused upgrade whose peer resets at once is destroyed quietly (D2). A reader that stops reading at the
 * TCP level is dropped within `readTimeoutMs`, or once `maxBufferedBytes` are unread, even while the
 * kernel's socket buffers still have room (D13), and a reader that does read is kept.
 *
 * An unhandled 'error' here would fail the run: vitest reports it as an uncaught exception.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { liveServer, type LiveServer } from '../ui/live-server.js';

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** A masked client frame (RFC 6455 §5.2) or, with `mask: false`, the unmasked one servers must reject. */
function frame(opcode: number, payload: Buffer, opts: { mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const mask = opts.mask ?? true;
  const head = Buffer.from([0x80 | (opts.rsv1 ? 0x40 : 0) | opcode, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

/** Writes the upgrade request and `tail` in one segment; resolves with the bytes received until close. */
function upgradeThen(port: number, path: string, tail: Buffer, headers = ''): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(Buffer.concat([Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}${headers}\r\n`), tail]));
    });
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => {});
    sock.on('close', () => resolve(Buffer.concat(chunks)));
    setTimeout(() => sock.destroy(), 4000);
  });
}

/** The close codes in the server's frames after the 101 answer. */
function closeCodes(bytes: Buffer): number[] {
  const at = bytes.indexOf('\r\n\r\n');
  const codes: number[] = [];
  for (let i = at < 0 ? bytes.length : at + 4; i + 1 < bytes.length; ) {
    const op = bytes[i]! & 0x0f;
    let len = bytes[i + 1]! & 0x7f;
    let at = i + 2;
    if (len === 126) {
      if (at + 2 > bytes.length) break;
      len = bytes.readUInt16BE(at);
      at += 2;
    } else if (len === 127) break; // no server frame here is that large
    if (op === 8 && len >= 2 && at + 2 <= bytes.length) codes.push(bytes.readUInt16BE(at));
    i = at + len;
  }
  return codes;
}

async function adminCookie(s: LiveServer): Promise<string> {
  const res = await fetch(`${s.url}api/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: s.adminPassword }) });
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('WebSocket hub: connections it is closing (D1) and refused upgrades (D2)', () => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await liveServer({ downBps: 0, hub: { maxConnections: 1 } });
  });
  afterAll(async () => {
    await s.close();
  });

  const bad = {
    unmasked: frame(1, Buffer.from('hi'), { mask: false }),
    rsv1: frame(1, Buffer.from('hi'), { rsv1: true }),
    badOpcode: frame(3, Buffer.from('hi')),
  };

  it('answers an invalid frame on every closing path with a close frame and stays up', async () => {
    const cookie = await adminCookie(s);
    const paths: [string, string][] = [
      ['/ws?topics=x', ''],
      ['/ws?topics=operator/events', ''],
      ['/ws?topics=operator/events', 'Cookie: portico_op=forged\r\n'],
      ['/ws?topics=operator/sessions', `Cookie: ${cookie}\r\nOrigin: http://evil.example\r\n`],
    ];
    for (const [path, headers] of paths) {
      for (const [name, f] of Object.entries(bad)) {
        const got = await upgradeThen(s.port, path, f, headers);
        expect(got.toString('latin1'), `${path} ${name}`).toMatch(/^HTTP\/1\.1 101/);
        // The hub's own close (4400/4401) is sent first; the frame error may follow it or be swallowed.
        expect(closeCodes(got).length, `${path} ${name}`).toBeGreaterThan(0);
      }
    }
    expect((await fetch(`${s.url}healthz`)).status).toBe(200);
  });

  it('closes 1002 on an invalid frame sent after a moment, on an accepted connection too', async () => {
    const got = await new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = [];
      const sock = connect(s.port, '127.0.0.1', () => sock.write(`GET /ws?topics=network HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}\r\n`));
      sock.once('data', () => setTimeout(() => sock.write(bad.rsv1), 50));
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('error', () => {});
      sock.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => sock.destroy(), 4000);
    });
    expect(closeCodes(got)).toContain(1002);
  });

  it('destroys a refused upgrade quietly when the peer resets at once (503 past the cap, and a bad handshake)', async () => {
    const held = new WebSocket(`ws://127.0.0.1:${s.port}/ws?topics=network`);
    held.on('error', () => {});
    await new Promise((r) => held.once('open', r));
    const before = s.hub.stats().refused;
    const requests = [
      `GET /ws?topics=network HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}\r\n`, // 503: the cap is 1
      `GET /ws?topics=x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, // 400 from ws: no key
      `GET /x HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`, // the report's reproduction
    ];
    for (let i = 0; i < 30; i++) {
      await new Promise<void>((resolve) => {
        const sock = connect(s.port, '127.0.0.1', () => {
          sock.write(requests[i % requests.length]!);
          // SO_LINGER 0: the peer answers the server's write with RST, so the write fails with ECONNRESET/EPIPE.
          setImmediate(() => sock.resetAndDestroy());
        });
        sock.on('error', () => {});
        sock.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(s.hub.stats().refused).toBeGreaterThan(before);
    expect((await fetch(`${s.url}healthz`)).status).toBe(200);
    held.close();
  });
});

describe('WebSocket hub: readers that stop reading (D13)', () => {
  let s: LiveServer;
  const READ_TIMEOUT_MS = 2000;
  beforeAll(async () => {
    s = await liveServer({ downBps: 0, hub: { heartbeatMs: 60_000, aggregateEveryMs: 0, readTimeoutMs: READ_TIMEOUT_MS } });
  });
  afterAll(async () => {
    await s.close();
  });

  /** Completes the upgrade on a raw socket, then stops reading (and so never answers a ping). */
  function pausedPeer(topics: string): Promise<{ sock: Socket; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const sock = connect(s.port, '127.0.0.1', () => sock.write(`GET /ws?topics=${topics} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}\r\n`));
      sock.once('data', (d: Buffer) => {
        expect(String(d)).toContain('101 Switching Protocols');
        sock.pause();
        const t0 = Date.now();
        resolve({ sock, closed: new Promise((r) => sock.on('close', () => r(Date.now() - t0))) });
      });
      sock.on('error', reject);
    });
  }
  const usage = () => s.core.bus.emit('usage', { at: Date.now(), pools: [], devicesOnline: 0, downBps: 0, upBps: 0 });

  it('drops a paused reader within readTimeoutMs while a trickle still fits in the kernel buffers', async () => {
    const before = s.hub.stats().tooSlow;
    const { sock } = await pausedPeer('network');
    const t0 = Date.now();
    // About 4 KB/s: nowhere near a kernel buffer, so only timing can tell the reader stopped.
    let droppedAt = 0;
    while (Date.now() - t0 < READ_TIMEOUT_MS + 4000) {
      usage();
      await new Promise((r) => setTimeout(r, 50));
      if (s.hub.stats().tooSlow > before) {
        droppedAt = Date.now() - t0;
        break;
      }
    }
    console.log(`paused reader dropped after ${droppedAt} ms (readTimeoutMs ${READ_TIMEOUT_MS})`);
    expect(droppedAt).toBeGreaterThan(0);
    expect(droppedAt).toBeLessThan(READ_TIMEOUT_MS + 1500);
    sock.destroy();
  }, 15_000);

  it('drops a paused reader once maxBufferedBytes are unread, before the kernel holds megabytes', async () => {
    const before = s.hub.stats().tooSlow;
    const { sock, closed } = await pausedPeer('network');
    // A burst: each usage event is a ~200-byte delta; 20,000 of them would be 4 MB.
    for (let i = 0; i < 20_000 && s.hub.stats().tooSlow === before; i++) {
      usage();
      if (i % 100 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(s.hub.stats().tooSlow).toBe(before + 1);
    // What reached the peer is what was sent before the drop: the unread cap plus at most one message.
    let received = 0;
    sock.on('data', (d: Buffer) => (received += d.length));
    sock.resume();
    await closed;
    console.log(`paused reader received ${received} bytes after resuming (maxBufferedBytes 256 KiB)`);
    expect(received).toBeLessThan(256 * 1024 + 4096);
  }, 20_000);

  it('keeps a client that reads, through the same burst', async () => {
    const before = s.hub.stats().tooSlow;
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?topics=network`);
    let got = 0;
    ws.on('message', () => got++);
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
    for (let i = 0; i < 5000; i++) {
      usage();
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, READ_TIMEOUT_MS + 500));
    expect(s.hub.stats().tooSlow).toBe(before);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(got).toBeGreaterThan(4000);
    ws.close();
  }, 20_000);

  it('asks a reader that keeps up for proof every eighth to quarter of readTimeoutMs, not after every update', async () => {
    const before = s.hub.stats().tooSlow;
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?topics=network`);
    let updates = 0;
    let pings = 0;
    ws.on('message', () => updates++);
    ws.on('ping', () => pings++);
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
    // Ten updates a second for 2.5 × readTimeoutMs, as a busy status page might get.
    const t0 = Date.now();
    while (Date.now() - t0 < 2.5 * READ_TIMEOUT_MS) {
      usage();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(updates).toBeGreaterThan(40);
    // One probe per READ_TIMEOUT_MS / 8 to / 4 of unproven updates (each answered at once): ten to twenty, not fifty.
    expect(pings).toBeGreaterThanOrEqual(5);
    expect(pings).toBeLessThanOrEqual(25);
    expect(s.hub.stats().tooSlow).toBe(before);
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  }, 20_000);
});
