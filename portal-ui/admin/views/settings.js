// @ts-check
/**
 * Settings: the network name, SSID, languages offered to residents, the resident texts (welcome, terms
 * of use, notice: one for all languages and, optionally, one per language that wins) and the walled
 * garden (hosts reachable before sign-in).
 *
 * @typedef {import('../../../src/api/contract.js').SettingsView} SettingsView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api, session } from '../api.js';
import { h, flash, act } from '../dom.js';
import { LANG_NAMES, t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function settings(main, params, shell) {
  const s = /** @type {SettingsView} */ (await api('GET', '/api/admin/settings'));
  /** @typedef {'welcome' | 'terms' | 'notice'} Kind */
  /** @type {Record<Kind, { label: TextKey, max: number }>} */
  const KINDS = { welcome: { label: 'welcome', max: 500 }, terms: { label: 'termsText', max: 2000 }, notice: { label: 'noticeText', max: 300 } };
  /** A text for all languages, then one per offered language (core/portal-texts.ts). @param {Kind} kind */
  const texts = (kind) => {
    const byLang = /** @type {Record<string, string>} */ (s[`${kind}ByLang`] ?? {});
    return h('fieldset', {}, h('legend', {}, t(KINDS[kind].label)),
      h('label', { for: kind }, t('forAllLangs')), h('textarea', { id: kind, name: kind, maxlength: KINDS[kind].max }, s[kind] ?? ''),
      s.languages.flatMap((l) => [
        h('label', { for: `${kind}-${l}`, lang: l }, t('forLang', { lang: LANG_NAMES[l] })),
        h('textarea', { id: `${kind}-${l}`, name: `${kind}.${l}`, lang: l, maxlength: KINDS[kind].max }, byLang[l] ?? ''),
      ]));
  };
  /** @param {FormDataEntryValue | null} v */
  const lines = (v) => String(v ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  /** @param {FormData} fd @param {Kind} kind */
  const byLangOf = (fd, kind) => Object.fromEntries(s.languages.map((l) => [l, String(fd.get(`${kind}.${l}`) ?? '')]));
  const form = h('form', {
    class: 'card',
    onsubmit: (/** @type {Event} */ e) => {
      e.preventDefault();
      const fd = new FormData(/** @type {HTMLFormElement} */ (e.target));
      act(async () => {
        const saved = /** @type {SettingsView} */ (await api('PUT', '/api/admin/settings', {
          networkName: String(fd.get('networkName') ?? ''), ssid: String(fd.get('ssid') ?? ''), welcome: String(fd.get('welcome') ?? ''),
          welcomeByLang: byLangOf(fd, 'welcome'), terms: String(fd.get('terms') ?? ''), termsByLang: byLangOf(fd, 'terms'),
          notice: String(fd.get('notice') ?? ''), noticeByLang: byLangOf(fd, 'notice'),
          languages: fd.getAll('languages').map(String),
          // One entry per line, so an error's line number is the line the operator reads.
          walledGarden: lines(fd.get('walledGarden')),
          bypass: lines(fd.get('bypass')),
          currency: String(fd.get('currency') ?? ''),
          wifiPassword: String(fd.get('wifiPassword') ?? ''),
        }));
        session.currency = saved.currency;
        flash(t('settingsSaved'));
      });
    },
  },
    h('label', { for: 'networkName' }, t('networkName')), h('input', { id: 'networkName', name: 'networkName', value: s.networkName, required: true, maxlength: 80 }),
    h('label', { for: 'wifiPassword' }, t('wifiPw')), h('input', { id: 'wifiPassword', name: 'wifiPassword', value: s.wifiPassword ?? '', maxlength: 63, autocomplete: 'off', spellcheck: 'false' }),
    h('label', { for: 'currency' }, t('currencyLabel')), h('input', { id: 'currency', name: 'currency', value: s.currency ?? '', maxlength: 3, placeholder: t('currencyPh'), autocapitalize: 'characters', style: 'max-width:8rem' }),
    h('label', { for: 'ssid' }, t('ssid')), h('input', { id: 'ssid', name: 'ssid', value: s.ssid, maxlength: 32 }),
    h('fieldset', {}, h('legend', {}, t('residentLangs')), Object.entries(LANG_NAMES).map(([code, label]) =>
      h('label', { class: 'inline', lang: code }, h('input', { type: 'checkbox', name: 'languages', value: code, checked: s.languages.includes(/** @type {any} */ (code)) }), label))),
    texts('welcome'), texts('terms'), texts('notice'),
    h('label', { for: 'walledGarden' }, t('garden')), h('textarea', { id: 'walledGarden', name: 'walledGarden' }, s.walledGarden.join('\n')),
    h('label', { for: 'bypass' }, t('bypass')), h('textarea', { id: 'bypass', name: 'bypass' }, (s.bypass ?? []).join('\n')),
    h('p', {}, h('button', { type: 'submit' }, t('saveSettings'))));
  main.append(h('h1', {}, t('settings')), form);
}
