/**
 * Resident login, status, logout and top-up through app.request(): every status SPEC §5 lists, in HTML
 * and JSON, with what the gateway and the database hold afterwards.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { checkChar } from '../../src/domain/code.js';
import { t } from '../../src/http/i18n.js';
import { esc } from '../../src/http/pages.js';
import { ui } from '../../src/http/ui-text.js';
import { harness, type Harness } from '../helpers/harness.js';

const JSON_ACCEPT = { accept: 'application/json' };

describe('POST /login', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness({ security: { freeAttempts: 3, maxLockoutSec: 60 } });
  });

  it('logs in: the gateway passes the device before the 303 → /status', async () => {
    const { codes, ids } = h.vouchers(1, { durationSec: 3600, dataBytes: 1e9 });
    const phone = h.device();
    expect(phone.online()).toBe(false);
    const res = await phone.login(codes[0]!);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/status');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(phone.online()).toBe(true);
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('active');
    const status = await phone.get('/status');
    expect(status.status).toBe(200);
    const html = await status.text();
    expect(html).toContain('1h 0m');
    expect(html).toContain('1 GB');
    expect(html).toContain('1 GB, 1 hour from first use, 1 device');
  });

  it('accepts the code in any case, with spaces and without dashes', async () => {
    const { codes } = h.vouchers(1);
    const typed = ` ${codes[0]!.replace(/-/g, ' ').toLowerCase()} `;
    expect((await h.device().login(typed)).status).toBe(303);
  });

  it('prefills the code from ?code= (the QR on printed vouchers)', async () => {
    const { codes } = h.vouchers(1);
    const html = await (await h.device().get(`/?code=${encodeURIComponent(codes[0]!)}`)).text();
    expect(html).toContain(`value="${codes[0]}"`);
  });

  it.each([
    ['malformed', 'hello', 400, 'CODE_MALFORMED'],
    ['failed check character', 'K7QM-4XPA-9T' + (checkChar('K7QM4XPA9T') === '0' ? '1' : '0'), 400, 'CODE_CHECK_FAILED'],
  ])('%s (%s) → %i', async (_name, code, status, errCode) => {
    const phone = h.device();
    const html = await phone.login(code);
    expect(html.status).toBe(status);
    expect(await html.text()).toContain('role="alert"');
    const json = await phone.login(code, {}, JSON_ACCEPT);
    expect(json.status).toBe(status);
    expect(await json.json()).toMatchObject({ ok: false, code: errCode, message: expect.any(String) });
    expect(phone.online()).toBe(false);
  });

  it('unknown code → 404, and the guess is audited', async () => {
    const { codes } = h.vouchers(1);
    // A well-formed code that was never issued: change a data character and recompute the check.
    const raw = codes[0]!.replace(/-/g, '');
    const other = (raw[0] === 'A' ? 'B' : 'A') + raw.slice(1, 10);
    const res = await h.device().login(other + checkChar(other), {}, JSON_ACCEPT);
    expect(res.status).toBe(404);
    expect((await res.json()).code).toBe('VOUCHER_UNKNOWN');
    expect(h.store.events.list({ type: 'login.failed' })).toHaveLength(1);
  });

  it('revoked → 403', async () => {
    const { codes } = h.vouchers(1);
    await h.core.revokeVoucher(codes[0]!.replace(/-/g, ''), 'lost', { type: 'system' });
    const res = await h.device().login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('VOUCHER_REVOKED');
  });

  it('a code is revoked as an operator types it: with dashes, lower case, O for 0', async () => {
    const { codes } = h.vouchers(1);
    const typed = codes[0]!.toLowerCase().replace(/0/g, 'o');
    await h.core.revokeVoucher(typed, 'lost', { type: 'system' });
    expect((await h.device().login(codes[0]!, {}, JSON_ACCEPT)).status).toBe(403);
  });

  it('not redeemed before its deadline → 403 expired', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, redeemBy: h.clock.now() + 1000 });
    h.clock.advance(2000);
    const res = await h.device().login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('VOUCHER_EXPIRED');
  });

  it('time used up → 403 expired, and the device is cut by the sweep', async () => {
    const { codes } = h.vouchers(1, { durationSec: 60 });
    const phone = h.device();
    await phone.login(codes[0]!);
    h.clock.advance(61_000);
    await h.sweep();
    expect(phone.online()).toBe(false);
    const res = await h.device().login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('VOUCHER_EXPIRED');
    expect(h.store.vouchers.list({ status: 'expired' }).total).toBe(1);
  });

  it('data used up → 403 exhausted; the gateway cut it at the quota', async () => {
    const { codes } = h.vouchers(1, { dataBytes: 1_000_000 });
    const phone = h.device();
    await phone.login(codes[0]!);
    expect(phone.download(3_000_000)).toBe(1_000_000);
    await h.sweep();
    expect(phone.online()).toBe(false);
    const res = await phone.login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('VOUCHER_EXHAUSTED');
  });

  it('device limit → 409 with the offer to replace the oldest device', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 2 });
    const [a, b, c] = [h.device(), h.device(), h.device()];
    await a.login(codes[0]!);
    h.clock.advance(1000);
    await b.login(codes[0]!);
    const res = await c.login(codes[0]!);
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('name="replace"');
    expect(c.online()).toBe(false);
    const replaced = await c.login(codes[0]!, { replace: '1' });
    expect(replaced.status).toBe(303);
    expect([a.online(), b.online(), c.online()]).toEqual([false, true, true]);
  });

  it('too many wrong codes → 429 with Retry-After, and the lockout is audited', async () => {
    const phone = h.device();
    const guess = (i: number) => {
      const d = `ZZZZZZZZ${String(i).padStart(2, '0')}`;
      return d + checkChar(d);
    };
    for (let i = 0; i < 4; i++) expect((await phone.login(guess(i))).status).toBe(404);
    const res = await phone.login(guess(10), {}, JSON_ACCEPT);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await res.json()).code).toBe('TOO_MANY_ATTEMPTS');
    expect(h.store.events.list({ type: 'login.locked' }).length).toBeGreaterThan(0);
    // Another device is not slowed down.
    const { codes } = h.vouchers(2);
    expect((await h.device().login(codes[0]!)).status).toBe(303);
    // After the lockout the device may try again.
    h.clock.advance(61_000);
    expect((await phone.login(codes[1]!)).status).toBe(303);
  });

  it('gateway down → 503, the voucher stays unused and nothing is stored', async () => {
    const { codes, ids } = h.vouchers(1);
    const phone = h.device();
    h.network.reachable = false;
    const res = await phone.login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe('GATEWAY_UNAVAILABLE');
    expect(h.store.vouchers.get(ids[0]!)!.status).toBe('unused');
    expect(h.store.entitlements.allActiveDevices()).toHaveLength(0);
    h.network.reachable = true;
    expect((await phone.login(codes[0]!)).status).toBe(303);
  });

  it('answers JSON when asked', async () => {
    const { codes } = h.vouchers(1, { durationSec: 7200, dataBytes: 5e8, devices: 2 });
    const res = await h.device().login(codes[0]!, {}, JSON_ACCEPT);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      session: { authorized: true, online: true, secondsRemaining: 7200, bytesRemaining: 5e8, plan: { words: '500 MB, 2 hours from first use, 2 devices' } },
    });
  });

  it('rejects an oversized body with 413 and a wrong content type with 400', async () => {
    const phone = h.device();
    const big = await phone.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'code=' + 'A'.repeat(20_000) });
    expect(big.status).toBe(413);
    const wrong = await phone.request('/login', { method: 'POST', headers: { 'content-type': 'text/plain', accept: 'application/json' }, body: 'hi' });
    expect(wrong.status).toBe(400);
  });

  it('speaks the resident’s language', async () => {
    const res = await h.device().login('nope', {}, { 'accept-language': 'es-AR,es;q=0.9,en;q=0.5' });
    expect(await res.text()).toContain('Eso no parece un código');
    const fr = await h.device().get('/?lang=fr');
    expect(await fr.text()).toContain('Connexion au Wi-Fi');
  });
});

describe('one pool, many devices', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it('shares time and data across devices and a new random MAC, never a fresh quota', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 1_000_000, devices: 2 });
    const a = h.device();
    const b = h.device();
    await a.login(codes[0]!);
    h.clock.advance(600_000);
    await b.login(codes[0]!);
    expect(a.download(400_000)).toBe(400_000);
    expect(b.download(400_000)).toBe(400_000);
    await h.sweep();
    const s = await (await b.get('/status', JSON_ACCEPT)).json();
    expect(s).toMatchObject({ authorized: true, secondsRemaining: 3000, bytesRemaining: 200_000 });
    expect(s.devices).toHaveLength(2);
    // The same phone comes back with a new private MAC: it takes its own slot back? No — it is a new
    // device; with the pool full it must replace, and the pool keeps counting.
    b.setMac('02:aa:bb:cc:dd:ee');
    const again = await b.login(codes[0]!, { replace: '1' });
    expect(again.status).toBe(303);
    const s2 = await (await b.get('/status', JSON_ACCEPT)).json();
    expect(s2.bytesRemaining).toBe(200_000);
    expect(s2.secondsRemaining).toBe(3000);
  });

  it('cuts every device of the pool when the shared data runs out', async () => {
    const { codes } = h.vouchers(1, { dataBytes: 1_000_000, devices: 2 });
    const a = h.device();
    const b = h.device();
    await a.login(codes[0]!);
    await b.login(codes[0]!);
    a.download(600_000);
    expect(b.download(600_000)).toBe(400_000);
    await h.sweep();
    expect([a.online(), b.online()]).toEqual([false, false]);
    expect(h.store.events.list({ type: 'entitlement.exhausted' })).toHaveLength(1);
  });

  it('throttles instead of cutting when the plan says so', async () => {
    const { codes } = h.vouchers(1, { dataBytes: 1_000_000, onExhausted: 'throttle' });
    const a = h.device();
    await a.login(codes[0]!);
    a.download(1_000_000);
    await h.sweep();
    expect(a.online()).toBe(true);
    const s = await (await a.get('/status', JSON_ACCEPT)).json();
    expect(s).toMatchObject({ throttled: true, status: 'exhausted', online: true });
    const pool = [...h.network.pools.values()][0]!;
    expect(pool.limits).toMatchObject({ downBps: 256_000, bytesRemaining: null });
  });

  it('renews a member code’s data every day', async () => {
    const { codes } = h.vouchers(1, { durationSec: 30 * 86400, dataBytes: 1_000_000, reset: 'daily' });
    const a = h.device();
    await a.login(codes[0]!);
    a.download(1_000_000);
    await h.sweep();
    expect(a.online()).toBe(false);
    h.clock.advance(86_400_000);
    await h.sweep();
    expect((await a.login(codes[0]!)).status).toBe(303);
    expect(a.download(500_000)).toBe(500_000);
  });

  it('logs out this device, or all of them; the pool keeps its time', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 3 });
    const [a, b, c] = [h.device(), h.device(), h.device()];
    for (const d of [a, b, c]) await d.login(codes[0]!);
    const out = await a.post('/logout', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/');
    expect([a.online(), b.online(), c.online()]).toEqual([false, true, true]);
    const all = await b.post('/logout', { all: '1' });
    expect(all.status).toBe(303);
    expect([b.online(), c.online()]).toEqual([false, false]);
    expect((await c.login(codes[0]!)).status).toBe(303);
    expect((await (await a.post('/logout', {}, JSON_ACCEPT)).json()).code).toBe('NOT_AUTHORIZED');
  });

  it('removes another device of the same pool from the status page', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 2 });
    const [a, b] = [h.device(), h.device()];
    await a.login(codes[0]!);
    await b.login(codes[0]!);
    const s = await (await a.get('/status', JSON_ACCEPT)).json();
    const other = s.devices.find((d: { isCaller: boolean }) => !d.isCaller);
    expect((await a.post('/logout', { device: other.id })).status).toBe(303);
    expect([a.online(), b.online()]).toEqual([true, false]);
  });

  it('adds a second code to the pool (top-up)', async () => {
    const { codes } = h.vouchers(2, { durationSec: 3600, dataBytes: 1_000_000 });
    const a = h.device();
    await a.login(codes[0]!);
    a.download(1_000_000);
    await h.sweep();
    expect(a.online()).toBe(false);
    // exhausted and cut: the resident logs in again? No: the pool is over; a top-up needs a live device.
    const b = h.device();
    const fresh = h.vouchers(1, { durationSec: 3600, dataBytes: 1_000_000 });
    await b.login(fresh.codes[0]!);
    const res = await b.post('/topup', { code: codes[1]! });
    expect(res.status).toBe(303);
    const s = await (await b.get('/status', JSON_ACCEPT)).json();
    expect(s).toMatchObject({ secondsRemaining: 7200, bytesRemaining: 2_000_000 });
    expect(b.download(1_500_000)).toBe(1_500_000);
    const reuse = await b.post('/topup', { code: codes[1]! }, JSON_ACCEPT);
    expect(reuse.status).toBe(409);
  });
});

describe('POST /logout with an empty body', () => {
  it('logs the caller out like an empty form does (no content type at all: curl -X POST, a bare fetch)', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const a = h.device();
    await a.login(codes[0]!);
    const res = await a.request('/logout', { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(a.online()).toBe(false);
    // A body with no content type is still refused: it cannot be read as a form.
    await a.login(codes[0]!);
    const odd = await a.request('/logout', { method: 'POST', body: 'all=1', headers: { 'content-type': '' } });
    expect(odd.status).toBe(400);
    expect(a.online()).toBe(true);
  });
});

describe('the portal says why a session ended (issue 15 item 1)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it.each([
    ['data used up', 'exhausted', 'endedExhausted'],
    ['time up', 'expired', 'endedExpired'],
    ['code revoked', 'revoked', 'endedRevoked'],
  ] as const)('%s: the page says so and offers "add a code"; JSON says the reason', async (_name, reason, key) => {
    const { codes, ids } = h.vouchers(1, { durationSec: 60, dataBytes: 1_000_000 });
    const phone = h.device();
    await phone.login(codes[0]!);
    if (reason === 'exhausted') phone.download(1_000_000);
    if (reason === 'expired') h.clock.advance(61_000);
    if (reason === 'revoked') await h.core.revokeVoucher(ids[0]!, 'lost', { type: 'system' });
    await h.sweep();
    expect(phone.online()).toBe(false);
    const json = await (await phone.get('/api/session', JSON_ACCEPT)).json();
    expect(json).toEqual({ authorized: false, ended: { reason, at: expect.any(Number) } });
    for (const lang of ['en', 'es'] as const) {
      const html = await (await phone.get(`/?lang=${lang}`)).text();
      expect(html).toContain(esc(ui(lang, key)));
      expect(html).toContain(esc(ui(lang, 'addToContinue')));
      expect(html).toContain(`<h1>${esc(t(lang, 'addCode'))}</h1>`);
      expect(html).toContain('action="/login"');
    }
    // A new code clears it: the next visit is the status page, and after that a plain sign-in.
    const next = h.vouchers(1, { durationSec: 3600 });
    expect((await phone.login(next.codes[0]!)).status).toBe(303);
    await phone.post('/logout', {});
    const after = await (await phone.get('/')).text();
    expect(after).not.toContain(esc(ui('en', key)));
    expect(after).toContain(ui('en', 'endedLogout'));
  });

  it('after logout the page says "you are logged out"; a device removed by another is told so', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, devices: 2 });
    const [a, b] = [h.device(), h.device()];
    await a.login(codes[0]!);
    await b.login(codes[0]!);
    const out = await a.post('/logout', {});
    expect(out.headers.get('location')).toBe('/');
    const html = await (await a.get('/?lang=es')).text();
    expect(html).toContain(ui('es', 'endedLogout'));
    expect(html).toContain(`<h1>${t('es', 'title')}</h1>`);
    await a.login(codes[0]!);
    const s = await (await a.get('/status', JSON_ACCEPT)).json();
    await a.post('/logout', { device: s.devices.find((d: { isCaller: boolean }) => !d.isCaller).id });
    expect(await (await b.get('/')).text()).toContain(esc(ui('en', 'endedRemoved')));
    // Never for a device that was not logged in here.
    expect(await (await h.device().get('/')).text()).not.toContain('id="ended"');
  });

  it('after "Add" the page confirms and the plan words show the pool’s new totals', async () => {
    const { codes } = h.vouchers(2, { durationSec: 3600, dataBytes: 50e6 });
    const a = h.device();
    await a.login(codes[0]!);
    const res = await a.post('/topup', { code: codes[1]! });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/status?added=1');
    const html = await (await a.get(res.headers.get('location')!)).text();
    expect(html).toContain('id="added"');
    expect(html).toContain('Code added. Your plan now: 100 MB, 2 hours from first use, 1 device.');
    expect(html).toContain('<p id="plan">100 MB, 2 hours from first use, 1 device</p>');
    expect(await (await a.get('/status')).text()).not.toContain('id="added"');
  });
});

describe('the status page shows the household’s code and names its devices (issue 15 item 2)', () => {
  it('shows the pool’s own code, and devices by host name with the MAC digits, else the digits; "this device" marked', async () => {
    const h = await harness();
    const { codes } = h.vouchers(2, { durationSec: 3600, devices: 3 });
    const a = h.device('10.0.0.50', '02:00:00:00:1e:d1');
    const b = h.device('10.0.0.51', '02:00:00:00:2a:b7');
    h.network.setHostName(b.ip, 'Maria-iPhone');
    await a.login(codes[0]!);
    await b.login(codes[0]!);
    await a.post('/topup', { code: codes[1]! });
    const s = await (await a.get('/status', JSON_ACCEPT)).json();
    expect(s.code).toBe(codes[0]);
    expect(s.devices).toEqual([
      expect.objectContaining({ label: '1E:D1', name: null, isCaller: true }),
      expect.objectContaining({ label: '2A:B7', name: 'Maria-iPhone', isCaller: false }),
    ]);
    const html = await (await a.get('/status?lang=es')).text();
    expect(html).toContain(`<div class="big code" id="hhcode">${codes[0]}</div>`);
    expect(html).toContain(esc(ui('es', 'shareCode', { n: 3 })));
    expect(html).toContain(`<span>1E:D1 <span class="muted">(${t('es', 'thisDevice')})</span></span>`);
    expect(html).toContain('<span>Maria-iPhone <span class="muted">· 2A:B7</span></span>');
    // A host name is what a device says about itself: markup and control characters never get through.
    h.network.setHostName(a.ip, '<b>x</b>\u0007');
    h.clock.advance(11 * 60_000);
    const again = await (await b.get('/status')).text();
    expect(again).toContain('&#60;b&#62;x&#60;/b&#62; <span class="muted">· 1E:D1</span>');
  });
});

describe('local time, numbers and words (issue 15 item 3)', () => {
  it('shows the end time in the network’s time zone, named, without JavaScript', async () => {
    const h = await harness({ network: { timeZone: 'America/Bogota' } });
    h.clock.set(Date.UTC(2026, 11, 2, 18, 28));
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 1.5e9 });
    const a = h.device();
    await a.login(codes[0]!);
    const at = h.clock.now() + 3_600_000;
    const local = (lang: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'America/Bogota' }).format(at);
    const es = await (await a.get('/status?lang=es')).text();
    expect(es).toContain(`>${local('es')} (America/Bogota)</time>`);
    expect(es).not.toContain(' UTC<');
    // Decimal comma in Spanish, in the figures and the plan words.
    expect(es).toContain('<div class="big" id="data">1,5 GB</div>');
    expect(es).toContain('1,5 GB, 1 hora desde el primer uso');
    const en = await (await a.get('/status?lang=en')).text();
    expect(en).toContain(`>${local('en')} (America/Bogota)</time>`);
    expect(en).toContain('<div class="big" id="data">1.5 GB</div>');
  });

  it('refuses a time zone that does not exist, naming the key', async () => {
    await expect(harness({ network: { timeZone: 'Mars/Olympus' } })).rejects.toThrow(/network\.timeZone/);
  });

  it('shows the welcome text of the resident’s language, else the common one', async () => {
    const h = await harness();
    const op = h.store.operators.list()[0] ?? (await h.core.addOperator({ name: 'ana', role: 'admin', password: 'long-enough-1' }, { type: 'system' }));
    await h.core.admin.saveSettings({ welcome: 'Welcome, neighbour!', welcomeByLang: { es: '¡Bienvenido, vecino!' } }, op);
    const phone = h.device();
    expect(await (await phone.get('/?lang=es')).text()).toContain('<p>¡Bienvenido, vecino!</p>');
    expect(await (await phone.get('/?lang=fr')).text()).toContain('<p>Welcome, neighbour!</p>');
    await expect(h.core.admin.saveSettings({ welcomeByLang: { xx: 'hi' } }, op)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'welcomeByLang' } });
  });

  it('429 says "1 second", not "1 seconds"', async () => {
    const h = await harness({ security: { freeAttempts: 1, maxLockoutSec: 60 } });
    const phone = h.device();
    const guess = (i: number) => {
      const d = `ZZZZZZZZ${String(i).padStart(2, '0')}`;
      return d + checkChar(d);
    };
    await phone.login(guess(0));
    let res = await phone.login(guess(1), {}, JSON_ACCEPT);
    for (let i = 2; i < 6 && res.status !== 429; i++) res = await phone.login(guess(i), {}, JSON_ACCEPT);
    const body = await res.json();
    expect(res.status).toBe(429);
    expect(body.message).toBe(t('en', 'TOO_MANY_ATTEMPTS', { s: body.retryAfter }));
    expect(t('en', 'TOO_MANY_ATTEMPTS', { s: 1 })).toContain('wait 1 second and');
  });
});

describe('terms of use (issue 15 item 5)', () => {
  it('when set, the form shows them and requires "I accept"; the server enforces it; every language', async () => {
    const h = await harness();
    const { codes } = h.vouchers(2, { durationSec: 3600 });
    const op = await h.core.addOperator({ name: 'ana', role: 'admin', password: 'long-enough-1' }, { type: 'system' });
    const phone = h.device();
    // No terms: no box, and a login needs nothing more.
    expect(await (await phone.get('/')).text()).not.toContain('name="accept"');
    await h.core.admin.saveSettings({ terms: 'Be kind. No file sharing.', termsByLang: { es: 'Sé amable. Nada de descargas.' } }, op);
    for (const lang of ['en', 'es', 'pt', 'fr'] as const) {
      const html = await (await phone.get(`/?lang=${lang}`)).text();
      expect(html).toContain(`<input type="checkbox" id="accept" name="accept" value="1" required>${esc(ui(lang, 'accept'))}</label>`);
      expect(html).toContain(lang === 'es' ? 'Sé amable. Nada de descargas.' : 'Be kind. No file sharing.');
    }
    const refused = await phone.login(codes[0]!, {}, { 'accept-language': 'es' });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain(esc(ui('es', 'termsRequired')));
    expect(page).toContain(`value="${codes[0]}"`);
    const json = await phone.login(codes[0]!, {}, JSON_ACCEPT);
    expect(await json.json()).toMatchObject({ ok: false, code: 'INVALID_INPUT', field: 'accept', message: ui('en', 'termsRequired') });
    expect(phone.online()).toBe(false);
    expect(h.store.vouchers.findByCode(codes[0]!.replace(/-/g, ''))!.status).toBe('unused');
    expect((await phone.login(codes[0]!, { accept: '1' })).status).toBe(303);
    expect(phone.online()).toBe(true);
    // A JSON client says so with accept: true.
    const other = h.device();
    const ok = await other.request('/login', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ code: codes[1], accept: true }) });
    expect(ok.status).toBe(200);
  });
});
