/**
 * The operator JSON API under /api/admin/ (SPEC §5). One table holds every route with the roles it
 * allows, so the console, the docs and the security tests can enumerate it (`ADMIN_ROUTES` via
 * `adminRouteTable`). `admin` may do everything; a `seller` creates and prints vouchers and sees only
 * their own batches, vouchers and sales (the scoping is in src/core/admin-vouchers.ts).
 *
 * Every route but login needs the session cookie; every mutation needs `X-CSRF-Token`. Handlers are
 * thin: parse, call one core function, map the result; DomainErrors become the JSON error envelope in
 * app.onError.
 *
 * @example
 *   app.route('/', adminRoutes(deps));
 *   adminRouteTable(deps).map((r) => `${r.method} ${r.path} ${r.roles}`);
 */
import { Hono, type Context } from 'hono';
import type { AdminSession, BatchCreate, PlanInput } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import { LANGS, type Lang } from '../domain/plan-words.js';
import { LAYOUTS, renderSheet, type SheetInput, type SheetLayout } from '../print/sheet.js';
import type { Role } from '../core/ports/model.js';
import { radiusAdminRoutes } from './admin-radius.js';
import { operatorAuth, sameOrigin, sessionCookie, type OperatorSession } from './admin-auth.js';
import { clientIpOf, type HttpDeps } from './context.js';
import { pickLang } from './i18n.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminRoute {
  method: AdminMethod;
  path: string;
  /** Who may call it; 'public' only for login. */
  roles: readonly Role[] | 'public';
  /** What it does, for people reading the table. */
  does: string;
  handler: (c: Context, s: OperatorSession) => Response | Promise<Response>;
}

const ADMIN: readonly Role[] = ['admin'];
const ANY: readonly Role[] = ['admin', 'seller'];

async function body(c: Context): Promise<Record<string, unknown>> {
  if (!(c.req.header('content-type') ?? '').includes('application/json')) throw new DomainError('INVALID_INPUT', 'send JSON (Content-Type: application/json)');
  const b: unknown = await c.req.json().catch(() => null);
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new DomainError('INVALID_INPUT', 'the body must be a JSON object');
  return b as Record<string, unknown>;
}

const intParam = (v: string | undefined): number | undefined => (v && /^\d{1,15}$/.test(v) ? Number(v) : undefined);

