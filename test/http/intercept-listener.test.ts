/**
 * The node:http fast path answers interception exactly as the Hono middleware does (same status,
 * headers and body for every case), and hands the portal's own names to Hono. Real server on loopback.
 */
import { request, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { interceptListener } from '../../src/http/intercept-listener.js';
import { portalHostMatcher } from '../../src/http/intercept.js';
import { harness, type Harness } from '../helpers/harness.js';

interface Seen {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

const HEADERS = ['location', 'cache-control', 'connection', 'content-type', 'x-networkmanager-status'];

let h: Harness;
let server: Server;
let port: number;

beforeAll(async () => {
  h = await harness();
  server = createServer(
    interceptListener(
      { portalUrl: h.config.portalUrl, isPortalHost: portalHostMatcher(h.config), isAuthorized: (ip) => h.store.entitlements.isActiveIp(ip) },
      getRequestListener(h.app.fetch),
    ),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function viaSocket(method: string, host: string, path: string): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: Object.fromEntries(HEADERS.map((k) => [k, res.headers[k] as string | undefined])), body }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? 'x=1' : undefined);
  });
}

async function viaHono(method: string, host: string, path: string): Promise<Seen> {
  const env = { incoming: { socket: { remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' } } };
  const res = await h.app.request(path, { method, headers: { host }, ...(method === 'POST' ? { body: 'x=1' } : {}) }, env);
  return { status: res.status, headers: Object.fromEntries(HEADERS.map((k) => [k, res.headers.get(k) ?? undefined])), body: await res.text() };
}

const CASES: [string, string, string][] = [
  ['GET', 'connectivitycheck.gstatic.com', '/generate_204'],
  ['HEAD', 'captive.apple.com', '/hotspot-detect.html'],
  ['GET', 'www.msftconnecttest.com', '/connecttest.txt?x=1&y=%20'],
  ['GET', '172.217.6.238', '/'],
  ['POST', 'example.com', '/upload'],
  ['GET', 'detectportal.firefox.com', '/success.txt?ipv4'],
];

describe('intercept fast path', () => {
  it.each(CASES)('%s %s%s: same answer as the Hono middleware, before login', async (method, host, path) => {
    const fast = await viaSocket(method, host, path);
    const hono = await viaHono(method, host, path);
    expect(fast).toEqual(hono);
    expect(fast.status).toBe(method === 'POST' ? 511 : 302);
    expect(fast.headers.connection).toBe('close');
  });

  it.each(CASES)('%s %s%s: same answer as the Hono middleware, once online', async (method, host, path) => {
    h.network.setMac('127.0.0.1', '02:00:00:00:7f:01');
    if (!h.store.entitlements.isActiveIp('127.0.0.1')) {
      const { codes } = h.vouchers(1);
      await h.core.login({ ip: '127.0.0.1', code: codes[0]! });
    }
    const fast = await viaSocket(method, host, path);
    expect(fast).toEqual(await viaHono(method, host, path));
  });

  it('hands the portal’s own names to Hono', async () => {
    const fast = await viaSocket('GET', 'portal.example.net', '/api/captive');
    expect(fast.status).toBe(200);
    expect(fast.headers['content-type']).toBe('application/captive+json');
  });

  it('keeps answers per target but asks again for a probe URL: online gets the genuine answer, logged out the redirect again', async () => {
    h.network.setMac('127.0.0.1', '02:00:00:00:7f:01');
    if (!h.store.entitlements.isActiveIp('127.0.0.1')) {
      const { codes } = h.vouchers(1);
      await h.core.login({ ip: '127.0.0.1', code: codes[0]! });
    }
    const online = await viaSocket('GET', 'captive.apple.com', '/hotspot-detect.html');
    expect(online.status).toBe(200);
    expect(online.body).toContain('Success');
    await h.core.logout({ ip: '127.0.0.1' });
    const out = await viaSocket('GET', 'captive.apple.com', '/hotspot-detect.html');
    expect(out).toEqual(await viaHono('GET', 'captive.apple.com', '/hotspot-detect.html'));
    expect(out.status).toBe(302);
    // Past the table's bound (512 targets) it starts again and still answers as Hono does.
    for (let i = 0; i < 600; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => viaSocket('GET', 'example.com', `/page${i + k}`)));
    expect(await viaSocket('GET', 'example.com', '/page3?x=<b>')).toEqual(await viaHono('GET', 'example.com', '/page3?x=<b>'));
    expect(await viaSocket('GET', 'captive.apple.com', '/hotspot-detect.html')).toEqual(out);
  });
});
