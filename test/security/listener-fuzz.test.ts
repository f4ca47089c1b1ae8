/**
 * No input on any listener ends the process. A real `portico serve` (its own process, HTTP, HTTPS with a
 * throwaway self-signed certificate, the WebSocket hub on /ws) gets the attack report's crash inputs —
 * invalid frames on every upgrade the hub closes (D1), a reset right after a refused upgrade (D2) — then
 * resets in the middle of requests and answers, then a few thousand seeded random byte strings on each
 * listener and on accepted WebSockets, and truncated, mutated and random datagrams at the RADIUS
 * listeners. Afterwards the process is alive, a NAS still gets an Access-Accept for a good code, and a
 * resident logs in with an unused code from a fresh address within 2 s (the attack report's invariant).
 *
 * Every loop is bounded in count and in time; all traffic stays on 127.0.0.0/8.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../../scripts/bench/lib/seed.js';
import { freePort, scratchDir, startServer, type ServerHandle } from '../../scripts/bench/lib/server.js';
import { Code, decodeResponse, encodeRequest } from '../../src/radius/index.js';
import { seeded } from './harness.js';

const KEY = 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
const dir = scratchDir('fuzz');
let server: ServerHandle;
let tlsPort: number;
let authPort: number;
let acctPort: number;
const SECRET = 'fuzz-secret-0123456789';
let codes: string[];
let nextAddr = 0;
/** A fresh loopback source per connection, so the per-address cap never hides a crash. */
const from = () => `127.77.${Math.floor(nextAddr / 250) % 250}.${(nextAddr++ % 250) + 2}`;

beforeAll(async () => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  const port = await freePort();
  tlsPort = await freePort();
  authPort = await freePort();
  acctPort = await freePort();
  codes = await seed(dir, port, { vouchers: 3 });
  server = await startServer({
    dir, port,
    config: {
      tls: { port: tlsPort, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
      radius: { server: { enabled: true, host: '127.0.0.1', authPort, acctPort, nas: [{ name: 'fuzz', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: 0 }] } },
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop({ keepDir: true });
  rmSync(dir, { recursive: true, force: true });
});

type Target = 'http' | 'https';

/**
 * One connection: writes each chunk (a chunk may be a function of what has been received so far), then
 * ends by `how` — a FIN, an RST (SO_LINGER 0), or an RST as soon as the first answer byte arrives.
 */
function hit(target: Target, chunks: (Buffer | string)[], how: 'fin' | 'rst' | 'rst-on-data' = 'fin', waitMs = 300): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const tcp = netConnect({ host: '127.0.0.1', port: target === 'http' ? server.port : tlsPort, localAddress: from() });
    const sock: Socket = target === 'https' ? tlsConnect({ socket: tcp, rejectUnauthorized: false }) : tcp;
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    };
    const timer = setTimeout(() => {
      if (how === 'fin') sock.destroy();
      else tcp.resetAndDestroy();
    }, waitMs);
    sock.on(target === 'https' ? 'secureConnect' : 'connect', () => {
      for (const c of chunks) sock.write(c);
      if (how === 'rst' && !tcp.destroyed) setImmediate(() => tcp.resetAndDestroy());
    });
    sock.on('data', (d: Buffer) => {
      got.push(d);
      if (how === 'rst-on-data' && !tcp.destroyed) tcp.resetAndDestroy();
    });
    sock.on('error', () => {});
    tcp.on('error', () => {});
    sock.on('close', done);
  });
}

/** Runs `n` jobs with at most `width` in flight, stopping early at `deadline`. */
async function pool(n: number, width: number, deadline: number, job: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n && Date.now() < deadline) await job(next++);
    }),
  );
  return next;
}

