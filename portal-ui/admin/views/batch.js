// @ts-check
/**
 * New batch: create vouchers from a plan or custom limits, show the codes and the print links, and the
 * list of earlier batches with their own print links.
 *
 * @typedef {import('../../../src/api/contract.js').PlanView} PlanView
 * @typedef {import('../../../src/api/contract.js').BatchView} BatchView
 * @typedef {import('../../../src/api/contract.js').BatchCreated} BatchCreated
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api, session } from '../api.js';
import { h, num, when, money, fields, flash, act, head } from '../dom.js';
import { t } from '../i18n.js';
import { planFields, redeemByField } from '../plan-fields.js';
import { LAYOUTS, printHref } from './print.js';

/** The print links of a batch: each opens the console's print view for that layout in a new tab. @param {BatchView} b */
const printLinks = (b) =>
  h('span', { class: 'inline' }, LAYOUTS.map(([layout, label]) => h('a', { class: 'button alt', href: printHref(b.id, layout), target: '_blank', rel: 'noopener', 'data-layout': layout }, t('print', { layout: label || t('letter') }))));

/** @type {import('../dom.js').View} */
export default async function batch(main, params, shell) {
  const [plans, batches] = await Promise.all([
    /** @type {Promise<PlanView[]>} */ (api('GET', '/api/admin/plans')),
    /** @type {Promise<BatchView[]>} */ (api('GET', '/api/admin/batches')),
  ]);
  const result = h('div', { id: 'result' });
  const seller = session.me?.role === 'seller';
  /** @param {BatchView[]} list */
  const batchRows = (list) => list.map((b) => h('tr', { 'data-batch': b.id }, h('td', {}, when(b.createdAt)), h('td', {}, num(b.count)), h('td', {}, b.words), h('td', {}, b.note ?? ''), h('td', {}, money(b.price)), h('td', {}, b.seller ?? ''),
    h('td', {}, h('a', { href: `#/vouchers?batch=${encodeURIComponent(b.id)}` }, t('vouchers')), ' ', printLinks(b),
      // A batch never used (printed by mistake) can go; one with a used code stays as history.
      b.used ? '' : h('button', { type: 'button', class: 'alt', 'data-delete': b.id, onclick: () => {
        if (!confirm(t('confirmDeleteBatch', { n: num(b.count) }))) return;
        act(async () => {
          await api('DELETE', `/api/admin/batches/${encodeURIComponent(b.id)}`);
          flash(t('batchDeleted'));
          tbody.replaceChildren(...batchRows(/** @type {BatchView[]} */ (await api('GET', '/api/admin/batches'))));
        });
      } }, t('deleteBatch')))));
  const tbody = h('tbody', { id: 'batches' }, batchRows(batches));
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const f = fields(/** @type {HTMLFormElement} */ (e.target));
        const body = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));
        const r = /** @type {BatchCreated} */ (await api('POST', '/api/admin/batches', body));
        // The codes and the confirmation first (nothing to wait for), then the list below refreshes.
        result.replaceChildren(h('div', { class: 'card' }, h('h2', {}, t('batchTitle', { note: r.batch.note ?? '' })), h('p', {}, r.batch.words), printLinks(r.batch),
          h('div', { class: 'codes', id: 'codes' }, r.codes.map((c) => h('div', {}, c)))));
        flash(t('createdN', { n: num(r.batch.count), words: r.batch.words }, r.batch.count));
        // The new batch joins the list below without a reload.
        tbody.replaceChildren(...batchRows(/** @type {BatchView[]} */ (await api('GET', '/api/admin/batches'))));
      });
    },
  },
    h('h2', {}, t('createVouchers')),
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'plan' }, t('plan')), h('select', { id: 'plan', name: 'plan', required: seller }, seller ? null : h('option', { value: '' }, t('customBelow')), plans.map((p) => h('option', { value: p.name }, `${p.name} — ${p.words}${p.price !== null ? ` — ${money(p.price)}` : ''}`)))),
      h('div', {}, h('label', { for: 'count' }, t('howMany')), h('input', { id: 'count', name: 'count', type: 'number', min: 1, max: 10000, value: '10', required: true })),
      h('div', {}, h('label', { for: 'price' }, t('priceEach')), h('input', { id: 'price', name: 'price', inputmode: 'decimal', placeholder: t('fromPlan') })),
      h('div', {}, h('label', { for: 'note' }, t('note')), h('input', { id: 'note', name: 'note', maxlength: 200, placeholder: t('notePh') })),
    ),
    // Sellers sell the admin's plans at their price or more (the API refuses anything else).
    seller ? [h('div', { class: 'row' }, redeemByField()), h('p', { class: 'muted', id: 'seller-hint' }, t(plans.length ? 'sellerHint' : 'sellerNoPlans'))]
      : h('details', { open: plans.length === 0 }, h('summary', {}, t('customLimits')), planFields()),
    h('p', {}, h('button', { type: 'submit' }, t('createBatch'))),
  );
  main.append(h('h1', {}, t('batch')), form, result,
    h('div', { class: 'card' }, h('h2', {}, t('batches')), h('div', { class: 'scroll' }, h('table', {}, head(['created', 'count', 'plan', 'note', 'price', 'sellerCol', '']), tbody))));
}
