// @ts-check
/**
 * The operator console: a small single-page app over the JSON API under /api/admin/ and the
 * `operator/*` WebSocket topics. No framework and no build: ES modules served as they are, hash routes,
 * DOM built with a tiny `h()` helper (text is always set as text, never parsed as HTML). Types come
 * from the one wire contract, src/api/contract.ts, checked by `tsc -p portal-ui`.
 *
 * This file is the shell: sign-in, the header (menu, who, language) and the router. The rest is in
 * admin/: api.js (API client, error sentences, the session), i18n.js (four languages, the words in
 * admin-<lang>.js), dom.js (h() and the formatters), live.js (the socket), and one file per view in
 * admin/views/, fetched the first time that view is opened.
 *
 * @typedef {import('../src/api/contract.js').AdminSession} AdminSession
 * @typedef {import('../src/api/contract.js').OperatorSelf} OperatorSelf
 * @typedef {import('./admin/dom.js').View} View
 */
import { api, endSession, onSessionEnd, session } from './admin/api.js';
import { act, fields, flash, h } from './admin/dom.js';
import { LANG_NAMES, lang, preferredLang, setLang, t } from './admin/i18n.js';
import { closeLive } from './admin/live.js';

const ROUTES = /** @type {const} */ ([
  ['dashboard', ['admin']],
  ['batch', ['admin', 'seller']],
  ['vouchers', ['admin', 'seller']],
  ['plans', ['admin']],
  ['sales', ['admin', 'seller']],
  ['operators', ['admin']],
  ['audit', ['admin']],
  ['radius', ['admin']],
  ['settings', ['admin']],
  ['account', ['admin', 'seller']],
]);
/** Routes reached from a view's links, not from the menu. */
const HIDDEN = /** @type {const} */ ([['print', ['admin', 'seller']], ['voucher', ['admin', 'seller']]]);

/** @type {Record<(typeof ROUTES | typeof HIDDEN)[number][0], () => Promise<{ default: View }>>} */
const VIEWS = {
  dashboard: () => import('./admin/views/dashboard.js'),
  batch: () => import('./admin/views/batch.js'),
  vouchers: () => import('./admin/views/vouchers.js'),
  plans: () => import('./admin/views/plans.js'),
  sales: () => import('./admin/views/sales.js'),
  operators: () => import('./admin/views/operators.js'),
  audit: () => import('./admin/views/audit.js'),
  radius: () => import('./admin/views/radius.js'),
  settings: () => import('./admin/views/settings.js'),
  account: () => import('./admin/views/account.js'),
  print: () => import('./admin/views/print.js'),
  voucher: () => import('./admin/views/voucher.js'),
};

const root = /** @type {HTMLElement} */ (document.getElementById('app'));

/** The language switcher, in the header and on the sign-in card. */
const langPicker = () => h('select', {
  class: 'lang', 'aria-label': t('language'),
  onchange: (/** @type {Event} */ e) => act(async () => { await setLang(/** @type {HTMLSelectElement} */ (e.target).value, true); await render(); }),
}, Object.entries(LANG_NAMES).map(([code, name]) => h('option', { value: code, lang: code, selected: code === lang }, name)));

