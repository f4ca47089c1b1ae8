/**
 * The shopkeeper console's API (issue 14): audit rows and the dashboard in words, the voucher page and
 * its actions (disconnect, add time or data), the first run's own password, money (currency, sales
 * sold, a date range, CSV), seller limits, selections (print, revoke), the walled-garden line, the
 * Wi-Fi password on sheets and the revoked codes a sheet leaves out.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../helpers/harness.js';
import { setup, shopPlans, signIn } from './admin-session.js';

describe('operator API for the shopkeeper console', () => {
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
    type Sales = { rows: { day: string; seller: string; vouchers: number; amount: number }[]; totals: { vouchers: number; amount: number }; perMonth: unknown[]; revokedUnused: number };
    const all = await admin.json<Sales>('GET', '/api/admin/sales');
    expect(all.totals).toEqual({ vouchers: 2, amount: 10000 });
    expect(all.revokedUnused).toBe(1);
    expect(all.rows).toEqual([expect.objectContaining({ seller: 'maria', vouchers: 2, amount: 10000 })]);
    expect((await maria.json<Sales>('GET', '/api/admin/sales')).totals).toEqual({ vouchers: 2, amount: 10000 });
    const day = all.rows[0]!.day;
    expect(all.perMonth).toEqual([{ month: day.slice(0, 7), vouchers: 2, amount: 10000 }]);
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
