// @ts-check
/**
 * The operator console: a small single-page app over the JSON API under /api/admin/ and the
 * `operator/*` WebSocket topics. No framework and no build: one module, hash routes, DOM built with a
 * tiny `h()` helper (text is always set as text, never parsed as HTML). Types come from the one wire
 * contract, src/api/contract.ts, checked by `tsc -p portal-ui`.
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

/** @type {typeof import('../src/api/contract.js').WS_CLOSE} */
const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, tooSlow: 4408, badRequest: 4400 };
const LAYOUTS = [['a4', 'A4'], ['letter', 'Letter'], ['receipt58', '58 mm'], ['receipt80', '80 mm']];
const STATUSES = ['unused', 'active', 'exhausted', 'expired', 'revoked'];

const root = /** @type {HTMLElement} */ (document.getElementById('app'));
/** @type {OperatorSelf | null} */
let me = null;
let csrf = '';
/** @type {WebSocket | null} */
let socket = null;

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

/** @param {number} n */
const trim = (n) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1).replace(/\.0$/, '') : n.toFixed(2).replace(/\.?0+$/, ''));
/** @param {number} b */
const bytes = (b) => (b >= 1e9 ? `${trim(b / 1e9)} GB` : b >= 1e6 ? `${trim(b / 1e6)} MB` : b >= 1e3 ? `${trim(b / 1e3)} kB` : `${b} B`);
/** @param {number} r */
const rate = (r) => (r >= 1e6 ? `${trim(r / 1e6)} Mbit/s` : `${trim(r / 1e3)} kbit/s`);
/** @param {number | null} s */
const dur = (s) => {
  if (s === null) return '—';
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d > 0 ? `${d}d ${hh}h` : hh > 0 ? `${hh}h ${m}m` : `${m}m ${Math.floor(s % 60)}s`;
};
/** @param {number | null | undefined} ms */
const when = (ms) => (ms ? new Date(ms).toLocaleString() : '');
/** @param {number | null} n */
const money = (n) => (n === null ? '—' : n.toFixed(2).replace(/\.00$/, ''));

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
  const headers = { accept: 'application/json' };
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
    throw new ApiError(data?.message ?? res.statusText, data?.code ?? 'HTTP', res.status);
  }
  return data;
}

/** @param {HTMLFormElement} form */
const fields = (form) => /** @type {Record<string, string>} */ (Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, String(v)])));

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
const pill = (status) => h('span', { class: `pill ${status}` }, status);

// ---------------------------------------------------------------------------------------------------
// shell, routes, live socket

const ROUTES = /** @type {const} */ ([
  ['dashboard', 'Dashboard', ['admin']],
  ['batch', 'New batch', ['admin', 'seller']],
  ['vouchers', 'Vouchers', ['admin', 'seller']],
  ['plans', 'Plans', ['admin']],
  ['sales', 'Sales', ['admin', 'seller']],
  ['operators', 'Operators', ['admin']],
  ['audit', 'Audit log', ['admin']],
  ['settings', 'Settings', ['admin']],
  ['account', 'Account', ['admin', 'seller']],
]);

function route() {
  const [name = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const allowed = ROUTES.filter((r) => me && /** @type {readonly string[]} */ (r[2]).includes(me.role));
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
  const nav = h('nav', { 'aria-label': 'Console' }, r.allowed.map(([name, label]) => h('a', { href: `#/${name}`, 'aria-current': name === r.name ? 'page' : null }, label)));
  const main = h('main', {}, h('div', { id: 'msg', 'aria-live': 'polite' }));
  root.replaceChildren(h('header', { class: 'top' }, h('strong', {}, 'Portico'), nav, h('span', { class: 'who' }, `${op.name} (${op.role})`)), main);
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
    h('h1', {}, 'Portico console'),
    h('div', { id: 'msg', 'aria-live': 'polite' }),
    h('label', { for: 'name' }, 'Name'), h('input', { id: 'name', name: 'name', autocomplete: 'username', required: true }),
    h('label', { for: 'password' }, 'Password'), h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true }),
    h('p', {}, h('button', { type: 'submit' }, 'Sign in')),
  );
  root.replaceChildren(form);
}

window.addEventListener('hashchange', () => render());

// ---------------------------------------------------------------------------------------------------
// views

