/**
 * Issue 15 in real Chromium, on a phone, with JavaScript on and off, in Spanish and English: the status
 * page says why a session ended and offers "add a code", confirms "Add" with the pool's new totals, says
 * "you are logged out"; it shows the household's code and names devices; times are in the network's
 * time zone; the terms of use must be accepted; the operator's notice shows on the portal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { t } from '../../src/http/i18n.js';
import { ui } from '../../src/http/ui-text.js';
import { launchChromium } from './browser.js';
import { deviceLogin, liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  [s, b] = await Promise.all([
    liveServer({ pollMs: 200, config: { network: { name: 'Barrio Wi-Fi', ssid: 'barrio-free', timeZone: 'America/Bogota' } } }),
    launchChromium(),
  ]);
});
afterEach(async () => {
  await s.core.logout({ ip: '127.0.0.1', all: true }).catch(() => 0);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

async function login(page: Page, code: string) {
  await page.locator('#code').fill(code);
  await Promise.all([page.waitForURL(/\/status/), page.click('form[action="/login"] button[type=submit]')]);
}

describe('issue 15: the status page keeps the resident informed', () => {
  it('JS on, es: data runs out while the page is open → it says so and offers "add a code" on the spot', async () => {
    const { codes } = s.vouchers(2, { durationSec: 3600, dataBytes: 1_500_000 });
    const page = await b.phone({ locale: 'es-ES' });
    await page.goto(s.url);
    await login(page, codes[0]!);
    await page.locator('#live').waitFor({ state: 'visible' });
    // 3 Mbit/s of simulated use eats 1.5 MB in about four seconds; the page moves on by itself.
    await page.locator('#ended').waitFor({ timeout: 15_000 });
    expect(await page.locator('#ended').textContent()).toBe(ui('es', 'endedExhausted') + ui('es', 'addToContinue'));
    expect(await page.locator('h1').textContent()).toBe(t('es', 'addCode'));
    await login(page, codes[1]!);
    expect(await page.locator('h1').textContent()).toBe(t('es', 'connected'));
    await page.context().close();
  });

  it('JS off, en: a revoked code reads as revoked on refresh; "Add" confirms with the new totals; logout says so', async () => {
    const { codes, ids } = s.vouchers(3, { durationSec: 3600, dataBytes: 1e9 });
    const page = await b.phone({ javaScriptEnabled: false });
    await page.goto(s.url);
    await login(page, codes[0]!);
    await page.locator('form[action="/topup"] #code').fill(codes[1]!);
    await Promise.all([page.waitForURL(/added=1/), page.click('form[action="/topup"] button')]);
    expect(await page.locator('#added').textContent()).toBe(ui('en', 'added', { words: '2 GB, 2 hours from first use, 1 device' }));
    expect(await page.locator('#plan').textContent()).toBe('2 GB, 2 hours from first use, 1 device');

    await Promise.all([page.waitForURL(s.url), page.click('form[action="/logout"]:not(:has(input)) button')]);
    expect(await page.locator('#ended').textContent()).toBe(ui('en', 'endedLogout') + ui('en', 'signInAgain'));

    await login(page, codes[2]!);
    await s.core.revokeVoucher(ids[2]!, 'lost', { type: 'system' });
    await page.goto(s.url + 'status');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await page.locator('#ended').textContent()).toBe(ui('en', 'endedRevoked') + ui('en', 'addToContinue'));
    await page.context().close();
  });

  it('JS on, en: time runs out while the page is open', async () => {
    const { codes } = s.vouchers(1, { durationSec: 120, dataBytes: 1e9 });
    const page = await b.phone();
    await page.goto(s.url);
    await login(page, codes[0]!);
    await page.locator('#live').waitFor({ state: 'visible' });
    s.jump(121_000);
    await page.locator('#ended').waitFor({ timeout: 10_000 });
    expect(await page.locator('#ended').textContent()).toContain(ui('en', 'endedExpired'));
    await page.context().close();
  });

  it('a bare POST /logout from page script (no body, no content type) logs out', async () => {
    const { codes } = s.vouchers(1);
    const page = await b.phone();
    await page.goto(s.url);
    await login(page, codes[0]!);
    const status = await page.evaluate(async () => (await fetch('/logout', { method: 'POST', redirect: 'manual' })).type);
    expect(status).toBe('opaqueredirect');
    // The live status script notices the logout and navigates to / itself; a goto racing it can be aborted.
    await page.waitForURL(s.url, { timeout: 10_000 }).catch(() => page.goto(s.url));
    await expect.poll(async () => (await page.locator('#ended').textContent().catch(() => '')) ?? '', { timeout: 10_000 }).toContain(ui('en', 'endedLogout'));
    expect(await deviceLogin(s, '127.0.0.30', codes[0]!)).toBe(303);
    await page.context().close();
  });
  it('JS on, en: shows the household code; a device that joins appears live under its host name', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9, devices: 3 });
    const page = await b.phone();
    await page.goto(s.url);
    await login(page, codes[0]!);
    expect(await page.locator('#hhcode').textContent()).toBe(codes[0]);
    await page.locator('#live').waitFor({ state: 'visible' });
    s.network.setHostName('127.0.0.32', 'kitchen-tablet');
    expect(await deviceLogin(s, '127.0.0.32', codes[0]!)).toBe(303);
    await page.locator('#devices li', { hasText: 'kitchen-tablet' }).waitFor({ timeout: 5000 });
    const mac = s.network.macFor('127.0.0.32').slice(-5).toUpperCase();
    expect(await page.locator('#devices li', { hasText: 'kitchen-tablet' }).locator('span').first().textContent()).toBe(`kitchen-tablet · ${mac}`);
    expect(await page.locator('#devices li').first().textContent()).toContain('(this device)');
    await page.context().close();
  });

  it('JS off, es: the code and "este dispositivo" without JavaScript', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9, devices: 2 });
    const page = await b.phone({ javaScriptEnabled: false, locale: 'es-ES' });
    await page.goto(s.url);
    await login(page, codes[0]!);
    expect(await page.locator('#hhcode').textContent()).toBe(codes[0]);
    expect(await page.locator('#hhcode + .hint').textContent()).toBe(ui('es', 'shareCode', { n: 2 }));
    expect(await page.locator('#devices li').first().textContent()).toContain(`(${t('es', 'thisDevice')})`);
    await page.context().close();
  });
  it('JS off, es: the end time in the network’s zone, named; figures with a decimal comma; the Spanish welcome', async () => {
    const op = s.rt.store.operators.list()[0]!;
    await s.core.admin.saveSettings({ welcome: 'Welcome, neighbour!', welcomeByLang: { es: '¡Bienvenido, vecino!' } }, op);
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1.5e9 });
    const page = await b.phone({ javaScriptEnabled: false, locale: 'es-ES', timezoneId: 'Europe/Madrid' });
    await page.goto(s.url);
    expect(await page.locator('main > p').first().textContent()).toBe('¡Bienvenido, vecino!');
    expect(await page.getByLabel(t('es', 'codeLabel')).isVisible()).toBe(true);
    await login(page, codes[0]!);
    const at = Date.parse((await page.locator('#until').getAttribute('datetime'))!);
    const bogota = new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Bogota' }).format(at);
    expect(await page.locator('#until').textContent()).toBe(`${bogota} (America/Bogota)`);
    expect(await page.locator('#data').textContent()).toMatch(/^1,\d+ GB$/);
    expect(await page.locator('#plan').textContent()).toBe('1,5 GB, 1 hora desde el primer uso, 1 dispositivo');
    await s.core.admin.saveSettings({ welcome: '', welcomeByLang: {} }, op);
    await page.context().close();
  });

  it('JS on, es and en: live figures keep the language’s separator; the zone stays the network’s', async () => {
    const { codes } = s.vouchers(2, { durationSec: 3600, dataBytes: 15e6 });
    for (const [lang, locale, sep] of [['es', 'es-ES', ','], ['en', 'en-US', '.']] as const) {
      const page = await b.phone({ locale, timezoneId: 'Europe/Madrid' });
      await page.goto(s.url);
      expect(await page.locator('main > p').count()).toBe(0); // no welcome set
      await login(page, lang === 'es' ? codes[0]! : codes[1]!);
      await page.locator('#live').waitFor({ state: 'visible' });
      // 15 MB counts down through 14.x MB within a second or two of simulated use.
      await page.waitForFunction((c) => /^1\d\D\d+ MB$/.test(document.getElementById('data')?.textContent ?? '') && document.getElementById('data')!.textContent!.includes(c), sep, { timeout: 8000 });
      expect(await page.locator('#data').textContent()).toMatch(new RegExp(`^1\\d\\${sep}\\d+ MB$`));
      expect(await page.locator('#rate').textContent()).toMatch(new RegExp(`^\\d+(\\${sep}\\d+)? [kM]bit/s ↓`));
      expect(await page.locator('#until').textContent()).toMatch(/\(America\/Bogota\)$/);
      await page.context().close();
      await s.core.logout({ ip: '127.0.0.1', all: true });
    }
  });
  it('terms of use, JS on (en) and off (es): the box must be ticked, in the resident’s language', async () => {
    const op = s.rt.store.operators.list()[0]!;
    await s.core.admin.saveSettings({ terms: 'Be kind. No file sharing.', termsByLang: { es: 'Sé amable. Nada de descargas.' } }, op);
    try {
      const { codes } = s.vouchers(2, { durationSec: 3600, dataBytes: 1e9 });
      for (const [lang, locale, js, terms] of [['en', 'en-US', true, 'Be kind. No file sharing.'], ['es', 'es-ES', false, 'Sé amable. Nada de descargas.']] as const) {
        const page = await b.phone({ locale, javaScriptEnabled: js });
        let posts = 0;
        page.on('request', (r) => void (r.method() === 'POST' && posts++));
        await page.goto(s.url);
        expect(await page.locator('#terms').textContent()).toBe(terms);
        await page.locator('#code').fill(lang === 'en' ? codes[0]! : codes[1]!);
        // Not ticked: the browser itself refuses to send the form.
        await page.click('form[action="/login"] button[type=submit]');
        await page.waitForTimeout(300);
        expect(posts).toBe(0);
        expect(new URL(page.url()).pathname).toBe('/');
        await page.getByLabel(ui(lang, 'accept')).check();
        await Promise.all([page.waitForURL(/\/status/), page.click('form[action="/login"] button[type=submit]')]);
        expect(await page.locator('h1').textContent()).toBe(t(lang, 'connected'));
        await page.context().close();
        await s.core.logout({ ip: '127.0.0.1', all: true });
      }
    } finally {
      await s.core.admin.saveSettings({ terms: '', termsByLang: {} }, op);
    }
  });
});
