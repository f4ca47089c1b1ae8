/**
 * Money in the console, in real Chromium (issue 14 item 5): the currency chosen in Settings formats every
 * price (here in French: "2,50 €"), Sales counts vouchers sold (a sheet lost before use is not) in a
 * range of days with a chart of sales per day, and the dashboard charts traffic and devices online per
 * hour; every chart is inline SVG and the page makes no request off the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleSignIn, launchChromium, openConsole } from './browser.js';
import { deviceLogin, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
const foreign: string[] = [];

beforeAll(async () => {
  ({ s, b, page } = await openConsole({ downBps: 400_000 }, async (_, p) => {
    await p.context().route(/^(?!http:\/\/127\.0\.0\.1:)/, (r) => (foreign.push(r.request().url()), r.abort()));
  }));
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('money and charts in the console in Chromium', () => {
  it('sets the currency in Settings (a bad code refused in words), then shows sales sold in euros with a chart, in French', async () => {
    await page.goto(`${s.url}admin#/settings`);
    // A bad walled-garden line is named, in words, and nothing is saved.
    await page.getByLabel(/^Walled garden/).fill('pay.example.net\nnot a host!!');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('Walled garden, line 2: "not a host!!" is not a host name, address or network (like example.org, 10.0.0.1 or 10.0.0.0/8).');
    expect(s.core.admin.settings().walledGarden).not.toContain('pay.example.net');
    await page.getByLabel(/^Walled garden/).fill('');
    const field = page.getByLabel(/^Currency of prices/);
    await field.fill('ZZZ');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.locator('[role=alert]', { hasText: 'Currency' }).textContent()).resolves.toBe('Currency: a three-letter ISO code like USD, EUR or COP, or empty.');
    await field.fill('eur');
    await page.getByLabel(/^Wi-Fi password/).fill('barrio-2026!');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('Settings saved.');
    await page.reload();
    expect(await page.getByLabel(/^Wi-Fi password/).inputValue()).toBe('barrio-2026!');

    const { ids } = s.vouchers(4, { durationSec: 3600 }, { price: 2.5, note: 'marché' });
    await s.core.admin.vouchers.revoke(ids[0]!, 'feuille perdue', s.rt.store.operators.findByName('admin')!);
    await page.locator('header select.lang').selectOption('fr');
    await page.goto(`${s.url}admin#/sales`);
    await page.locator('h1', { hasText: 'Ventes' }).waitFor();
    await expect(page.locator('#sold').textContent()).resolves.toBe('3');
    const euros = (n: number) => new Intl.NumberFormat('fr', { style: 'currency', currency: 'EUR' }).format(n);
    await expect(page.locator('#amount').textContent()).resolves.toBe(euros(7.5));
    await expect(page.locator('#not-counted').textContent()).resolves.toBe('Non compté : 1 ticket révoqué avant toute utilisation.');
    const month = await page.evaluate(() => new Date().toISOString().slice(0, 7));
    const monthName = new Date(`${month}-01T00:00:00Z`).toLocaleDateString('fr', { timeZone: 'UTC', year: 'numeric', month: 'long' });
    await expect(page.locator('tr', { hasText: monthName }).innerText()).resolves.toContain(euros(7.5));
    const chart = page.locator('#sales-chart svg');
    expect(await chart.getAttribute('aria-label')).toContain(euros(7.5));
    await expect(page.locator('#sales-chart rect').last().locator('title').textContent()).resolves.toContain(euros(7.5));

    // A range that ends before today holds nothing.
    const today = await page.evaluate(() => new Date().toISOString().slice(0, 10));
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Au').fill(yesterday);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(new RegExp(`#/sales\\?to=${yesterday}$`));
    await page.locator('#sold', { hasText: '0' }).waitFor();
    await expect(page.locator('#amount').textContent()).resolves.toBe(euros(0));

    // The printed sheet: the price in euros and the Wi-Fi password in letters on the join card.
    const batchId = s.rt.store.vouchers.listBatches()[0]!.id;
    const sheet = await page.context().newPage();
    await sheet.goto(`${s.url}api/admin/batches/${batchId}/sheet?layout=a4&lang=fr`);
    await expect(sheet.locator('.wifi .pw').textContent()).resolves.toBe('Mot de passe: barrio-2026!');
    await expect(sheet.locator('.v:not(.wifi) .p').first().textContent()).resolves.toContain(`Prix ${euros(2.5)}`);
    await sheet.close();
    // Prices elsewhere: the batch list and the plan choice in the New batch form.
    await page.goto(`${s.url}admin#/batch`);
    await page.locator('#batches tr', { hasText: 'marché' }).waitFor();
    await expect(page.locator('#batches tr', { hasText: 'marché' }).innerText()).resolves.toContain(euros(2.5));
    await page.locator('header select.lang').selectOption('en');
  });

  it('charts traffic and devices online per hour on the dashboard, inline and with no request off the gateway', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9 });
    expect(await deviceLogin(s, '127.0.0.61', codes[0]!)).toBe(303);
    // The history ring fills from the accounting sweeps (every 250 ms here).
    await expect.poll(() => s.core.admin.networkHistory().points.some((p) => p.devices > 0 && p.bytes > 0), { timeout: 5000 }).toBe(true);
    await page.goto(`${s.url}admin#/dashboard`);
    const traffic = page.locator('#traffic-chart');
    await traffic.waitFor();
    expect(await traffic.locator('rect').count()).toBe(24);
    expect(Number(await traffic.locator('rect').last().getAttribute('data-value'))).toBeGreaterThan(0);
    expect(Number(await page.locator('#devices-chart rect').last().getAttribute('data-value'))).toBe(1);
    await expect(page.locator('#devices-chart figcaption').textContent()).resolves.toMatch(/^Devices online per hour \(most at once\): /);
    expect(foreign).toEqual([]);
  });
});
