/**
 * The operator console in real Chromium: sign-in, the live dashboard updating when a device logs in,
 * creating a batch, printing its sheet (rendered in Chromium, screenshotted, and every QR decoded with
 * jsQR to the right portal URL, plus the Wi-Fi join QR), revoking a voucher with a reason, and the
 * console in Spanish and Portuguese (the browser's language by default, the header's switcher, kept
 * across reloads; plan words from the server and error sentences in the chosen language).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { deviceLogin, liveServer, type LiveServer } from './live-server.js';

const JSQR = createRequire(import.meta.url).resolve('jsqr');

let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;

beforeAll(async () => {
  [s, b] = await Promise.all([liveServer({ pollMs: 200, hub: { aggregateEveryMs: 200 } }), launchChromium()]);
  page = await b.desktop();
  page.context().setDefaultTimeout(6000);
});
afterAll(async () => {
  await b?.close();
  await s?.close();
});


/** Decodes the QR code in a PNG by drawing it on a canvas in a blank page and running jsQR there. */
async function decodeQr(decoder: Page, png: Buffer): Promise<string | null> {
  return decoder.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, img.width, img.height);
    const found = (window as unknown as { jsQR: (d: Uint8ClampedArray, w: number, h: number) => { data: string } | null }).jsQR(data.data, img.width, img.height);
    return found ? found.data : null;
  }, png.toString('base64'));
}

