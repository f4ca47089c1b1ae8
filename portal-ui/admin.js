// @ts-check
/**
 * The operator console: a small single-page app over the JSON API under /api/admin/ and the
 * `operator/*` WebSocket topics. No framework and no build: one module, hash routes, DOM built with a
 * tiny `h()` helper (text is always set as text, never parsed as HTML). Types come from the one wire
 * contract, src/api/contract.ts, checked by `tsc -p portal-ui`.
 *
 * Four languages: the words are in admin-en.js (always loaded, the fallback) and admin-es/pt/fr.js (only
 * the chosen one is fetched). The choice is the operator's from the header, kept in localStorage, else
 * the first of navigator.languages we have. Numbers and dates go through Intl in that language; the API
 * is asked for plan words in it (Accept-Language) and print sheets get `lang=`.
 *
 * @typedef {import('../src/api/contract.js').AdminSession} AdminSession
 * @typedef {import('../src/api/contract.js').OperatorSelf} OperatorSelf
 * @typedef {import('../src/api/contract.js').PlanView} PlanView
 * @typedef {import('../src/api/contract.js').BatchView} BatchView
 * @typedef {import('../src/api/contract.js').BatchCreated} BatchCreated
 * @typedef {import('../src/api/contract.js').VoucherList} VoucherList
 * @typedef {import('../src/api/contract.js').VoucherView} VoucherView
 * @typedef {import('../src/api/contract.js').SalesView} SalesView
 * @typedef {import('../src/api/contract.js').AuditEvent} AuditEvent
 * @typedef {import('../src/api/contract.js').OperatorView} OperatorView
 * @typedef {import('../src/api/contract.js').SettingsView} SettingsView
 * @typedef {import('../src/api/contract.js').OperatorSessions} OperatorSessions
 * @typedef {import('../src/api/contract.js').WsMessage} WsMessage
 */

import { EN } from './admin-en.js';

/** @typedef {import('./admin-en.js').TextKey} TextKey @typedef {import('./admin-en.js').ConsoleText} ConsoleText */

/** @type {typeof import('../src/api/contract.js').WS_CLOSE} */
const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, tooSlow: 4408, badRequest: 4400 };
const LAYOUTS = [['a4', 'A4'], ['letter', ''], ['receipt58', '58 mm'], ['receipt80', '80 mm']];
const LANG_NAMES = { en: 'English', es: 'Español', pt: 'Português', fr: 'Français' };
/** @type {Record<string, () => Promise<{ default: ConsoleText }>>} */
const LOAD = { es: () => import('./admin-es.js'), pt: () => import('./admin-pt.js'), fr: () => import('./admin-fr.js') };
const LANG_KEY = 'portico.console.lang';
const STATUSES = ['unused', 'active', 'exhausted', 'expired', 'revoked'];

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {OperatorSelf | null} */
let me = null;
let csrf = '';
/** @type {WebSocket | null} */
let socket = null;
let lang = 'en';
/** @type {ConsoleText} */
let text = EN;

// ---------------------------------------------------------------------------------------------------
// language

/** The saved choice, else the first of the browser's languages we have, else English. */
function preferredLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {} // storage can be off (private mode, policies): the browser's languages still apply
  const tags = [saved, ...(navigator.languages ?? [navigator.language])];
  return tags.map((l) => (l ?? '').toLowerCase().split('-')[0]).find((l) => l in LANG_NAMES) ?? 'en';
}

/** @param {string} l @param {boolean} [remember] */
async function setLang(l, remember = false) {
  text = l in LOAD ? (await LOAD[l]()).default : EN;
  lang = l in LANG_NAMES ? l : 'en';
  document.documentElement.lang = lang;
  document.title = t('title');
  if (remember) try { localStorage.setItem(LANG_KEY, lang); } catch {}
}

/**
 * A sentence in the chosen language with `{name}` filled in; `one|other` forms are picked by `count`.
 * @param {TextKey} key @param {Record<string, string | number>} [vars] @param {number} [count]
 */
