/**
 * The WebSocket hub over real sockets: snapshot then deltas on `device` (the caller is the TCP peer:
 * clients bind 127.0.0.2, 127.0.0.3… to be different devices), `network` without personal data,
 * operator topics behind the session cookie (4401 / 4403), the connection cap (503), heartbeats that
 * drop silent peers, and backpressure that drops a reader that stopped reading.
 */
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WsMessage } from '../../src/api/contract.js';
import { liveServer, type LiveServer } from '../ui/live-server.js';

/** POST a form from a given loopback address (a different "device"). */
function post(s: LiveServer, from: string, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const req = request({ host: '127.0.0.1', port: s.port, path, method: 'POST', localAddress: from, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A WebSocket client that records messages and its close code. */
function client(s: LiveServer, topics: string, opts: { from?: string; cookie?: string; origin?: string } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?topics=${topics}`, {
    ...(opts.from ? { localAddress: opts.from } : {}),
    headers: { ...(opts.cookie ? { cookie: opts.cookie } : {}), ...(opts.origin ? { origin: opts.origin } : {}) },
  });
  const messages: WsMessage[] = [];
  const waiters: (() => void)[] = [];
  let closeCode: number | null = null;
  ws.on('message', (d) => {
    messages.push(JSON.parse(String(d)) as WsMessage);
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve((closeCode = code))));
  ws.on('error', () => {});
  return {
    ws,
    messages,
    closed,
    get closeCode() {
      return closeCode;
    },
    /** Resolves with the first message (from index `from`) matching `pred`. */
    async next(pred: (m: WsMessage) => boolean, from = 0, timeoutMs = 5000): Promise<WsMessage> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = messages.slice(from).find(pred);
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(messages.slice(-3))}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
    close: () => ws.close(),
  };
}

/** A raw TCP peer that completes the upgrade and then never reads again (nor answers pings). */
function silentPeer(port: number, topics: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(`GET /ws?topics=${topics} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      sock.once('data', (d) => {
        expect(String(d)).toContain('101 Switching Protocols');
        sock.pause();
        resolve(sock);
      });
    });
    sock.on('error', reject);
  });
}

async function adminCookie(s: LiveServer, name = 'admin', password = s.adminPassword): Promise<string> {
  const res = await fetch(`${s.url}api/admin/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) });
  expect(res.status).toBe(200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

describe('WebSocket hub', () => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await liveServer({ pollMs: 150, hub: { aggregateEveryMs: 100 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('sends the device its own entitlement: a snapshot, then live deltas as data is used', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 500e6, devices: 2 });
    expect((await post(s, '127.0.0.2', '/login', { code: codes[0]! })).status).toBe(303);
    const c = client(s, 'device', { from: '127.0.0.2' });
    const snap = await c.next((m) => m.topic === 'device');
    expect(snap.kind).toBe('snapshot');
    if (snap.topic !== 'device' || !snap.payload.authorized) throw new Error('expected an authorized snapshot');
    expect(snap.payload.plan.words).toBe('500 MB, 1 hour from first use, 2 devices');
    expect(snap.payload.devices).toHaveLength(1);
    const first = snap.payload.bytesRemaining!;
    const later = await c.next((m) => m.topic === 'device' && m.kind === 'delta' && m.payload.authorized && m.payload.bytesRemaining! < first);
    if (later.topic !== 'device' || !later.payload.authorized) throw new Error('expected an authorized delta');
    expect(later.payload.downBps).toBeGreaterThan(0);

    // A second device joins the same code: the first device hears about it at once.
    const other = client(s, 'device', { from: '127.0.0.3' });
    const otherSnap = await other.next((m) => m.topic === 'device');
    expect(otherSnap.payload).toEqual({ authorized: false });
    const mark = c.messages.length;
    expect((await post(s, '127.0.0.3', '/login', { code: codes[0]!.toLowerCase() })).status).toBe(303);
    await other.next((m) => m.topic === 'device' && m.payload.authorized, 1);
    await c.next((m) => m.topic === 'device' && m.payload.authorized && m.payload.devices.length === 2, mark);
    // …and logging out reaches the socket too.
    await post(s, '127.0.0.3', '/logout', {});
    await other.next((m) => m.topic === 'device' && !m.payload.authorized, 2);
    c.close();
    other.close();
  });

  it('publishes network aggregates without personal data', async () => {
    const c = client(s, 'network');
    const snap = await c.next((m) => m.topic === 'network');
    expect(snap.kind).toBe('snapshot');
    expect(Object.keys(snap.payload).sort()).toEqual(['at', 'devicesOnline', 'downBps', 'gateway', 'name', 'todayBytes', 'upBps']);
    const delta = await c.next((m) => m.topic === 'network' && m.kind === 'delta');
    if (delta.topic !== 'network') throw new Error('unreachable');
    expect(delta.payload.devicesOnline).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(delta.payload)).not.toMatch(/[0-9a-f]{2}:[0-9a-f]{2}:|127\.0\.0\.|ent_|dev_/i);
    // Its totals come from the ledger alone (no pool is read): the same as the dashboard's, from every pool's view.
    const n = s.core.admin.networkState();
    const d = s.core.admin.dashboard();
    expect(n.downBps).toBeGreaterThan(0);
    expect([n.devicesOnline, n.downBps, n.upBps, n.todayBytes]).toEqual([d.devicesOnline, d.downBps, d.upBps, d.todayBytes]);
    c.close();
  });

  it('refuses the device topic from a foreign Origin with 4403 (attack report D10); no Origin and the same origin still get the snapshot', async () => {
    expect(await client(s, 'device', { origin: 'http://evil.example' }).closed).toBe(4403);
    expect(await client(s, 'device', { origin: 'null' }).closed).toBe(4403);
    for (const origin of [undefined, `http://127.0.0.1:${s.port}`]) {
      const c = client(s, 'device', origin ? { origin } : {});
      const snap = await c.next((m) => m.topic === 'device');
      expect(snap.kind).toBe('snapshot');
      c.close();
    }
  });

  it('closes operator topics with 4401 without a good session cookie and 4403 for a seller asking for admin topics', async () => {
    expect(await client(s, 'operator/sessions').closed).toBe(4401);
    expect(await client(s, 'operator/events', { cookie: 'portico_op=forged-token-value' }).closed).toBe(4401);
    const cookie = await adminCookie(s);
    expect(await client(s, 'operator/sessions', { cookie, origin: 'https://evil.example' }).closed).toBe(4401);
    expect(await client(s, 'device,bogus').closed).toBe(4400);

    const seller = await fetch(`${s.url}api/admin/operators`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': ((await (await fetch(`${s.url}api/admin/me`, { headers: { cookie } })).json()) as { csrf: string }).csrf },
      body: JSON.stringify({ name: 'maria', role: 'seller', password: 'maria-pass-1' }),
    });
    expect(seller.status).toBe(201);
    const sellerCookie = await adminCookie(s, 'maria', 'maria-pass-1');
    expect(await client(s, 'operator/sessions', { cookie: sellerCookie }).closed).toBe(4403);
    const sales = client(s, 'operator/sales', { cookie: sellerCookie });
    const snap = await sales.next((m) => m.topic === 'operator/sales');
    expect(snap.kind).toBe('snapshot');
    sales.close();
  });

  it('gives an admin the dashboard and the audit log: snapshot, then new events as deltas', async () => {
    const cookie = await adminCookie(s);
    const c = client(s, 'operator/sessions,operator/events', { cookie, origin: s.url.replace(/\/$/, '') });
    const sessions = await c.next((m) => m.topic === 'operator/sessions');
    expect(sessions.kind).toBe('snapshot');
    await c.next((m) => m.topic === 'operator/events' && m.kind === 'snapshot');
    s.vouchers(2, { durationSec: 600 });
    const delta = await c.next((m) => m.topic === 'operator/events' && m.kind === 'delta' && m.payload.some((e) => e.type === 'batch.created'));
    expect(delta.kind).toBe('delta');
    await c.next((m) => m.topic === 'operator/sessions' && m.kind === 'delta' && m.payload.devicesOnline >= 1);
    c.close();
  });
});

