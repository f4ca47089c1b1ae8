/**
 * The resident routes (SPEC §5): the portal page, login, status, logout, "add a code". Thin handlers:
 * parse the form, call one core function, map the result. HTML by default; `Accept: application/json`
 * gets the JSON envelope instead.
 *
 * Success is a `303 → /status` full navigation, sent only after the gateway has the device (E1/E2).
 */
import { Hono, type Context } from 'hono';
import type { LoginOk } from '../api/contract.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { ClientHint } from '../core/ports/driver.js';
import { normalizeMac } from '../lib/net.js';
import { bodyText, clientIpOf, langOf as langOfRequest, sessionState, type HttpDeps } from './context.js';
import { errorEnvelope, statusFor } from './errors.js';
import { sameOrigin } from './admin-auth.js';
import { pickText } from '../core/portal-texts.js';
import { hasMessage, t, type Lang } from './i18n.js';
import { ui } from './ui-text.js';
import { loginPage, statusPage, type Chrome } from './pages.js';

/** What a ticked checkbox or a JSON client sends for "I accept". */
const ACCEPTED: ReadonlySet<string> = new Set(['1', 'on', 'true', 'yes']);

const wantsJson = (c: Context) => /application\/json/.test(c.req.header('accept') ?? '');

function noStore(c: Context, lang?: Lang) {
  c.header('Cache-Control', 'no-store');
  if (lang && c.req.query('lang')) c.header('Set-Cookie', `lang=${lang}; Path=/; SameSite=Lax; Max-Age=31536000`);
}

/** MikroTik's login page passes `mac` (and we add `site`) as query parameters: hints, not identity. */
function hintOf(get: (k: string) => string | undefined): ClientHint | undefined {
  const mac = normalizeMac(get('mac') ?? '');
  const site = get('site');
  if (!mac && !site) return undefined;
  return { ...(mac ? { mac } : {}), ...(site && /^[\w.\-]{1,64}$/.test(site) ? { site } : {}) };
}

function hiddenHint(h: ClientHint | undefined): Record<string, string> {
  return { ...(h?.mac ? { mac: h.mac } : {}), ...(h?.site ? { site: h.site } : {}) };
}

async function form(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const body: unknown = await bodyText(c).then((s): unknown => JSON.parse(s)).catch(() => null);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new DomainError('INVALID_INPUT', 'body must be a JSON object');
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '']));
  }
  if (type.includes('application/x-www-form-urlencoded')) {
    const text = await bodyText(c).catch(() => {
      throw new DomainError('INVALID_INPUT', 'the form could not be read');
    });
    // Last value wins for a repeated field, as parseBody() has it.
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (type.includes('multipart/form-data')) {
    const body = await c.req.parseBody().catch(() => {
      throw new DomainError('INVALID_INPUT', 'the form could not be read');
    });
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
  }
  // No content type and no body (curl -X POST, a bare fetch): an empty form, as a browser would send it.
  // A body without a type cannot be read as anything, so it is still refused.
  // A body the client aborts mid-way (a reset) is unreadable input, not a server error.
  const text = type ? null : await c.req.text().catch(() => {
    throw new DomainError('INVALID_INPUT', 'the form could not be read');
  });
  if (text === '') return {};
  throw new DomainError('INVALID_INPUT', 'send the form as application/x-www-form-urlencoded or JSON');
}

/**
 * Resident POSTs must come from the portal's own pages (attack report D10): otherwise any site a resident
 * visits could post a hidden form that logs the household out or spends a code. A foreign `Origin`, or
 * `Origin: null` (sandboxed frames, cross-origin redirects), or `Sec-Fetch-Site: cross-site` is refused.
 * Captive-sheet browsers that send neither header, and curl, still work.
 */
function assertSameSite(c: Context): void {
  const origin = c.req.header('origin');
  const fetchSite = c.req.header('sec-fetch-site');
  if (!sameOrigin(origin, c.req.header('host')) || fetchSite === 'cross-site' || fetchSite === 'same-site') {
    throw new DomainError('FORBIDDEN', 'cross-site request refused');
  }
}