function t(key, vars = {}, count) {
  let s = text[key] ?? EN[key];
  if (count !== undefined && s.includes('|')) {
    const [one = s, other = s] = s.split('|');
    s = new Intl.PluralRules(lang).select(count) === 'one' ? one : other;
  }
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

/** The language switcher, in the header and on the sign-in card. */
const langPicker = () => h('select', {
  class: 'lang', 'aria-label': t('language'),
  onchange: (/** @type {Event} */ e) => act(async () => { await setLang(/** @type {HTMLSelectElement} */ (e.target).value, true); await render(); }),
}, Object.entries(LANG_NAMES).map(([code, name]) => h('option', { value: code, lang: code, selected: code === lang }, name)));

// ---------------------------------------------------------------------------------------------------
// helpers

/**
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string)[])} children
 * @returns {HTMLElement}
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k in el && typeof v !== 'string') /** @type {any} */ (el)[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** @param {number} n @param {Intl.NumberFormatOptions} [o] */
const num = (n, o) => new Intl.NumberFormat(lang, o).format(n);
/** @param {number} n */
const trim = (n) => num(n, { maximumFractionDigits: n >= 100 ? 0 : n >= 10 ? 1 : 2 });
/** @param {number} b */
const bytes = (b) => (b >= 1e9 ? `${trim(b / 1e9)} GB` : b >= 1e6 ? `${trim(b / 1e6)} MB` : b >= 1e3 ? `${trim(b / 1e3)} kB` : `${b} B`);
/** @param {number} r */
const rate = (r) => (r >= 1e6 ? `${trim(r / 1e6)} Mbit/s` : `${trim(r / 1e3)} kbit/s`);
/** @param {number | null} s */
const dur = (s) => {
  if (s === null) return '—';
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  /** @param {number} n @param {string} unit */
  const u = (n, unit) => num(n, { style: 'unit', unit, unitDisplay: 'narrow' });
  return d > 0 ? `${u(d, 'day')} ${u(hh, 'hour')}` : hh > 0 ? `${u(hh, 'hour')} ${u(m, 'minute')}` : `${u(m, 'minute')} ${u(Math.floor(s % 60), 'second')}`;
};
/** @param {number | null | undefined} ms */
const when = (ms) => (ms ? new Date(ms).toLocaleString(lang) : '');
/** @param {string} day YYYY-MM-DD */
const dayOf = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'medium' });
/** @param {number | null} n */
const money = (n) => (n === null ? '—' : num(n, { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 }));

class ApiError extends Error {
  /** @param {string} message @param {string} code @param {number} status */
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
async function api(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', 'accept-language': lang };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrf;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const data = (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null;
  if (!res.ok) {
    // A session that ended while the console was open (signed out elsewhere, disabled): back to sign-in.
    if (res.status === 401 && me && !path.endsWith('/login')) {
      me = null;
      render();
    }
    throw new ApiError(errorText(method, path, data), data?.code ?? 'HTTP', res.status);
  }
  return data;
}

/** Codes whose sentence does not depend on the action. */
/** @type {Record<string, TextKey>} */
const CODE_TEXT = { NOT_FOUND: 'errNotFound', GATEWAY_UNAVAILABLE: 'errGateway', STORAGE_FAILED: 'errStorage', TOO_MANY_ATTEMPTS: 'errWait', INTERNAL: 'errOther' };
/**
 * INVALID_INPUT messages name their field first ("count must be…", "password must be…") and unit
 * parse errors name the unit ("… is not a duration"): that picks the sentence.
 * @type {[RegExp, TextKey][]}
 */
const FIELD_TEXT = [
  [/^count /, 'errCount'], [/^price /, 'errPrice'], [/^devices /, 'errDevices'], [/^note /, 'errNote'], [/^reason /, 'errReason'], [/^password /, 'errPassword'],
  [/^operator name/, 'errOpName'], [/^plan name/, 'errPlanName'], [/^no plan named/, 'errNoPlan'], [/^networkName /, 'errNetName'], [/^ssid /, 'errSsid'],
  [/^welcome /, 'errWelcome'], [/^languages/, 'errLangs'], [/^walled garden/, 'errGarden'],
  [/^duration |\bduration\b/, 'errDuration'], [/^data |\bsize\b/, 'errData'], [/^(down|up) |\brate\b/, 'errSpeed'],
];

/** @type {Record<string, TextKey>} the envelope's `field` → its sentence (`name` depends on the page) */
const FIELD_KEY = {
  count: 'errCount', price: 'errPrice', devices: 'errDevices', note: 'errNote', reason: 'errReason', password: 'errPassword',
  plan: 'errNoPlan', networkName: 'errNetName', ssid: 'errSsid', welcome: 'errWelcome', languages: 'errLangs', walledGarden: 'errGarden',
  duration: 'errDuration', durationSec: 'errDuration', data: 'errData', dataBytes: 'errData', down: 'errSpeed', up: 'errSpeed', downBps: 'errSpeed', upBps: 'errSpeed',
};
/** @param {string} field @param {string} path @returns {TextKey | undefined} */
function fieldKey(field, path) {
  if (field === 'name') return path.includes('/plans') ? 'errPlanName' : path.includes('/operators') ? 'errOpName' : undefined;
  return FIELD_KEY[field];
}

/**
 * The API's `{ok: false, code, message}` as a sentence in the console's language; the server's own
 * (English) message when the code is not one we know.
 * @param {string} method @param {string} path @param {{ code?: string, message?: string, retryAfter?: number, field?: string } | null} data
 */
function errorText(method, path, data) {
  const code = data?.code ?? '', m = data?.message ?? '';
  /** @type {TextKey | undefined} */
  let key = CODE_TEXT[code];
  if (code === 'UNAUTHENTICATED') key = path.endsWith('/login') ? 'errLogin' : 'errSession';
  // The sign-in throttle holds a name+address, not "wrong codes": say what is being waited out (D6).
  else if (code === 'TOO_MANY_ATTEMPTS' && path.endsWith('/login')) key = 'errSignInWait';
  else if (code === 'FORBIDDEN') key = m.includes('CSRF') ? 'errCsrf' : path.endsWith('/password') ? 'errCurrentPw' : path.endsWith('/login') ? undefined : 'errRole';
  else if (code === 'CONFLICT') key = path.endsWith('/revoke') ? 'errRevoked' : method === 'POST' ? 'errOpExists' : method === 'PATCH' ? 'errSelf' : undefined;
  else if (code === 'INVALID_INPUT') key = (data?.field && fieldKey(data.field, path)) || FIELD_TEXT.find(([re]) => re.test(m))?.[1];
  return key ? t(key, { s: data?.retryAfter ?? '' }) : m || t('errOther');
}

/**
 * A form's fields as strings. A price typed with a decimal comma (2,50: how most operators write it in
 * es, pt and fr) is sent with the point the API reads.
 * @param {HTMLFormElement} form
 */
const fields = (form) => /** @type {Record<string, string>} */ (Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, k === 'price' ? String(v).trim().replace(/^(\d+),(\d+)$/, '$1.$2') : String(v)])));

