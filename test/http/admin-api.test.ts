/**
 * The operator JSON API under /api/admin/: session cookie flags, CSRF on every mutation, role checks
 * (admin everything; seller creates/prints vouchers and sees only their own), audit of every action,
 * and the route table that later tests enumerate.
 */
import { describe, expect, it } from 'vitest';
import { adminRouteTable } from '../../src/http/admin-routes.js';
import { silentLogger } from '../../src/lib/log.js';
import { harness, type Harness } from '../helpers/harness.js';

async function signIn(h: Harness, name: string, password: string) {
  const res = await h.app.request('/api/admin/login', {
    method: 'POST',
    headers: { host: 'portal.example.net', 'content-type': 'application/json', origin: 'https://portal.example.net' },
    body: JSON.stringify({ name, password }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrf: string; operator: { id: string; role: string } };
  const jar = cookie.split(';')[0]!;
  const call = (method: string, path: string, payload?: unknown, opts: { csrf?: string | null } = {}) =>
    h.app.request(path, {
      method,
      headers: {
        host: 'portal.example.net', cookie: jar,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(opts.csrf === null ? {} : { 'x-csrf-token': opts.csrf ?? body.csrf }),
      },
      ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
    });
  return { cookie, csrf: body.csrf, operator: body.operator, call, json: async <T>(method: string, path: string, payload?: unknown): Promise<T> => (await (await call(method, path, payload)).json()) as T };
}

async function setup() {
  const h = await harness({ network: { name: 'Barrio Net', ssid: 'barrio' } });
  const boot = await h.core.bootstrapAdmin();
  const admin = await signIn(h, 'admin', boot!.password);
  // The first start's password is handed over: the admin chooses their own (here the same) first.
  expect((await admin.call('POST', '/api/admin/password', { current: boot!.password, password: boot!.password })).status).toBe(200);
  expect((await admin.call('POST', '/api/admin/operators', { name: 'maria', role: 'seller', password: 'seller-pass-1' })).status).toBe(201);
  expect((await admin.call('POST', '/api/admin/operators', { name: 'jose', role: 'seller', password: 'seller-pass-2' })).status).toBe(201);
  const maria = await signIn(h, 'maria', 'seller-pass-1');
  const jose = await signIn(h, 'jose', 'seller-pass-2');
  return { h, admin, maria, jose, adminPassword: boot!.password };
}

/** Plans a seller can sell (sellers choose the admin's plans; custom limits are for admins). */
async function shopPlans(admin: Awaited<ReturnType<typeof signIn>>) {
  for (const [name, plan] of [['hour', { duration: '1h' }], ['day', { duration: '1d' }], ['shared', { duration: '1h', data: '100MB', devices: 2 }]] as const) {
    expect((await admin.call('PUT', `/api/admin/plans/${name}`, plan)).status).toBe(200);
  }
}

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

  it('answers the audit log and the dashboard in words: codes, operator names and MACs, never ids (issue 14 item 2)', async () => {
    const { h, admin, maria } = await setup();
    await shopPlans(admin);
    const sold = await maria.json<{ batch: { id: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 2, plan: 'hour', note: 'stall 3' });
    const phone = h.device('10.0.0.77', '02:00:00:00:07:77');
    expect((await phone.login(sold.codes[0]!)).status).toBe(303);
    // A well-formed code that does not exist (its batch was deleted): a refused guess, audited with the MAC.
    const gone = await admin.json<{ batch: { id: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 1, duration: '1h' });
    expect((await admin.call('DELETE', `/api/admin/batches/${gone.batch.id}`)).status).toBe(200);
    expect((await h.device('10.0.0.78', '02:00:00:00:07:78').login(gone.codes[0]!)).status).toBe(404);
    const v = h.store.vouchers.findByCode(sold.codes[0]!.replace(/-/g, ''))!;
    expect((await admin.call('POST', `/api/admin/vouchers/${v.id}/revoke`, { reason: 'lost ticket' })).status).toBe(200);

    type Row = { type: string; actorId: string | null; subject: string | null; words: { actor: string | null; code: string | null; voucherId: string | null; target: string | null; facts: Record<string, string | number> } };
    const rows = await admin.json<Row[]>('GET', '/api/admin/audit');
    const one = (type: string) => rows.find((r) => r.type === type)!;
    expect(one('voucher.redeemed').words).toMatchObject({ actor: '02:00:00:00:07:77', code: sold.codes[0], voucherId: v.id, facts: { ip: '10.0.0.77' } });
    expect(one('device.attached').words).toMatchObject({ actor: '02:00:00:00:07:77', code: sold.codes[0] });
    expect(one('voucher.revoked').words).toMatchObject({ actor: 'admin', code: sold.codes[0], facts: { reason: 'lost ticket' } });
    expect(one('entitlement.revoked').words.code).toBe(sold.codes[0]);
    expect(rows.filter((r) => r.type === 'batch.created').map((r) => r.words)).toContainEqual(expect.objectContaining({ actor: 'maria', target: 'stall 3', facts: expect.objectContaining({ count: 2 }) }));
    expect(one('operator.added').words).toMatchObject({ actor: 'admin', target: expect.stringMatching(/^(maria|jose)$/), facts: { role: 'seller' } });
    expect(rows.filter((r) => r.type === 'operator.login').map((r) => r.words.actor).sort()).toEqual(['admin', 'jose', 'maria']);
    expect(one('login.failed').words).toMatchObject({ actor: '02:00:00:00:07:78', facts: { ip: '10.0.0.78' } });
    // The ids stay in the row for tools (and voucherId for the link), but nothing shown in words is one.
    expect(one('operator.login').actorId).toMatch(/^op_/);
    for (const r of rows) expect(JSON.stringify({ ...r.words, voucherId: null }), r.type).not.toMatch(/\b(vch|ent|op|dev|bat)_/);

    // The dashboard's pool names its code, note, seller and devices (before the revoke it was online).
    const other = h.device('10.0.0.79', '02:00:00:00:07:79');
    expect((await other.login(sold.codes[1]!)).status).toBe(303);
    const dash = await admin.json<{ pools: { code: string; voucherId: string; note: string | null; seller: string | null; online: { mac: string; ip: string }[] }[] }>('GET', '/api/admin/dashboard');
    expect(dash.pools).toEqual([expect.objectContaining({ code: sold.codes[1], note: 'stall 3', seller: 'maria', online: [{ mac: '02:00:00:00:07:79', name: null, ip: '10.0.0.79' }] })]);
  });

  it('has a name and a sentence in every console language for every event type the audit log holds', async () => {
    const { AUDIT_TYPES } = await import('../../src/core/admin-words.js');
    // The console's words are plain JS (checked by tsc -p portal-ui); loaded by path, each file's table.
    const load = async (l: string) => ((await import(`../../portal-ui/admin-${l}.js`)) as { EN?: Record<string, string>; default?: Record<string, string> });
    const langs = await Promise.all(['en', 'es', 'fr', 'pt'].map(async (l) => { const m = await load(l); return (m.EN ?? m.default)!; }));
    for (const type of AUDIT_TYPES) {
      const key = type.replace(/\./g, '_');
      for (const words of langs) {
        expect(words[`evn_${key}`], `evn_${key}`).toBeTruthy();
        expect(words[`ev_${key}`], `ev_${key}`).toBeTruthy();
      }
    }
    // And nothing the console names is missing from the list.
    expect(Object.keys(langs[0]!).filter((k) => k.startsWith('evn_')).map((k) => k.slice(4).replace('_', '.')).sort()).toEqual([...AUDIT_TYPES].sort());
  });

  it("shows a voucher's page (pool, top-ups, devices, history) and lets an admin disconnect a device and add time or data, audited (issue 14 item 3)", async () => {
    const { h, admin, maria, jose } = await setup();
    await shopPlans(admin);
    const sold = await maria.json<{ codes: string[] }>('POST', '/api/admin/batches', { count: 2, plan: 'shared', note: 'stall 3', price: 2 });
    const [first, extra] = sold.codes as [string, string];
    const unused = await admin.json<{ pool: null; voucher: { code: string; status: string }; batch: { seller: string; price: number; note: string } }>('GET', `/api/admin/vouchers/${first}`);
    expect(unused).toMatchObject({ pool: null, voucher: { code: first, status: 'unused' }, batch: { seller: 'maria', price: 2, note: 'stall 3' } });
    // Not used yet: nothing to extend.
    const early = await admin.call('POST', `/api/admin/vouchers/${first}/extend`, { duration: '1h' });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { message: string }).message).toMatch(/not used yet/);

    const phone = h.device('10.0.0.81', '02:00:00:00:08:81');
    const tablet = h.device('10.0.0.82', '02:00:00:00:08:82');
    expect((await phone.login(first)).status).toBe(303);
    expect((await tablet.login(first)).status).toBe(303);
    expect((await phone.post('/topup', { code: extra })).status).toBeLessThan(400);
    type Detail = {
      voucher: { id: string; code: string; status: string };
      pool: { entitlementId: string; status: string; expiresAt: number; dataTotal: number; secondsRemaining: number; bytesRemaining: number; words: string;
        codes: { code: string }[]; devices: { id: string | null; mac: string; ip: string; online: boolean; endReason: string | null }[] };
      history: { type: string; words: { actor: string | null; code: string | null } }[];
    };
    const id = h.store.vouchers.findByCode(first.replace(/-/g, ''))!.id;
    let d = await admin.json<Detail>('GET', `/api/admin/vouchers/${id}`);
    expect(d.pool.codes.map((c) => c.code)).toEqual([first, extra]);
    expect(d.pool).toMatchObject({ status: 'active', dataTotal: 200e6, words: '200 MB, 2 hours from first use, 2 devices' });
    expect(d.pool.devices.map((x) => [x.mac, x.ip, x.online])).toEqual(expect.arrayContaining([['02:00:00:00:08:81', '10.0.0.81', true], ['02:00:00:00:08:82', '10.0.0.82', true]]));
    expect(d.history.map((e) => e.type)).toEqual(expect.arrayContaining(['voucher.redeemed', 'device.attached']));
    expect(d.history.filter((e) => e.type === 'voucher.redeemed').map((e) => e.words.code).sort()).toEqual([first, extra].sort());
    // A seller sees their own code's page, not another seller's; neither may act on it.
    expect((await maria.call('GET', `/api/admin/vouchers/${id}`)).status).toBe(200);
    expect((await jose.call('GET', `/api/admin/vouchers/${id}`)).status).toBe(404);
    expect((await maria.call('POST', `/api/admin/vouchers/${id}/extend`, { duration: '1h' })).status).toBe(403);

    // Disconnect the tablet: off the gateway, the pool and the phone stay.
    const tabletId = d.pool.devices.find((x) => x.mac === '02:00:00:00:08:82')!.id!;
    expect(tablet.online()).toBe(true);
    expect((await maria.call('POST', `/api/admin/devices/${tabletId}/disconnect`, {})).status).toBe(403);
    expect((await admin.call('POST', `/api/admin/devices/${tabletId}/disconnect`, {})).status).toBe(200);
    expect(tablet.online()).toBe(false);
    expect(phone.online()).toBe(true);
    expect((await admin.call('POST', `/api/admin/devices/${tabletId}/disconnect`, {})).status).toBe(409);
    expect(h.store.events.list({ type: 'device.detached' })[0]).toMatchObject({ actorType: 'operator', data: { deviceId: tabletId, reason: 'removed' } });

    // Add time and data: the pool grows, the gateway gets the new quota, audited with what was added.
    const before = d.pool;
    const bad = await admin.call('POST', `/api/admin/vouchers/${id}/extend`, { data: 'lots' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'data' });
    expect((await admin.call('POST', `/api/admin/vouchers/${id}/extend`, {})).status).toBe(400);
    d = await admin.json<Detail>('POST', `/api/admin/vouchers/${id}/extend`, { duration: '30m', data: '50MB' });
    expect(d.pool.expiresAt - before.expiresAt).toBe(30 * 60_000);
    expect(d.pool.dataTotal).toBe(250e6);
    expect(d.pool.devices.find((x) => x.mac === '02:00:00:00:08:82')).toMatchObject({ online: false, endReason: 'removed' });
    const ext = h.store.events.list({ type: 'entitlement.extended' });
    expect(ext).toHaveLength(1);
    expect(ext[0]).toMatchObject({ actorType: 'operator', subject: d.pool.entitlementId, data: { added: '30m + 50MB', durationSec: 1800, dataBytes: 50e6 } });
    expect(d.history[0]).toMatchObject({ type: 'entitlement.extended', words: { actor: 'admin', code: first } });
    const phoneLeft = (await (await phone.get('/api/session')).json()) as { bytesRemaining: number; secondsRemaining: number };
    expect(phoneLeft.bytesRemaining).toBe(250e6);

    // Revoked: final, nothing more to add.
    expect((await admin.call('POST', `/api/admin/vouchers/${id}/revoke`, { reason: 'refund' })).status).toBe(200);
    expect((await admin.call('POST', `/api/admin/vouchers/${id}/extend`, { duration: '1h' })).status).toBe(409);
    expect((await admin.call('GET', '/api/admin/vouchers/vch_nope')).status).toBe(404);
  });

  it('asks for a new password before anything else after the first start and after a command-line reset (issue 14 item 4)', async () => {
    const h = await harness({ network: { name: 'Barrio Net' } });
    const boot = (await h.core.bootstrapAdmin())!;
    const admin = await signIn(h, 'admin', boot.password);
    expect(await admin.json('GET', '/api/admin/me')).toMatchObject({ operator: { name: 'admin' }, mustChangePassword: true });
    for (const [method, path, payload] of [['GET', '/api/admin/dashboard'], ['GET', '/api/admin/vouchers'], ['POST', '/api/admin/batches', { count: 1, duration: '1h' }], ['GET', '/api/admin/audit']] as const) {
      const res = await admin.call(method, path, payload);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as { message: string }).message).toMatch(/choose your own password first/);
    }
    expect(h.store.vouchers.list().total).toBe(0);
    // A wrong current password changes nothing.
    expect((await admin.call('POST', '/api/admin/password', { current: 'nope-nope', password: 'my-own-password' })).status).toBe(403);
    expect((await admin.call('GET', '/api/admin/dashboard')).status).toBe(403);
    expect((await admin.call('POST', '/api/admin/password', { current: boot.password, password: 'my-own-password' })).status).toBe(200);
    expect(await admin.json('GET', '/api/admin/me')).toMatchObject({ mustChangePassword: false });
    expect((await admin.call('GET', '/api/admin/dashboard')).status).toBe(200);
    const again = await signIn(h, 'admin', 'my-own-password');
    expect((await again.call('GET', '/api/admin/vouchers')).status).toBe(200);

    // A seller added by the admin uses their password at once; one reset from the command line must change it.
    expect((await admin.call('POST', '/api/admin/operators', { name: 'maria', role: 'seller', password: 'seller-pass-1' })).status).toBe(201);
    const maria = await signIn(h, 'maria', 'seller-pass-1');
    expect((await maria.call('GET', '/api/admin/batches')).status).toBe(200);
    await h.core.resetOperatorPassword('maria', 'printed-on-terminal', { type: 'system' });
    const reset = await signIn(h, 'maria', 'printed-on-terminal');
    expect((await reset.call('GET', '/api/admin/batches')).status).toBe(403);
    expect((await reset.call('POST', '/api/admin/password', { current: 'printed-on-terminal', password: 'marias-own-pass' })).status).toBe(200);
    expect((await reset.call('GET', '/api/admin/batches')).status).toBe(200);
  });

  it('prices in the network currency, counts vouchers sold (not revoked before first use) in a date range, and exports price and note (issue 14 item 5)', async () => {
    const { h, admin, maria } = await setup();
    const bad = await admin.call('PUT', '/api/admin/settings', { currency: 'PESOS' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'currency', message: expect.stringMatching(/ISO 4217/) });
    expect((await admin.call('PUT', '/api/admin/settings', { currency: 'ABC' })).status).toBe(400);
    expect((await admin.json<{ currency: string }>('GET', '/api/admin/settings')).currency).toBe('');
    expect((await admin.json<{ currency: string }>('PUT', '/api/admin/settings', { currency: 'cop' })).currency).toBe('COP');
    expect(await maria.json('GET', '/api/admin/me')).toMatchObject({ currency: 'COP' });

    await shopPlans(admin);
    const sold = await maria.json<{ batch: { id: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 3, plan: 'hour', price: 5000, note: 'stall 3' });
    const sheet = await (await maria.call('GET', `/api/admin/batches/${sold.batch.id}/sheet?lang=es`)).text();
    expect(sheet).toContain(`Precio ${new Intl.NumberFormat('es', { style: 'currency', currency: 'COP' }).format(5000)}`);

    // One code is lost before anyone used it (revoked unused: not sold); another is used, then revoked (sold).
    const [lost, used] = sold.codes.map((c) => h.store.vouchers.findByCode(c.replace(/-/g, ''))!.id) as [string, string];
    expect((await h.device().login(sold.codes[1]!)).status).toBe(303);
    expect((await admin.call('POST', `/api/admin/vouchers/${lost}/revoke`, { reason: 'lost sheet' })).status).toBe(200);
    expect((await admin.call('POST', `/api/admin/vouchers/${used}/revoke`, { reason: 'refund' })).status).toBe(200);
    const today = new Date(h.clock.now()).toISOString().slice(0, 10);
    type Sales = { rows: { day: string; seller: string; vouchers: number; amount: number }[]; totals: { vouchers: number; amount: number }; revokedUnused: number };
    const all = await admin.json<Sales>('GET', '/api/admin/sales');
    expect(all.totals).toEqual({ vouchers: 2, amount: 10000 });
    expect(all.revokedUnused).toBe(1);
    expect(all.rows).toEqual([expect.objectContaining({ seller: 'maria', vouchers: 2, amount: 10000 })]);
    expect((await maria.json<Sales>('GET', '/api/admin/sales')).totals).toEqual({ vouchers: 2, amount: 10000 });
    const day = all.rows[0]!.day;
    expect((await admin.json<Sales>('GET', `/api/admin/sales?from=${day}&to=${day}`)).totals.vouchers).toBe(2);
    const before = new Date(Date.parse(day) - 86_400_000).toISOString().slice(0, 10);
    expect(await admin.json<Sales>('GET', `/api/admin/sales?to=${before}`)).toMatchObject({ rows: [], totals: { vouchers: 0, amount: 0 }, revokedUnused: 0 });
    expect((await admin.call('GET', '/api/admin/sales?from=yesterday')).status).toBe(400);
    expect((await admin.call('GET', `/api/admin/sales?from=${today}&to=${before}`)).status).toBe(400);

    const csv = (await (await admin.call('GET', `/api/admin/vouchers.csv?batch=${sold.batch.id}`)).text()).trim().split('\r\n');
    expect(csv[0]!.split(',').slice(0, 7)).toEqual(['code', 'status', 'plan', 'price', 'currency', 'batch', 'note']);
    for (const line of csv.slice(1)) expect(line).toMatch(/,5000,COP,bat_[\w-]+,stall 3,maria,/);
  });

  it("limits a seller to the admin's plans, at the plan's price or more, and to the plans the admin allowed (issue 14 item 6)", async () => {
    const { h, admin, maria, jose } = await setup();
    expect((await admin.call('PUT', '/api/admin/plans/Day', { duration: '1d', data: '1GB', price: 5 })).status).toBe(200);
    expect((await admin.call('PUT', '/api/admin/plans/Week', { duration: '7d', data: '5GB', price: 20 })).status).toBe(200);
    const refused = async (who: typeof maria, body: Record<string, unknown>, pattern: RegExp, field: string) => {
      const res = await who.call('POST', '/api/admin/batches', body);
      expect(res.status, JSON.stringify(body)).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN', field, message: expect.stringMatching(pattern) });
    };
    // The newcomer's 1000 GB for 365 days at price 0: refused, and so is any custom limit or a lower price.
    await refused(maria, { count: 1, duration: '365d', data: '1000GB', devices: 10, price: 0 }, /sells the admin's plans/, 'plan');
    await refused(maria, { count: 1, plan: 'Day', data: '1000GB' }, /custom limits are for admins/, 'plan');
    await refused(maria, { count: 1, plan: 'Day', price: 0 }, /below the plan's price, 5/, 'price');
    await refused(maria, { count: 1, plan: 'Day', price: '4.99' }, /below the plan's price/, 'price');
    expect(h.store.vouchers.list().total).toBe(0);
    expect((await maria.call('POST', '/api/admin/batches', { count: 1, plan: 'Day', price: 6 })).status).toBe(201);
    expect((await maria.call('POST', '/api/admin/batches', { count: 1, plan: 'day' })).status).toBe(201); // the plan's price
    // An admin still makes anything.
    expect((await admin.call('POST', '/api/admin/batches', { count: 1, duration: '365d', price: 0 })).status).toBe(201);

    // The admin lets maria sell only Week: she sees only Week and Day is refused; jose still has both.
    const ops = await admin.json<{ id: string; name: string; plans: string[] | null }[]>('GET', '/api/admin/operators');
    const mariaId = ops.find((o) => o.name === 'maria')!.id;
    expect(ops.find((o) => o.name === 'maria')!.plans).toBeNull();
    const bad = await admin.call('PATCH', `/api/admin/operators/${mariaId}`, { plans: ['Week', 'Month'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'plans', message: expect.stringMatching(/no plan named "Month"/) });
    expect(await admin.json('PATCH', `/api/admin/operators/${mariaId}`, { plans: ['week'] })).toMatchObject({ name: 'maria', plans: ['Week'] });
    expect((await maria.json<{ name: string }[]>('GET', '/api/admin/plans')).map((p) => p.name)).toEqual(['Week']);
    expect((await jose.json<{ name: string }[]>('GET', '/api/admin/plans')).map((p) => p.name).sort()).toEqual(['Day', 'Week']);
    await refused(maria, { count: 1, plan: 'Day', price: 5 }, /may not sell the plan Day/, 'plan');
    expect((await maria.call('POST', '/api/admin/batches', { count: 1, plan: 'Week' })).status).toBe(201);
    expect((await jose.call('POST', '/api/admin/batches', { count: 1, plan: 'Day' })).status).toBe(201);
    expect(h.store.events.list({ type: 'operator.updated' })[0]).toMatchObject({ subject: mariaId, data: { plans: ['Week'] } });
    // Back to every plan; a seller cannot change their own list.
    expect((await maria.call('PATCH', `/api/admin/operators/${mariaId}`, { plans: null })).status).toBe(403);
    expect(await admin.json('PATCH', `/api/admin/operators/${mariaId}`, { plans: null })).toMatchObject({ plans: null });
    expect((await maria.json<unknown[]>('GET', '/api/admin/plans')).length).toBe(2);
  });

  it('prints and revokes a selection of vouchers from several batches; sellers only their own (issue 14 item 7)', async () => {
    const { h, admin, maria, jose } = await setup();
    await shopPlans(admin);
    const a = await maria.json<{ codes: string[] }>('POST', '/api/admin/batches', { count: 2, plan: 'hour', price: 1 });
    const b = await maria.json<{ codes: string[] }>('POST', '/api/admin/batches', { count: 2, plan: 'day', price: 3 });
    const other = await jose.json<{ codes: string[] }>('POST', '/api/admin/batches', { count: 1, plan: 'day' });
    const pick = [a.codes[0]!, b.codes[1]!];
    const sheet = await maria.call('GET', `/api/admin/bulk/sheet?ids=${pick.join(',')}&layout=receipt58`);
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await sheet.text();
    expect(html.match(/class="c"/g)).toHaveLength(2);
    for (const c of pick) expect(html).toContain(c);
    expect(html).not.toContain(a.codes[1]!);
    // Each code with its own plan and price.
    expect(html).toMatch(/1 hour from first use[^<]*Price 1</);
    expect(html).toMatch(/1 day from first use[^<]*Price 3</);
    expect((await maria.call('GET', `/api/admin/bulk/sheet?ids=${other.codes[0]}`)).status).toBe(404); // jose's
    expect((await maria.call('GET', '/api/admin/bulk/sheet?ids=')).status).toBe(400);

    // Revoke a selection with one reason: each audited; an already revoked code is reported, not fatal.
    expect((await maria.call('POST', '/api/admin/bulk/revoke', { ids: pick, reason: 'x' })).status).toBe(403);
    const ids = [a.codes[0]!, a.codes[1]!].map((c) => h.store.vouchers.findByCode(c.replace(/-/g, ''))!.id);
    expect((await admin.call('POST', `/api/admin/vouchers/${ids[1]}/revoke`, {})).status).toBe(200);
    const r = await admin.json<{ revoked: string[]; skipped: string[] }>('POST', '/api/admin/bulk/revoke', { ids: [...ids, b.codes[0]!], reason: 'sheet lost' });
    expect(r).toMatchObject({ ok: true, revoked: [a.codes[0], b.codes[0]], skipped: [a.codes[1]] });
    expect(h.store.events.list({ type: 'voucher.revoked' }).filter((e) => (e.data as { reason: string }).reason === 'sheet lost')).toHaveLength(2);
    const bad = await admin.call('POST', '/api/admin/bulk/revoke', { ids: [b.codes[1]!, 'vch_nope'] });
    expect(bad.status).toBe(404);
    expect(h.store.vouchers.findByCode(b.codes[1]!.replace(/-/g, ''))!.status).toBe('unused'); // nothing changed
    expect((await admin.call('POST', '/api/admin/bulk/revoke', { ids: [] })).status).toBe(400);
    // All revoked: nothing to print, said so.
    expect((await admin.call('GET', `/api/admin/bulk/sheet?ids=${a.codes.join(',')}`)).status).toBe(409);
  });

  it('names the walled-garden line at fault and saves nothing; plan words say the upload speed (issue 14 item 8)', async () => {
    const { h, admin } = await setup();
    const res = await admin.call('PUT', '/api/admin/settings', { walledGarden: ['pay.example.net', 'not a host!!'] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'walledGarden', message: 'walled garden line 2: "not a host!!" is not a host name, address or network like 10.0.0.0/8' });
    expect(h.store.settings.get('walledGarden')).toBeUndefined();
    expect((await admin.json<{ words: string }>('PUT', '/api/admin/plans/fast', { duration: '1d', data: '1GB', down: '4Mbit', up: '1Mbit' })).words).toBe('1 GB, 1 day from first use, 1 device, up to 4 Mbit/s down / 1 Mbit/s up');
  });

  it('keeps the Wi-Fi password in Settings and prints it on the sheet, never in the audit log (issue 14 item 1)', async () => {
    const { h, admin } = await setup();
    const bad = await admin.call('PUT', '/api/admin/settings', { wifiPassword: 'short' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'wifiPassword' });
    expect((await admin.json<{ wifiPassword: string }>('GET', '/api/admin/settings')).wifiPassword).toBe('');
    expect((await admin.json<{ wifiPassword: string }>('PUT', '/api/admin/settings', { wifiPassword: 'barrio-2026!' })).wifiPassword).toBe('barrio-2026!');
    const { batch } = h.vouchers(1, { durationSec: 3600 });
    const html = await (await admin.call('GET', `/api/admin/batches/${batch.id}/sheet?layout=a4`)).text();
    expect(html).toContain('<div class="pw">Password: barrio-2026!</div>');
    const saved = h.store.events.list({ type: 'settings.saved' })[0]!;
    expect(JSON.stringify(saved.data)).not.toContain('barrio-2026!');
    expect(saved.data).toMatchObject({ wifiPassword: '(changed)' });
  });

  it('says on the sheet how many revoked codes were left out', async () => {
    const { admin } = await setup();
    const made = await admin.json<{ batch: { id: string }; codes: string[] }>('POST', '/api/admin/batches', { count: 3, duration: '1h' });
    const hint = async (lang: string) => /<span class="hint">([^<]*)<\/span>/.exec(await (await admin.call('GET', `/api/admin/batches/${made.batch.id}/sheet?lang=${lang}`)).text())![1];
    expect(await hint('en')).toBe('Or press Ctrl+P (⌘P on a Mac). Paper: A4, scale 100%.');
    expect((await admin.call('POST', `/api/admin/vouchers/${made.codes[0]}/revoke`, {})).status).toBe(200);
    expect(await hint('en')).toBe('Or press Ctrl+P (⌘P on a Mac). Paper: A4, scale 100%. 1 revoked code is left out.');
    expect((await admin.call('POST', `/api/admin/vouchers/${made.codes[1]}/revoke`, {})).status).toBe(200);
    expect(await hint('es')).toBe('O pulsa Ctrl+P (⌘P en Mac). Papel: A4, escala 100 %. 2 fichas anuladas quedan fuera.');
  });
});
