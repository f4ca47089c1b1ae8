/**
 * The console in words, in real Chromium (issue 14 item 2): the dashboard's online list names the
 * voucher code, its note, its seller and its devices; the latest events and the audit log read as
 * sentences in the console's language with codes, operator names and MACs; the audit filter offers event
 * types by name; no internal id (`vch_…`, `ent_…`, `op_…`, `dev_…`) and no raw JSON is on screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleSignIn, launchChromium, openConsole } from './browser.js';
import { deviceLogin, type LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

const IDS = /\b(vch|ent|op|dev|bat)_[\w-]{6,}/;

beforeAll(async () => {
  ({ s, b, page } = await openConsole());
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('operator console in words in Chromium', () => {
  it('names who is online by code, note and device, and tells the latest events in sentences', async () => {
    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9, devices: 2 }, { note: 'stall 3' });
    expect(await deviceLogin(s, '127.0.0.41', codes[0]!)).toBe(303);
    const row = page.locator('tbody tr', { hasText: codes[0]! });
    await row.waitFor({ timeout: 5000 });
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('stall 3');
    await expect(row.locator('td').nth(3).textContent()).resolves.toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2} 127\.0\.0\.41$/);
    expect(await row.locator('a.code').getAttribute('href')).toMatch(/^#\/voucher\?id=vch_/);
    await page.locator('#events li', { hasText: new RegExp(`([0-9a-f]{2}:){5}[0-9a-f]{2} started using ${codes[0]}\\.`) }).waitFor({ timeout: 5000 });
    await expect(page.locator('#events li', { hasText: 'admin signed in.' }).count()).resolves.toBeGreaterThan(0);
    expect(await page.locator('main').innerText()).not.toMatch(IDS);
    // The code in an event opens its voucher page.
    await page.locator('#events li', { hasText: 'started using' }).first().getByRole('link', { name: codes[0]! }).click();
    await page.locator('h1', { hasText: `Voucher ${codes[0]}` }).waitFor();
  });

  it('reads the audit log in Spanish, filtered by an event type chosen by name, with no ids or JSON', async () => {
    const { codes, ids } = s.vouchers(2, { durationSec: 3600 }, { note: 'feria' });
    await s.core.admin.vouchers.revoke(ids[1]!, 'ticket perdido', s.rt.store.operators.findByName('admin')!);
    await page.getByLabel('Language').selectOption('es');
    await page.goto(`${s.url}admin#/audit`);
    await page.locator('h1', { hasText: 'Registro de actividad' }).waitFor();
    const text = await page.locator('main').innerText();
    expect(text).toContain(`admin anuló ${codes[1]}. Motivo: ticket perdido`);
    expect(text).toContain('admin entró.');
    expect(text).toContain('Portico hizo 2 fichas (feria).');
    expect(text).not.toMatch(IDS);
    expect(text).not.toContain('{"');
    // The filter lists event types by name; choosing one shows only those.
    await page.getByLabel('Tipo').selectOption({ label: 'Ficha anulada' });
    await page.waitForURL(/#\/audit\?type=voucher\.revoked$/);
    await page.locator('tbody tr').first().waitFor();
    const rows = await page.locator('tbody tr td:nth-child(2)').allTextContents();
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows)).toEqual(new Set(['Ficha anulada']));
    // The code in a row opens its voucher page.
    expect(await page.locator('tbody tr a.code', { hasText: codes[1]! }).getAttribute('href')).toMatch(/^#\/voucher\?id=vch_/);
    await page.getByLabel('Idioma').selectOption('en');
  });
});