/** @param {string} text @param {'info' | 'error'} [kind] */
function flash(text, kind = 'info') {
  const box = document.getElementById('msg');
  if (!box) return;
  box.replaceChildren(h('div', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text));
}

/**
 * Runs an action from a form or button: shows its error in the message box instead of failing silently.
 * @param {() => Promise<unknown>} fn
 */
async function act(fn) {
  try {
    await fn();
  } catch (err) {
    flash(err instanceof Error ? err.message : String(err), 'error');
  }
}

/** @param {string} status */
const pill = (status) => h('span', { class: `pill ${status}` }, t(/** @type {TextKey} */ (status)));

// ---------------------------------------------------------------------------------------------------
// shell, routes, live socket

const ROUTES = /** @type {const} */ ([
  ['dashboard', ['admin']],
  ['batch', ['admin', 'seller']],
  ['vouchers', ['admin', 'seller']],
  ['plans', ['admin']],
  ['sales', ['admin', 'seller']],
  ['operators', ['admin']],
  ['audit', ['admin']],
  ['settings', ['admin']],
  ['account', ['admin', 'seller']],
]);

function route() {
  const [name = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const allowed = ROUTES.filter((r) => me && /** @type {readonly string[]} */ (r[1]).includes(me.role));
  const current = allowed.find((r) => r[0] === name) ?? allowed[0];
  return { name: current?.[0] ?? 'account', params: new URLSearchParams(query), allowed };
}

/** @param {string} topics @param {(m: WsMessage) => void} onMessage */
function live(topics, onMessage) {
  closeLive();
  let backoff = 1000;
  const open = () => {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?topics=${topics}`);
    socket = ws;
    ws.onmessage = (ev) => onMessage(JSON.parse(String(ev.data)));
    ws.onopen = () => (backoff = 1000);
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      if (ev.code === WS_CLOSE.unauthenticated) {
        me = null;
        render();
        return;
      }
      setTimeout(() => socket === ws && open(), backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  };
  open();
}
function closeLive() {
  const ws = socket;
  socket = null;
  ws?.close();
}

async function render() {
  closeLive();
  if (!me) {
    try {
      const s = /** @type {AdminSession} */ (await api('GET', '/api/admin/me'));
      me = s.operator;
      csrf = s.csrf;
    } catch {
      return renderLogin();
    }
  }
  const r = route();
  const op = /** @type {OperatorSelf} */ (me);
  const nav = h('nav', { 'aria-label': t('consoleNav') }, r.allowed.map(([name]) => h('a', { href: `#/${name}`, 'aria-current': name === r.name ? 'page' : null }, t(name))));
  const main = h('main', {}, h('div', { id: 'msg', 'aria-live': 'polite' }));
  root.replaceChildren(h('header', { class: 'top' }, h('strong', {}, 'Portico'), nav, h('span', { class: 'who' }, `${op.name} (${t(op.role)})`), langPicker()), main);
  const view = VIEWS[/** @type {keyof typeof VIEWS} */ (r.name)] ?? VIEWS.account;
  await act(() => view(main, r.params));
}

function renderLogin() {
  const form = h('form', {
    class: 'card login',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const s = /** @type {AdminSession} */ (await api('POST', '/api/admin/login', fields(/** @type {HTMLFormElement} */ (e.target))));
        me = s.operator;
        csrf = s.csrf;
        location.hash = me.role === 'admin' ? '#/dashboard' : '#/batch';
        render();
      });
    },
  },
    h('div', { class: 'inline' }, h('h1', {}, t('title')), langPicker()),
    h('div', { id: 'msg', 'aria-live': 'polite' }),
    h('label', { for: 'name' }, t('name')), h('input', { id: 'name', name: 'name', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, t('password')), h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('p', {}, h('button', { type: 'submit' }, t('signIn'))),
  );
  root.replaceChildren(form);
}

