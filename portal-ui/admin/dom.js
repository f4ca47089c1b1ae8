// @ts-check
/**
 * The console's DOM helper and formatters. `h()` sets text as text, never parses HTML, so a voucher note
 * or an operator name cannot inject markup. Numbers and dates go through Intl in the console's language.
 *
 * @typedef {import('./i18n.js').TextKey} TextKey
 * @typedef {{ render: (notice?: string) => Promise<void> }} Shell what a view may ask of the console around it
 * @typedef {(main: HTMLElement, params: URLSearchParams, shell: Shell) => Promise<void>} View
 *
 * @example
 *   main.append(h('p', { class: 'muted' }, t('nobodyOnline')), h('button', { onclick: go }, 'Go'));
 */
import { session } from './api.js';
import { lang, t } from './i18n.js';

/**
 * @param {string} tag
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | number | null | undefined | false | (Node | string)[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
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
export const num = (n, o) => new Intl.NumberFormat(lang, o).format(n);
/** @param {number} n */
const trim = (n) => num(n, { maximumFractionDigits: n >= 100 ? 0 : n >= 10 ? 1 : 2 });
/** @param {number} b */
export const bytes = (b) => (b >= 1e9 ? `${trim(b / 1e9)} GB` : b >= 1e6 ? `${trim(b / 1e6)} MB` : b >= 1e3 ? `${trim(b / 1e3)} kB` : `${b} B`);
/** @param {number} r */
export const rate = (r) => (r >= 1e6 ? `${trim(r / 1e6)} Mbit/s` : `${trim(r / 1e3)} kbit/s`);
/** @param {number | null} s */
export const dur = (s) => {
  if (s === null) return '—';
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  /** @param {number} n @param {string} unit */
  const u = (n, unit) => num(n, { style: 'unit', unit, unitDisplay: 'narrow' });
  return d > 0 ? `${u(d, 'day')} ${u(hh, 'hour')}` : hh > 0 ? `${u(hh, 'hour')} ${u(m, 'minute')}` : `${u(m, 'minute')} ${u(Math.floor(s % 60), 'second')}`;
};
/** @param {number | null | undefined} ms */
export const when = (ms) => (ms ? new Date(ms).toLocaleString(lang) : '');
/** @param {string} day YYYY-MM-DD */
export const dayOf = (day) => new Date(`${day}T00:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'medium' });
/**
 * A price in the console's language and the network's currency (Settings; `session.currency`), plain
 * when none is set: "$ 5.000" (es, COP), "2,50 €" (fr, EUR), "5" (none).
 * @param {number | null} n
 */
export const money = (n) => {
  if (n === null) return '—';
  if (session.currency) try { return num(n, { style: 'currency', currency: session.currency }); } catch {} // an unknown code: the number alone
  return num(n, { minimumFractionDigits: Number.isInteger(n) ? 0 : 2, maximumFractionDigits: 2 });
};

/**
 * A form's fields as strings. A price typed with a decimal comma (2,50: how most operators write it in
 * es, pt and fr) is sent with the point the API reads.
 * @param {HTMLFormElement} form
 */
export const fields = (form) => /** @type {Record<string, string>} */ (Object.fromEntries([...new FormData(form)].map(([k, v]) => [k, k === 'price' ? String(v).trim().replace(/^(\d+),(\d+)$/, '$1.$2') : String(v)])));

/** @param {string} text @param {'info' | 'error'} [kind] */
export function flash(text, kind = 'info') {
  const box = document.getElementById('msg');
  if (!box) return;
  box.replaceChildren(h('div', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text));
}

/**
 * Runs an action from a form or button: shows its error in the message box instead of failing silently.
 * @param {() => Promise<unknown>} fn
 */
export async function act(fn) {
  try {
    await fn();
  } catch (err) {
    flash(err instanceof Error ? err.message : String(err), 'error');
  }
}

/** @param {string} status */
export const pill = (status) => h('span', { class: `pill ${status}` }, t(/** @type {TextKey} */ (status)));

/** @param {(TextKey | '')[]} keys */
export const head = (keys) => h('thead', {}, h('tr', {}, keys.map((k) => h('th', {}, k ? t(k) : ''))));
