// @ts-check
/**
 * Vouchers: search by code (forgiving: case, spaces, dashes) or note, filter by status or batch, export
 * CSV, and revoke with a reason (admins only). Ticked rows are a selection: print them on one sheet
 * (any role: a reprint of one lost ticket, or a handful) or revoke them all with one reason (admins).
 *
 * @typedef {import('../../../src/api/contract.js').VoucherList} VoucherList
 * @typedef {import('../../../src/api/contract.js').VoucherView} VoucherView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api, session } from '../api.js';
import { h, num, when, fields, flash, act, pill, head } from '../dom.js';
import { lang, t } from '../i18n.js';
import { LAYOUTS, printIdsHref } from './print.js';

const STATUSES = ['unused', 'active', 'exhausted', 'expired', 'revoked'];

/** @type {import('../dom.js').View} */
export default async function vouchers(main, params, shell) {
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
  const admin = session.me?.role === 'admin';
  /** @type {Set<string>} the ticked vouchers' ids */
  const chosen = new Set();
  const count = h('strong', { id: 'chosen' });
  const prints = h('span', { class: 'inline' });
  const bulk = h('div', { class: 'card inline', id: 'selection', hidden: true });
  const refresh = () => {
    count.textContent = t('chosenN', { n: num(chosen.size) }, chosen.size);
    bulk.hidden = chosen.size === 0;
    prints.replaceChildren(...LAYOUTS.map(([layout, label]) => h('a', { class: 'button alt', href: printIdsHref([...chosen], layout), target: '_blank', rel: 'noopener', 'data-layout': layout }, t('print', { layout: label || t('letter') }))));
  };
  bulk.append(count, prints, admin ? h('form', {
    class: 'inline',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const r = /** @type {{ revoked: string[]; skipped: string[] }} */ (await api('POST', '/api/admin/bulk/revoke', { ids: [...chosen], reason: fields(/** @type {HTMLFormElement} */ (e.target)).reason }));
        await shell.render(t('revokedN', { n: num(r.revoked.length) }, r.revoked.length));
      });
    },
  }, h('input', { name: 'reason', 'aria-label': t('reasonChosen'), placeholder: t('reasonPh'), maxlength: 200 }), h('button', { class: 'danger', type: 'submit' }, t('revokeChosen'))) : '');
  /** @param {VoucherView} v */
  const tick = (v) => h('input', { type: 'checkbox', 'aria-label': t('choose', { code: v.code }), checked: chosen.has(v.id), onchange: (/** @type {Event} */ e) => {
    if (/** @type {HTMLInputElement} */ (e.target).checked) chosen.add(v.id); else chosen.delete(v.id);
    refresh();
  } });
  /** @param {VoucherView} v */
  const row = (v) => {
    const tr = h('tr', { 'data-code': v.code }, h('td', {}, tick(v)),
      h('td', {}, h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(v.id)}` }, v.code)), h('td', {}, pill(v.status), v.revokeReason ? h('div', { class: 'muted' }, v.revokeReason) : null), h('td', {}, v.words), h('td', {}, v.note ?? ''), h('td', {}, when(v.createdAt)), h('td', {}, when(v.redeemedAt)),
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
          // The revoke answer may not carry the note; the row keeps the one it showed.
          tr.replaceWith(row({ ...r.voucher, note: r.voucher.note ?? v.note }));
          flash(t('isRevoked', { code: v.code }));
        });
      },
    }, h('input', { name: 'reason', 'aria-label': t('reasonFor', { code: v.code }), placeholder: t('reasonPh'), maxlength: 200 }), h('button', { class: 'danger', type: 'submit' }, t('confirmRevoke'))));
    cell.querySelector('input')?.focus();
  };
  refresh();
  main.append(h('h1', {}, t('vouchers')), filter, bulk,
    h('div', { class: 'card' }, h('p', { class: 'muted' }, t('vouchersN', { n: num(list.total) }, list.total) + (list.total > list.items.length ? t('showing', { n: num(list.items.length) }) : '')),
      h('div', { class: 'scroll' }, h('table', {}, head(['', 'code', 'status', 'plan', 'note', 'created', 'firstUsed', '']), h('tbody', {}, list.items.map(row))))));
}