window.addEventListener('hashchange', () => render());

// ---------------------------------------------------------------------------------------------------
// views

/** @param {BatchView} b */
const printLinks = (b) =>
  h('span', { class: 'inline' }, LAYOUTS.map(([layout, label]) => h('a', { class: 'button alt', href: `/api/admin/batches/${encodeURIComponent(b.id)}/sheet?layout=${layout}&lang=${lang}`, target: '_blank', rel: 'noopener', 'data-layout': layout }, t('print', { layout: label || t('letter') }))));

/** @type {Record<string, (main: HTMLElement, params: URLSearchParams) => Promise<void>>} */
const VIEWS = {
  async dashboard(main) {
    const d = /** @type {OperatorSessions} */ (await api('GET', '/api/admin/dashboard'));
    const figure = (/** @type {string} */ id, /** @type {string} */ label) => h('div', { class: 'card' }, h('h2', {}, label), h('div', { class: 'big', id }));
    const pools = h('tbody');
    const events = h('ul', { class: 'events', id: 'events' });
    main.append(
      h('h1', {}, t('dashboard')),
      h('div', { class: 'grid' }, figure('online', t('devicesOnline')), figure('rate', t('throughput')), figure('today', t('todayTraffic')), figure('gw', t('gateway')), figure('unused', t('unusedVouchers'))),
      h('div', { class: 'card' }, h('h2', {}, t('onlineNow')), h('div', { class: 'scroll' }, h('table', {}, head(['pool', 'status', 'timeLeft', 'dataLeft', 'down', 'up', 'devices']), pools))),
      h('div', { class: 'card' }, h('h2', {}, t('latestEvents')), events),
    );
    /** @param {OperatorSessions} s */
    const show = (s) => {
      /** @param {string} id @param {string} text */
      const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
      set('online', num(s.devicesOnline));
      set('rate', `${rate(s.downBps)} ↓ ${rate(s.upBps)} ↑`);
      set('today', bytes(s.todayBytes));
      set('gw', s.gateway.ok ? t('gwOk') : t('gwDown', { detail: s.gateway.detail }));
      document.getElementById('gw')?.setAttribute('class', `big ${s.gateway.ok ? 'ok' : 'bad'}`);
      set('unused', num(s.vouchers.unused));
      pools.replaceChildren(...s.pools.map((p) => h('tr', {}, h('td', { class: 'code' }, p.entitlementId.slice(-8)), h('td', {}, pill(p.throttled ? 'throttled' : p.status)), h('td', {}, dur(p.secondsRemaining)),
        h('td', {}, p.bytesRemaining === null ? '∞' : bytes(p.bytesRemaining)), h('td', {}, rate(p.downBps)), h('td', {}, rate(p.upBps)), h('td', {}, num(p.devices)))));
      if (!s.pools.length) pools.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, t('nobodyOnline'))));
    };
    /** @param {AuditEvent[]} list @param {boolean} replace */
    const addEvents = (list, replace) => {
      const items = list.map((e) => h('li', {}, h('span', { class: 'muted' }, new Date(e.at).toLocaleTimeString(lang)), ' ', h('strong', {}, e.type), ' ', e.subject ?? ''));
      if (replace) events.replaceChildren(...items);
      else events.prepend(...items);
      while (events.children.length > 50) events.lastChild?.remove();
    };
    show(d);
    live('operator/sessions,operator/events', (m) => {
      if (m.topic === 'operator/sessions') show(m.payload);
      else if (m.topic === 'operator/events') addEvents(m.payload, m.kind === 'snapshot');
    });
  },

  async batch(main) {
    const [plans, batches] = await Promise.all([
      /** @type {Promise<PlanView[]>} */ (api('GET', '/api/admin/plans')),
      /** @type {Promise<BatchView[]>} */ (api('GET', '/api/admin/batches')),
    ]);
    const result = h('div', { id: 'result' });
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => {
          const f = fields(/** @type {HTMLFormElement} */ (e.target));
          const body = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));
          const r = /** @type {BatchCreated} */ (await api('POST', '/api/admin/batches', body));
          flash(t('createdN', { n: num(r.batch.count), words: r.batch.words }, r.batch.count));
          result.replaceChildren(h('div', { class: 'card' }, h('h2', {}, t('batchTitle', { note: r.batch.note ?? '' })), h('p', {}, r.batch.words), printLinks(r.batch),
            h('div', { class: 'codes', id: 'codes' }, r.codes.map((c) => h('div', {}, c)))));
        });
      },
    },
      h('h2', {}, t('createVouchers')),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'plan' }, t('plan')), h('select', { id: 'plan', name: 'plan' }, h('option', { value: '' }, t('customBelow')), plans.map((p) => h('option', { value: p.name }, `${p.name} — ${p.words}${p.price !== null ? ` — ${money(p.price)}` : ''}`)))),
        h('div', {}, h('label', { for: 'count' }, t('howMany')), h('input', { id: 'count', name: 'count', type: 'number', min: 1, max: 10000, value: '10', required: true })),
        h('div', {}, h('label', { for: 'price' }, t('priceEach')), h('input', { id: 'price', name: 'price', inputmode: 'decimal', placeholder: t('fromPlan') })),
        h('div', {}, h('label', { for: 'note' }, t('note')), h('input', { id: 'note', name: 'note', maxlength: 200, placeholder: t('notePh') })),
      ),
      h('details', { open: plans.length === 0 }, h('summary', {}, t('customLimits')), planFields()),
      h('p', {}, h('button', { type: 'submit' }, t('createBatch'))),
    );
    const rows = batches.map((b) => h('tr', {}, h('td', {}, when(b.createdAt)), h('td', {}, num(b.count)), h('td', {}, b.words), h('td', {}, b.note ?? ''), h('td', {}, money(b.price)), h('td', {}, b.seller ?? ''),
      h('td', {}, h('a', { href: `#/vouchers?batch=${encodeURIComponent(b.id)}` }, t('vouchers')), ' ', printLinks(b))));
    main.append(h('h1', {}, t('batch')), form, result,
      h('div', { class: 'card' }, h('h2', {}, t('batches')), h('div', { class: 'scroll' }, h('table', {}, head(['created', 'count', 'plan', 'note', 'price', 'sellerCol', '']), h('tbody', {}, rows)))));
  },

  async vouchers(main, params) {
    const q = new URLSearchParams(params);
    if (!q.has('limit')) q.set('limit', '100');
    const list = /** @type {VoucherList} */ (await api('GET', `/api/admin/vouchers?${q}`));
    const filter = h('form', {
      class: 'card inline',
      role: 'search',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const f = new URLSearchParams(Object.entries(fields(/** @type {HTMLFormElement} */ (e.target))).filter(([, v]) => v !== ''));
        location.hash = `#/vouchers?${f}`;
      },
    },
      h('label', { for: 'q' }, t('search')), h('input', { id: 'q', name: 'q', value: params.get('q') ?? '', placeholder: t('searchPh') }),
      h('label', { for: 'status' }, t('status')), h('select', { id: 'status', name: 'status' }, h('option', { value: '' }, t('any')), STATUSES.map((s) => h('option', { value: s, selected: params.get('status') === s }, t(/** @type {TextKey} */ (s))))),
      params.get('batch') ? h('input', { type: 'hidden', name: 'batch', value: params.get('batch') }) : null,
      h('button', { type: 'submit' }, t('filter')),
      h('a', { class: 'button alt', href: `/api/admin/vouchers.csv?${new URLSearchParams([...[...params].filter(([k]) => k !== 'limit' && k !== 'lang'), ['lang', lang]])}`, download: 'vouchers.csv' }, t('exportCsv')),
    );
    const admin = me?.role === 'admin';
    /** @param {VoucherView} v */
    const row = (v) => {
      const tr = h('tr', { 'data-code': v.code },
        h('td', { class: 'code' }, v.code), h('td', {}, pill(v.status), v.revokeReason ? h('div', { class: 'muted' }, v.revokeReason) : null), h('td', {}, v.words), h('td', {}, v.note ?? ''), h('td', {}, when(v.createdAt)), h('td', {}, when(v.redeemedAt)),
        h('td', {}, admin && v.status !== 'revoked' ? h('button', { class: 'alt', onclick: () => revokeForm(tr, v) }, t('revoke')) : null));
      return tr;
    };
    /** @param {HTMLElement} tr @param {VoucherView} v */
    const revokeForm = (tr, v) => {
      const cell = /** @type {HTMLElement} */ (tr.lastElementChild);
      cell.replaceChildren(h('form', {
        class: 'inline',
        onsubmit: (/** @type {Event} */ e) => {
          e.preventDefault();
          act(async () => {
            const r = /** @type {{ voucher: VoucherView }} */ (await api('POST', `/api/admin/vouchers/${encodeURIComponent(v.id)}/revoke`, fields(/** @type {HTMLFormElement} */ (e.target))));
            tr.replaceWith(row(r.voucher));
            flash(t('isRevoked', { code: v.code }));
          });
        },
      }, h('input', { name: 'reason', 'aria-label': t('reasonFor', { code: v.code }), placeholder: t('reasonPh'), maxlength: 200 }), h('button', { class: 'danger', type: 'submit' }, t('confirmRevoke'))));
      cell.querySelector('input')?.focus();
    };
    main.append(h('h1', {}, t('vouchers')), filter,
      h('div', { class: 'card' }, h('p', { class: 'muted' }, t('vouchersN', { n: num(list.total) }, list.total) + (list.total > list.items.length ? t('showing', { n: num(list.items.length) }) : '')),
        h('div', { class: 'scroll' }, h('table', {}, head(['code', 'status', 'plan', 'note', 'created', 'firstUsed', '']), h('tbody', {}, list.items.map(row))))));
  },

  async plans(main) {
    const plans = /** @type {PlanView[]} */ (await api('GET', '/api/admin/plans'));
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => {
          const { name = '', ...rest } = fields(/** @type {HTMLFormElement} */ (e.target));
          await api('PUT', `/api/admin/plans/${encodeURIComponent(name)}`, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '')));
          flash(t('planSaved', { name }));
          render();
        });
      },
    }, h('h2', {}, t('addPlan')), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'pname' }, t('name')), h('input', { id: 'pname', name: 'name', required: true, maxlength: 40 })),
      h('div', {}, h('label', { for: 'pprice' }, t('price')), h('input', { id: 'pprice', name: 'price', inputmode: 'decimal' }))), planFields(), h('p', {}, h('button', { type: 'submit' }, t('savePlan'))));
    main.append(h('h1', {}, t('plans')),
      h('div', { class: 'card' }, h('table', {}, head(['name', 'inWords', 'price', '']),
        h('tbody', {}, plans.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.words), h('td', {}, money(p.price)),
          h('td', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('DELETE', `/api/admin/plans/${encodeURIComponent(p.name)}`); render(); }) }, t('archive')))))))),
      form);
  },

  async sales(main) {
    const s = /** @type {SalesView} */ (await api('GET', '/api/admin/sales'));
    const table = (/** @type {(TextKey | '')[]} */ keys, /** @type {HTMLElement[]} */ rows) => h('div', { class: 'scroll' }, h('table', {}, head(keys), h('tbody', {}, rows)));
    main.append(h('h1', {}, t('sales')),
      h('div', { class: 'grid' }, h('div', { class: 'card' }, h('h2', {}, t('vouchersIssued')), h('div', { class: 'big' }, num(s.totals.vouchers))), h('div', { class: 'card' }, h('h2', {}, t('amount')), h('div', { class: 'big' }, money(s.totals.amount)))),
      h('div', { class: 'card' }, h('h2', {}, t('perSeller')), table(['sellerCol', 'vouchers', 'amount'], s.perSeller.map((p) => h('tr', {}, h('td', {}, p.seller ?? t('commandLine')), h('td', {}, num(p.vouchers)), h('td', {}, money(p.amount)))))),
      h('div', { class: 'card' }, h('h2', {}, t('perDay')), table(['day', 'sellerCol', 'vouchers', 'amount'], s.rows.map((r) => h('tr', {}, h('td', {}, dayOf(r.day)), h('td', {}, r.seller ?? t('commandLine')), h('td', {}, num(r.vouchers)), h('td', {}, money(r.amount)))))));
  },

  async operators(main) {
    const ops = /** @type {OperatorView[]} */ (await api('GET', '/api/admin/operators'));
    const patch = (/** @type {OperatorView} */ o, /** @type {Record<string, unknown>} */ body, /** @type {string} */ done) =>
      act(async () => { await api('PATCH', `/api/admin/operators/${encodeURIComponent(o.id)}`, body); flash(done); render(); });
    const rows = ops.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, t(o.role)), h('td', {}, o.disabled ? h('span', { class: 'bad' }, t('opDisabled')) : t('opActive')), h('td', {}, when(o.createdAt)),
      h('td', { class: 'inline' }, o.id === me?.id ? h('span', { class: 'muted' }, t('you')) : [
        h('button', { class: 'alt', onclick: () => patch(o, { role: o.role === 'admin' ? 'seller' : 'admin' }, t(o.role === 'admin' ? 'nowSeller' : 'nowAdmin', { name: o.name })) }, t(o.role === 'admin' ? 'makeSeller' : 'makeAdmin')),
        h('button', { class: 'alt', onclick: () => patch(o, { disabled: !o.disabled }, t(o.disabled ? 'isEnabled' : 'isDisabled', { name: o.name })) }, t(o.disabled ? 'enable' : 'disable')),
      ])));
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => { const f = fields(/** @type {HTMLFormElement} */ (e.target)); await api('POST', '/api/admin/operators', f); flash(t('opAdded', { name: f.name ?? '' })); render(); });
      },
    }, h('h2', {}, t('addOperator')), h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'oname' }, t('name')), h('input', { id: 'oname', name: 'name', required: true, autocomplete: 'off' })),
      h('div', {}, h('label', { for: 'orole' }, t('role')), h('select', { id: 'orole', name: 'role' }, h('option', { value: 'seller' }, t('sellerOpt')), h('option', { value: 'admin' }, t('adminOpt')))),
      h('div', {}, h('label', { for: 'opw' }, t('passwordMin')), h('input', { id: 'opw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }))),
      h('p', {}, h('button', { type: 'submit' }, t('addOperatorBtn'))));
    main.append(h('h1', {}, t('operators')), h('div', { class: 'card' }, h('table', {}, head(['name', 'role', 'state', 'added', '']), h('tbody', {}, rows))), form);
  },

  async audit(main, params) {
    const q = new URLSearchParams();
    for (const k of ['type', 'before']) if (params.get(k)) q.set(k, /** @type {string} */ (params.get(k)));
    q.set('limit', '100');
    const events = /** @type {AuditEvent[]} */ (await api('GET', `/api/admin/audit?${q}`));
    const last = events[events.length - 1];
    main.append(h('h1', {}, t('audit')),
      h('form', { class: 'card inline', role: 'search', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); const t = fields(/** @type {HTMLFormElement} */ (e.target)).type; location.hash = t ? `#/audit?type=${encodeURIComponent(t)}` : '#/audit'; } },
        h('label', { for: 'type' }, t('type')), h('input', { id: 'type', name: 'type', value: params.get('type') ?? '', placeholder: t('typePh') }), h('button', { type: 'submit' }, t('filter'))),
      h('div', { class: 'card scroll' }, h('table', {}, head(['time', 'event', 'actor', 'subject', 'details']),
        h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.type), h('td', {}, `${e.actorType}${e.actorId ? ` ${e.actorId}` : ''}`), h('td', { class: 'code' }, e.subject ?? ''), h('td', { class: 'muted' }, e.data ? JSON.stringify(e.data) : ''))))),
        last?.id && events.length === 100 ? h('p', {}, h('a', { class: 'button alt', href: `#/audit?${new URLSearchParams({ ...(params.get('type') ? { type: /** @type {string} */ (params.get('type')) } : {}), before: String(last.id) })}` }, t('older'))) : null));
  },

  async settings(main) {
    const s = /** @type {SettingsView} */ (await api('GET', '/api/admin/settings'));
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const fd = new FormData(/** @type {HTMLFormElement} */ (e.target));
        act(async () => {
          await api('PUT', '/api/admin/settings', {
            networkName: String(fd.get('networkName') ?? ''), ssid: String(fd.get('ssid') ?? ''), welcome: String(fd.get('welcome') ?? ''),
            languages: fd.getAll('languages').map(String),
            walledGarden: String(fd.get('walledGarden') ?? '').split(/\s+/).filter(Boolean),
          });
          flash(t('settingsSaved'));
        });
      },
    },
      h('label', { for: 'networkName' }, t('networkName')), h('input', { id: 'networkName', name: 'networkName', value: s.networkName, required: true, maxlength: 80 }),
      h('label', { for: 'ssid' }, t('ssid')), h('input', { id: 'ssid', name: 'ssid', value: s.ssid, maxlength: 32 }),
      h('fieldset', {}, h('legend', {}, t('residentLangs')), Object.entries(LANG_NAMES).map(([code, label]) =>
        h('label', { class: 'inline', lang: code }, h('input', { type: 'checkbox', name: 'languages', value: code, checked: s.languages.includes(/** @type {any} */ (code)) }), label))),
      h('label', { for: 'welcome' }, t('welcome')), h('textarea', { id: 'welcome', name: 'welcome', maxlength: 500 }, s.welcome),
      h('label', { for: 'walledGarden' }, t('garden')), h('textarea', { id: 'walledGarden', name: 'walledGarden' }, s.walledGarden.join('\n')),
      h('p', {}, h('button', { type: 'submit' }, t('saveSettings'))));
    main.append(h('h1', {}, t('settings')), form);
  },

  async account(main) {
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => { await api('POST', '/api/admin/password', fields(/** @type {HTMLFormElement} */ (e.target))); flash(t('pwChanged')); /** @type {HTMLFormElement} */ (e.target).reset(); });
      },
    }, h('h2', {}, t('changeMine')),
      h('label', { for: 'current' }, t('currentPw')), h('input', { id: 'current', name: 'current', type: 'password', required: true, autocomplete: 'current-password' }),
      h('label', { for: 'newpw' }, t('newPw')), h('input', { id: 'newpw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }),
      h('p', {}, h('button', { type: 'submit' }, t('changePw'))));
    main.append(h('h1', {}, t('account')), form,
      h('p', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('POST', '/api/admin/logout'); me = null; csrf = ''; location.hash = ''; render(); }) }, t('signOut'))));
  },
};

