// @ts-check
/**
 * Sales: vouchers sold (made, less those revoked before anyone used them) and their amount in the
 * network's currency, for a range of days, per seller and per day, with a chart of the amount per day.
 *
 * @typedef {import('../../../src/api/contract.js').SalesView} SalesView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { barChart } from '../chart.js';
import { h, num, dayOf, money, head, fields } from '../dom.js';
import { lang, t } from '../i18n.js';

const DAY_MS = 86_400_000;
/** @param {number} ms */
const iso = (ms) => new Date(ms).toISOString().slice(0, 10);

/** @type {import('../dom.js').View} */
export default async function sales(main, params, shell) {
  const q = new URLSearchParams();
  for (const k of ['from', 'to']) if (params.get(k)) q.set(k, /** @type {string} */ (params.get(k)));
  const s = /** @type {SalesView} */ (await api('GET', `/api/admin/sales?${q}`));
  const table = (/** @type {(TextKey | '')[]} */ keys, /** @type {HTMLElement[]} */ rows) => h('div', { class: 'scroll' }, h('table', {}, head(keys), h('tbody', {}, rows)));
  // Every day of the range gets a bar, zero included, oldest first (the last 30 days when it is open).
  const last = s.to ?? iso(Date.now());
  const first = s.from ?? iso(Date.parse(last) - 29 * DAY_MS);
  /** @type {Map<string, number>} */
  const perDay = new Map();
  for (const r of s.rows) perDay.set(r.day, (perDay.get(r.day) ?? 0) + r.amount);
  const points = [];
  for (let d = Math.max(Date.parse(first), Date.parse(last) - 89 * DAY_MS); d <= Date.parse(last); d += DAY_MS) points.push({ label: dayOf(iso(d)), value: perDay.get(iso(d)) ?? 0 });
  const range = h('form', {
    class: 'card inline', role: 'search',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      const f = new URLSearchParams(Object.entries(fields(/** @type {HTMLFormElement} */ (e.target))).filter(([, v]) => v !== ''));
      location.hash = `#/sales?${f}`;
    },
  }, h('label', { for: 'from' }, t('fromDay')), h('input', { id: 'from', name: 'from', type: 'date', value: s.from ?? '' }),
  h('label', { for: 'to' }, t('toDay')), h('input', { id: 'to', name: 'to', type: 'date', value: s.to ?? '' }),
  h('button', { type: 'submit' }, t('filter')));
  main.append(h('h1', {}, t('sales')), range,
    h('div', { class: 'grid' }, h('div', { class: 'card' }, h('h2', {}, t('vouchersSold')), h('div', { class: 'big', id: 'sold' }, num(s.totals.vouchers))),
      h('div', { class: 'card' }, h('h2', {}, t('amount')), h('div', { class: 'big', id: 'amount' }, money(s.totals.amount)))),
    s.revokedUnused ? h('p', { class: 'muted', id: 'not-counted' }, t('revokedUnusedN', { n: num(s.revokedUnused) }, s.revokedUnused)) : '',
    h('div', { class: 'card' }, h('h2', {}, t('salesPerDay')), barChart({ points, format: money, caption: t('salesPerDay'), id: 'sales-chart' })),
    h('div', { class: 'card' }, h('h2', {}, t('perSeller')), table(['sellerCol', 'vouchers', 'amount'], s.perSeller.map((p) => h('tr', {}, h('td', {}, p.seller ?? t('commandLine')), h('td', {}, num(p.vouchers)), h('td', {}, money(p.amount)))))),
    h('div', { class: 'card' }, h('h2', {}, t('perMonth')), table(['month', 'vouchers', 'amount'], s.perMonth.map((m) => h('tr', {},
      h('td', {}, new Date(`${m.month}-01T00:00:00Z`).toLocaleDateString(lang, { timeZone: 'UTC', year: 'numeric', month: 'long' })), h('td', {}, num(m.vouchers)), h('td', {}, money(m.amount)))))),
    h('div', { class: 'card' }, h('h2', {}, t('perDay')), table(['day', 'sellerCol', 'vouchers', 'amount'], s.rows.map((r) => h('tr', {}, h('td', {}, dayOf(r.day)), h('td', {}, r.seller ?? t('commandLine')), h('td', {}, num(r.vouchers)), h('td', {}, money(r.amount)))))));
}
