// @ts-check
/**
 * Operators: who may sign in, as admin or seller; change role, disable or enable, add one, and which
 * plans each seller may sell.
 *
 * @typedef {import('../../../src/api/contract.js').OperatorView} OperatorView
 * @typedef {import('../../../src/api/contract.js').PlanView} PlanView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api, session } from '../api.js';
import { h, when, fields, act, head } from '../dom.js';
import { t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function operators(main, params, shell) {
  const [ops, plans] = /** @type {[OperatorView[], PlanView[]]} */ (await Promise.all([api('GET', '/api/admin/operators'), api('GET', '/api/admin/plans')]));
  /**
   * Which plans a seller may sell: every plan (new ones too), or only those ticked. Saved with PATCH
   * { plans }; the API refuses the others to the seller.
   * @param {OperatorView} o
   */
  const sells = (o) => {
    if (o.role !== 'seller') return '';
    const form = h('form', {
      class: 'plans', 'aria-label': `${t('sellsCol')}: ${o.name}`,
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        const fd = new FormData(/** @type {HTMLFormElement} */ (e.target));
        const chosen = fd.get('every') ? null : fd.getAll('plan').map(String);
        patch(o, { plans: chosen }, t('plansSaved', { name: o.name, plans: chosen ? chosen.join(', ') || '—' : t('everyPlan') }));
      },
    },
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'every', value: '1', checked: o.plans === null }), t('everyPlanNew')),
    plans.map((p) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'plan', value: p.name, checked: o.plans === null || o.plans.includes(p.name) }), p.name)),
    h('button', { type: 'submit', class: 'alt' }, t('savePlans')));
    return h('details', {}, h('summary', {}, o.plans === null ? t('everyPlan') : o.plans.join(', ') || '—'), form);
  };
  const patch = (/** @type {OperatorView} */ o, /** @type {Record<string, unknown>} */ body, /** @type {string} */ done) =>
    act(async () => { await api('PATCH', `/api/admin/operators/${encodeURIComponent(o.id)}`, body); await shell.render(done); });
  const rows = ops.map((o) => h('tr', {}, h('td', {}, o.name), h('td', {}, t(o.role)), h('td', {}, o.disabled ? h('span', { class: 'bad' }, t('opDisabled')) : t('opActive')), h('td', {}, when(o.createdAt)), h('td', {}, sells(o)),
    h('td', { class: 'inline' }, o.id === session.me?.id ? h('span', { class: 'muted' }, t('you')) : [
      h('button', { class: 'alt', onclick: () => patch(o, { role: o.role === 'admin' ? 'seller' : 'admin' }, t(o.role === 'admin' ? 'nowSeller' : 'nowAdmin', { name: o.name })) }, t(o.role === 'admin' ? 'makeSeller' : 'makeAdmin')),
      h('button', { class: 'alt', onclick: () => patch(o, { disabled: !o.disabled }, t(o.disabled ? 'isEnabled' : 'isDisabled', { name: o.name })) }, t(o.disabled ? 'enable' : 'disable')),
    ])));
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => { const f = fields(/** @type {HTMLFormElement} */ (e.target)); await api('POST', '/api/admin/operators', f); await shell.render(t('opAdded', { name: f.name ?? '' })); });
    },
  }, h('h2', {}, t('addOperator')), h('div', { class: 'row' },
    h('div', {}, h('label', { for: 'oname' }, t('name')), h('input', { id: 'oname', name: 'name', required: true, autocomplete: 'off' })),
    h('div', {}, h('label', { for: 'orole' }, t('role')), h('select', { id: 'orole', name: 'role' }, h('option', { value: 'seller' }, t('sellerOpt')), h('option', { value: 'admin' }, t('adminOpt')))),
    h('div', {}, h('label', { for: 'opw' }, t('passwordMin')), h('input', { id: 'opw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }))),
    h('p', {}, h('button', { type: 'submit' }, t('addOperatorBtn'))));
  main.append(h('h1', {}, t('operators')), h('div', { class: 'card scroll' }, h('table', {}, head(['name', 'role', 'state', 'added', 'sellsCol', '']), h('tbody', {}, rows))), form);
}