/** Inline plan limits, as operators type them (`30d`, `2GB`, `4Mbit`). */
function planFields() {
  /** @param {string} name @param {TextKey} label @param {string} placeholder */
  const f = (name, label, placeholder) => h('div', {}, h('label', { for: `f-${name}` }, t(label)), h('input', { id: `f-${name}`, name, placeholder }));
  return h('div', { class: 'row' },
    f('duration', 'limTime', t('limTimePh')),
    f('data', 'limData', t('limDataPh')),
    f('devices', 'devices', '1'),
    f('down', 'limDown', t('limSpeedPh')),
    f('up', 'limUp', t('limUpPh')),
    h('div', {}, h('label', { for: 'f-onExhausted' }, t('onExhausted')), h('select', { id: 'f-onExhausted', name: 'onExhausted' }, h('option', { value: '' }, t('planDefault')), h('option', { value: 'block' }, t('block')), h('option', { value: 'throttle' }, t('slowDown')))),
    h('div', {}, h('label', { for: 'f-reset' }, t('renew')), h('select', { id: 'f-reset', name: 'reset' }, h('option', { value: '' }, t('never')), /** @type {const} */ (['daily', 'weekly', 'monthly']).map((r) => h('option', { value: r }, t(r))))),
  );
}

/** @param {(TextKey | '')[]} keys */
const head = (keys) => h('thead', {}, h('tr', {}, keys.map((k) => h('th', {}, k ? t(k) : ''))));

setLang(preferredLang()).catch(() => setLang('en')).then(render);