/** @param {BatchView} b */
const printLinks = (b) =>
  h('span', { class: 'inline' }, LAYOUTS.map(([layout, label]) => h('a', { class: 'button alt', href: `/api/admin/batches/${encodeURIComponent(b.id)}/sheet?layout=${layout}`, target: '_blank', rel: 'noopener', 'data-layout': layout }, `Print ${label}`)));

/** @type {Record<string, (main: HTMLElement, params: URLSearchParams) => Promise<void>>} */
const VIEWS = {
  async dashboard(main) {
    const d = /** @type {OperatorSessions} */ (await api('GET', '/api/admin/dashboard'));
    const figure = (/** @type {string} */ id, /** @type {string} */ label) => h('div', { class: 'card' }, h('h2', {}, label), h('div', { class: 'big', id }));
    const pools = h('tbody');
    const events = h('ul', { class: 'events', id: 'events' });
    main.append(
      h('h1', {}, 'Dashboard'),
      h('div', { class: 'grid' }, figure('online', 'Devices online'), figure('rate', 'Throughput'), figure('today', "Today's traffic"), figure('gw', 'Gateway'), figure('unused', 'Unused vouchers')),
      h('div', { class: 'card' }, h('h2', {}, 'Online now'), h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Pool', 'Status', 'Time left', 'Data left', 'Down', 'Up', 'Devices'].map((t) => h('th', {}, t)))), pools))),
      h('div', { class: 'card' }, h('h2', {}, 'Latest events'), events),
    );
    /** @param {OperatorSessions} s */
    const show = (s) => {
      /** @param {string} id @param {string} text */
      const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
      set('online', String(s.devicesOnline));
      set('rate', `${rate(s.downBps)} ↓ ${rate(s.upBps)} ↑`);
      set('today', bytes(s.todayBytes));
      set('gw', s.gateway.ok ? 'OK' : `Down: ${s.gateway.detail}`);
      document.getElementById('gw')?.setAttribute('class', `big ${s.gateway.ok ? 'ok' : 'bad'}`);
      set('unused', String(s.vouchers.unused));
      pools.replaceChildren(...s.pools.map((p) => h('tr', {}, h('td', { class: 'code' }, p.entitlementId.slice(-8)), h('td', {}, pill(p.throttled ? 'throttled' : p.status)), h('td', {}, dur(p.secondsRemaining)),
        h('td', {}, p.bytesRemaining === null ? '∞' : bytes(p.bytesRemaining)), h('td', {}, rate(p.downBps)), h('td', {}, rate(p.upBps)), h('td', {}, p.devices))));
      if (!s.pools.length) pools.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'Nobody is online.')));
    };
    /** @param {AuditEvent[]} list @param {boolean} replace */
    const addEvents = (list, replace) => {
      const items = list.map((e) => h('li', {}, h('span', { class: 'muted' }, new Date(e.at).toLocaleTimeString()), ' ', h('strong', {}, e.type), ' ', e.subject ?? ''));
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
          flash(`Created ${r.batch.count} vouchers: ${r.batch.words}.`);
          result.replaceChildren(h('div', { class: 'card' }, h('h2', {}, `Batch ${r.batch.note ?? ''}`), h('p', {}, r.batch.words), printLinks(r.batch),
            h('div', { class: 'codes', id: 'codes' }, r.codes.map((c) => h('div', {}, c)))));
        });
      },
    },
      h('h2', {}, 'Create vouchers'),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'plan' }, 'Plan'), h('select', { id: 'plan', name: 'plan' }, h('option', { value: '' }, 'Custom (below)'), plans.map((p) => h('option', { value: p.name }, `${p.name} — ${p.words}${p.price !== null ? ` — ${money(p.price)}` : ''}`)))),
        h('div', {}, h('label', { for: 'count' }, 'How many'), h('input', { id: 'count', name: 'count', type: 'number', min: 1, max: 10000, value: '10', required: true })),
        h('div', {}, h('label', { for: 'price' }, 'Price each'), h('input', { id: 'price', name: 'price', inputmode: 'decimal', placeholder: 'from the plan' })),
        h('div', {}, h('label', { for: 'note' }, 'Note'), h('input', { id: 'note', name: 'note', maxlength: 200, placeholder: 'e.g. market stall' })),
      ),
      h('details', { open: plans.length === 0 }, h('summary', {}, 'Custom limits (override the plan)'), planFields()),
      h('p', {}, h('button', { type: 'submit' }, 'Create batch')),
    );
    const rows = batches.map((b) => h('tr', {}, h('td', {}, when(b.createdAt)), h('td', {}, b.count), h('td', {}, b.words), h('td', {}, b.note ?? ''), h('td', {}, money(b.price)), h('td', {}, b.seller ?? ''),
      h('td', {}, h('a', { href: `#/vouchers?batch=${encodeURIComponent(b.id)}` }, 'Vouchers'), ' ', printLinks(b))));
    main.append(h('h1', {}, 'New batch'), form, result,
      h('div', { class: 'card' }, h('h2', {}, 'Batches'), h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Created', 'Count', 'Plan', 'Note', 'Price', 'Seller', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows)))));
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
      h('label', { for: 'q' }, 'Search'), h('input', { id: 'q', name: 'q', value: params.get('q') ?? '', placeholder: 'code or note' }),
      h('label', { for: 'status' }, 'Status'), h('select', { id: 'status', name: 'status' }, h('option', { value: '' }, 'any'), STATUSES.map((s) => h('option', { value: s, selected: params.get('status') === s }, s))),
      params.get('batch') ? h('input', { type: 'hidden', name: 'batch', value: params.get('batch') }) : null,
      h('button', { type: 'submit' }, 'Filter'),
      h('a', { class: 'button alt', href: `/api/admin/vouchers.csv?${new URLSearchParams([...params].filter(([k]) => k !== 'limit'))}`, download: 'vouchers.csv' }, 'Export CSV'),
    );
    const admin = me?.role === 'admin';
    /** @param {VoucherView} v */
    const row = (v) => {
      const tr = h('tr', { 'data-code': v.code },
        h('td', { class: 'code' }, v.code), h('td', {}, pill(v.status), v.revokeReason ? h('div', { class: 'muted' }, v.revokeReason) : null), h('td', {}, v.words), h('td', {}, v.note ?? ''), h('td', {}, when(v.createdAt)), h('td', {}, when(v.redeemedAt)),
        h('td', {}, admin && v.status !== 'revoked' ? h('button', { class: 'alt', onclick: () => revokeForm(tr, v) }, 'Revoke') : null));
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
            flash(`${v.code} is revoked.`);
          });
        },
      }, h('input', { name: 'reason', 'aria-label': `Reason for revoking ${v.code}`, placeholder: 'reason', maxlength: 200 }), h('button', { class: 'danger', type: 'submit' }, 'Confirm revoke')));
      cell.querySelector('input')?.focus();
    };
    main.append(h('h1', {}, 'Vouchers'), filter,
      h('div', { class: 'card' }, h('p', { class: 'muted' }, `${list.total} voucher${list.total === 1 ? '' : 's'}${list.total > list.items.length ? ` (showing ${list.items.length})` : ''}`),
        h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Code', 'Status', 'Plan', 'Note', 'Created', 'First used', ''].map((t) => h('th', {}, t)))), h('tbody', {}, list.items.map(row))))));
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
          flash(`Plan ${name} saved.`);
          render();
        });
      },
    }, h('h2', {}, 'Add or change a plan'), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'pname' }, 'Name'), h('input', { id: 'pname', name: 'name', required: true, maxlength: 40 })),
      h('div', {}, h('label', { for: 'pprice' }, 'Price'), h('input', { id: 'pprice', name: 'price', inputmode: 'decimal' }))), planFields(), h('p', {}, h('button', { type: 'submit' }, 'Save plan')));
    main.append(h('h1', {}, 'Plans'),
      h('div', { class: 'card' }, h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'In words', 'Price', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, plans.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.words), h('td', {}, money(p.price)),
          h('td', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('DELETE', `/api/admin/plans/${encodeURIComponent(p.name)}`); render(); }) }, 'Archive'))))))),
      form);
  },

  async sales(main) {
    const s = /** @type {SalesView} */ (await api('GET', '/api/admin/sales'));
    const table = (/** @type {string[]} */ head, /** @type {HTMLElement[]} */ rows) => h('div', { class: 'scroll' }, h('table', {}, h('thead', {}, h('tr', {}, head.map((t) => h('th', {}, t)))), h('tbody', {}, rows)));
    main.append(h('h1', {}, 'Sales'),
      h('div', { class: 'grid' }, h('div', { class: 'card' }, h('h2', {}, 'Vouchers issued'), h('div', { class: 'big' }, s.totals.vouchers)), h('div', { class: 'card' }, h('h2', {}, 'Amount'), h('div', { class: 'big' }, money(s.totals.amount)))),
      h('div', { class: 'card' }, h('h2', {}, 'Per seller'), table(['Seller', 'Vouchers', 'Amount'], s.perSeller.map((p) => h('tr', {}, h('td', {}, p.seller ?? '(command line)'), h('td', {}, p.vouchers), h('td', {}, money(p.amount)))))),
      h('div', { class: 'card' }, h('h2', {}, 'Per day'), table(['Day', 'Seller', 'Vouchers', 'Amount'], s.rows.map((r) => h('tr', {}, h('td', {}, r.day), h('td', {}, r.seller ?? '(command line)'), h('td', {}, r.vouchers), h('td', {}, money(r.amount)))))));
  },

  async operators(main) {
    const ops = /** @type {OperatorView[]} */ (await api('GET', '/api/admin/operators'));
    const patch = (/** @type {OperatorView} */ o, /** @type {Record<string, unknown>} */ body, /** @type {string} */ done) =>
      act(async () => { await api('PATCH', `/api/admin/operators/${encodeURIComponent(o.id)}`, body); flash(done); render(); });
    const rows = ops.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, o.role), h('td', {}, o.disabled ? h('span', { class: 'bad' }, 'disabled') : 'active'), h('td', {}, when(o.createdAt)),
      h('td', { class: 'inline' }, o.id === me?.id ? h('span', { class: 'muted' }, 'you') : [
        h('button', { class: 'alt', onclick: () => patch(o, { role: o.role === 'admin' ? 'seller' : 'admin' }, `${o.name} is now ${o.role === 'admin' ? 'a seller' : 'an admin'}.`) }, o.role === 'admin' ? 'Make seller' : 'Make admin'),
        h('button', { class: 'alt', onclick: () => patch(o, { disabled: !o.disabled }, `${o.name} is ${o.disabled ? 'enabled' : 'disabled'}.`) }, o.disabled ? 'Enable' : 'Disable'),
      ])));
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => { const f = fields(/** @type {HTMLFormElement} */ (e.target)); await api('POST', '/api/admin/operators', f); flash(`${f.name} added.`); render(); });
      },
    }, h('h2', {}, 'Add an operator'), h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'oname' }, 'Name'), h('input', { id: 'oname', name: 'name', required: true, autocomplete: 'off' })),
      h('div', {}, h('label', { for: 'orole' }, 'Role'), h('select', { id: 'orole', name: 'role' }, h('option', { value: 'seller' }, 'seller (creates and prints vouchers)'), h('option', { value: 'admin' }, 'admin (everything)'))),
      h('div', {}, h('label', { for: 'opw' }, 'Password (8+ characters)'), h('input', { id: 'opw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }))),
      h('p', {}, h('button', { type: 'submit' }, 'Add operator')));
    main.append(h('h1', {}, 'Operators'), h('div', { class: 'card' }, h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Role', 'State', 'Added', ''].map((t) => h('th', {}, t)))), h('tbody', {}, rows))), form);
  },

  async audit(main, params) {
    const q = new URLSearchParams();
    for (const k of ['type', 'before']) if (params.get(k)) q.set(k, /** @type {string} */ (params.get(k)));
    q.set('limit', '100');
    const events = /** @type {AuditEvent[]} */ (await api('GET', `/api/admin/audit?${q}`));
    const last = events[events.length - 1];
    main.append(h('h1', {}, 'Audit log'),
      h('form', { class: 'card inline', role: 'search', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); const t = fields(/** @type {HTMLFormElement} */ (e.target)).type; location.hash = t ? `#/audit?type=${encodeURIComponent(t)}` : '#/audit'; } },
        h('label', { for: 'type' }, 'Type'), h('input', { id: 'type', name: 'type', value: params.get('type') ?? '', placeholder: 'e.g. voucher.* or operator.login' }), h('button', { type: 'submit' }, 'Filter')),
      h('div', { class: 'card scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['Time', 'Event', 'Actor', 'Subject', 'Details'].map((t) => h('th', {}, t)))),
        h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.type), h('td', {}, `${e.actorType}${e.actorId ? ` ${e.actorId}` : ''}`), h('td', { class: 'code' }, e.subject ?? ''), h('td', { class: 'muted' }, e.data ? JSON.stringify(e.data) : ''))))),
        last?.id && events.length === 100 ? h('p', {}, h('a', { class: 'button alt', href: `#/audit?${new URLSearchParams({ ...(params.get('type') ? { type: /** @type {string} */ (params.get('type')) } : {}), before: String(last.id) })}` }, 'Older')) : null));
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
          flash('Settings saved.');
        });
      },
    },
      h('label', { for: 'networkName' }, 'Network name'), h('input', { id: 'networkName', name: 'networkName', value: s.networkName, required: true, maxlength: 80 }),
      h('label', { for: 'ssid' }, 'Wi-Fi name (SSID, for the join QR on printed sheets)'), h('input', { id: 'ssid', name: 'ssid', value: s.ssid, maxlength: 32 }),
      h('fieldset', {}, h('legend', {}, 'Languages offered to residents'), [['en', 'English'], ['es', 'Español'], ['pt', 'Português'], ['fr', 'Français']].map(([code, label]) =>
        h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'languages', value: code, checked: s.languages.includes(/** @type {any} */ (code)) }), label))),
      h('label', { for: 'welcome' }, 'Welcome text on the sign-in page'), h('textarea', { id: 'welcome', name: 'welcome', maxlength: 500 }, s.welcome),
      h('label', { for: 'walledGarden' }, 'Walled garden: hosts or addresses reachable before sign-in (one per line)'), h('textarea', { id: 'walledGarden', name: 'walledGarden' }, s.walledGarden.join('\n')),
      h('p', {}, h('button', { type: 'submit' }, 'Save settings')));
    main.append(h('h1', {}, 'Settings'), form);
  },

  async account(main) {
    const form = h('form', {
      class: 'card',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => { await api('POST', '/api/admin/password', fields(/** @type {HTMLFormElement} */ (e.target))); flash('Password changed.'); /** @type {HTMLFormElement} */ (e.target).reset(); });
      },
    }, h('h2', {}, 'Change my password'),
      h('label', { for: 'current' }, 'Current password'), h('input', { id: 'current', name: 'current', type: 'password', required: true, autocomplete: 'current-password' }),
      h('label', { for: 'newpw' }, 'New password (8+ characters)'), h('input', { id: 'newpw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }),
      h('p', {}, h('button', { type: 'submit' }, 'Change password')));
    main.append(h('h1', {}, 'Account'), form,
      h('p', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('POST', '/api/admin/logout'); me = null; csrf = ''; location.hash = ''; render(); }) }, 'Sign out')));
  },
};

