/**
 * Portico as the login page of a UAM NAS (SPEC §9, issue 18 point 4): CoovaChilli, uspot and the MikroTik
 * Hotspot in RADIUS mode send a resident who is not logged in to Portico's portal; Portico checks the
 * code in the resident's language, then sends the browser to the NAS's own logon URL with the code
 * encoded as that NAS expects. The NAS then asks Portico's RADIUS server (src/radius), which grants the
 * slice, and redirects back here with the outcome. Every step is a plain form or a 303, so it works
 * with JavaScript off.
 *
 * - CoovaChilli (`src/redir.c` `redir_buildurl`) and uspot (`portal.uc` `uam_url`) redirect to
 *   `uamurl?res=notyet&uamip=…&uamport=…&challenge=<32 hex>&mac=…&ip=…&nasid=…&userurl=…&md=<MD5 hex>`,
 *   where `md` = MD5(the URL up to `&md=` ‖ uamsecret). Portico checks `md` with the NAS's `uamSecret`
 *   before it trusts `uamip`: otherwise any link could send a typed code to a foreign host.
 * - The hand-off is `http://uamip:uamport/logon?username=CODE&password=HEX` with
 *   HEX = hex(pad16(code) XOR MD5(challenge ‖ uamsecret)) — CoovaChilli's `redir_getreq` turns it back
 *   into the User-Password (`user_password[n] = password[n] ^ chap_challenge[n]`), uspot's `uam.password`
 *   the same way. The code is also User-Name, so PAP reveals nothing CHAP would hide.
 * - The NAS comes back with `res=success`, `res=failed` (CoovaChilli) or `res=reject` (uspot) and
 *   `reply` = our Reply-Message in the network's language, shown here in the resident's.
 * - MikroTik (docs/mikrotik/login-radius.html) passes `link-login-only`, `chap-id` and `chap-challenge`
 *   (octal escapes, as RouterOS prints them) and `dst`; the hand-off is `link-login-only?username=CODE&
 *   password=hex(MD5(chap-id ‖ CODE ‖ chap-challenge))&dst=…` (RouterOS's own login.html `hexMD5`), or
 *   the plain code when the hotspot allows only http-pap. Nothing signs a MikroTik redirect, so the login
 *   URL must be a private or link-local address or one of the NAS's `uamHosts`.
 *
 * @example
 *   app.route('/', uamRoutes(deps));   // GET/POST /uam
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { Hono, type Context } from 'hono';
import type { NasConfig } from '../config/schema.js';
import { isDomainError } from '../domain/errors.js';
import type { Lang } from '../domain/plan-words.js';
import { normalizeMac } from '../lib/net.js';
import { sameOrigin } from './admin-auth.js';
import { clientIpOf, langOf, type HttpDeps } from './context.js';
import { statusFor } from './errors.js';
import { hasMessage, LANGS, t, type MessageKey } from './i18n.js';
import { esc, layout } from './pages.js';

const md5 = (...parts: (Buffer | string)[]) => parts.reduce((h, p) => h.update(p), createHash('md5')).digest();

/** CoovaChilli/uspot PAP hand-off: hex(pad16(password) XOR MD5(challenge ‖ uamsecret)). */
export function chilliPassword(password: string, challengeHex: string, uamSecret: string): string {
  const key = md5(Buffer.from(challengeHex, 'hex'), uamSecret);
  const pw = Buffer.alloc(16);
  Buffer.from(password, 'utf8').copy(pw, 0, 0, 16);
  return Buffer.from(pw.map((b, i) => b ^ key[i]!)).toString('hex');
}

/** CoovaChilli CHAP hand-off (`response=`): hex MD5(ident ‖ password ‖ MD5(challenge ‖ uamsecret)). */
export function chilliChapResponse(password: string, challengeHex: string, uamSecret: string, ident = 0): string {
  return md5(Buffer.from([ident]), password, md5(Buffer.from(challengeHex, 'hex'), uamSecret)).toString('hex');
}

/** RouterOS prints `$(chap-id)`/`$(chap-challenge)` as octal escapes (`\357\033…`) for a JavaScript string. */
export function unescapeOctal(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const m = s[i] === '\\' ? /^[0-7]{1,3}/.exec(s.slice(i + 1)) : null;
    if (m) {
      out.push(parseInt(m[0], 8) & 0xff);
      i += m[0].length;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** MikroTik CHAP hand-off: hex MD5(chap-id ‖ password ‖ chap-challenge), as its login.html computes it. */
export function mikrotikChapPassword(password: string, chapId: string, chapChallenge: string): string {
  return md5(unescapeOctal(chapId), password, unescapeOctal(chapChallenge)).toString('hex');
}

/** Whether `pathAndQuery` carries a valid `md` for one of the origins the NAS may have written (CoovaChilli, uspot). */
export function verifyUamSignature(pathAndQuery: string, origins: readonly string[], uamSecret: string): boolean {
  const at = pathAndQuery.lastIndexOf('&md=');
  if (at < 0) return false;
  const given = Buffer.from(pathAndQuery.slice(at + 4).split('&')[0]!.toUpperCase(), 'utf8');
  return origins.some((o) => {
    const want = Buffer.from(md5(o + pathAndQuery.slice(0, at), uamSecret).toString('hex').toUpperCase(), 'utf8');
    return want.length === given.length && timingSafeEqual(want, given);
  });
}

/** Private, CGNAT, link-local and loopback IPv4/IPv6: where a hotspot's own login page lives. */
export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b < 128);
  }
  return isIP(h) === 6 && /^(fe[89ab]|f[cd]|::1$)/i.test(h);
}