export function adminRouteTable(deps: HttpDeps): AdminRoute[] {
  const { core, config } = deps;
  const admin = core.admin;
  const av = admin.vouchers;
  const secure = (c: Context) => new URL(c.req.url).protocol === 'https:';
  const selfOf = (s: OperatorSession) => ({ id: s.operator.id, name: s.operator.name, role: s.operator.role });
  /**
   * The language of plan words: `?lang=`, else Accept-Language (the console sends the one its operator
   * chose), else the network's first language. Any of the four, not only those offered to residents.
   */
  const langOf = (c: Context): Lang => {
    const first = (config.network.languages[0] ?? 'en') as Lang;
    return pickLang(c.req.header('accept-language'), c.req.query('lang'), [first, ...LANGS.filter((l) => l !== first)]);
  };

  /** A sheet for `vouchers` in the asked layout and language (a language the network offers). */
  const sheet = async (c: Context, vouchers: SheetInput['vouchers'], plan: SheetInput['plan'], price: number | null, leftOut = 0) => {
    const layout = (c.req.query('layout') ?? 'a4') as SheetLayout;
    if (!LAYOUTS.includes(layout)) throw new DomainError('INVALID_INPUT', `layout must be one of ${LAYOUTS.join(', ')}`);
    const settings = admin.settings();
    const lang = (settings.languages as string[]).includes(c.req.query('lang') ?? '') ? (c.req.query('lang') as Lang) : settings.languages[0]!;
    const html = await renderSheet({
      vouchers, plan, portalUrl: config.portalUrl, layout, lang, price, currency: settings.currency, leftOut,
      network: { name: settings.networkName, ssid: settings.ssid, wifiPassword: settings.wifiPassword },
    });
    // The sheet is static: no script may run in it.
    c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    return c.html(html);
  };

  return [
    {
      method: 'POST', path: '/api/admin/login', roles: 'public', does: 'sign in with name and password; sets the session cookie',
      handler: async (c) => {
        if (!sameOrigin(c.req.header('origin'), c.req.header('host'))) throw new DomainError('FORBIDDEN', 'cross-site sign-in refused');
        const b = await body(c);
        // The caller's address keys the sign-in throttle, so a guesser elsewhere cannot lock the operator out.
        const r = await core.loginOperator(typeof b.name === 'string' ? b.name : '', typeof b.password === 'string' ? b.password : '', clientIpOf(deps, c));
        c.header('Set-Cookie', sessionCookie(r.token, config.security.operatorSessionHours * 3600, secure(c)));
        return c.json({ ok: true, operator: selfOf({ operator: r.operator, csrf: r.csrf, tokenHash: '' }), csrf: r.csrf, mustChangePassword: admin.mustChangePassword(r.operator.id), currency: admin.settings().currency } satisfies AdminSession);
      },
    },
    {
      method: 'POST', path: '/api/admin/logout', roles: ANY, does: 'end this session',
      handler: (c, s) => {
        core.logoutOperator(s.tokenHash, s.operator.id);
        c.header('Set-Cookie', sessionCookie('', 0, secure(c)));
        return c.json({ ok: true });
      },
    },
    { method: 'GET', path: '/api/admin/me', roles: ANY, does: 'who am I, and the CSRF token', handler: (c, s) => c.json({ ok: true, operator: selfOf(s), csrf: s.csrf, mustChangePassword: admin.mustChangePassword(s.operator.id), currency: admin.settings().currency } satisfies AdminSession) },
    {
      method: 'POST', path: '/api/admin/password', roles: ANY, does: 'change my own password',
      handler: async (c, s) => {
        const b = await body(c);
        await admin.changePassword(s.operator, b.current, b.password, s.tokenHash);
        return c.json({ ok: true });
      },
    },
    { method: 'GET', path: '/api/admin/dashboard', roles: ADMIN, does: 'live figures: devices online, throughput, pools', handler: (c) => c.json(admin.dashboard()) },
    { method: 'GET', path: '/api/admin/plans', roles: ANY, does: 'list plans', handler: (c, s) => c.json(av.listPlans(langOf(c), s.operator)) },
    {
      method: 'PUT', path: '/api/admin/plans/:name', roles: ADMIN, does: 'create or change a plan',
      handler: async (c, s) => c.json(av.savePlan(c.req.param('name') ?? '', (await body(c)) as PlanInput, s.operator, langOf(c))),
    },
    {
      method: 'DELETE', path: '/api/admin/plans/:name', roles: ADMIN, does: 'archive a plan (vouchers keep their copy)',
      handler: (c, s) => (av.archivePlan(c.req.param('name') ?? '', s.operator), c.json({ ok: true })),
    },
    { method: 'GET', path: '/api/admin/batches', roles: ANY, does: 'list batches (sellers: their own)', handler: (c, s) => c.json(av.listBatches(s.operator, langOf(c))) },
    {
      method: 'POST', path: '/api/admin/batches', roles: ANY, does: 'create a batch of vouchers from a plan',
      handler: async (c, s) => c.json({ ok: true, ...av.createBatch((await body(c)) as unknown as BatchCreate, s.operator, langOf(c)) }, 201),
    },
    {
      method: 'DELETE', path: '/api/admin/batches/:id', roles: ANY, does: 'delete a batch none of whose codes was used (sellers: their own)',
      handler: (c, s) => c.json({ ok: true, ...av.deleteBatch(c.req.param('id') ?? '', s.operator) }),
    },
    { method: 'GET', path: '/api/admin/batches/:id', roles: ANY, does: 'one batch with its vouchers', handler: (c, s) => c.json(av.batch(c.req.param('id') ?? '', s.operator, langOf(c))) },
    {
      method: 'GET', path: '/api/admin/batches/:id/sheet', roles: ANY, does: 'printable sheet (layout=a4|letter|receipt58|receipt80)',
      handler: async (c, s) => {
        const b = av.batch(c.req.param('id') ?? '', s.operator);
        const kept = b.vouchers.filter((v) => v.status !== 'revoked');
        return sheet(c, kept.map((v) => ({ code: v.code.replace(/-/g, '') })), b.plan, b.batch.price, b.vouchers.length - kept.length);
      },
    },
    {
      method: 'GET', path: '/api/admin/bulk/sheet', roles: ANY, does: 'printable sheet of chosen vouchers (ids=a,b,…; layout, lang; sellers: their own)',
      handler: async (c, s) => {
        const ids = [...new Set((c.req.query('ids') ?? '').split(',').filter(Boolean))];
        const list = av.selectionForSheet(ids, s.operator);
        if (!list.length) throw new DomainError('CONFLICT', 'every chosen code is revoked: nothing to print');
        return sheet(c, list, list[0]!.plan, null, ids.length - list.length);
      },
    },
    {
      method: 'POST', path: '/api/admin/bulk/revoke', roles: ADMIN, does: 'revoke chosen vouchers with one reason (ids, reason)',
      handler: async (c, s) => {
        const b = await body(c);
        return c.json({ ok: true, ...(await av.revokeSelection(b.ids, b.reason, s.operator)) });
      },
    },
    {
      method: 'GET', path: '/api/admin/vouchers', roles: ANY, does: 'search and filter vouchers (q, status, batch, limit, offset)',
      handler: (c, s) => c.json(av.list(c.req.query(), s.operator, langOf(c))),
    },
    {
      method: 'GET', path: '/api/admin/vouchers.csv', roles: ANY, does: 'CSV export of the filtered vouchers',
      handler: (c, s) => {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', 'attachment; filename="vouchers.csv"');
        return c.body(av.csv(c.req.query(), s.operator, langOf(c)));
      },
    },
    {
      method: 'GET', path: '/api/admin/vouchers/:id', roles: ANY, does: 'one voucher (by id or code): its pool, top-ups, devices and history (sellers: their own)',
      handler: (c, s) => c.json(av.detail(c.req.param('id') ?? '', s.operator, langOf(c))),
    },
    {
      method: 'POST', path: '/api/admin/vouchers/:id/extend', roles: ADMIN, does: "add time and/or data to a used voucher's pool (duration, data)",
      handler: async (c, s) => {
        const b = await body(c);
        await av.extend(c.req.param('id') ?? '', { duration: b.duration as string, data: b.data as string }, s.operator);
        return c.json(av.detail(c.req.param('id') ?? '', s.operator, langOf(c)));
      },
    },
    {
      method: 'POST', path: '/api/admin/devices/:id/disconnect', roles: ADMIN, does: 'take one device off its pool (the pool keeps its time and data)',
      handler: async (c, s) => (await av.disconnect(c.req.param('id') ?? '', s.operator), c.json({ ok: true })),
    },
    {
      method: 'POST', path: '/api/admin/vouchers/:id/revoke', roles: ADMIN, does: 'revoke a voucher (by id or code) with a reason',
      handler: async (c, s) => c.json({ ok: true, voucher: await av.revoke(c.req.param('id') ?? '', (await body(c)).reason, s.operator, langOf(c)) }),
    },
    {
      method: 'GET', path: '/api/admin/sales', roles: ANY, does: 'vouchers sold (not revoked before first use) per seller and per day; from/to local days (sellers: their own)',
      handler: (c, s) => {
        const since = intParam(c.req.query('since'));
        const from = c.req.query('from') || undefined;
        const to = c.req.query('to') || undefined;
        return c.json(av.sales(s.operator, { ...(since ? { since } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) }));
      },
    },
    {
      method: 'GET', path: '/api/admin/audit', roles: ADMIN, does: 'audit log, newest first (type, before, limit)',
      handler: (c) => {
        const limit = intParam(c.req.query('limit'));
        const before = intParam(c.req.query('before'));
        const type = c.req.query('type');
        return c.json(admin.audit({ ...(type ? { type } : {}), ...(before ? { before } : {}), ...(limit ? { limit } : {}) }));
      },
    },
    { method: 'GET', path: '/api/admin/operators', roles: ADMIN, does: 'list operators', handler: (c) => c.json(admin.listOperators()) },
    {
      method: 'POST', path: '/api/admin/operators', roles: ADMIN, does: 'add an operator (name, role, password)',
      handler: async (c, s) => {
        const b = await body(c);
        return c.json(await admin.addOperator({ name: b.name, role: b.role, password: b.password }, s.operator), 201);
      },
    },
    {
      method: 'PATCH', path: '/api/admin/operators/:id', roles: ADMIN, does: "change an operator's role, disable/enable, reset password, the plans a seller may sell (plans: names or null)",
      handler: async (c, s) => c.json(await admin.updateOperator(c.req.param('id') ?? '', await body(c), s.operator)),
    },
    { method: 'GET', path: '/api/admin/settings', roles: ADMIN, does: 'network name, SSID, languages, welcome text, walled garden', handler: (c) => c.json(admin.settings()) },
    {
      method: 'PUT', path: '/api/admin/settings', roles: ADMIN, does: 'save settings',
      handler: async (c, s) => c.json(await admin.saveSettings(await body(c), s.operator)),
    },
    ...radiusAdminRoutes(deps, ADMIN),
  ];
}

/** What an operator who must change their password may still call. */
const FIRST_RUN_ROUTES = new Set(['POST /api/admin/logout', 'GET /api/admin/me', 'POST /api/admin/password']);

export function adminRoutes(deps: HttpDeps) {
  const app = new Hono();
  const auth = operatorAuth(deps.core);
  app.use('/api/admin/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  for (const r of adminRouteTable(deps)) {
    const firstRunOk = FIRST_RUN_ROUTES.has(`${r.method} ${r.path}`);
    app.on(r.method, r.path, async (c) => {
      const s = r.roles === 'public' ? ({} as OperatorSession) : auth.require(c, r.roles);
      // A handed-over password (first start, CLI reset) opens nothing but changing it.
      if (r.roles !== 'public' && !firstRunOk && deps.core.admin.mustChangePassword(s.operator.id)) {
        throw new DomainError('FORBIDDEN', 'choose your own password first: this one was handed to you (POST /api/admin/password)');
      }
      return r.handler(c, s);
    });
  }
  app.all('/api/admin/*', () => {
    throw new DomainError('NOT_FOUND', 'no such operator API route');
  });
  return app;
}