function route() {
  const [name = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const me = session.me;
  /** @param {readonly (readonly [string, readonly string[]])[]} list */
  const mine = (list) => list.filter((r) => me && r[1].includes(me.role));
  const allowed = /** @type {typeof ROUTES[number][]} */ (mine(ROUTES));
  const current = [...allowed, ...mine(HIDDEN)].find((r) => r[0] === name) ?? allowed[0];
  return { name: /** @type {keyof typeof VIEWS} */ (current?.[0] ?? 'account'), params: new URLSearchParams(query), allowed };
}

/**
 * Builds the page for the current route. `notice` is shown in the fresh message box, so a view that
 * re-renders after saving ("Plan saved.") keeps its confirmation on screen.
 * @param {string} [notice]
 */
async function render(notice) {
  closeLive();
  if (!session.me) {
    try {
      const s = /** @type {AdminSession} */ (await api('GET', '/api/admin/me'));
      session.me = s.operator;
      session.csrf = s.csrf;
      session.mustChangePassword = s.mustChangePassword;
      session.currency = s.currency ?? '';
    } catch {
      return renderLogin();
    }
  }
  if (session.mustChangePassword) return renderFirstPassword('');
  const r = route();
  const op = /** @type {OperatorSelf} */ (session.me);
  const nav = h('nav', { id: 'menu', 'aria-label': t('consoleNav') }, r.allowed.map(([name]) => h('a', { href: `#/${name}`, 'aria-current': name === r.name ? 'page' : null }, t(name))));
  // On a phone the menu is one button (admin.css hides the links below 48rem until it is opened).
  const toggle = h('button', {
    type: 'button', class: 'menu alt', 'aria-controls': 'menu', 'aria-expanded': 'false',
    onclick: () => toggle.setAttribute('aria-expanded', String(nav.classList.toggle('open'))),
  }, t('menu'));
  const main = h('main', {}, h('div', { id: 'msg', 'aria-live': 'polite' }));
  root.replaceChildren(h('header', { class: 'top' }, h('strong', {}, 'Portico'), toggle, nav, h('span', { class: 'who' }, `${op.name} (${t(op.role)})`), langPicker()), main);
  if (notice) flash(notice);
  await act(async () => {
    const view = (await VIEWS[r.name]()).default;
    // Another render may have replaced this page while the view's module was fetched.
    if (main.isConnected) await view(main, r.params, { render });
  });
}

function renderLogin() {
  const form = h('form', {
    class: 'card login',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const s = /** @type {AdminSession} */ (await api('POST', '/api/admin/login', fields(/** @type {HTMLFormElement} */ (e.target))));
        session.me = s.operator;
        session.csrf = s.csrf;
        session.mustChangePassword = s.mustChangePassword;
        session.currency = s.currency ?? '';
        location.hash = s.operator.role === 'admin' ? '#/dashboard' : '#/batch';
        if (s.mustChangePassword) renderFirstPassword(/** @type {HTMLFormElement} */ (e.target).password.value);
        else render();
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

/**
 * The first sign-in with a handed-over password (printed at first start, or by `portico operators
 * reset-password`): choosing one's own comes before anything else; the API refuses the rest until then.
 * @param {string} current what was just typed at sign-in ('' after a reload: asked again)
 */
function renderFirstPassword(current) {
  const form = h('form', {
    class: 'card login',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        await api('POST', '/api/admin/password', fields(/** @type {HTMLFormElement} */ (e.target)));
        session.mustChangePassword = false;
        await render(t('pwChanged'));
      });
    },
  },
    h('div', { class: 'inline' }, h('h1', {}, t('firstPwTitle')), langPicker()),
    h('p', {}, t('firstPwWhy', { name: session.me?.name ?? '' })),
    h('div', { id: 'msg', 'aria-live': 'polite' }),
    h('div', { hidden: current !== '' }, h('label', { for: 'current' }, t('currentPw')), h('input', { id: 'current', name: 'current', type: 'password', value: current, required: true, autocomplete: 'current-password' })),
    h('label', { for: 'newpw' }, t('newPw')), h('input', { id: 'newpw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }),
    h('p', {}, h('button', { type: 'submit' }, t('changePw'))),
    h('p', {}, h('button', { type: 'button', class: 'alt', onclick: () => act(async () => { await api('POST', '/api/admin/logout'); endSession(); }) }, t('signOut'))),
  );
  root.replaceChildren(form);
  document.getElementById(current ? 'newpw' : 'current')?.focus();
}

onSessionEnd(() => void render());
window.addEventListener('hashchange', () => render());
setLang(preferredLang()).catch(() => setLang('en')).then(() => render());
