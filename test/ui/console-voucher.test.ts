/**
 * The voucher page in real Chromium (issue 14 item 3): a code in the vouchers list opens its page with
 * the plan, time and data left and the devices on it; an admin disconnects one device, gives the code
 * more time, and revokes it, each confirmed on screen and told in the page's history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleSignIn, launchChromium, openConsole } from './browser.js';
import { deviceLogin, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  ({ s, b, page } = await openConsole());
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('voucher page in Chromium', () => {
  it('opens from the vouchers list; disconnects a device, adds time and revokes, each confirmed and in its history', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9, devices: 2 }, { note: 'stall 9', price: 3 });
    const code = codes[0]!;
    expect(await deviceLogin(s, '127.0.0.51', code)).toBe(303);
    expect(await deviceLogin(s, '127.0.0.52', code)).toBe(303);

    await page.goto(`${s.url}admin#/vouchers?q=${encodeURIComponent(code)}`);
    await page.getByRole('link', { name: code }).click();
    await page.locator('h1', { hasText: `Voucher ${code}` }).waitFor();
    const facts = await page.locator('dl.facts').innerText();
    expect(facts).toContain('stall 9');
    expect(facts).toMatch(/Time left\s+59m \d+s/);
    expect(facts).toMatch(/Data left\s+1 GB/);
    const rows = page.locator('#devices tr');
    expect(await rows.count()).toBe(2);
    await expect(page.locator('#devices').innerText()).resolves.toMatch(/127\.0\.0\.51[\s\S]*online|online[\s\S]*127\.0\.0\.51/);

    // Disconnect the second device: it leaves, the first stays online.
    const second = page.locator('#devices tr', { hasText: '127.0.0.52' });
    const mac = (await second.locator('td.code').textContent())!;
    await second.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe(`${mac} was disconnected.`);
    await expect(page.locator('#devices tr', { hasText: '127.0.0.52' }).innerText()).resolves.toContain('left ');
    await expect(page.locator('#devices tr', { hasText: '127.0.0.51' }).innerText()).resolves.toContain('online');
    await expect(page.locator('#history').innerText()).resolves.toContain(`${mac} left ${code} (removed).`);

    // One more hour: the page says what the code has now and the history who gave it.
    await page.getByLabel('Add time').fill('1h');
    await page.getByRole('button', { name: 'Add to this code' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe(`${code} now: 1 GB, 2 hours from first use, 2 devices.`);
    await expect(page.locator('dl.facts').innerText()).resolves.toMatch(/Time left\s+1h 59m/);
    await expect(page.locator('#history li').first().textContent()).resolves.toContain(`admin gave ${code} more: 1h.`);
    // A typo in the amount is said in words and changes nothing.
    await page.getByLabel('Add data').fill('lots');
    await page.getByRole('button', { name: 'Add to this code' }).click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('Data: a number and a unit, like 500MB or 2GB.');

    await page.getByLabel(`Reason for revoking ${code}`).fill('refund');
    await page.getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe(`${code} is revoked.`);
    await expect(page.locator('h1 .pill').textContent()).resolves.toBe('revoked');
    expect(await page.locator('#extend').count()).toBe(0);
    await expect(page.locator('#history').innerText()).resolves.toContain(`admin revoked ${code}. Reason: refund`);
  });
});
