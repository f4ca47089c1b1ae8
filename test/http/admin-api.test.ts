/**
 * The operator JSON API under /api/admin/: session cookie flags, CSRF on every mutation, role checks
 * (admin everything; seller creates/prints vouchers and sees only their own), audit of every action,
 * and the route table that later tests enumerate. The shopkeeper console's API (issue 14) is in
 * admin-console-api.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { adminRouteTable } from '../../src/http/admin-routes.js';
import { silentLogger } from '../../src/lib/log.js';
import { harness } from '../helpers/harness.js';
import { setup, shopPlans, signIn } from './admin-session.js';

describe('operator API', () => {
  it('signs in with an HttpOnly, SameSite=Strict session cookie and refuses bad passwords and foreign origins', async () => {
    const { h, admin } = await setup();
    expect(admin.cookie).toMatch(/^portico_op=[\w-]{40,}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    const bad = await h.app.request('/api/admin/login', { method: 'POST', headers: { host: 'portal.example.net', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'admin', password: 'nope' }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    const cross = await h.app.request('/api/admin/login', { method: 'POST', headers: { host: 'portal.example.net', origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{}' });
    expect(cross.status).toBe(403);
    expect((await h.app.request('/api/admin/me', { headers: { host: 'portal.example.net' } })).status).toBe(401);
    const me = await admin.json<{ operator: { name: string }; csrf: string }>('GET', '/api/admin/me');
    expect(me.operator.name).toBe('admin');
    expect(h.store.events.list({ type: 'operator.login_failed' })).toHaveLength(1);
  });

  it('requires the CSRF token on every mutation', async () => {
    const { admin } = await setup();
    const missing = await admin.call('POST', '/api/admin/batches', { count: 1, duration: '1h' }, { csrf: null });
    expect(missing.status).toBe(403);
    expect(((await missing.json()) as { message: string }).message).toMatch(/CSRF/);
    expect((await admin.call('POST', '/api/admin/batches', { count: 1, duration: '1h' }, { csrf: 'x'.repeat(24) })).status).toBe(403);
    expect((await admin.call('POST', '/api/admin/batches', { count: 1, duration: '1h' })).status).toBe(201);
  });

  it('names the field at fault in a 400, so the console can say it in the operator’s language', async () => {
    const { h, admin } = await setup();
    for (const [body, field] of [
      [{ count: 0, duration: '1h' }, 'count'],
      [{ count: 1, duration: 'forever' }, 'duration'],
      [{ count: 1, duration: '1h', price: -1 }, 'price'],
    ] as const) {
      const res = await admin.call('POST', '/api/admin/batches', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ ok: false, code: 'INVALID_INPUT', field });
    }
    expect(h.store.vouchers.list().total).toBe(0);
  });

  it('creates batches from a plan with typed units, prints sheets, lists, searches, exports CSV and revokes with a reason', async () => {
    const { admin } = await setup();
    const plan = await admin.json<{ words: string }>('PUT', '/api/admin/plans/month', { duration: '30d', data: '2GB', devices: 2, price: 5 });
    expect(plan.words).toBe('2 GB, 30 days from first use, 2 devices');
    const created = await admin.json<{ batch: { id: string; count: number; price: number; words: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 3, plan: 'month', note: 'market' });
    expect(created.batch).toMatchObject({ count: 3, price: 5, words: '2 GB, 30 days from first use, 2 devices' });
    expect(created.codes[0]).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$/);

    const sheet = await admin.call('GET', `/api/admin/batches/${created.batch.id}/sheet?layout=receipt58`);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await sheet.text();
    expect(html).toContain(created.codes[0]);
    expect(html).toContain(`data-url="https://portal.example.net/?code=${created.codes[0]}"`);
    expect(html).toContain('Wi-Fi: barrio');
    expect((await admin.call('GET', `/api/admin/batches/${created.batch.id}/sheet?layout=poster`)).status).toBe(400);

    const code = created.codes[1]!;
    const found = await admin.json<{ total: number; items: { id: string; code: string }[] }>('GET', `/api/admin/vouchers?q=${code.toLowerCase().replace(/-/g, ' ')}`);
    expect(found.total).toBe(1);
    expect(found.items[0]!.code).toBe(code);
    const revoked = await admin.json<{ voucher: { status: string; revokeReason: string } }>('POST', `/api/admin/vouchers/${found.items[0]!.id}/revoke`, { reason: 'lost ticket' });
    expect(revoked.voucher).toMatchObject({ status: 'revoked', revokeReason: 'lost ticket' });
    expect((await admin.call('POST', `/api/admin/vouchers/${found.items[0]!.id}/revoke`, { reason: 'again' })).status).toBe(409);
    const byStatus = await admin.json<{ total: number }>('GET', '/api/admin/vouchers?status=revoked');
    expect(byStatus.total).toBe(1);

    const csv = await admin.call('GET', '/api/admin/vouchers.csv?status=unused');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('code,status,plan,price,currency,batch,note,seller,created,redeemed,revoked,revoke_reason');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('"2 GB, 30 days from first use, 2 devices"');

    const audit = await admin.json<{ type: string }[]>('GET', '/api/admin/audit?type=voucher.*');
    expect(audit.map((e) => e.type)).toContain('voucher.revoked');
    expect((await admin.json<{ type: string }[]>('GET', '/api/admin/audit')).map((e) => e.type)).toEqual(expect.arrayContaining(['batch.created', 'plan.saved', 'operator.added']));
  });

  it("words plans in the caller's language: ?lang=, then Accept-Language, then the network's first language", async () => {
    const { h, admin } = await setup();
    await admin.call('PUT', '/api/admin/plans/month', { duration: '30d', data: '2GB', devices: 2 });
    const jar = admin.cookie.split(';')[0]!;
    const words = async (path: string, acceptLanguage?: string) => {
      const res = await h.app.request(path, { headers: { host: 'portal.example.net', cookie: jar, ...(acceptLanguage ? { 'accept-language': acceptLanguage } : {}) } });
      return ((await res.json()) as { words: string }[])[0]!.words;
    };
    expect(await words('/api/admin/plans')).toBe('2 GB, 30 days from first use, 2 devices');
    expect(await words('/api/admin/plans', 'es')).toBe('2 GB, 30 días desde el primer uso, 2 dispositivos');
    expect(await words('/api/admin/plans', 'de-DE, pt-BR;q=0.8')).toBe('2 GB, 30 dias a partir do primeiro uso, 2 dispositivos');
    expect(await words('/api/admin/plans?lang=fr', 'es')).toBe('2 GB, 30 jours à partir de la première utilisation, 2 appareils');
    expect(await words('/api/admin/plans', 'de')).toBe('2 GB, 30 days from first use, 2 devices');
    const created = await h.app.request('/api/admin/batches', {
      method: 'POST', body: JSON.stringify({ count: 1, plan: 'month' }),
      headers: { host: 'portal.example.net', cookie: jar, 'x-csrf-token': admin.csrf, 'content-type': 'application/json', 'accept-language': 'pt' },
    });
    expect(((await created.json()) as { batch: { words: string } }).batch.words).toBe('2 GB, 30 dias a partir do primeiro uso, 2 dispositivos');
    expect(await words('/api/admin/batches', 'es')).toBe('2 GB, 30 días desde el primer uso, 2 dispositivos');
    const list = await h.app.request('/api/admin/vouchers', { headers: { host: 'portal.example.net', cookie: jar, 'accept-language': 'fr' } });
    expect(((await list.json()) as { items: { words: string }[] }).items[0]!.words).toBe('2 GB, 30 jours à partir de la première utilisation, 2 appareils');
  });

  it('gives sellers their own batches, vouchers and sales only, and nothing admin-only', async () => {
    const { admin, maria, jose } = await setup();
    await shopPlans(admin);
    const mine = await maria.json<{ batch: { id: string } }>('POST', '/api/admin/batches', { count: 2, plan: 'day', price: 1 });
    await jose.json('POST', '/api/admin/batches', { count: 4, plan: 'day', price: 2 });
    expect((await maria.json<unknown[]>('GET', '/api/admin/batches')).length).toBe(1);
    expect((await maria.json<{ total: number }>('GET', '/api/admin/vouchers')).total).toBe(2);
    expect((await jose.call('GET', `/api/admin/batches/${mine.batch.id}`)).status).toBe(404);
    expect((await jose.call('GET', `/api/admin/batches/${mine.batch.id}/sheet`)).status).toBe(404);
    const sales = await maria.json<{ totals: { vouchers: number; amount: number }; perSeller: { seller: string }[] }>('GET', '/api/admin/sales');
    expect(sales.totals).toEqual({ vouchers: 2, amount: 2 });
    expect(sales.perSeller.map((p) => p.seller)).toEqual(['maria']);
    const all = await admin.json<{ totals: { vouchers: number; amount: number } }>('GET', '/api/admin/sales');
    expect(all.totals).toEqual({ vouchers: 6, amount: 10 });

    const voucher = (await maria.json<{ items: { id: string }[] }>('GET', '/api/admin/vouchers')).items[0]!;
    for (const [method, path, body] of [
      ['POST', `/api/admin/vouchers/${voucher.id}/revoke`, { reason: 'x' }],
      ['GET', '/api/admin/audit', undefined],
      ['GET', '/api/admin/operators', undefined],
      ['PUT', '/api/admin/settings', { welcome: 'x' }],
      ['PUT', '/api/admin/plans/x', { duration: '1h' }],
      ['GET', '/api/admin/dashboard', undefined],
    ] as const) {
      expect((await maria.call(method, path, body)).status, `${method} ${path}`).toBe(403);
    }
  });

  it('manages operators and settings; disabling an operator ends their session', async () => {
    const { h, admin, maria, adminPassword } = await setup();
    const ops = await admin.json<{ id: string; name: string }[]>('GET', '/api/admin/operators');
    const m = ops.find((o) => o.name === 'maria')!;
    expect((await admin.call('PATCH', `/api/admin/operators/${m.id}`, { disabled: true })).status).toBe(200);
    expect((await maria.call('GET', '/api/admin/me')).status).toBe(401);
    expect((await admin.call('PATCH', `/api/admin/operators/${admin.operator.id}`, { role: 'seller' })).status).toBe(409);

    const saved = await admin.json<{ networkName: string; languages: string[]; walledGarden: string[] }>('PUT', '/api/admin/settings', {
      networkName: 'Vila Net', languages: ['pt', 'en'], welcome: 'Bem-vindo', walledGarden: ['example.org', '192.0.2.0/24'],
    });
    expect(saved).toMatchObject({ networkName: 'Vila Net', languages: ['pt', 'en'], walledGarden: ['example.org', '192.0.2.0/24'] });
    expect((await admin.call('PUT', '/api/admin/settings', { walledGarden: ['not a host!'] })).status).toBe(400);
    // The resident portal follows the saved settings.
    const page = await (await h.device().get('/')).text();
    expect(page).toContain('Vila Net');
    expect(page).toContain('Bem-vindo');
    expect(page).toContain('<html lang="pt"');
    expect(page).not.toContain('hreflang="es"');

    expect((await admin.call('POST', '/api/admin/password', { current: 'wrong', password: 'new-password-1' })).status).toBe(403);
    expect((await admin.call('POST', '/api/admin/password', { current: adminPassword, password: 'short' })).status).toBe(400);
    expect((await admin.call('POST', '/api/admin/password', { current: adminPassword, password: 'a-new-password' })).status).toBe(200);
    expect((await admin.call('GET', '/api/admin/me')).status).toBe(200); // this session survives the change
    await signIn(h, 'admin', 'a-new-password');
    expect((await admin.call('POST', '/api/admin/logout')).status).toBe(200);
    expect((await admin.call('GET', '/api/admin/me')).status).toBe(401);
  });

  it('exposes one route table with roles for every route', async () => {
    const h = await harness();
    const table = adminRouteTable({ core: h.core, config: h.config, log: silentLogger });
    expect(table.every((r) => r.path.startsWith('/api/admin/'))).toBe(true);
    expect(table.filter((r) => r.roles === 'public').map((r) => r.path)).toEqual(['/api/admin/login']);
    expect(new Set(table.map((r) => `${r.method} ${r.path}`)).size).toBe(table.length);
    expect((await h.app.request('/api/admin/nope', { headers: { host: 'portal.example.net' } })).status).toBe(404);
  });

  it('deletes a batch none of whose codes was used (audited; sellers only their own); a batch with a used code stays', async () => {
    const { h, admin, maria, jose } = await setup();
    await shopPlans(admin);
    const mine = await maria.json<{ batch: { id: string; used: boolean }; codes: string[] }>('POST', '/api/admin/batches', { count: 3, plan: 'hour' });
    expect(mine.batch.used).toBe(false);
    expect((await jose.call('DELETE', `/api/admin/batches/${mine.batch.id}`)).status).toBe(404); // another seller's: not even there
    const used = await admin.json<{ batch: { id: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 2, duration: '1h' });
    expect((await h.device().login(used.codes[0]!)).status).toBe(303);
    const refused = await admin.call('DELETE', `/api/admin/batches/${used.batch.id}`);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { message: string }).message).toMatch(/revoke its codes instead/);
    expect(h.store.vouchers.batchVouchers(used.batch.id)).toHaveLength(2);
    const listed = await admin.json<{ id: string; used: boolean }[]>('GET', '/api/admin/batches');
    expect(listed.find((b) => b.id === used.batch.id)?.used).toBe(true);
    const ok = await maria.call('DELETE', `/api/admin/batches/${mine.batch.id}`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, deleted: 3 });
    expect(h.store.vouchers.getBatch(mine.batch.id)).toBeUndefined();
    expect((await h.device().login(mine.codes[0]!)).status).toBe(404);
    expect(h.store.events.list({ type: 'batch.deleted' })[0]).toMatchObject({ subject: mine.batch.id, data: { count: 3 } });
  });

});
