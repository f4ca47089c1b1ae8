/**
 * The one WebSocket reconnect loop (portal-ui/live-socket.js) in real Chromium, shared by the network
 * page, the resident status page and the console. The socket is Playwright's WebSocket route (the page
 * talks to the test, not to the hub) and the page's timers are Playwright's fake clock, so a drop and
 * the back-off are driven step by step instead of waited for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import { launchChromium, consoleSignIn } from './browser.js';
import { liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ downBps: 0 }), launchChromium()]);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

const network = (devicesOnline: number) =>
  JSON.stringify({ topic: 'network', kind: 'snapshot', payload: { name: 'Barrio Wi-Fi', devicesOnline, downBps: 0, upBps: 0, todayBytes: 0, gateway: { ok: true, detail: '' }, at: 0 } });

describe('live-socket.js in Chromium', () => {
  it('reopens the network page socket 1 s after a drop, and 1 s again after it had reopened', async () => {
    const page = await b.phone();
    // Fake time that moves only when told (install alone lets it flow at real speed).
    await page.clock.install({ time: new Date('2026-12-01T12:00:00Z') });
    await page.clock.pauseAt(new Date('2026-12-01T12:00:01Z'));
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/ws\?topics=network$/, (ws) => void sockets.push(ws));
    await page.goto(s.url + 'network');
    await expect.poll(() => sockets.length).toBe(1);
    sockets[0]!.send(network(7));
    await page.waitForFunction(() => document.getElementById('devices')?.textContent === '7');
    await page.locator('#live').waitFor({ state: 'visible' });

    for (const [i, next] of [[0, 8], [1, 9]] as const) {
      await sockets[i]!.close({ code: 1001, reason: 'router reboot' });
      await page.locator('#live').waitFor({ state: 'hidden' });
      await page.clock.runFor(990);
      expect(sockets).toHaveLength(i + 1); // still waiting out the back-off
      await page.clock.runFor(20);
      await expect.poll(() => sockets.length).toBe(i + 2);
      sockets[i + 1]!.send(network(next));
      await page.waitForFunction((n) => document.getElementById('devices')?.textContent === String(n), next);
      await page.locator('#live').waitFor({ state: 'visible' });
    }
    await page.context().close();
  });

  it('signs the console out on 4401 instead of reconnecting', async () => {
    const page = await b.desktop();
    page.context().setDefaultTimeout(6000);
    await page.clock.install({ time: new Date('2026-12-01T12:00:00Z') });
    await page.clock.pauseAt(new Date('2026-12-01T12:00:01Z'));
    const sockets: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/ws\?topics=operator/, (ws) => void sockets.push(ws));
    await consoleSignIn(page, s.url, 'admin', s.adminPassword);
    await expect.poll(() => sockets.length).toBe(1);

    // The session ends elsewhere (cookie gone): the hub closes with 4401, the console shows sign-in.
    await page.context().clearCookies();
    await sockets[0]!.close({ code: 4401, reason: 'signed out' });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.clock.runFor(60_000);
    expect(sockets).toHaveLength(1);
    await page.context().close();
  });
});