function frame(opcode: number, payload: Buffer, opts: { mask?: boolean; rsv1?: boolean } = {}): Buffer {
  const mask = opts.mask ?? true;
  const head = Buffer.from([0x80 | (opts.rsv1 ? 0x40 : 0) | opcode, (mask ? 0x80 : 0) | payload.length]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = Buffer.from([9, 8, 7, 6]);
  return Buffer.concat([head, key, Buffer.from(payload.map((b, i) => b ^ key[i % 4]!))]);
}

const upgrade = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${KEY}${extra}\r\n`;

function alive(): boolean {
  try {
    process.kill(server.pid, 0);
    return server.proc.exitCode === null;
  } catch {
    return false;
  }
}

function send(method: string, path: string, src: string, body?: string): Promise<{ status: number; body: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((ok) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, path, method, localAddress: src, agent: false, timeout: 5000,
        headers: { host: `127.0.0.1:${server.port}`, accept: 'application/json', ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) } },
      (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body: b, ms: performance.now() - t0 }));
      },
    );
    req.on('error', () => ok({ status: 0, body: '', ms: performance.now() - t0 }));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

/** The attack report's invariant: a fresh device logs in with an unused code in under 2 s and is then online. */
async function residentGetsIn(code: string, src: string): Promise<number> {
  const r = await send('POST', '/login', src, `code=${code}`);
  expect([200, 303], `login ${r.status} ${r.body.slice(0, 200)}\n${server.stderr()}`).toContain(r.status);
  expect(r.ms).toBeLessThan(2000);
  const s = await send('GET', '/api/session', src);
  expect((JSON.parse(s.body) as { authorized: boolean }).authorized).toBe(true);
  return r.ms;
}

describe('listener fuzz against a real portico serve', () => {
  it('survives the report\'s crash inputs (D1, D2) on HTTP and HTTPS', async () => {
    const bad = [frame(1, Buffer.from('hi'), { mask: false }), frame(1, Buffer.from('hi'), { rsv1: true }), frame(3, Buffer.from('x')), frame(9, Buffer.alloc(125)), Buffer.from([0x09, 0x80, 1, 2, 3, 4]), Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])];
    const closing = [
      upgrade('/ws?topics=x'),
      upgrade('/ws?topics=operator/events'),
      upgrade('/ws?topics=operator/events', 'Cookie: portico_op=forged\r\n'),
      upgrade('/ws?topics=operator/sessions', 'Origin: http://evil.example\r\n'),
      upgrade('/ws?topics=device', 'Origin: http://evil.example\r\n'),
      upgrade('/ws?topics=network'),
    ];
    for (const target of ['http', 'https'] as const) {
      for (const req of closing) for (const f of bad) await hit(target, [Buffer.concat([Buffer.from(req), f])], 'fin', 200);
      // D2: the refusal (or plain answer) is written to a peer that has already reset.
      for (const req of [upgrade('/x'), upgrade('/ws?topics=network').replace(KEY, ''), upgrade('/ws?topics=operator/events')]) {
        for (let i = 0; i < 5; i++) await hit(target, [req], 'rst');
      }
      expect(alive(), server.stderr()).toBe(true);
    }
  }, 60_000);

  it('survives resets in the middle of requests and answers', async () => {
    const deadline = Date.now() + 15_000;
    const body = `code=${'A'.repeat(4000)}`;
    const cases: [Target, (Buffer | string)[], 'fin' | 'rst' | 'rst-on-data'][] = [
      ['http', [`GET /ui/admin.js HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`], 'rst-on-data'],
      ['https', [`GET /ui/admin.js HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`], 'rst-on-data'],
      ['http', [`POST /login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 1000)}`], 'rst'],
      ['https', [`POST /api/admin/login HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`], 'rst'],
      ['http', [upgrade('/ws?topics=network')], 'rst-on-data'],
      ['https', [upgrade('/ws?topics=network,device')], 'rst-on-data'],
      ['http', [`GET /generate_204 HTTP/1.1\r\nHost: connectivitycheck.gstatic.com\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n`], 'rst'],
      ['http', [`POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nContent-Length: 50\r\n\r\ncode=`], 'rst'],
      ['http', ['GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'.repeat(50)], 'rst-on-data'],
    ];
    const n = await pool(cases.length * 20, 8, deadline, (i) => {
      const [t, chunks, how] = cases[i % cases.length]!;
      return hit(t, chunks, how, 500);
    });
    expect(n).toBeGreaterThan(cases.length * 5);
    expect(alive(), server.stderr()).toBe(true);
  }, 30_000);

  it('survives truncated, mutated and random datagrams on the RADIUS listeners, then still answers a NAS', async () => {
    const rnd = seeded(0x7ad1);
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const replies: Buffer[] = [];
    sock.on('message', (m) => replies.push(m));
    const valid = (i: number) =>
      encodeRequest(i % 2 ? Code.AccessRequest : Code.AccountingRequest, i % 2
        ? [['User-Name', 'K7QM-4XPA-9TR'], ['User-Password', 'K7QM-4XPA-9TR'], ['Calling-Station-Id', '02:00:00:00:00:01']]
        : [['User-Name', 'x'], ['Acct-Status-Type', 1], ['Acct-Session-Id', `s${i}`]], SECRET, { identifier: i & 255, randomBytes }).bytes;
    const datagram = (i: number): Buffer => {
      const base = valid(i);
      switch (rnd.int(5)) {
        case 0: return Buffer.from(rnd.bytes(rnd.int(200)));
        case 1: return base.subarray(0, rnd.int(base.length));
        case 2: { const b = Buffer.from(base); for (let k = 0; k < 1 + rnd.int(4); k++) b[rnd.int(b.length)] = rnd.int(256); return b; }
        case 3: { const b = Buffer.from(base); b.writeUInt16BE(rnd.int(65536), 2); return b; }
        default: return Buffer.concat([base, Buffer.from(rnd.bytes(rnd.int(100)))]);
      }
    };
    const deadline = Date.now() + 15_000;
    let sent = 0;
    for (; sent < 3000 && Date.now() < deadline; sent++) {
      sock.send(datagram(sent), rnd.int(2) ? authPort : acctPort, '127.0.0.1');
      if (sent % 100 === 99) await new Promise((r) => setTimeout(r, 5));
    }
    expect(sent).toBeGreaterThan(1000);
    expect(alive(), server.stderr()).toBe(true);
    // A real Access-Request for an unused code still gets a verified Access-Accept.
    replies.length = 0;
    const { bytes, packet } = encodeRequest(Code.AccessRequest, [['User-Name', codes[1]!], ['User-Password', codes[1]!], ['Calling-Station-Id', '02:00:00:00:0f:01']], SECRET, { identifier: 200, randomBytes });
    let accept: Buffer | undefined;
    for (let attempt = 0; attempt < 3 && !accept; attempt++) {
      sock.send(bytes, authPort, '127.0.0.1');
      const until = Date.now() + 1000;
      while (!accept && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
        accept = replies.find((m) => m[1] === 200);
      }
    }
    sock.close();
    expect(accept, server.stderr()).toBeDefined();
    const reply = decodeResponse(accept!, packet, SECRET);
    expect(reply.ok).toBe(true);
    expect(reply.packet.code).toBe(Code.AccessAccept);
    // /metrics counts what the RADIUS listeners saw: the drops by reason and the Accept.
    const metrics = (await send('GET', '/metrics', '127.0.0.1')).body;
    const value = (name: string) => Number(metrics.split('\n').find((l) => l.startsWith(name + ' '))?.split(' ')[1] ?? NaN);
    expect(value('portico_radius_requests_total{outcome="ACCEPT"}')).toBeGreaterThanOrEqual(1);
    const dropped = metrics.split('\n').filter((l) => l.startsWith('portico_radius_dropped_total{')).reduce((n, l) => n + Number(l.split(' ')[1]), 0);
    expect(dropped).toBeGreaterThan(1000);
    // Loopback UDP still drops datagrams when the receive buffer is full (a loaded machine): what the
    // kernel dropped never reached Portico. What did reach it is counted, drops included, and never more.
    const received = value('portico_radius_received_total');
    expect(received).toBeGreaterThanOrEqual(dropped);
    expect(received).toBeGreaterThan(sent / 2);
    expect(received).toBeLessThanOrEqual(sent + 3);
    console.log(`radius datagrams: ${sent}, dropped and counted: ${dropped}`);
  }, 40_000);

  it('survives a few thousand seeded random byte strings on each listener and on open WebSockets, then a resident gets in', async () => {
    const rnd = seeded(0x5eed);
    const prefixes = ['', 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 20\r\n\r\n', 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'];
    const junk = () => Buffer.concat([Buffer.from(rnd.pick(prefixes)), Buffer.from(rnd.bytes(1 + rnd.int(300)))]);
    const deadline = Date.now() + 30_000;
    const counts = {
      http: await pool(2000, 16, deadline, () => hit('http', [junk()], rnd.int(4) === 0 ? 'rst' : 'fin', 100)),
      https: await pool(300, 8, deadline, () => hit('https', [junk()], rnd.int(4) === 0 ? 'rst' : 'fin', 100)),
      // Raw bytes to the TLS port: a broken ClientHello, not encrypted junk.
      tlsRaw: await pool(500, 16, deadline, () => {
        const tcp = netConnect({ host: '127.0.0.1', port: tlsPort, localAddress: from() });
        return new Promise<void>((r) => {
          tcp.on('connect', () => tcp.write(Buffer.concat([Buffer.from([0x16, 0x03, rnd.int(5)]), Buffer.from(rnd.bytes(rnd.int(200)))])));
          tcp.on('error', () => {});
          tcp.on('close', () => r());
          setTimeout(() => (rnd.int(2) ? tcp.destroy() : tcp.resetAndDestroy()), 100);
        });
      }),
      // Random frames after a completed upgrade, on the paths the hub accepts and closes.
      ws: await pool(1500, 16, deadline, () => {
        const path = rnd.pick(['/ws?topics=network', '/ws?topics=device', '/ws?topics=bogus', '/ws?topics=operator/sales']);
        return hit(rnd.int(5) ? 'http' : 'https', [Buffer.concat([Buffer.from(upgrade(path)), Buffer.from(rnd.bytes(1 + rnd.int(64)))])], rnd.int(3) ? 'fin' : 'rst-on-data', 150);
      }),
    };
    console.log(`fuzz connections: ${JSON.stringify(counts)}`);
    expect(counts.http).toBeGreaterThan(500);
    expect(counts.ws).toBeGreaterThan(300);
    expect(alive(), server.stderr()).toBe(true);
    expect(server.stderr()).not.toMatch(/Unhandled|uncaught|ERR_/i);
    const ms = await residentGetsIn(codes[0]!, '127.78.0.2');
    console.log(`resident login after the fuzz: ${Math.round(ms)} ms`);
  }, 90_000);
});
