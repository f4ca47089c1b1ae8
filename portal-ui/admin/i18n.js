// @ts-check
/**
 * The console's language: the words are in admin-en.js (always loaded, the fallback) and
 * admin-es/pt/fr.js (only the chosen one is fetched). The choice is the operator's from the header, kept
 * in localStorage, else the first of navigator.languages we have. `lang` is a live binding: modules that
 * import it see the current language after setLang().
 *
 * @example
 *   await setLang(preferredLang());
 *   t('createdN', { n: 3, words }, 3); // "Created 3 vouchers: …"
 */
import { EN } from '../admin-en.js';

/** @typedef {import('../admin-en.js').TextKey} TextKey @typedef {import('../admin-en.js').ConsoleText} ConsoleText */

export const LANG_NAMES = { en: 'English', es: 'Español', pt: 'Português', fr: 'Français' };
/** @type {Record<string, () => Promise<{ default: ConsoleText }>>} */
const LOAD = { es: () => import('../admin-es.js'), pt: () => import('../admin-pt.js'), fr: () => import('../admin-fr.js') };
const LANG_KEY = 'portico.console.lang';

export let lang = 'en';
/** @type {ConsoleText} */
let text = EN;

/** The saved choice, else the first of the browser's languages we have, else English. */
export function preferredLang() {
  let saved = null;
  try {
    saved = localStorage.getItem(LANG_KEY);
  } catch {} // storage can be off (private mode, policies): the browser's languages still apply
  const tags = [saved, ...(navigator.languages ?? [navigator.language])];
  return tags.map((l) => (l ?? '').toLowerCase().split('-')[0]).find((l) => l in LANG_NAMES) ?? 'en';
}

/** @param {string} l @param {boolean} [remember] */
export async function setLang(l, remember = false) {
  text = l in LOAD ? (await LOAD[l]()).default : EN;
  lang = l in LANG_NAMES ? l : 'en';
  document.documentElement.lang = lang;
  document.title = t('title');
  if (remember) try { localStorage.setItem(LANG_KEY, lang); } catch {}
}

/**
 * A sentence in the chosen language with `{name}` filled in; `one|other` forms are picked by `count`.
 * @param {TextKey} key @param {Record<string, string | number>} [vars] @param {number} [count]
 */
export function t(key, vars = {}, count) {
  let s = text[key] ?? EN[key];
  if (count !== undefined && s.includes('|')) {
    const [one = s, other = s] = s.split('|');
    s = new Intl.PluralRules(lang).select(count) === 'one' ? one : other;
  }
  return s.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}
