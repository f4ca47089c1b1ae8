// @ts-check
/**
 * Plans: the saved plans in words with their price, archive one, add or change one by name.
 *
 * @typedef {import('../../../src/api/contract.js').PlanView} PlanView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, money, fields, flash, act, head } from '../dom.js';
import { t } from '../i18n.js';
import { planFields } from '../plan-fields.js';

/** @type {import('../dom.js').View} */
export default async function plans(main, params, shell) {
  const plans = /** @type {PlanView[]} */ (await api('GET', '/api/admin/plans'));
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => {
        const { name = '', ...rest } = fields(/** @type {HTMLFormElement} */ (e.target));
        await api('PUT', `/api/admin/plans/${encodeURIComponent(name)}`, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '')));
        flash(t('planSaved', { name }));
        shell.render();
      });
    },
  }, h('h2', {}, t('addPlan')), h('div', { class: 'row' }, h('div', {}, h('label', { for: 'pname' }, t('name')), h('input', { id: 'pname', name: 'name', required: true, maxlength: 40 })),
    h('div', {}, h('label', { for: 'pprice' }, t('price')), h('input', { id: 'pprice', name: 'price', inputmode: 'decimal' }))), planFields(), h('p', {}, h('button', { type: 'submit' }, t('savePlan'))));
  main.append(h('h1', {}, t('plans')),
    h('div', { class: 'card' }, h('table', {}, head(['name', 'inWords', 'price', '']),
      h('tbody', {}, plans.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.words), h('td', {}, money(p.price)),
        h('td', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('DELETE', `/api/admin/plans/${encodeURIComponent(p.name)}`); shell.render(); }) }, t('archive')))))))),
    form);
}
