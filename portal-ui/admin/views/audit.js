// @ts-check
/**
 * Audit log: every recorded event, newest first, filtered by type (`voucher.*`), 100 at a time.
 *
 * @typedef {import('../../../src/api/contract.js').AuditEvent} AuditEvent
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, when, fields, head } from '../dom.js';
import { t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function audit(main, params, shell) {
  const q = new URLSearchParams();
  for (const k of ['type', 'before']) if (params.get(k)) q.set(k, /** @type {string} */ (params.get(k)));
  q.set('limit', '100');
  const events = /** @type {AuditEvent[]} */ (await api('GET', `/api/admin/audit?${q}`));
  const last = events[events.length - 1];
  main.append(h('h1', {}, t('audit')),
    h('form', { class: 'card inline', role: 'search', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); const t = fields(/** @type {HTMLFormElement} */ (e.target)).type; location.hash = t ? `#/audit?type=${encodeURIComponent(t)}` : '#/audit'; } },
      h('label', { for: 'type' }, t('type')), h('input', { id: 'type', name: 'type', value: params.get('type') ?? '', placeholder: t('typePh') }), h('button', { type: 'submit' }, t('filter'))),
    h('div', { class: 'card scroll' }, h('table', {}, head(['time', 'event', 'actor', 'subject', 'details']),
      h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, when(e.at)), h('td', {}, e.type), h('td', {}, `${e.actorType}${e.actorId ? ` ${e.actorId}` : ''}`), h('td', { class: 'code' }, e.subject ?? ''), h('td', { class: 'muted' }, e.data ? JSON.stringify(e.data) : ''))))),
      last?.id && events.length === 100 ? h('p', {}, h('a', { class: 'button alt', href: `#/audit?${new URLSearchParams({ ...(params.get('type') ? { type: /** @type {string} */ (params.get('type')) } : {}), before: String(last.id) })}` }, t('older'))) : null));
}
