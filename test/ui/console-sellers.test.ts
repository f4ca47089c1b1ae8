/**
 * Seller limits in real Chromium (issue 14 item 6, and `redeemBy` in the forms, item 7): the admin picks
 * the plans a seller may sell in Operators; the seller's New batch offers only those, with no custom
 * limits, and a price below the plan's is refused in words (by the API, not only by the form). An
 * admin's batch can carry a use-by date for unused codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleSignIn, launchChromium, openConsole } from './browser.js';
import type { LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  ({ s, b, page } = await openConsole({ downBps: 0 }, async (live) => {
    const admin = live.rt.store.operators.findByName('admin')!;
    live.core.admin.vouchers.savePlan('Day', { duration: '1d', data: '1GB', price: 5 }, admin);
    live.core.admin.vouchers.savePlan('Week', { duration: '7d', data: '5GB', price: 20 }, admin);
    await live.core.addOperator({ name: 'maria', role: 'seller', password: 'maria-pass-1' }, { type: 'system' });
  }));
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('seller limits in Chromium', () => {
  it("lets the admin choose a seller's plans; the seller sells only those, at the plan's price or more", async () => {
    await page.goto(`${s.url}admin#/operators`);
    const row = page.locator('tr', { hasText: 'maria' });
    await row.locator('summary').click();
    await row.getByLabel('Every plan, new ones too').uncheck();
    await row.getByLabel('Day').uncheck();
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('maria may sell: Week.');
    await expect(page.locator('tr', { hasText: 'maria' }).locator('summary').textContent()).resolves.toBe('Week');

    const seller = await b.desktop();
    seller.context().setDefaultTimeout(6000);
    await consoleSignIn(seller, s.url, 'maria', 'maria-pass-1', 'New batch');
    expect(await seller.locator('#plan option').allTextContents()).toEqual([expect.stringMatching(/^Week — 5 GB, 1 week from first use/)]);
    expect(await seller.locator('details').count()).toBe(0); // no custom limits
    await expect(seller.locator('#seller-hint').textContent()).resolves.toBe("You sell the admin's plans at their price or more.");
    await seller.getByLabel('How many').fill('2');
    await seller.getByLabel('Price each').fill('19,50');
    await seller.getByRole('button', { name: 'Create batch' }).click();
    await expect(seller.locator('[role=alert]').textContent()).resolves.toBe("The price cannot be below the plan's price.");
    expect(s.rt.store.vouchers.list().total).toBe(0);
    // Through the API the console uses, a custom plan is refused the same way.
    const custom = await seller.evaluate(async () => {
      const me = (await (await fetch('/api/admin/me')).json()) as { csrf: string };
      const r = await fetch('/api/admin/batches', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf }, body: JSON.stringify({ count: 1, duration: '365d', data: '1000GB', price: 0 }) });
      return r.status;
    });
    expect(custom).toBe(403);
    await seller.getByLabel('Price each').fill('');
    await seller.getByRole('button', { name: 'Create batch' }).click();
    await expect.poll(() => seller.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('Created 2 vouchers: 5 GB, 1 week from first use, 1 device.');
    expect(s.rt.store.vouchers.listBatches()[0]).toMatchObject({ planName: 'Week', price: 20, count: 2 });
    await seller.context().close();
  });

  it('gives an admin batch a use-by date for its unused codes', async () => {
    await page.goto(`${s.url}admin#/batch`);
    await page.getByLabel('How many').fill('1');
    if (!(await page.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) await page.click('summary');
    await page.getByLabel('Time (from first use)').fill('1h');
    await page.getByLabel('Use by (unused codes expire after this day)').fill('2031-06-30');
    await page.getByRole('button', { name: 'Create batch' }).click();
    await page.locator('#codes div').first().waitFor();
    const code = (await page.locator('#codes div').first().textContent())!;
    const v = s.rt.store.vouchers.findByCode(code.replace(/-/g, ''))!;
    expect(new Date(v.redeemBy!).getFullYear()).toBe(2031);
    expect(new Date(v.redeemBy!).getMonth()).toBe(5);
    expect(new Date(v.redeemBy!).getDate()).toBe(30);
    // A day already past is refused in words.
    await page.getByLabel('Use by (unused codes expire after this day)').fill('2001-01-01');
    await page.getByRole('button', { name: 'Create batch' }).click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('Use by: a day that has not passed yet.');
  });
});
