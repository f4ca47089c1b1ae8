// @ts-check
/**
 * Settings: the network name, SSID, languages offered to residents, the welcome text and the walled
 * garden (hosts reachable before sign-in).
 *
 * @typedef {import('../../../src/api/contract.js').SettingsView} SettingsView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, flash, act } from '../dom.js';
import { LANG_NAMES, t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function settings(main, params, shell) {
  const s = /** @type {SettingsView} */ (await api('GET', '/api/admin/settings'));
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      const fd = new FormData(/** @type {HTMLFormElement} */ (e.target));
      act(async () => {
        await api('PUT', '/api/admin/settings', {
          networkName: String(fd.get('networkName') ?? ''), ssid: String(fd.get('ssid') ?? ''), welcome: String(fd.get('welcome') ?? ''),
          languages: fd.getAll('languages').map(String),
          walledGarden: String(fd.get('walledGarden') ?? '').split(/\s+/).filter(Boolean),
        });
        flash(t('settingsSaved'));
      });
    },
  },
    h('label', { for: 'networkName' }, t('networkName')), h('input', { id: 'networkName', name: 'networkName', value: s.networkName, required: true, maxlength: 80 }),
    h('label', { for: 'ssid' }, t('ssid')), h('input', { id: 'ssid', name: 'ssid', value: s.ssid, maxlength: 32 }),
    h('fieldset', {}, h('legend', {}, t('residentLangs')), Object.entries(LANG_NAMES).map(([code, label]) =>
      h('label', { class: 'inline', lang: code }, h('input', { type: 'checkbox', name: 'languages', value: code, checked: s.languages.includes(/** @type {any} */ (code)) }), label))),
    h('label', { for: 'welcome' }, t('welcome')), h('textarea', { id: 'welcome', name: 'welcome', maxlength: 500 }, s.welcome),
    h('label', { for: 'walledGarden' }, t('garden')), h('textarea', { id: 'walledGarden', name: 'walledGarden' }, s.walledGarden.join('\n')),
    h('p', {}, h('button', { type: 'submit' }, t('saveSettings'))));
  main.append(h('h1', {}, t('settings')), form);
}
