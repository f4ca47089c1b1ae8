/**
 * Operator API test helpers: sign in through POST /api/admin/login and call routes with the session
 * cookie and CSRF token, the usual set-up (an admin who chose their password, two sellers), and plans
 * a seller may sell. Shared by admin-api.test.ts and admin-console-api.test.ts.
 */
import { expect } from 'vitest';
import { harness, type Harness } from '../helpers/harness.js';

export async function signIn(h: Harness, name: string, password: string) {
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

export async function setup() {
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
export async function shopPlans(admin: Awaited<ReturnType<typeof signIn>>) {
  for (const [name, plan] of [['hour', { duration: '1h' }], ['day', { duration: '1d' }], ['shared', { duration: '1h', data: '100MB', devices: 2 }]] as const) {
    expect((await admin.call('PUT', `/api/admin/plans/${name}`, plan)).status).toBe(200);
  }
}

