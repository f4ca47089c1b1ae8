/**
 * The resident portal in real Chromium on a phone-sized screen: login with any case and spaces, the live
 * countdown over the WebSocket, the same flow with JavaScript disabled (real forms, full navigations),
 * the language switch, and every error message with its status. Chromium is one device (127.0.0.1);
 * other devices are played by HTTP clients bound to 127.0.0.x.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { t } from '../../src/http/i18n.js';
import { launchChromium } from './browser.js';
import { deviceLogin, liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ pollMs: 200, config: { security: { freeAttempts: 3, maxLockoutSec: 60 } } }), launchChromium()]);
});
// Chromium is always the device 127.0.0.1: whatever a test left logged in is logged out before the next.
afterEach(async () => {
  await s.core.logout({ ip: '127.0.0.1', all: true }).catch(() => 0);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});


async function submit(page: Page, selector = 'form[action="/login"] button[type=submit]'): Promise<Response> {
  const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click(selector)]);
  await page.waitForLoadState('domcontentloaded');
  return res;
}

async function logoutAll(page: Page) {
  await page.goto(s.url + 'status');
  if (new URL(page.url()).pathname === '/status') {
    await Promise.all([page.waitForURL(s.url), page.click('form[action="/logout"]:has(input[name=all]) button')]);
  }
}

describe('resident portal in Chromium', () => {
  it('logs in with a code typed in any case with spaces, then counts down live; first load is small and same-origin', async () => {
    const { codes } = s.vouchers(1, { durationSec: 2 * 3600, dataBytes: 50e6, devices: 2 });
    const page = await b.phone();
    const requests: string[] = [];
    let bytes = 0;
    page.on('request', (r) => requests.push(r.url()));
    page.on('response', async (r) => {
      if (r.request().method() === 'GET' && !r.url().includes('/ws')) bytes += (await r.body().catch(() => Buffer.alloc(0))).length;
    });
    await page.goto(s.url);
    expect(bytes).toBeLessThan(30 * 1024);
    await expect(page.getByLabel('Voucher code').isVisible()).resolves.toBe(true);
    // Large touch targets (≥ 44 px) for the main actions.
    expect((await page.locator('button[type=submit]').boundingBox())!.height).toBeGreaterThanOrEqual(44);

    await page.getByLabel('Voucher code').fill(codes[0]!.toLowerCase().replace(/-/g, ' '));
    const res = await submit(page);
    expect(res.status()).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/status');
    await expect(page.locator('h1').textContent()).resolves.toBe('You are online');
    await expect(page.locator('#plan').textContent()).resolves.toBe('50 MB, 2 hours from first use, 2 devices');

    // Live: the socket connects, the clock ticks every second and data goes down as the device uses it.
    await page.locator('#live').waitFor({ state: 'visible' });
    const t0 = await page.locator('#time').textContent();
    const d0 = await page.locator('#data').textContent();
    await page.waitForFunction((before) => document.getElementById('time')?.textContent !== before, t0, { timeout: 4000 });
    await page.waitForFunction((before) => document.getElementById('data')?.textContent !== before, d0, { timeout: 6000 });
    expect(await page.locator('#rate').textContent()).toMatch(/Mbit\/s ↓/);

    // A second device joins the code: it appears in the list without a reload, with "Remove".
    expect(await deviceLogin(s, '127.0.0.20', codes[0]!)).toBe(303);
    await page.locator('#devices li').nth(1).waitFor({ timeout: 5000 });
    await page.locator('#devices button', { hasText: 'Remove' }).click();
    await page.waitForURL(s.url + 'status');
    expect(await page.locator('#devices li').count()).toBe(1);

    // The whole reload of "/" while online is still under the budget, with no foreign request.
    bytes = 0;
    await page.goto(s.url);
    await page.waitForLoadState('networkidle');
    expect(bytes).toBeLessThan(30 * 1024);
    expect(requests.every((u) => u.startsWith(s.url) || u.startsWith(s.url.replace('http', 'ws')))).toBe(true);

    await logoutAll(page);
    await expect(page.getByLabel('Voucher code').isVisible()).resolves.toBe(true);
    await page.context().close();
  });

  it('works the same with JavaScript disabled: prefilled code from the QR link, login, top-up, logout', async () => {
    const { codes } = s.vouchers(2, { durationSec: 3600, dataBytes: 1e9 });
    const page = await b.phone({ javaScriptEnabled: false });
    await page.goto(`${s.url}?code=${codes[0]}`);
    expect(await page.getByLabel('Voucher code').inputValue()).toBe(codes[0]);
    const res = await submit(page);
    expect(res.status()).toBe(303);
    await expect(page.locator('h1').textContent()).resolves.toBe('You are online');
    await expect(page.locator('#time').textContent()).resolves.toMatch(/^(59m|1h 0m)/);

    // A bad top-up code: the status page again, with the message and the right status.
    await page.getByLabel('Add a code').fill('nonsense');
    const bad = await submit(page, 'form[action="/topup"] button');
    expect(bad.status()).toBe(400);
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe(t('en', 'CODE_MALFORMED'));

    await page.getByLabel('Add a code').fill(codes[1]!);
    const ok = await submit(page, 'form[action="/topup"] button');
    expect(ok.status()).toBe(303);
    await expect(page.locator('#time').textContent()).resolves.toMatch(/^(1h 59m|2h 0m)/);

    await Promise.all([page.waitForURL(s.url), page.click('form[action="/logout"]:not(:has(input)) button')]);
    await expect(page.getByLabel('Voucher code').isVisible()).resolves.toBe(true);
    await page.context().close();
  });

  it('speaks the Accept-Language and switches language with the switcher, which sticks', async () => {
    const page = await b.phone({ locale: 'es-ES' });
    await page.goto(s.url);
    await expect(page.locator('h1').textContent()).resolves.toBe('Conéctate al Wi-Fi');
    await expect(page.getByLabel(t('es', 'codeLabel')).isVisible()).resolves.toBe(true);
    await page.click('nav.lang a[hreflang=fr]');
    await expect(page.locator('h1').textContent()).resolves.toBe('Connexion au Wi-Fi');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.goto(s.url);
    await expect(page.locator('h1').textContent()).resolves.toBe('Connexion au Wi-Fi');
    await page.click('nav.lang a[hreflang=pt]');
    await page.getByLabel('Código do voucher').fill('XXXX');
    const res = await submit(page);
    expect(res.status()).toBe(400);
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe(t('pt', 'CODE_MALFORMED'));
    await page.context().close();
  });

  it('shows a clear message with the right status for every error', async () => {
    const page = await b.phone();
    const attempt = async (code: string) => {
      await page.goto(s.url);
      await page.getByLabel('Voucher code').fill(code);
      const res = await submit(page);
      return { status: res.status(), message: await page.locator('[role=alert]').textContent() };
    };
    const one = (plan: Parameters<LiveServer['vouchers']>[1] = { durationSec: 3600 }) => s.vouchers(1, plan);

    const good = one().codes[0]!;
    const typo = good.slice(0, -1) + (good.endsWith('0') ? '1' : '0');
    expect(await attempt('ABC')).toEqual({ status: 400, message: t('en', 'CODE_MALFORMED') });
    expect(await attempt(typo)).toEqual({ status: 400, message: t('en', 'CODE_CHECK_FAILED') });

    const revoked = one();
    await s.core.revokeVoucher(revoked.ids[0]!, 'lost', { type: 'system' });
    expect(await attempt(revoked.codes[0]!)).toEqual({ status: 403, message: t('en', 'VOUCHER_REVOKED') });

    const expired = one({ durationSec: 60 });
    expect(await deviceLogin(s, '127.0.0.21', expired.codes[0]!)).toBe(303);
    s.jump(120_000);
    await s.core.accounting.sweep();
    expect(await attempt(expired.codes[0]!)).toEqual({ status: 403, message: t('en', 'VOUCHER_EXPIRED') });

    const exhausted = one({ durationSec: 3600, dataBytes: 50_000 });
    expect(await deviceLogin(s, '127.0.0.22', exhausted.codes[0]!)).toBe(303);
    await expect.poll(() => s.rt.store.vouchers.get(exhausted.ids[0]!)?.status, { timeout: 5000 }).toBe('exhausted');
    expect(await attempt(exhausted.codes[0]!)).toEqual({ status: 403, message: t('en', 'VOUCHER_EXHAUSTED') });

    const full = one({ durationSec: 3600, devices: 1 });
    expect(await deviceLogin(s, '127.0.0.23', full.codes[0]!)).toBe(303);
    expect(await attempt(full.codes[0]!)).toEqual({ status: 409, message: t('en', 'DEVICE_LIMIT') });
    // At the limit the resident may replace the oldest device.
    const replace = page.getByRole('button', { name: t('en', 'replace') });
    await expect(replace.isVisible()).resolves.toBe(true);
    const replaced = await submit(page, 'button[name=replace]');
    expect(replaced.status()).toBe(303);
    await logoutAll(page);

    // A revoked code is a known code: refused as cancelled, and not counted as a guess (the count of
    // 404s below would drop by one per counted try).
    const cancelled = one();
    await s.core.revokeVoucher(cancelled.ids[0]!, null, { type: 'system' });
    for (let i = 0; i < 2; i++) expect(await attempt(cancelled.codes[0]!)).toEqual({ status: 403, message: t('en', 'VOUCHER_REVOKED') });

    // Unknown codes count as guesses: the free attempts (3), the one that starts the lockout, then 429.
    let last = { status: 0, message: '' as string | null };
    let misses = 0;
    for (let i = 0; i < 8 && last.status !== 429; i++) {
      last = await attempt(fakeCode(i));
      if (last.status !== 429) expect(last).toEqual({ status: 404, message: t('en', 'VOUCHER_UNKNOWN') }), misses++;
    }
    expect(misses).toBe(4);
    expect(last.status).toBe(429);
    expect(last.message).toMatch(/^Too many wrong codes\. Please wait \d+ seconds? and try again/);
    await page.context().close();
  }, 40_000);
});

/** A well-formed code (valid check character) that was never issued. */
function fakeCode(i: number): string {
  const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const data = `ZZZZZZZZ${ALPHABET[i]}${ALPHABET[i + 1]}`;
  let factor = 2;
  let sum = 0;
  for (let j = data.length - 1; j >= 0; j--) {
    let addend = factor * ALPHABET.indexOf(data[j]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  const code = data + ALPHABET[(32 - (sum % 32)) % 32];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}