describe('WebSocket hub limits', () => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await liveServer({ downBps: 0, hub: { maxConnections: 3, heartbeatMs: 150, maxBufferedBytes: 64 * 1024, aggregateEveryMs: 0 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses connections past the cap with 503', async () => {
    const open = [client(s, 'network'), client(s, 'network'), client(s, 'network')];
    await Promise.all(open.map((c) => c.next((m) => m.topic === 'network')));
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${s.port}/ws?topics=network`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(503);
    for (const c of open) c.close();
    await Promise.all(open.map((c) => c.closed));
    // The server side sees each close a moment after the client does: poll for it, bounded.
    await expect.poll(() => s.hub.stats().connections, { timeout: 2000, interval: 10 }).toBe(0);
  });

  it('keeps peers that answer heartbeats and drops one that does not', async () => {
    const good = client(s, 'network');
    await good.next((m) => m.topic === 'network');
    const silentBefore = s.hub.stats().silent;
    const silent = await silentPeer(s.port, 'network');
    const ended = new Promise<void>((resolve) => silent.on('close', () => resolve()));
    silent.resume(); // read (and discard) so only the missing pong can get it dropped
    silent.on('data', () => {});
    await ended;
    expect(s.hub.stats().silent).toBe(silentBefore + 1);
    expect(good.ws.readyState).toBe(WebSocket.OPEN);
    good.close();
  });
});

describe('WebSocket hub backpressure', () => {
  let s: LiveServer;
  beforeAll(async () => {
    s = await liveServer({ downBps: 0, hub: { heartbeatMs: 60_000, maxBufferedBytes: 64 * 1024, aggregateEveryMs: 0 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('drops a reader that stopped reading instead of buffering without bound', async () => {
    const before = s.hub.stats().tooSlow;
    const slow = await silentPeer(s.port, 'network');
    const ended = new Promise<void>((resolve) => slow.on('close', () => resolve()));
    const started = Date.now();
    // Each usage event sends one `network` delta; the peer never reads, so its bytes pile up.
    for (let i = 0; i < 200_000 && s.hub.stats().tooSlow === before && Date.now() - started < 15_000; i++) {
      s.core.bus.emit('usage', { at: Date.now(), pools: [], devicesOnline: 0, downBps: 0, upBps: 0 });
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(s.hub.stats().tooSlow).toBeGreaterThan(before);
    slow.resume();
    await ended;
  }, 30_000);
});
