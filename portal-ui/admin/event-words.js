// @ts-check
/**
 * An audit row as a sentence in the console's language: the server resolved the ids to words
 * (`e.words`: the operator's name, the device's MAC, the voucher's code; src/core/admin-words.ts) and
 * this picks the sentence for the event type (`ev_voucher_redeemed` in admin-en.js and its siblings).
 * The audit log, the dashboard's latest events and the voucher page share it.
 *
 * @typedef {import('../../src/api/contract.js').AuditEvent} AuditEvent
 * @typedef {import('./i18n.js').TextKey} TextKey
 *
 * @example
 *   sentence(e);   // "02:00:00:aa:bb:cc started using K7QM-4XPA-9TR."
 *   eventName('voucher.redeemed'); // "Code used"
 */
import { EN } from '../admin-en.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/** The event types the console has words for, in the order of admin-en.js (the audit filter's list). */
export const EVENT_TYPES = Object.keys(EN).filter((k) => k.startsWith('evn_')).map((k) => k.slice(4).replace('_', '.'));

/** @param {string} type */
const keyOf = (type) => type.replace(/\./g, '_');
/** @param {string} k @returns {k is TextKey} */
const known = (k) => k in EN;

/** The event type's name, e.g. "Code used"; an unknown type shows as it is. @param {string} type */
export function eventName(type) {
  const k = `evn_${keyOf(type)}`;
  return known(k) ? t(k) : type;
}

/** Who did it, in words. @param {AuditEvent} e */
export function actorWords(e) {
  return e.words?.actor ?? (e.actorType === 'system' ? t('sysActor') : t('someone'));
}

/** @param {AuditEvent} e */
export function sentence(e) {
  const w = e.words;
  const f = w?.facts ?? {};
  if (/** @type {Record<string, unknown>} */ (e.data ?? {}).summary === true) return t('evMany', { what: eventName(e.type), n: f.count ?? '', ip: f.ip ?? f.bucket ?? '' });
  const reasonKey = `reason_${String(f.reason ?? '').replace(/-/g, '_')}`;
  const vars = {
    ...f,
    actor: actorWords(e),
    code: w?.code ?? '—',
    target: w?.target ?? '—',
    reason: f.reason === undefined || f.reason === '' ? '—' : known(reasonKey) ? t(reasonKey) : known(String(f.reason)) ? t(/** @type {TextKey} */ (String(f.reason))) : f.reason,
    role: f.role === 'admin' || f.role === 'seller' ? t(f.role) : f.role ?? '',
    state: f.state === 'disabled' ? t('opDisabled') : t('opActive'),
    mac: f.mac ?? '—',
    ip: f.ip ?? '—',
  };
  const k = e.type === 'voucher.redeemed' && f.topUp ? 'ev_voucher_topup' : `ev_${keyOf(e.type)}`;
  return known(k) ? t(k, vars) : `${eventName(e.type)}: ${[vars.actor, w?.code, w?.target].filter(Boolean).join(' · ')}`;
}

/**
 * The sentence with its code as a link to the voucher's page (the dashboard's events, the audit log,
 * a voucher's history). @param {AuditEvent} e @returns {(string | Node)[]}
 */
export function sentenceNodes(e) {
  const text = sentence(e);
  const code = e.words?.code, id = e.words?.voucherId;
  const at = code && id ? text.indexOf(code) : -1;
  if (!code || !id || at < 0) return [text];
  return [text.slice(0, at), h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(id)}` }, code), text.slice(at + code.length)];
}
