/**
 * `npm run screenshots`: renders the main pages in headless Chromium and writes PNGs to
 * docs/screenshots/ for the README — the resident sign-in and status pages on a phone, the public
 * network page, the operator dashboard (also in Spanish) with its charts, the voucher list, a
 * voucher's page, sales with the chart per day, the audit log in words, and printed sheets (A4 grid,
 * 58 mm receipt).
 * Runs a whole Portico in this process on a loopback port with the simulated gateway; nothing leaves
 * the machine. Set PORTICO_CHROMIUM to use another Chromium than /usr/bin/chromium.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../test/ui/browser.js';
import { deviceLogin, liveServer } from '../test/ui/live-server.js';

const OUT = join(process.cwd(), 'docs', 'screenshots');


async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const s = await liveServer({ pollMs: 500, config: { network: { name: 'Barrio Wi-Fi', ssid: 'barrio-free' } } });
  const b = await launchChromium();
  const shot = (name: string) => join(OUT, `${name}.png`);
  try {
    s.rt.store.settings.set('welcome', 'Buy a ticket at the shop on the corner. Every code works on your phone and one more device.');
    s.rt.store.settings.set('currency', 'USD');
    await s.core.admin.vouchers.savePlan('Day pass', { duration: '1d', data: '1GB', devices: 1, price: 1 }, s.rt.store.operators.findByName('admin')!);
    const { codes } = s.vouchers(6, { durationSec: 30 * 86400, dataBytes: 2e9, devices: 2 }, { note: 'Market stall', price: 5 });
    const sold = s.vouchers(3, { durationSec: 86400, dataBytes: 1e9 }, { note: 'Shop', price: 1 });
    for (const [i, code] of sold.codes.entries()) await deviceLogin(s, `127.0.0.${40 + i}`, code);
    await deviceLogin(s, '127.0.0.50', codes[1]!);

    // Resident, phone-sized.
    const phone = await b.phone();
    await phone.goto(`${s.url}?code=${codes[0]}`);
    await phone.screenshot({ path: shot('portal-login'), fullPage: true });
    await phone.getByLabel('Voucher code').fill('K7QM-4XPA-9TX');
    await Promise.all([phone.waitForLoadState('domcontentloaded'), phone.click('button[type=submit]')]);
    await phone.screenshot({ path: shot('portal-error'), fullPage: true });
    await phone.getByLabel('Voucher code').fill(codes[1]!);
    await Promise.all([phone.waitForURL(`${s.url}status`), phone.click('button[type=submit]')]);
    await phone.locator('#live').waitFor({ state: 'visible' });
    await phone.waitForTimeout(1500);
    await phone.screenshot({ path: shot('portal-status'), fullPage: true });
    await phone.goto(`${s.url}network`);
    await phone.locator('#live').waitFor({ state: 'visible' });
    await phone.screenshot({ path: shot('network'), fullPage: true });
    const es = await b.phone({ locale: 'es-ES' });
    await es.goto(s.url);
    await es.screenshot({ path: shot('portal-login-es'), fullPage: true });

    // Operator console, laptop-sized.
    const desk = await b.desktop();
    await desk.goto(`${s.url}admin`);
    await desk.getByLabel('Name').fill('admin');
    await desk.getByLabel('Password').fill(s.adminPassword);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.locator('#online').waitFor();
    await desk.waitForTimeout(1500);
    await desk.screenshot({ path: shot('console-dashboard'), fullPage: true });
    await desk.goto(`${s.url}admin#/batch`);
    await desk.getByRole('button', { name: 'Create batch' }).waitFor();
    await desk.screenshot({ path: shot('console-batch') });
    await desk.goto(`${s.url}admin#/vouchers`);
    await desk.locator('tbody tr').first().waitFor();
    await desk.screenshot({ path: shot('console-vouchers') });
    // A voucher's page: the code in use on a phone, its devices and history.
    const used = s.rt.store.vouchers.findByCode(codes[1]!.replace(/-/g, ''))!;
    await desk.goto(`${s.url}admin#/voucher?id=${used.id}`);
    await desk.locator('#devices tr').first().waitFor();
    await desk.screenshot({ path: shot('console-voucher'), fullPage: true });
    await desk.goto(`${s.url}admin#/sales`);
    await desk.locator('#sales-chart').waitFor();
    await desk.screenshot({ path: shot('console-sales') });
    await desk.goto(`${s.url}admin#/audit`);
    await desk.locator('tbody tr').first().waitFor();
    await desk.screenshot({ path: shot('console-audit') });

    // The console in Spanish: the browser's language picks it before anyone touches the switcher.
    const deskEs = await b.desktop({ locale: 'es-MX' });
    await deskEs.goto(`${s.url}admin`);
    await deskEs.getByLabel('Nombre').fill('admin');
    await deskEs.getByLabel('Contraseña').fill(s.adminPassword);
    await deskEs.getByRole('button', { name: 'Entrar' }).click();
    await deskEs.locator('#online').waitFor();
    await deskEs.waitForTimeout(1500);
    await deskEs.screenshot({ path: shot('console-dashboard-es'), fullPage: true });

    // Printed sheets.
    const batchId = s.core.admin.vouchers.listBatches({ id: 'x', name: 'x', role: 'admin', passwordHash: '', createdAt: 0, disabled: false }).find((x) => x.note === 'Market stall')!.id;
    await desk.goto(`${s.url}api/admin/batches/${batchId}/sheet?layout=a4`);
    await desk.screenshot({ path: shot('sheet-a4'), fullPage: true });
    await desk.goto(`${s.url}api/admin/batches/${batchId}/sheet?layout=receipt58`);
    await desk.setViewportSize({ width: 240, height: 800 });
    await desk.screenshot({ path: shot('sheet-receipt58'), fullPage: true });
    process.stdout.write(`screenshots written to ${OUT}\n`);
  } finally {
    await b.close();
    await s.close();
  }
}

await main();