const TEXT: Record<Lang, { badLink: string; loggedOff: string; continueTo: string; already: string }> = {
  en: { badLink: 'This login link did not come from the Wi-Fi hotspot. Turn Wi-Fi off and on, then try again.', loggedOff: 'You are logged out.', continueTo: 'Continue', already: 'You are already online.' },
  es: { badLink: 'Este enlace de acceso no viene del punto Wi-Fi. Apaga y enciende el Wi-Fi e inténtalo de nuevo.', loggedOff: 'Cerraste la sesión.', continueTo: 'Continuar', already: 'Ya estás conectado.' },
  pt: { badLink: 'Este link de acesso não veio do ponto Wi-Fi. Desligue e ligue o Wi-Fi e tente de novo.', loggedOff: 'Você saiu.', continueTo: 'Continuar', already: 'Você já está conectado.' },
  fr: { badLink: "Ce lien de connexion ne vient pas du point Wi-Fi. Coupez et rallumez le Wi-Fi, puis réessayez.", loggedOff: 'Vous êtes déconnecté.', continueTo: 'Continuer', already: 'Vous êtes déjà connecté.' },
};

/** Refusals whose Reply-Message (access.ts, in the network's language) the page turns back into the resident's. */
const REFUSALS: readonly MessageKey[] = ['CODE_MALFORMED', 'CODE_CHECK_FAILED', 'VOUCHER_UNKNOWN', 'VOUCHER_REVOKED', 'VOUCHER_EXPIRED', 'VOUCHER_EXHAUSTED', 'DEVICE_LIMIT', 'TOO_MANY_ATTEMPTS', 'STORAGE_FAILED'];

function refusalOf(reply: string): { key: MessageKey; s: number } | null {
  for (const key of REFUSALS) {
    for (const l of LANGS) {
      const parts = t(l, key, { s: '\u0000' }).split('\u0000').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      const m = new RegExp(`^${parts.join('(\\d+)')}$`).exec(reply.trim());
      if (m) return { key, s: Number(m[1] ?? 0) };
    }
  }
  return null;
}

type Kind = 'chilli' | 'mikrotik';
interface Redirect {
  kind: Kind;
  nas: NasConfig;
  /** The query as the NAS sent it (CoovaChilli/uspot: signed), carried through the form. */
  raw: string;
  q: URLSearchParams;
}

