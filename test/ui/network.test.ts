/**
 * /network in real Chromium (issue 15 item 6): plain words, the 24-hour chart drawn by the server (SVG,
 * there with JavaScript off), live figures with JavaScript on, and the operator's notice, in en and es.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ui } from '../../src/http/ui-text.js';
import { launchChromium } from './browser.js';
import { deviceLogin, liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ pollMs: 200 }), launchChromium()]);
  const op = s.rt.store.operators.list()[0]!;
  await s.core.admin.saveSettings({ notice: 'Outage tonight 22:00–23:00', noticeByLang: { es: 'Corte esta noche 22:00–23:00' } }, op);
  const { codes } = s.vouchers(2, { durationSec: 3600, dataBytes: 1e9 });
  expect(await deviceLogin(s, '127.0.0.40', codes[0]!)).toBe(303);
  expect(await deviceLogin(s, '127.0.0.41', codes[1]!)).toBe(303);
  // A few sweeps of simulated use put the first bucket in the history.
  await new Promise((r) => setTimeout(r, 1500));
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('/network in Chromium', () => {
  it('JS off, es: plain words, the notice and the 24-hour chart as SVG', async () => {
    const page = await b.phone({ javaScriptEnabled: false, locale: 'es-ES' });
    await page.goto(s.url + 'network');
    expect(await page.locator('#notice').textContent()).toBe('Corte esta noche 22:00–23:00');
    expect(await page.locator('h2', { hasText: ui('es', 'throughput') }).count()).toBe(1);
    expect(await page.content()).not.toMatch(/throughput|Tráfico de salida/i);
    await expect(page.locator('#history-devices rect').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#history-traffic rect').count()).resolves.toBeGreaterThan(0);
    const box = (await page.locator('#history-devices').boundingBox())!;
    expect(box.width).toBeGreaterThan(250);
    expect(await page.locator('#history-summary').textContent()).toMatch(/^Más dispositivos conectados a la vez: 2, a las/);
    await page.context().close();
  });

  it('JS on, en: live figures, the notice, and the chart refreshed from the server', async () => {
    const page = await b.phone();
    await page.goto(s.url + 'network');
    await page.locator('#live').waitFor({ state: 'visible' });
    expect(await page.locator('#notice').textContent()).toBe('Outage tonight 22:00–23:00');
    expect(await page.locator('#devices').textContent()).toBe('2');
    await page.waitForFunction(() => /Mbit\/s ↓/.test(document.getElementById('rate')?.textContent ?? ''));
    expect(await page.locator('#rate').textContent()).toMatch(/^\d+(\.\d+)? Mbit\/s ↓/);
    const fragment = await page.evaluate(async () => (await fetch('/network/history?lang=en')).text());
    expect(fragment).toContain('<svg id="history-devices"');
    await page.context().close();
  });
});
