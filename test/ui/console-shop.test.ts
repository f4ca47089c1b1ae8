/**
 * The operator console for a shopkeeper, in real Chromium (issue 14): every print layout comes out on
 * its own paper (A4, Letter, one 58 or 80 mm ticket per voucher: checked in the PDF Chromium prints with
 * the sheet's own @page size) with a hint and a working Print button; confirmations stay on screen after
 * the page is rebuilt; archiving a plan asks first; and the console works on a 360 px phone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { consoleSignIn, launchChromium, openConsole } from './browser.js';
import type { LiveServer } from './live-server.js';

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

/** Signs in through the sign-in card and waits for the first view. */
async function signIn(p: Page) {
  await consoleSignIn(p, s.url, 'admin', s.adminPassword);
}

beforeAll(async () => {
  ({ s, b, page } = await openConsole());
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});

describe('operator console for shopkeepers in Chromium', () => {
  it('prints every layout on its own paper: A4, Letter, and one 58 or 80 mm ticket per voucher', async () => {
    const { batch } = s.vouchers(3, { durationSec: 86400, dataBytes: 2e9, devices: 2 }, { price: 2.5, note: 'paper' });
    const sheetUrl = (layout: string) => `${s.url}api/admin/batches/${batch.id}/sheet?layout=${layout}&lang=en`;
    const pt = (mm: number) => (mm / 25.4) * 72;
    // Expected page size in points and page count (3 vouchers + the Wi-Fi card; a grid sheet fits one page).
    const expected = {
      a4: { w: pt(210), h: pt(297), pages: 1 },
      letter: { w: 612, h: 792, pages: 1 },
      receipt58: { w: pt(58), h: pt(80), pages: 4 },
      receipt80: { w: pt(80), h: pt(85), pages: 4 },
    };
    const sheet = await page.context().newPage();
    for (const [layout, want] of Object.entries(expected)) {
      expect((await sheet.goto(sheetUrl(layout)))?.status(), layout).toBe(200);
      const pdf = (await sheet.pdf({ preferCSSPageSize: true })).toString('latin1');
      const boxes = [...pdf.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
      expect(boxes.length, layout).toBe(want.pages);
      for (const [w, h] of boxes) {
        expect(Math.abs(w! - want.w), `${layout} width ${w}`).toBeLessThan(1.5); // Chromium rounds to whole CSS px
        expect(Math.abs(h! - want.h), `${layout} height ${h}`).toBeLessThan(1.5);
      }
      // The hint and the button are for the screen only.
      await expect(sheet.locator('.hint').textContent()).resolves.toMatch(/^Or press Ctrl\+P \(⌘P on a Mac\)\. Paper: /);
      await sheet.emulateMedia({ media: 'print' });
      expect(await sheet.locator('.bar').isVisible(), layout).toBe(false);
      await sheet.emulateMedia({ media: null }); // back to the default: pdf() prints with print media
    }
    await expect(sheet.locator('.hint').textContent()).resolves.toBe('Or press Ctrl+P (⌘P on a Mac). Paper: 80 mm roll, one voucher per ticket, scale 100%.');
    // Opened on its own the sheet runs no script, so its Print button stays hidden (the hint says Ctrl+P).
    expect(await sheet.locator('#print').isVisible()).toBe(false);

    // In the console's print view the button is there and prints the framed sheet itself.
    await sheet.goto(`${s.url}admin#/print?batch=${batch.id}&layout=receipt58`);
    const frame = sheet.frameLocator('iframe.sheet');
    await frame.locator('#print').waitFor({ state: 'visible' });
    await expect(frame.locator('.hint').textContent()).resolves.toContain('Paper: 58 mm roll, one voucher per ticket');
    await sheet.evaluate(() => {
      const w = document.querySelector<HTMLIFrameElement>('iframe.sheet')!.contentWindow! as Window & { printed?: number };
      w.print = () => void (w.printed = (w.printed ?? 0) + 1);
    });
    await frame.getByRole('button', { name: 'Print' }).click();
    expect(await sheet.evaluate(() => (document.querySelector<HTMLIFrameElement>('iframe.sheet')!.contentWindow as Window & { printed?: number }).printed)).toBe(1);
    await sheet.close();
  });

  it('keeps the confirmation on screen after Save plan and Add operator, and asks before archiving a plan', async () => {
    await page.goto(`${s.url}admin#/plans`);
    await page.getByLabel('Name', { exact: true }).fill('Fortnight');
    await page.getByLabel('Time (from first use)').fill('14d');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.locator('td', { hasText: '2 weeks from first use' }).waitFor();
    // Still there once the page has been rebuilt with the new plan in it.
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('Plan Fortnight saved.');

    const row = page.locator('tr', { has: page.locator('td', { hasText: /^Fortnight$/ }) });
    await row.getByRole('button', { name: 'Archive' }).click();
    await expect(row.textContent()).resolves.toContain('Archive Fortnight? It leaves this list');
    expect(s.rt.store.vouchers.listPlans().map((p) => p.name)).toContain('Fortnight'); // nothing happened yet
    await row.getByRole('button', { name: 'Cancel' }).click();
    await row.getByRole('button', { name: 'Archive' }).click();
    await row.getByRole('button', { name: 'Confirm archive' }).click();
    await page.locator('[role=status]', { hasText: 'Plan Fortnight archived.' }).waitFor();
    expect(await page.locator('td', { hasText: /^Fortnight$/ }).count()).toBe(0);
    expect(s.rt.store.vouchers.listPlans().map((p) => p.name)).not.toContain('Fortnight');

    await page.goto(`${s.url}admin#/operators`);
    await page.getByLabel('Name', { exact: true }).fill('maria');
    await page.getByLabel('Password (8+ characters)').fill('maria-password-1');
    await page.getByRole('button', { name: 'Add operator' }).click();
    await page.locator('td', { hasText: /^maria$/ }).waitFor();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('maria added.');
  });

  it('is usable on a 360 px phone: the menu collapses to one button and wide tables scroll inside their card', async () => {
    s.vouchers(2, { durationSec: 86400, dataBytes: 2e9, devices: 2 }, { note: 'market stall, row 3' });
    const phone = await b.phone();
    const errors: string[] = [];
    phone.on('pageerror', (e) => errors.push(e.message));
    await signIn(phone);

    const menu = phone.getByRole('button', { name: 'Menu' });
    for (const [route, title] of [['dashboard', 'Dashboard'], ['batch', 'New batch'], ['vouchers', 'Vouchers'], ['plans', 'Plans'], ['sales', 'Sales'], ['operators', 'Operators'], ['audit', 'Audit log'], ['settings', 'Settings'], ['account', 'Account']] as const) {
      await phone.goto(`${s.url}admin#/${route}`);
      await phone.locator('h1', { hasText: title }).waitFor();
      // The page itself never scrolls sideways, and the collapsed header leaves the screen to the page.
      expect(await phone.evaluate(() => document.documentElement.scrollWidth), route).toBeLessThanOrEqual(360);
      expect((await phone.locator('header.top').boundingBox())!.height, route).toBeLessThan(120);
      await expect(phone.locator('nav a').first().isVisible()).resolves.toBe(false);
      await expect(menu.getAttribute('aria-expanded')).resolves.toBe('false');
    }

    // The vouchers table is wider than the phone: it scrolls within its card.
    await phone.goto(`${s.url}admin#/vouchers`);
    await phone.locator('tbody tr').first().waitFor();
    const scroller = phone.locator('.card .scroll', { has: phone.locator('table') });
    const [inner, outer] = await scroller.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(inner).toBeGreaterThan(outer!);
    expect((await scroller.boundingBox())!.width).toBeLessThanOrEqual(360);

    // The menu opens with every page, and going to one closes it again.
    await menu.click();
    await expect(menu.getAttribute('aria-expanded')).resolves.toBe('true');
    expect(await phone.locator('nav a').evaluateAll((as) => as.filter((a) => (a as HTMLElement).offsetParent !== null).length)).toBe(10); // admin: nine views and RADIUS
    await phone.locator('nav a', { hasText: 'Sales' }).click();
    await phone.locator('h1', { hasText: 'Sales' }).waitFor();
    await expect(phone.locator('nav a').first().isVisible()).resolves.toBe(false);
    expect(errors).toEqual([]);
    await phone.context().close();
  });

  it('lists a new batch at once, keeps a revoked row\'s note, and edits a plan from its row', async () => {
    await page.goto(`${s.url}admin#/batch`);
    await page.locator('h1', { hasText: 'New batch' }).waitFor();
    const before = await page.locator('#batches tr').count();
    await page.getByLabel('How many').fill('2');
    await page.getByLabel('Note').fill('stall 7');
    if (!(await page.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) await page.click('summary');
    await page.getByLabel('Time (from first use)').fill('1d');
    await page.getByRole('button', { name: 'Create batch' }).click();
    await page.locator('#codes div').first().waitFor();
    await page.locator('#batches tr', { hasText: 'stall 7' }).waitFor();
    expect(await page.locator('#batches tr').count()).toBe(before + 1);

    const code = (await page.locator('#codes div').first().textContent())!;
    await page.goto(`${s.url}admin#/vouchers?q=${code}`);
    const row = page.locator(`tr[data-code="${code}"]`);
    await expect(row.textContent()).resolves.toContain('stall 7');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await row.locator('.pill.revoked').waitFor();
    await expect(row.textContent()).resolves.toContain('stall 7');

    await s.core.admin.vouchers.savePlan('Month', { duration: '30d', data: '20GB', devices: 3, down: '4Mbit', up: '1Mbit', reset: 'weekly', price: 12 }, s.rt.store.operators.findByName('admin')!);
    await page.goto(`${s.url}admin#/plans`);
    const month = page.locator('tr', { has: page.locator('td', { hasText: /^Month$/ }) });
    // The words say the upload speed too.
    await expect(month.innerText()).resolves.toContain('up to 4 Mbit/s down / 1 Mbit/s up');
    await month.getByRole('button', { name: 'Edit' }).click();
    const form = page.locator('#plan-form');
    expect(await form.evaluate((f) => Object.fromEntries(Array.from((f as HTMLFormElement).elements).flatMap((e) => ((e as HTMLInputElement).name ? [[(e as HTMLInputElement).name, (e as HTMLInputElement).value]] : []))))).toEqual({
      name: 'Month', price: '12', duration: '30d', data: '20GB', devices: '3', down: '4Mbit', up: '1Mbit', onExhausted: 'block', reset: 'weekly', redeemBy: '',
    });
    await page.getByLabel('Data', { exact: true }).fill('25GB');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.locator('[role=status]', { hasText: 'Plan Month saved.' }).waitFor();
    await expect(month.textContent()).resolves.toContain('25 GB, 30 days from first use, 3 devices');
    expect(s.rt.store.vouchers.listPlans().find((p) => p.name === 'Month')).toMatchObject({ price: 12 });
  });
});