/** Inline plan limits, as operators type them (`30d`, `2GB`, `4Mbit`). */
function planFields() {
  /** @param {string} name @param {string} label @param {string} placeholder */
  const f = (name, label, placeholder) => h('div', {}, h('label', { for: `f-${name}` }, label), h('input', { id: `f-${name}`, name, placeholder }));
  return h('div', { class: 'row' },
    f('duration', 'Time (from first use)', 'e.g. 1h, 1d, 30d'),
    f('data', 'Data', 'e.g. 500MB, 2GB'),
    f('devices', 'Devices', '1'),
    f('down', 'Download speed', 'e.g. 4Mbit'),
    f('up', 'Upload speed', 'e.g. 1Mbit'),
    h('div', {}, h('label', { for: 'f-onExhausted' }, 'When data runs out'), h('select', { id: 'f-onExhausted', name: 'onExhausted' }, h('option', { value: '' }, '(plan default)'), h('option', { value: 'block' }, 'block'), h('option', { value: 'throttle' }, 'slow down'))),
    h('div', {}, h('label', { for: 'f-reset' }, 'Renew data'), h('select', { id: 'f-reset', name: 'reset' }, h('option', { value: '' }, 'never'), ['daily', 'weekly', 'monthly'].map((r) => h('option', { value: r }, r)))),
  );
}

render();
