// @ts-check
/**
 * The inline plan limits, as operators type them (`30d`, `2GB`, `4Mbit`): shared by the New batch form
 * (custom limits) and the Plans form. The server parses the units, so the words stay the operator's.
 *
 * @example
 *   form.append(planFields());
 */
import { h } from './dom.js';
import { t } from './i18n.js';

/** @typedef {import('./i18n.js').TextKey} TextKey */

/** The last day an unused code can still be started (after it, unused codes expire); a date, empty: none. */
export const redeemByField = () => h('div', {}, h('label', { for: 'f-redeemBy' }, t('redeemBy')), h('input', { id: 'f-redeemBy', name: 'redeemBy', type: 'date' }));

export function planFields() {
  /** @param {string} name @param {TextKey} label @param {string} placeholder */
  const f = (name, label, placeholder) => h('div', {}, h('label', { for: `f-${name}` }, t(label)), h('input', { id: `f-${name}`, name, placeholder }));
  return h('div', { class: 'row' },
    f('duration', 'limTime', t('limTimePh')),
    f('data', 'limData', t('limDataPh')),
    f('devices', 'devices', '1'),
    f('down', 'limDown', t('limSpeedPh')),
    f('up', 'limUp', t('limUpPh')),
    h('div', {}, h('label', { for: 'f-onExhausted' }, t('onExhausted')), h('select', { id: 'f-onExhausted', name: 'onExhausted' }, h('option', { value: '' }, t('planDefault')), h('option', { value: 'block' }, t('block')), h('option', { value: 'throttle' }, t('slowDown')))),
    redeemByField(),
    h('div', {}, h('label', { for: 'f-reset' }, t('renew')), h('select', { id: 'f-reset', name: 'reset' }, h('option', { value: '' }, t('never')), /** @type {const} */ (['daily', 'weekly', 'monthly']).map((r) => h('option', { value: r }, t(r))))),
  );
}
