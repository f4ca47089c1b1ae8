// @ts-check
/**
 * Plans: the saved plans in words with their price, archive one, add or change one by name.
 *
 * @typedef {import('../../../src/api/contract.js').PlanView} PlanView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, money, fields, act, head } from '../dom.js';
import { t } from '../i18n.js';
import { planFields } from '../plan-fields.js';

/** @type {import('../dom.js').View} */
export default async function plans(main, params, shell) {
  const plans = /** @type {PlanView[]} */ (await api('GET', '/api/admin/plans'));
  /**
   * Archiving acts at once and cannot be undone from the console: ask in the row first.
   * @param {HTMLElement | null} cell @param {PlanView} p
   */
  const confirmArchive = (cell, p) => {
    if (!cell) return;
    const keep = [...cell.childNodes];
    cell.replaceChildren(h('div', { class: 'confirm', role: 'group', 'aria-label': t('archiveQ', { name: p.name }) },
      h('p', {}, t('archiveQ', { name: p.name })),
      h('span', { class: 'inline' },
        h('button', { class: 'danger', onclick: () => act(async () => { await api('DELETE', `/api/admin/plans/${encodeURIComponent(p.name)}`); await shell.render(t('planArchived', { name: p.name })); }) }, t('confirmArchive')),
        h('button', { class: 'alt', onclick: () => cell.replaceChildren(...keep) }, t('cancel')))));
    /** @type {HTMLElement | null} */ (cell.querySelector('button.alt'))?.focus();
  };
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const { name = '', ...rest } = fields(/** @type {HTMLFormElement} */ (e.target));
        await api('PUT', `/api/admin/plans/${encodeURIComponent(name)}`, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '')));
        await shell.render(t('planSaved', { name }));
      });
    },
  }, h('h2', {}, t('addPlan')), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'pname' }, t('name')), h('input', { id: 'pname', name: 'name', required: true, maxlength: 40 })),
    h('div', {}, h('label', { for: 'pprice' }, t('price')), h('input', { id: 'pprice', name: 'price', inputmode: 'decimal' }))), planFields(), h('p', {}, h('button', { type: 'submit' }, t('savePlan'))));
  main.append(h('h1', {}, t('plans')),
    h('div', { class: 'card scroll' }, h('table', {}, head(['name', 'inWords', 'price', '']),
      h('tbody', {}, plans.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.words), h('td', {}, money(p.price)),
        h('td', {}, h('button', { class: 'alt', onclick: (/** @type {Event} */ e) => confirmArchive(/** @type {HTMLElement} */ (e.currentTarget).parentElement, p) }, t('archive')))))))),
    form);
}
