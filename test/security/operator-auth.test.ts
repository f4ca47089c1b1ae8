/**
 * Operator security (SPEC §5): the role table walked with every role and none, CSRF on every mutation,
 * the session cookie's attributes, rotation, expiry and logout, scrypt hashes, login throttling, and an
 * audit entry for every operator action. A resident's state (an authorized device, its cookies) never
 * opens the admin API.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminRouteTable, type AdminRoute } from '../../src/http/admin-routes.js';
import { harness, type Harness } from './harness.js';

let h: Harness;
const PASS = 'correct horse battery';
const LAN = '10.0.0.40';

beforeEach(async () => {
  h = await harness();
  await h.core.addOperator({ name: 'root', role: 'admin', password: PASS }, { type: 'system' });
  await h.core.addOperator({ name: 'sam', role: 'seller', password: PASS }, { type: 'system' });
});
afterEach(() => h.close());

interface Session {
  cookie: string;
  csrf: string;
  setCookie: string;
}

async function signIn(name: string, password = PASS, extra: Record<string, string> = {}): Promise<Session> {
  const res = await h.post(LAN, '/api/admin/login', { name, password }, { json: true, headers: extra });
  expect(res.status).toBe(200);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { csrf: string };
  return { cookie: setCookie.split(';')[0]!, csrf: body.csrf, setCookie };
}

const concrete = (path: string) => path.replace(/:[a-z]+/g, 'nope');
const mutation = (r: AdminRoute) => r.method !== 'GET';

function call(r: AdminRoute, s: Partial<Session>, ip = LAN) {
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
  if (s.cookie) headers.cookie = s.cookie;
  if (s.csrf) headers['x-csrf-token'] = s.csrf;
  return h.request(ip, concrete(r.path), { method: r.method, headers, ...(mutation(r) ? { body: '{}' } : {}) });
}

describe('role walk over every /api/admin route', () => {
  it('has routes to walk', () => {
    expect(adminRouteTable({ core: h.core, config: h.config, log: console as never }).length).toBeGreaterThan(10);
  });

  it('none → 401, the wrong role → 403, the right role passes auth; refusals write nothing', async () => {
    const routes = adminRouteTable({ core: h.core, config: h.config, log: console as never });
    const sessions: Record<string, Partial<Session>> = { none: {}, seller: await signIn('sam'), admin: await signIn('root') };
    const rows: string[] = [];
    // Logout ends the session it is called with, so it is walked last.
    const walk = routes.filter((x) => x.roles !== 'public').sort((a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')));
    for (const r of walk) {
      for (const [role, s] of Object.entries(sessions)) {
        const before = h.counts();
        const res = await call(r, s);
        const allowed = role !== 'none' && (r.roles as readonly string[]).includes(role);
        const expected = role === 'none' ? 401 : allowed ? 'pass' : 'role refused';
        // A handler may itself answer 4xx (no such id, empty body); only the auth layer's refusals count.
        const message = ((await res.clone().json().catch(() => ({}))) as { message?: string }).message ?? '';
        const refusedByRole = res.status === 403 && /needs the .* role/.test(message);
        const got = res.status === 401 ? 401 : refusedByRole ? 'role refused' : res.status === 403 && /CSRF/.test(message) ? 'csrf refused' : allowed ? 'pass' : res.status;
        rows.push(`${r.method} ${r.path} as ${role}: ${got}`);
        expect(got, `${r.method} ${r.path} as ${role}`).toBe(expected);
        if (!allowed) expect(h.counts(), `${r.method} ${r.path} as ${role} wrote something`).toEqual(before);
      }
    }
    expect(rows.length).toBe(routes.filter((x) => x.roles !== 'public').length * 3);
  });

  it('every mutation without the CSRF token, or with another session\'s, is refused and writes nothing', async () => {
    const admin = await signIn('root');
    const other = await signIn('sam');
    for (const r of adminRouteTable({ core: h.core, config: h.config, log: console as never }).filter((x) => mutation(x) && x.roles !== 'public')) {
      const before = h.counts();
      expect((await call(r, { cookie: admin.cookie })).status, `${r.method} ${r.path}`).toBe(403);
      expect((await call(r, { cookie: admin.cookie, csrf: other.csrf })).status, `${r.method} ${r.path}`).toBe(403);
      expect(h.counts()).toEqual(before);
    }
  });

  it("a resident's state never opens the admin API", async () => {
    const [code] = h.vouchers(1);
    expect((await h.post('10.0.0.77', '/login', { code: code! })).status).toBe(200);
    for (const r of adminRouteTable({ core: h.core, config: h.config, log: console as never }).filter((x) => x.roles !== 'public')) {
      // The authorized device, with the cookies a resident may hold and headers pretending to be local.
      const headers = { cookie: 'lang=es; portico_op=', 'x-forwarded-for': '127.0.0.1', 'content-type': 'application/json' };
      const res = await h.request('10.0.0.77', concrete(r.path), { method: r.method, headers, ...(mutation(r) ? { body: '{}' } : {}) });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });
});

describe('operator sessions', () => {
  it('the cookie is HttpOnly, SameSite=Strict, path-wide and expires with the session', async () => {
    const s = await signIn('root');
    expect(s.setCookie).toMatch(/^portico_op=[A-Za-z0-9_-]{40,}; /);
    expect(s.setCookie).toContain('HttpOnly');
    expect(s.setCookie).toContain('SameSite=Strict');
    expect(s.setCookie).toContain('Path=/');
    expect(s.setCookie).toContain(`Max-Age=${h.config.security.operatorSessionHours * 3600}`);
    const me = () => h.request(LAN, '/api/admin/me', { headers: { cookie: s.cookie } });
    expect((await me()).status).toBe(200);
    h.clock.advance(h.config.security.operatorSessionHours * 3_600_000 + 1000);
    expect((await me()).status).toBe(401);
  });

  it('rotates on login: a planted cookie is never adopted, each sign-in gets a new token, logout kills it', async () => {
    const planted = 'portico_op=attacker-chosen-token-value-0000000000000000';
    const a = await signIn('root', PASS, { cookie: planted });
    const b = await signIn('root');
    expect(a.cookie).not.toBe(planted);
    expect(a.cookie).not.toBe(b.cookie);
    expect((await h.request(LAN, '/api/admin/me', { headers: { cookie: planted } })).status).toBe(401);
    const out = await h.request(LAN, '/api/admin/logout', { method: 'POST', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await h.request(LAN, '/api/admin/me', { headers: { cookie: a.cookie } })).status).toBe(401);
    expect((await h.request(LAN, '/api/admin/me', { headers: { cookie: b.cookie } })).status).toBe(200);
  });

  it('stores scrypt hashes, never the password or the session token', async () => {
    const s = await signIn('root');
    const dump = JSON.stringify(h.store.db.prepare('SELECT * FROM operators').all()) + JSON.stringify(h.store.db.prepare('SELECT * FROM operator_sessions').all());
    expect(dump).toMatch(/scrypt\$/);
    expect(dump).not.toContain(PASS);
    expect(dump).not.toContain(s.cookie.split('=')[1]!);
  });

  it('refuses a cross-site sign-in (login CSRF)', async () => {
    const res = await h.post(LAN, '/api/admin/login', { name: 'root', password: PASS }, { json: true, headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('throttles password guessing: 429 with Retry-After, even for the right password, audited; waits it out', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await h.post(LAN, '/api/admin/login', { name: 'root', password: `guess-${i}` }, { json: true })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    const locked = await h.post(LAN, '/api/admin/login', { name: 'root', password: PASS }, { json: true });
    expect(locked.status).toBe(429);
    const wait = Number(locked.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(h.store.events.list({ type: 'operator.login_failed' }).length).toBeGreaterThanOrEqual(6);
    h.clock.advance(wait * 1000);
    expect((await h.post(LAN, '/api/admin/login', { name: 'root', password: PASS }, { json: true })).status).toBe(200);
  });
});

describe('sign-in lockout cannot be used against the operator (attack report D6)', () => {
  const ATTACKER = '10.0.0.66';
  const brute = async (ip: string, n: number) => {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) statuses.push((await h.post(ip, '/api/admin/login', { name: 'root', password: `guess-${i}` }, { json: true })).status);
    return statuses;
  };

  it('brute force on a name from source A; the right password from source B gets in', async () => {
    const statuses = await brute(ATTACKER, 200);
    expect(statuses.filter((s) => s === 401).length).toBe(h.config.security.freeAttempts + 1);
    expect(statuses.at(-1)).toBe(429);
    // Before the fix the lockout was per name: B got 429 with Retry-After.
    expect((await h.post(LAN, '/api/admin/login', { name: 'root', password: PASS }, { json: true })).status).toBe(200);
  });

  it('A, while locked, gets 429 even with the right password, and the message speaks of sign-in attempts', async () => {
    await brute(ATTACKER, 20);
    const res = await h.post(ATTACKER, '/api/admin/login', { name: 'root', password: PASS }, { json: true });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await res.json()) as { code: string; message: string };
    expect(body.code).toBe('TOO_MANY_ATTEMPTS');
    expect(body.message).toMatch(/too many sign-in attempts/);
    expect(body.message).not.toMatch(/wrong codes/);
  });

  it('a distributed brute force on the name (network limit tripped) never holds a clean source, even on the same /24', async () => {
    await h.close();
    h = await harness({ config: { security: { networkAttemptsPerMinute: 10 } } });
    await h.core.addOperator({ name: 'root', role: 'admin', password: PASS }, { type: 'system' });
    for (let i = 0; i < 60; i++) await h.post(`10.0.7.${i + 2}`, '/api/admin/login', { name: 'root', password: `guess-${i}` }, { json: true });
    // The failed sources are held by the network limit…
    expect((await h.post('10.0.7.2', '/api/admin/login', { name: 'root', password: PASS }, { json: true })).status).toBe(429);
    // …a clean one is not.
    expect((await h.post('10.0.7.200', '/api/admin/login', { name: 'root', password: PASS }, { json: true })).status).toBe(200);
  });
});

describe('audit log', () => {
  it('records every operator action with the operator as actor', async () => {
    const s = await signIn('root');
    const [code] = h.vouchers(1);
    const sam = h.store.operators.findByName('sam')!;
    const spare = h.core.createBatch({ count: 1, plan: { durationSec: 60 } }, { type: 'system' }).batch.id;
    // A code in use with a device online, for the voucher page's actions.
    const [inUse] = h.vouchers(1);
    expect((await h.post('10.0.7.90', '/login', { code: inUse! })).status).toBe(200);
    const online = h.store.entitlements.allActiveDevices().at(-1)!;
    const send = (method: string, path: string, body: unknown) =>
      h.request(LAN, path, { method, headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const script: [string, string, unknown][] = [
      ['PUT', '/api/admin/plans/day', { duration: '1d', data: '1GB' }],
      ['POST', '/api/admin/batches', { count: 2, plan: 'day' }],
      ['POST', `/api/admin/vouchers/${code}/revoke`, { reason: 'lost' }],
      ['POST', `/api/admin/vouchers/${inUse}/extend`, { duration: '1h' }],
      ['POST', `/api/admin/devices/${online.id}/disconnect`, {}],
      ['POST', '/api/admin/bulk/revoke', { ids: [h.vouchers(1)[0]], reason: 'lost sheet' }],
      ['DELETE', '/api/admin/plans/day', {}],
      ['DELETE', `/api/admin/batches/${spare}`, {}],
      ['POST', '/api/admin/operators', { name: 'ana', role: 'seller', password: 'another long pass' }],
      ['PATCH', `/api/admin/operators/${sam.id}`, { role: 'admin' }],
      ['PUT', '/api/admin/settings', { networkName: 'Barrio Net' }],
      ['POST', '/api/admin/password', { current: PASS, password: 'a brand new passphrase' }],
      ['POST', '/api/admin/logout', {}],
    ];
    const covered = new Set<string>();
    for (const [method, path, body] of script) {
      const before = h.store.events.list({ actorId: h.store.operators.findByName('root')!.id, limit: 1000 }).length;
      const res = await send(method, path, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      const after = h.store.events.list({ actorId: h.store.operators.findByName('root')!.id, limit: 1000 }).length;
      expect(after, `${method} ${path} left no audit entry`).toBeGreaterThan(before);
      covered.add(`${method} ${path.replace(/\/vouchers\/[^/]+\//, '/vouchers/:id/').replace(/\/devices\/[^/]+\//, '/devices/:id/').replace(/\/operators\/[^/]+$/, '/operators/:id').replace(/\/plans\/[^/]+$/, '/plans/:name').replace(/\/batches\/[^/]+$/, '/batches/:id')}`);
    }
    // A mutation route added later must be added to this script (and audited). Disconnecting a RADIUS
    // session needs a NAS to answer: its audit row is checked in test/radius/console-sessions.test.ts.
    covered.add('POST /api/admin/radius/sessions/:id/disconnect');
    const mutations = adminRouteTable({ core: h.core, config: h.config, log: console as never }).filter((r) => mutation(r) && r.roles !== 'public');
    expect(mutations.map((r) => `${r.method} ${r.path}`).filter((k) => !covered.has(k))).toEqual([]);
  });
});
