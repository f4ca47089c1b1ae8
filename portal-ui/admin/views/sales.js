// @ts-check
/**
 * Sales: vouchers issued and their amount, per seller and per day.
 *
 * @typedef {import('../../../src/api/contract.js').SalesView} SalesView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, num, dayOf, money, head } from '../dom.js';
import { t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function sales(main, params, shell) {
  const s = /** @type {SalesView} */ (await api('GET', '/api/admin/sales'));
  const table = (/** @type {(TextKey | '')[]} */ keys, /** @type {HTMLElement[]} */ rows) => h('div', { class: 'scroll' }, h('table', {}, head(keys), h('tbody', {}, rows)));
  main.append(h('h1', {}, t('sales')),
    h('div', { class: 'grid' }, h('div', { class: 'card' }, h('h2', {}, t('vouchersIssued')), h('div', { class: 'big' }, num(s.totals.vouchers))), h('div', { class: 'card' }, h('h2', {}, t('amount')), h('div', { class: 'big' }, money(s.totals.amount)))),
    h('div', { class: 'card' }, h('h2', {}, t('perSeller')), table(['sellerCol', 'vouchers', 'amount'], s.perSeller.map((p) => h('tr', {}, h('td', {}, p.seller ?? t('commandLine')), h('td', {}, num(p.vouchers)), h('td', {}, money(p.amount)))))),
    h('div', { class: 'card' }, h('h2', {}, t('perDay')), table(['day', 'sellerCol', 'vouchers', 'amount'], s.rows.map((r) => h('tr', {}, h('td', {}, dayOf(r.day)), h('td', {}, r.seller ?? t('commandLine')), h('td', {}, num(r.vouchers)), h('td', {}, money(r.amount)))))));
}
