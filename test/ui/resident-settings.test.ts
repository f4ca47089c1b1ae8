/**
 * The operator sets the resident texts of issue 15 in the console (Settings): welcome per language,
 * terms of use and a notice; the portal and /network show them at once, in the resident's language.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ui } from '../../src/http/ui-text.js';
import { launchChromium, consoleSignIn } from './browser.js';
import { liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ pollMs: 500, downBps: 0 }), launchChromium()]);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

/** A desktop signed in as admin, on the console's Settings. */
async function settingsPage() {
  const page = await b.desktop();
    await consoleSignIn(page, s.url, 'admin', s.adminPassword, '#online');
    await page.goto(s.url + 'admin#/settings');
  return page;
}

describe('console settings → resident portal', () => {
  it('saves welcome (es), terms and notice from the console; the portal shows them; first load stays ≤ 30 KB', async () => {
    const page = await settingsPage();
    await page.locator('#terms').waitFor();
    await page.locator('#welcome-es').fill('¡Bienvenido al barrio!');
    await page.locator('#terms').fill('Be kind. No file sharing.');
    await page.locator('#notice').fill('Outage tonight 22:00–23:00');
    await page.locator('#notice-es').fill('Corte esta noche 22:00–23:00');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForFunction(() => /Settings saved/.test(document.body.textContent ?? ''));
    expect(s.core.admin.settings()).toMatchObject({
      welcomeByLang: { es: '¡Bienvenido al barrio!' }, terms: 'Be kind. No file sharing.', notice: 'Outage tonight 22:00–23:00', noticeByLang: { es: 'Corte esta noche 22:00–23:00' },
    });
    await page.context().close();

    const phone = await b.phone({ locale: 'es-ES' });
    let bytes = 0;
    phone.on('response', async (r) => {
      if (r.request().method() === 'GET' && !r.url().includes('/ws')) bytes += (await r.body().catch(() => Buffer.alloc(0))).length;
    });
    await phone.goto(s.url);
    await phone.waitForLoadState('networkidle');
    expect(bytes).toBeLessThan(30 * 1024);
    expect(await phone.locator('#notice').textContent()).toBe('Corte esta noche 22:00–23:00');
    expect(await phone.locator('main > p').nth(1).textContent()).toBe('¡Bienvenido al barrio!');
    expect(await phone.locator('#terms').textContent()).toBe('Be kind. No file sharing.');
    expect(await phone.getByLabel(ui('es', 'accept')).isVisible()).toBe(true);
    await phone.goto(s.url + 'network?lang=en');
    expect(await phone.locator('#notice').textContent()).toBe('Outage tonight 22:00–23:00');
    await phone.context().close();
  });

  it('bypass list: a bad line is refused naming it; the till MAC saved from the console passes without a code (issue 15 item 4)', async () => {
    const till = '127.0.0.61';
    const mac = s.network.macFor(till);
    expect(s.network.allowed(till)).toBe(false);
    const page = await settingsPage();
    await page.locator('#bypass').waitFor();
    await page.locator('#bypass').fill(`${mac}\nthe printer`);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForFunction(() => /line 2/.test(document.body.textContent ?? ''));
    expect(s.network.allowed(till)).toBe(false);
    await page.locator('#bypass').fill(mac.toUpperCase());
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.waitForFunction(() => /Settings saved/.test(document.body.textContent ?? ''));
    expect(s.core.admin.settings().bypass).toEqual([mac]);
    expect(s.network.allowed(till)).toBe(true);
    await page.reload();
    await page.locator('#bypass').waitFor();
    expect(await page.locator('#bypass').inputValue()).toBe(mac);
    await page.context().close();
  });
});
