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

/** Units the API parses (src/domain/units.ts), largest first; a value is written in the largest that divides it. */
const DURATION = /** @type {[number, string][]} */ ([[604800, 'w'], [86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']]);
const BYTES = /** @type {[number, string][]} */ ([[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'kB'], [1, 'B']]);
const RATE = /** @type {[number, string][]} */ ([[1e9, 'Gbit'], [1e6, 'Mbit'], [1e3, 'kbit'], [1, 'bit']]);
/** @param {number | null} n @param {[number, string][]} scale */
const units = (n, scale) => {
  if (n === null) return '';
  const [size, unit] = scale.find(([size]) => n % size === 0) ?? scale[scale.length - 1];
  return `${n / size}${unit}`;
};

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
  /**
   * Fills the form with a saved plan, in the units operators type, so changing it is not retyping it.
   * @param {PlanView} p
   */
  const edit = (p) => {
    /** @type {Record<string, string>} */
    const values = {
      name: p.name, price: p.price === null ? '' : String(p.price), duration: units(p.plan.durationSec, DURATION), data: units(p.plan.dataBytes, BYTES),
      devices: String(p.plan.devices), down: units(p.plan.downBps, RATE), up: units(p.plan.upBps, RATE), onExhausted: p.plan.onExhausted, reset: p.plan.reset ?? '',
      // The day the deadline falls on, in the console's time (the server reads a date as the end of that day).
      redeemBy: p.plan.redeemBy === null ? '' : new Date(p.plan.redeemBy - new Date(p.plan.redeemBy).getTimezoneOffset() * 60_000).toISOString().slice(0, 10),
    };
    for (const [name, value] of Object.entries(values)) {
      const el = /** @type {HTMLInputElement | HTMLSelectElement | null} */ (form.querySelector(`[name="${name}"]`));
      if (el) el.value = value;
    }
    form.scrollIntoView({ block: 'start' });
    /** @type {HTMLInputElement | null} */ (form.querySelector('[name=data]'))?.focus();
  };
  const form = h('form', {
    class: 'card', id: 'plan-form',
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
        h('td', { class: 'inline' },
          h('button', { class: 'alt', onclick: () => edit(p) }, t('edit')),
          h('button', { class: 'alt', onclick: (/** @type {Event} */ e) => confirmArchive(/** @type {HTMLElement} */ (e.currentTarget).parentElement, p) }, t('archive')))))))),
    form);
}
