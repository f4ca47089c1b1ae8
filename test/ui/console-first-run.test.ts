/**
 * The first run in real Chromium (issue 14 item 4): signing in with the password printed at the first
 * start asks for the operator's own before anything else (the menu is not there, the API refuses the
 * rest), then the empty dashboard says what to do: make a plan, make vouchers, print them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, consoleSignIn } from './browser.js';
import { liveServer, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ downBps: 0, firstRun: true }), launchChromium()]);
  page = await b.desktop();
  page.context().setDefaultTimeout(6000);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('first run of the console in Chromium', () => {
  it('asks for a new password before anything else, then guides plan → vouchers → print on the empty dashboard', async () => {
    await consoleSignIn(page, s.url, 'admin', s.adminPassword, 'Choose your own password');
    expect(await page.locator('nav#menu').count()).toBe(0);
    // Nothing else opens: not by the address bar, not by the API the console uses.
    await page.goto(`${s.url}admin#/vouchers`);
    await page.reload();
    await page.locator('h1', { hasText: 'Choose your own password' }).waitFor();
    expect(await page.evaluate(async () => (await fetch('/api/admin/dashboard')).status)).toBe(403);
    // Nor the live topics: the socket closes with 4403 before any event is sent.
    const live = () => page.evaluate(() => new Promise<{ code: number; messages: number }>((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/ws?topics=operator/events`);
      let messages = 0;
      ws.onmessage = () => void (messages += 1);
      ws.onclose = (e) => resolve({ code: e.code, messages });
      setTimeout(() => ws.close(), 1500);
    }));
    expect(await live()).toEqual({ code: 4403, messages: 0 });
    // After a reload the current password is asked again (it is not kept anywhere).
    await page.getByLabel('Current password').fill(s.adminPassword);
    await page.getByLabel('New password (8+ characters)').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('h1', { hasText: 'Choose your own password' }).count()).toBe(1); // the browser's minlength holds it
    await page.getByLabel('New password (8+ characters)').fill('my-own-password-1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('nav#menu').waitFor();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('Password changed.');
    expect((await live()).messages).toBeGreaterThan(0); // the snapshot arrives now

    // The console opens where the address pointed; the dashboard guides the first steps.
    await page.goto(`${s.url}admin#/dashboard`);
    const steps = page.locator('#first-steps');
    await steps.waitFor();
    expect((await steps.locator('li').allTextContents()).map((x) => x.split(':')[0])).toEqual(['Make a plan', 'Make vouchers from it', 'Print them (A4 sheet or 58/80 mm receipts) from the batch you made, and sell them.']);
    await steps.getByRole('link', { name: 'Make a plan' }).click();
    await page.locator('h1', { hasText: 'Plans' }).waitFor();

    // The old password is gone; the new one signs in straight to the console.
    expect(await page.evaluate(async (pw) => (await fetch('/api/admin/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: pw }) })).status, s.adminPassword)).toBe(401);
    await page.context().clearCookies();
    await consoleSignIn(page, s.url, 'admin', 'my-own-password-1', '#first-steps'); // the dashboard, still with no voucher
    // Once a voucher exists the guide steps aside.
    s.vouchers(1);
    await page.reload();
    await page.locator('#online').waitFor();
    expect(await page.locator('#first-steps').count()).toBe(0);
  });
});