export function portalRoutes(deps: HttpDeps) {
  const app = new Hono();
  const { core } = deps;
  // Operator settings (network name, languages, welcome text) win over the config file.
  const settings = () => core.admin.settings();
  /** The operator's welcome and terms of use in `lang` (terms: in any language they exist in, rather than none). */
  const texts = (lang: Lang): { welcome?: string; terms?: string } => {
    const s = settings();
    const welcome = pickText(s.welcome, s.welcomeByLang, lang);
    const terms = pickText(s.terms, s.termsByLang, lang) || Object.values(s.termsByLang)[0] || '';
    return { ...(welcome ? { welcome } : {}), ...(terms ? { terms } : {}) };
  };
  const langOf = (c: Context): Lang => langOfRequest(deps, c);
  const chrome = (lang: Lang, keep?: Record<string, string>): Chrome => {
    const s = settings();
    const notice = pickText(s.notice, s.noticeByLang, lang);
    return { lang, languages: s.languages, networkName: s.networkName, timeZone: deps.config.network.timeZone, ...(notice ? { notice } : {}), ...(keep ? { keep } : {}) };
  };

  function errorResponse(c: Context, err: unknown, lang: Lang, page: (message: string, offerReplace: boolean) => string) {
    if (!isDomainError(err)) throw err;
    const status = statusFor(err.code);
    const retryAfter = typeof err.details.retryAfter === 'number' ? err.details.retryAfter : undefined;
    if (retryAfter !== undefined && status === 429) c.header('Retry-After', String(retryAfter));
    // A central RADIUS server's own Reply-Message (issue 12) is what the resident should read; else our sentence.
    const server = typeof err.details.serverMessage === 'string' ? err.details.serverMessage : null;
    const message = err.details.field === 'accept' ? ui(lang, 'termsRequired') : server ?? (hasMessage(err.code) ? t(lang, err.code, { s: retryAfter ?? 0 }) : err.message);
    if (wantsJson(c)) {
      return c.json(errorEnvelope(err, message), status);
    }
    return c.html(page(message, err.code === 'DEVICE_LIMIT'), status);
  }

  app.get('/', async (c) => {
    const lang = langOf(c);
    noStore(c, lang);
    const hint = hintOf((k) => c.req.query(k));
    const status = await core.deviceStatus(clientIpOf(deps, c), hint);
    if (status.authorized) {
      const session = sessionState(status, lang);
      if (session.authorized) return c.html(statusPage({ ...chrome(lang), session }));
    }
    const code = (c.req.query('code') ?? '').slice(0, 40);
    const ended = !status.authorized ? status.ended?.reason : undefined;
    return c.html(loginPage({ ...chrome(lang, { ...(code ? { code } : {}), ...hiddenHint(hint) }), ...texts(lang), code, hidden: hiddenHint(hint), ...(ended ? { ended } : {}) }));
  });

  app.post('/login', async (c) => {
    const lang = langOf(c);
    noStore(c);
    let fields: Record<string, string> = {};
    try {
      assertSameSite(c);
      fields = await form(c);
      const hint = hintOf((k) => fields[k]);
      // Terms of use, when the operator set them, are accepted before any code is looked at: the box is
      // `required` in the form, and this holds for forms posted without it (JS off, old browsers, curl).
      if (texts(lang).terms && !ACCEPTED.has((fields.accept ?? '').toLowerCase())) {
        throw new DomainError('INVALID_INPUT', 'accept the terms of use first', { field: 'accept' });
      }
      const done = await core.login({ ip: clientIpOf(deps, c), code: fields.code ?? '', replace: fields.replace === '1', ...(hint ? { hint } : {}) });
      if (wantsJson(c)) {
        const body: LoginOk = { ok: true, session: sessionState(done.status, lang) };
        return c.json(body, 200);
      }
      return c.redirect('/status', 303);
    } catch (err) {
      const hint = hintOf((k) => fields[k]);
      return errorResponse(c, err, lang, (message, offerReplace) =>
        loginPage({ ...chrome(lang), ...texts(lang), code: (fields.code ?? '').slice(0, 40), error: message, offerReplace, hidden: hiddenHint(hint), accepted: ACCEPTED.has((fields.accept ?? '').toLowerCase()) }),
      );
    }
  });

  app.get('/status', async (c) => {
    const lang = langOf(c);
    noStore(c, lang);
    const status = await core.deviceStatus(clientIpOf(deps, c));
    const session = sessionState(status, lang);
    if (wantsJson(c)) return c.json(session);
    if (!session.authorized) return c.redirect('/', 303);
    return c.html(statusPage({ ...chrome(lang), session, added: c.req.query('added') === '1' }));
  });

  app.post('/logout', async (c) => {
    const lang = langOf(c);
    noStore(c);
    try {
      assertSameSite(c);
      const fields = await form(c);
      const n = await core.logout({ ip: clientIpOf(deps, c), all: fields.all === '1', ...(fields.device ? { deviceId: fields.device } : {}) });
      if (wantsJson(c)) return c.json({ ok: true, loggedOut: n });
      return c.redirect(fields.device ? '/status' : '/', 303);
    } catch (err) {
      return errorResponse(c, err, lang, (message) => loginPage({ ...chrome(lang), ...texts(lang), error: message }));
    }
  });

  app.post('/topup', async (c) => {
    const lang = langOf(c);
    noStore(c);
    try {
      assertSameSite(c);
      const fields = await form(c);
      const done = await core.topUp({ ip: clientIpOf(deps, c), code: fields.code ?? '' });
      if (wantsJson(c)) return c.json({ ok: true, session: sessionState(done.status, lang) });
      return c.redirect('/status?added=1', 303);
    } catch (err) {
      const status = await core.deviceStatus(clientIpOf(deps, c));
      const session = sessionState(status, lang);
      return errorResponse(c, err, lang, (message) =>
        session.authorized
          ? statusPage({ ...chrome(lang), session, error: message })
          : loginPage({ ...chrome(lang), ...texts(lang), error: message }),
      );
    }
  });

  return app;
}
