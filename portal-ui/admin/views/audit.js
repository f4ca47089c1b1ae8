// @ts-check
/**
 * Audit log: every recorded event, newest first, 100 at a time, filtered by event type (chosen by name
 * in the console's language). Each row reads as a sentence with names, codes and MACs, never ids or
 * JSON (the words come with the row: src/core/admin-words.ts); a code opens its voucher page.
 *
 * @typedef {import('../../../src/api/contract.js').AuditEvent} AuditEvent
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, when, head } from '../dom.js';
import { EVENT_TYPES, actorWords, eventName, sentence } from '../event-words.js';
import { t } from '../i18n.js';

/** A voucher's code as a link to its page. @param {AuditEvent} e */
export const codeLink = (e) => (e.words?.code && e.words.voucherId ? h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(e.words.voucherId)}` }, e.words.code) : e.words?.target ?? '');

/** @type {import('../dom.js').View} */
export default async function audit(main, params, shell) {
  const q = new URLSearchParams();
  for (const k of ['type', 'before']) if (params.get(k)) q.set(k, /** @type {string} */ (params.get(k)));
  q.set('limit', '100');
  const events = /** @type {AuditEvent[]} */ (await api('GET', `/api/admin/audit?${q}`));
  const last = events[events.length - 1];
  const type = params.get('type') ?? '';
  const pick = h('select', { id: 'type', name: 'type', onchange: (/** @type {Event} */ e) => {
    const v = /** @type {HTMLSelectElement} */ (e.target).value;
    location.hash = v ? `#/audit?type=${encodeURIComponent(v)}` : '#/audit';
  } }, h('option', { value: '' }, t('allEvents')),
  [...EVENT_TYPES].sort((a, b) => eventName(a).localeCompare(eventName(b))).map((ty) => h('option', { value: ty, selected: ty === type }, eventName(ty))),
  type && !EVENT_TYPES.includes(type) ? h('option', { value: type, selected: true }, type) : null);
  main.append(h('h1', {}, t('audit')),
    h('form', { class: 'card inline', role: 'search', onsubmit: (/** @type {Event} */ e) => e.preventDefault() }, h('label', { for: 'type' }, t('type')), pick),
    h('div', { class: 'card scroll' }, h('table', {}, head(['time', 'event', 'actor', 'subject', 'details']),
      h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, eventName(e.type)), h('td', {}, actorWords(e)), h('td', {}, codeLink(e)), h('td', {}, sentence(e)))))),
      last?.id && events.length === 100 ? h('p', {}, h('a', { class: 'button alt', href: `#/audit?${new URLSearchParams({ ...(type ? { type } : {}), before: String(last.id) })}` }, t('older'))) : null));
}
