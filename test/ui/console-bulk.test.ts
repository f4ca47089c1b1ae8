/**
 * A selection of vouchers in real Chromium (issue 14 item 7): ticking rows in the vouchers list prints
 * just those on one sheet (from several batches, each with its own plan) or revokes them with one
 * reason; a voucher's page reprints that one ticket; a batch never used is deleted from the batch list.
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

describe('voucher selection in Chromium', () => {
  it('prints the ticked vouchers on one sheet, then revokes them with one reason', async () => {
    const hour = s.vouchers(2, { durationSec: 3600 }, { note: 'fair', price: 1 });
    const day = s.vouchers(1, { durationSec: 86400 }, { note: 'fair', price: 3 });
    await page.goto(`${s.url}admin#/vouchers?q=fair`);
    await page.locator('tbody tr').nth(2).waitFor();
    expect(await page.locator('#selection').isVisible()).toBe(false);
    const chosen = [hour.codes[0]!, day.codes[0]!];
    for (const c of chosen) await page.getByLabel(`Choose ${c}`).check();
    await expect(page.locator('#chosen').textContent()).resolves.toBe('2 chosen:');

    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.locator('#selection a[data-layout=a4]').click()]);
    const frame = sheet.frameLocator('iframe.sheet');
    await frame.locator('.v').first().waitFor();
    expect(await frame.locator('.c').allTextContents()).toEqual(chosen);
    await expect(frame.locator('.v', { hasText: hour.codes[0]! }).locator('.p').textContent()).resolves.toMatch(/1 hour from first use.*Price 1$/);
    await expect(frame.locator('.v', { hasText: day.codes[0]! }).locator('.p').textContent()).resolves.toMatch(/1 day from first use.*Price 3$/);
    await sheet.close();

    await page.getByLabel('Reason for revoking the chosen vouchers').fill('sheet lost');
    await page.getByRole('button', { name: 'Revoke chosen' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('2 vouchers revoked.');
    for (const c of chosen) await expect(page.locator(`tr[data-code="${c}"]`).innerText()).resolves.toContain('sheet lost');
    await expect(page.locator(`tr[data-code="${hour.codes[1]}"] .pill`).textContent()).resolves.toBe('unused');
  });

  it("reprints one ticket from its voucher page", async () => {
    const { codes, ids } = s.vouchers(3, { durationSec: 3600, dataBytes: 5e8 });
    await page.goto(`${s.url}admin#/voucher?id=${ids[1]}`);
    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.locator('#reprint a[data-layout=receipt58]').click()]);
    await sheet.locator('h1', { hasText: 'Print: 58 mm' }).waitFor();
    const frame = sheet.frameLocator('iframe.sheet');
    await frame.locator('.c').first().waitFor();
    expect(await frame.locator('.c').allTextContents()).toEqual([codes[1]]);
    await sheet.close();
  });

  it('deletes a batch none of whose codes was used from the batch list, after asking; a used batch has no Delete', async () => {
    const unused = s.vouchers(2, { durationSec: 3600 }, { note: 'misprint' });
    const used = s.vouchers(1, { durationSec: 3600 }, { note: 'sold one' });
    expect(await deviceLogin(s, '127.0.0.71', used.codes[0]!)).toBe(303);
    await page.goto(`${s.url}admin#/batch`);
    const row = page.locator(`tr[data-batch="${unused.batch.id}"]`);
    await row.waitFor();
    expect(await page.locator(`tr[data-batch="${used.batch.id}"] button[data-delete]`).count()).toBe(0);
    // Cancelling the question keeps it.
    page.once('dialog', (d) => void d.dismiss());
    await row.getByRole('button', { name: 'Delete' }).click();
    expect(s.rt.store.vouchers.getBatch(unused.batch.id)).toBeDefined();
    const asked: string[] = [];
    page.once('dialog', (d) => (asked.push(d.message()), void d.accept()));
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('The batch was deleted.');
    expect(asked).toEqual(['Delete this batch and its 2 codes? None of them was used.']);
    await expect.poll(() => page.locator(`tr[data-batch="${unused.batch.id}"]`).count()).toBe(0);
    expect(s.rt.store.vouchers.getBatch(unused.batch.id)).toBeUndefined();
  });
});