describe('operator console in Chromium', () => {
  it('signs in and shows a live dashboard that updates when a device logs in', async () => {
    await page.goto(s.url + 'admin');
    await page.getByLabel('Name').fill('admin');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('[role=alert]').textContent()).resolves.toBe('Wrong name or password.');
    await page.getByLabel('Password').fill(s.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#online').waitFor();
    await page.waitForFunction(() => document.getElementById('online')?.textContent === '0');

    const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 1e9 });
    expect(await deviceLogin(s, '127.0.0.30', codes[0]!)).toBe(303);
    await page.waitForFunction(() => document.getElementById('online')?.textContent === '1', null, { timeout: 5000 });
    await page.locator('#events li', { hasText: `started using ${codes[0]}.` }).first().waitFor({ timeout: 5000 });
    await page.waitForFunction(() => /Mbit\/s|kbit\/s/.test(document.querySelector('tbody td:nth-child(8)')?.textContent ?? ''), null, { timeout: 5000 });
  });

  it('creates a batch and prints a sheet whose QR codes decode to the portal URL with each code', async () => {
    await page.click('nav a:text("New batch")');
    await page.getByLabel('How many').fill('4');
    await page.getByLabel('Note').fill('market stall');
    await page.getByLabel('Price each').fill('2');
    if (!(await page.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) await page.click('summary');
    await page.getByLabel('Time (from first use)').fill('1d');
    await page.getByLabel('Data', { exact: true }).fill('2GB');
    await page.getByLabel('Devices').fill('2');
    await page.getByRole('button', { name: 'Create batch' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('Created 4 vouchers: 2 GB, 1 day from first use, 2 devices.');
    const codes = await page.locator('#codes div').allTextContents();
    expect(codes).toHaveLength(4);

    // The print link opens the console's print view in a new tab (same session), the sheet framed in it.
    const [sheet] = await Promise.all([page.context().waitForEvent('page'), page.locator('#result a[data-layout=a4]').click()]);
    await sheet.locator('h1', { hasText: 'Print: A4' }).waitFor();
    const frame = sheet.frameLocator('iframe.sheet');
    const cards = frame.locator('.v');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(5); // the Wi-Fi join card and four vouchers
    const decoder = await page.context().newPage();
    await decoder.addScriptTag({ path: JSQR });
    const decoded: string[] = [];
    for (let i = 0; i < 5; i++) decoded.push((await decodeQr(decoder, await cards.nth(i).locator('.qr').screenshot()))!);
    expect(decoded[0]).toBe('WIFI:T:nopass;S:barrio-free;;');
    expect(decoded.slice(1).sort()).toEqual(codes.map((c) => `${s.url}?code=${c}`).sort());
    for (const c of codes) expect(await frame.locator('.c', { hasText: c }).count()).toBe(1);
    await expect(frame.locator('.p').nth(1).textContent()).resolves.toContain('2 GB, 1 day from first use, 2 devices');

    // The 58 mm receipt layout, from the print view's own links: one column, still scannable.
    await sheet.click('a[data-layout=receipt58]');
    await sheet.locator('h1', { hasText: 'Print: 58 mm' }).waitFor();
    await frame.locator('.v').nth(1).waitFor();
    const width = await frame.locator('body').evaluate((body) => body.getBoundingClientRect().width);
    expect(width).toBeLessThan(220); // 54 mm ≈ 204 CSS px
    expect(await decodeQr(decoder, await frame.locator('.v').nth(1).locator('.qr').screenshot())).toMatch(new RegExp(`^${s.url.replace(/[.?]/g, '\\$&')}\\?code=`));
    await sheet.close();
    await decoder.close();
  });

  it('finds a voucher and revokes it with a reason', async () => {
    await page.click('nav a:text("Vouchers")');
    await page.getByLabel('Search').fill('market');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('p.muted', { hasText: '4 vouchers' }).waitFor();
    const row = page.locator('tbody tr').first();
    const code = (await row.getAttribute('data-code'))!;
    await row.getByRole('button', { name: 'Revoke' }).click();
    await page.getByLabel(`Reason for revoking ${code}`).fill('ticket lost');
    await page.getByRole('button', { name: 'Confirm revoke' }).click();
    await page.locator(`tr[data-code="${code}"] .pill.revoked`).waitFor();
    await expect(page.locator(`tr[data-code="${code}"]`).textContent()).resolves.toContain('ticket lost');
    expect(s.rt.store.vouchers.findByCode(code.replace(/-/g, ''))?.status).toBe('revoked');
    expect(s.rt.store.events.list({ type: 'voucher.revoked' })[0]?.actorType).toBe('operator');
  });

  it('speaks the browser language, switches to Spanish and Portuguese from the header and keeps the choice across reloads', async () => {
    const errors: string[] = [];
    const p = await b.desktop({ locale: 'pt-BR' });
    p.context().setDefaultTimeout(6000);
    p.on('pageerror', (e) => errors.push(e.message));
    const { codes, ids } = s.vouchers(2, { durationSec: 3600, dataBytes: 1e9 }, { note: 'feria' });

    // navigator.languages says pt-BR: the sign-in card is in Portuguese before anyone chooses.
    await p.goto(s.url + 'admin');
    await p.getByRole('button', { name: 'Entrar' }).waitFor();
    await p.getByLabel('Senha').waitFor();
    expect(await p.evaluate(() => document.documentElement.lang)).toBe('pt');

    // Spanish from the switcher, then a wrong password is refused in Spanish.
    await p.getByLabel('Idioma').selectOption('es');
    await p.getByLabel('Nombre').fill('admin');
    await p.getByLabel('Contraseña').fill('not the password');
    await p.getByRole('button', { name: 'Entrar' }).click();
    await expect(p.locator('[role=alert]').textContent()).resolves.toBe('Nombre o contraseña incorrectos.');
    await p.getByLabel('Contraseña').fill(s.adminPassword);
    await p.getByRole('button', { name: 'Entrar' }).click();
    await p.locator('h1', { hasText: 'Panel' }).waitFor();
    expect(await p.locator('nav a').allTextContents()).toEqual(['Panel', 'Nuevo lote', 'Fichas', 'Planes', 'Ventas', 'Operadores', 'Registro de actividad', 'RADIUS', 'Configuración', 'Cuenta']);
    await p.getByRole('heading', { name: 'Dispositivos conectados', exact: true }).waitFor();

    // Vouchers: labels, table headers, statuses and the server's plan words in Spanish.
    await p.click('nav a:text("Fichas")');
    await p.getByLabel('Buscar').fill('feria');
    await p.getByRole('button', { name: 'Filtrar' }).click();
    await p.locator('p.muted', { hasText: '2 fichas' }).waitFor();
    expect(await p.locator('thead th').allTextContents()).toEqual(['', 'Código', 'Estado', 'Plan', 'Nota', 'Creado', 'Primer uso', '']);
    const row = p.locator(`tr[data-code="${codes[0]}"]`);
    await expect(row.textContent()).resolves.toContain('1 GB, 1 hora desde el primer uso, 1 dispositivo');
    await expect(row.locator('.pill').textContent()).resolves.toBe('sin usar');

    // Revoking a voucher someone else has just revoked: the API's CONFLICT as a Spanish sentence.
    await row.getByRole('button', { name: 'Anular' }).click();
    const op = s.rt.store.operators.findByName('admin')!;
    await s.core.admin.vouchers.revoke(ids[0]!, 'otra pestaña', op);
    await p.getByLabel(`Motivo para anular ${codes[0]}`).fill('perdida');
    await p.getByRole('button', { name: 'Confirmar anulación' }).click();
    await expect(p.locator('[role=alert]').textContent()).resolves.toBe('Esta ficha ya estaba anulada.');

    // The choice survives a reload.
    await p.reload();
    await p.locator('h1', { hasText: 'Fichas' }).waitFor();
    expect(await p.evaluate(() => [document.documentElement.lang, localStorage.getItem('portico.console.lang')])).toEqual(['es', 'es']);

    // Portuguese: a new batch with a bad price is refused in Portuguese; print links carry the language.
    await p.getByLabel('Idioma').selectOption('pt');
    await p.click('nav a:text("Novo lote")');
    await p.locator('h1', { hasText: 'Novo lote' }).waitFor();
    expect(await p.locator('thead th').allTextContents()).toEqual(['Criado em', 'Quantidade', 'Plano', 'Observação', 'Preço', 'Vendedor', '']);
    await p.getByLabel('Quantidade').fill('2');
    await p.getByLabel('Preço de cada').fill('dois reais');
    if (!(await p.locator('details').evaluate((d) => (d as HTMLDetailsElement).open))) await p.click('summary');
    await p.getByLabel('Tempo (a partir do primeiro uso)').fill('1d');
    await p.getByRole('button', { name: 'Criar lote' }).click();
    await expect(p.locator('[role=alert]').textContent()).resolves.toBe('Preço: um número, zero ou mais, como 2 ou 2,50.');
    await p.getByLabel('Preço de cada').fill('2,50'); // a decimal comma is read as the decimal point
    await p.getByRole('button', { name: 'Criar lote' }).click();
    await expect.poll(() => p.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('2 vouchers criados: dados ilimitados, 1 dia a partir do primeiro uso, 1 dispositivo.');
    await expect(p.locator('#result a[data-layout=letter]').textContent()).resolves.toBe('Imprimir Carta');
    const [printView] = await Promise.all([p.context().waitForEvent('page'), p.locator('#result a[data-layout=a4]').click()]);
    await printView.locator('h1', { hasText: 'Imprimir: A4' }).waitFor();
    expect(await printView.locator('iframe.sheet').getAttribute('src')).toMatch(/layout=a4&lang=pt$/);
    await expect(printView.frameLocator('iframe.sheet').locator('.hint').textContent()).resolves.toBe('Ou pressione Ctrl+P (⌘P no Mac). Papel: A4, escala 100%.');
    await printView.close();
    expect(s.rt.store.vouchers.listBatches({}).find((x) => x.count === 2 && x.price !== null)?.price).toBe(2.5);

    await p.reload();
    await p.locator('h1', { hasText: 'Novo lote' }).waitFor();
    await p.getByLabel('Quantidade').waitFor();
    expect(await p.evaluate(() => document.documentElement.lang)).toBe('pt');
    expect(errors).toEqual([]);
    await p.context().close();
  });

  it('renders every console view without a script error, and saves settings and plans through the forms', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    for (const [route, title] of [['plans', 'Plans'], ['sales', 'Sales'], ['operators', 'Operators'], ['audit', 'Audit log'], ['settings', 'Settings'], ['account', 'Account'], ['dashboard', 'Dashboard']] as const) {
      await page.goto(`${s.url}admin#/${route}`);
      await page.locator('h1', { hasText: title }).waitFor();
    }
    await page.goto(`${s.url}admin#/plans`);
    await page.getByLabel('Name', { exact: true }).fill('Week');
    await page.getByLabel('Time (from first use)').fill('7d');
    await page.getByLabel('Data', { exact: true }).fill('5GB');
    await page.getByRole('button', { name: 'Save plan' }).click();
    await page.locator('td', { hasText: '5 GB, 1 week from first use, 1 device' }).waitFor();
    await page.goto(`${s.url}admin#/settings`);
    await page.getByRole('group', { name: 'Welcome text on the sign-in page' }).getByLabel('All languages').fill('Hola vecinos');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('[role=status]', { hasText: 'Settings saved.' }).waitFor();
    expect(s.core.admin.settings().welcome).toBe('Hola vecinos');
    expect(errors).toEqual([]);
  });
});
