// @ts-check
/**
 * Account: change my own password, sign out.
 *
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api, endSession } from '../api.js';
import { h, fields, flash, act } from '../dom.js';
import { t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function account(main, params, shell) {
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      act(async () => { await api('POST', '/api/admin/password', fields(/** @type {HTMLFormElement} */ (e.target))); flash(t('pwChanged')); /** @type {HTMLFormElement} */ (e.target).reset(); });
    },
  }, h('h2', {}, t('changeMine')),
    h('label', { for: 'current' }, t('currentPw')), h('input', { id: 'current', name: 'current', type: 'password', required: true, autocomplete: 'current-password' }),
    h('label', { for: 'newpw' }, t('newPw')), h('input', { id: 'newpw', name: 'password', type: 'password', minlength: 8, required: true, autocomplete: 'new-password' }),
    h('p', {}, h('button', { type: 'submit' }, t('changePw'))));
  main.append(h('h1', {}, t('account')), form,
    h('p', {}, h('button', { class: 'alt', onclick: () => act(async () => { await api('POST', '/api/admin/logout'); location.hash = ''; endSession(); }) }, t('signOut'))));
}