export function uamRoutes(deps: HttpDeps) {
  const app = new Hono();
  const radius = deps.config.radius.server;
  const origins = (c: Context) => {
    const host = c.req.header('host') ?? '';
    return [...new Set([new URL(c.req.url).origin, `http://${host}`, `https://${host}`, new URL(deps.config.portalUrl).origin])];
  };

  /** The NAS a redirect names (`nasid` = its name in Portico), else the only NAS of that kind. */
  function nasFor(kind: Kind, q: URLSearchParams): NasConfig | undefined {
    const fits = radius.nas.filter((n) => (kind === 'mikrotik' ? n.profile === 'mikrotik' : !!n.uamSecret));
    const named = q.get('nasid');
    return (named ? fits.find((n) => n.name === named) : undefined) ?? (fits.length === 1 ? fits[0] : undefined);
  }

  /** Parses and authenticates a NAS redirect; null when it cannot be trusted. */
  function redirectOf(c: Context, raw: string): Redirect | null {
    const q = new URLSearchParams(raw);
    const kind: Kind = q.has('link-login-only') ? 'mikrotik' : 'chilli';
    const nas = nasFor(kind, q);
    if (!nas) return null;
    if (kind === 'chilli') {
      const okTarget = isIP(q.get('uamip') ?? '') === 4 && /^\d{1,5}$/.test(q.get('uamport') ?? '') && /^[0-9a-f]{32}$/i.test(q.get('challenge') ?? '');
      return okTarget && verifyUamSignature(`${new URL(c.req.url).pathname}?${raw}`, origins(c), nas.uamSecret!) ? { kind, nas, raw, q } : null;
    }
    let login: URL;
    try {
      login = new URL(q.get('link-login-only') ?? '');
    } catch {
      return null;
    }
    const host = login.hostname.toLowerCase();
    const allowed = isPrivateHost(host) || (nas.uamHosts ?? []).some((h) => h.toLowerCase() === host) || nas.address === host;
    return (login.protocol === 'http:' || login.protocol === 'https:') && allowed ? { kind, nas, raw, q } : null;
  }

  function page(c: Context, lang: Lang, body: string, status: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 503 = 200) {
    c.header('Cache-Control', 'no-store');
    const s = deps.core.admin.settings();
    return c.html(layout({ lang, languages: s.languages, networkName: s.networkName, title: t(lang, 'title'), body }), status);
  }

  function loginForm(lang: Lang, raw: string, error?: string, code = ''): string {
    return `<h1>${esc(t(lang, 'title'))}</h1>` + (error ? `<p class="err" role="alert" id="err">${esc(error)}</p>` : '') +
      `<form method="post" action="/uam" class="card"><input type="hidden" name="nasq" value="${esc(raw)}">` +
      `<label for="code">${esc(t(lang, 'codeLabel'))}</label>` +
      `<input type="text" id="code" name="code" value="${esc(code)}" autocomplete="one-time-code" autocapitalize="characters" autocorrect="off" spellcheck="false" maxlength="40" required placeholder="K7QM-4XPA-9TR" autofocus>` +
      `<button type="submit">${esc(t(lang, 'submit'))}</button></form>`;
  }

  const onward = (lang: Lang, url: string | null) =>
    url && /^https?:\/\//i.test(url) ? `<p><a href="${esc(url)}">${esc(TEXT[lang].continueTo)}</a></p>` : '';

  app.get('/uam', (c) => {
    const lang = langOf(deps, c);
    const url = c.req.url;
    const raw = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    const r = redirectOf(c, raw);
    if (!r) return page(c, lang, `<p class="err" role="alert">${esc(TEXT[lang].badLink)}</p>`, 403);
    const res = r.q.get('res') ?? 'notyet';
    const userurl = r.q.get('userurl') ?? r.q.get('dst');
    if (res === 'success') return page(c, lang, `<h1 class="ok">${esc(t(lang, 'connected'))}</h1>${onward(lang, userurl)}`);
    if (res === 'already') return page(c, lang, `<h1 class="ok">${esc(TEXT[lang].already)}</h1>${onward(lang, userurl)}`);
    if (res === 'failed' || res === 'reject' || r.q.has('error')) {
      const reply = r.q.get('reply') ?? r.q.get('error') ?? '';
      const refusal = refusalOf(reply);
      return page(c, lang, loginForm(lang, raw, refusal ? t(lang, refusal.key, { s: refusal.s }) : t(lang, 'VOUCHER_UNKNOWN')));
    }
    return page(c, lang, (res === 'logoff' ? `<p>${esc(TEXT[lang].loggedOff)}</p>` : '') + loginForm(lang, raw));
  });

  app.post('/uam', async (c) => {
    const lang = langOf(deps, c);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const field = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const r = sameOrigin(c.req.header('origin'), c.req.header('host')) ? redirectOf(c, field('nasq')) : null;
    if (!r) return page(c, lang, `<p class="err" role="alert">${esc(TEXT[lang].badLink)}</p>`, 403);
    const typed = field('code').slice(0, 40);
    let code: string;
    try {
      // A signed CoovaChilli/uspot redirect vouches for ip; a MikroTik one does not, so its throttle prefix is the TCP peer's.
      const signed = r.kind === 'chilli';
      code = deps.core.radius.checkCode({
        nas: r.nas.name, code: typed, mac: normalizeMac(r.q.get('mac') ?? ''),
        ip: signed && isIP(r.q.get('ip') ?? '') ? r.q.get('ip')! : clientIpOf(deps, c), interimSec: radius.interimIntervalSec,
      }).code;
    } catch (err) {
      if (!isDomainError(err)) throw err;
      const retryAfter = typeof err.details.retryAfter === 'number' ? err.details.retryAfter : 0;
      if (retryAfter) c.header('Retry-After', String(retryAfter));
      const message = hasMessage(err.code) ? t(lang, err.code, { s: retryAfter }) : err.message;
      return page(c, lang, loginForm(lang, r.raw, message, typed), statusFor(err.code));
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(handOff(r, code), 303);
  });

  return app;
}

/** The NAS's logon URL with the code encoded as it expects (module comment). */
export function handOff(r: Pick<Redirect, 'kind' | 'nas' | 'q'>, code: string): string {
  const { q } = r;
  if (r.kind === 'chilli') {
    const p = new URLSearchParams({ username: code, password: chilliPassword(code, q.get('challenge')!, r.nas.uamSecret!) });
    const userurl = q.get('userurl');
    if (userurl) p.set('userurl', userurl);
    return `http://${q.get('uamip')}:${Number(q.get('uamport'))}/logon?${p}`;
  }
  const login = new URL(q.get('link-login-only')!);
  const chapId = q.get('chap-id');
  const chapChallenge = q.get('chap-challenge');
  login.searchParams.set('username', code);
  login.searchParams.set('password', chapId && chapChallenge ? mikrotikChapPassword(code, chapId, chapChallenge) : code);
  const dst = q.get('dst');
  if (dst && /^https?:\/\//i.test(dst)) login.searchParams.set('dst', dst);
  login.searchParams.set('popup', 'true');
  return login.toString();
}
