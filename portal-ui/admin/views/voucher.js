// @ts-check
/**
 * One voucher's page (`#/voucher?id=…`, opened from a code in the vouchers list, the dashboard or the
 * audit log): its plan, status, time and data left, the codes joined to its pool, the devices it has
 * had (name, MAC, address, usage, online or when it left) and its history in sentences. An admin can
 * disconnect a device, give the pool more time or data, and revoke the code; each is audited.
 *
 * @typedef {import('../../../src/api/contract.js').VoucherDetail} VoucherDetail
 * @typedef {import('../../../src/api/contract.js').VoucherDevice} VoucherDevice
 */
import { api, session } from '../api.js';
import { h, when, fields, act, pill, head, bytes, dur, money, rate } from '../dom.js';
import { sentenceNodes } from '../event-words.js';
import { t } from '../i18n.js';
import { LAYOUTS, printIdsHref } from './print.js';

/** @type {import('../dom.js').View} */
export default async function voucher(main, params, shell) {
  const id = params.get('id') ?? '';
  const d = /** @type {VoucherDetail} */ (await api('GET', `/api/admin/vouchers/${encodeURIComponent(id)}`));
  const v = d.voucher, p = d.pool;
  const admin = session.me?.role === 'admin';
  /** @param {string} label @param {Node | string | null} value */
  const fact = (label, value) => [h('dt', {}, label), h('dd', {}, value ?? '—')];
  /** @param {VoucherDevice} x */
  const deviceRow = (x) => h('tr', { 'data-mac': x.mac },
    h('td', {}, x.name ?? '', x.nas ? h('div', { class: 'muted' }, t('viaNas', { nas: x.nas })) : null), h('td', { class: 'code' }, x.mac), h('td', {}, x.ip ?? ''),
    h('td', {}, bytes(x.usedBytes), x.online && (x.downBps || x.upBps) ? h('div', { class: 'muted' }, `${rate(x.downBps)} ↓ ${rate(x.upBps)} ↑`) : null),
    h('td', {}, x.online ? h('span', { class: 'ok' }, t('online')) : t('leftAt', { when: when(x.endedAt) })),
    h('td', {}, admin && x.online && x.id ? h('button', { class: 'alt', onclick: () => act(async () => {
      await api('POST', `/api/admin/devices/${encodeURIComponent(/** @type {string} */ (x.id))}/disconnect`, {});
      await shell.render(t('disconnected', { mac: x.mac }));
    }) }, t('disconnect')) : null));

  main.append(
    h('h1', {}, t('voucherTitle', { code: v.code }), ' ', pill(v.status)),
    // A lost or smudged ticket: print this one code again, on any paper.
    v.status === 'revoked' ? '' : h('p', { class: 'inline', id: 'reprint' }, h('span', {}, t('printThis')), LAYOUTS.map(([layout, label]) =>
      h('a', { class: 'button alt', href: printIdsHref([v.id], layout), target: '_blank', rel: 'noopener', 'data-layout': layout }, t('print', { layout: label || t('letter') })))),
    h('div', { class: 'card' }, h('dl', { class: 'facts' },
      fact(t('plan'), p ? p.words : v.words), fact(t('note'), v.note), fact(t('soldBy'), d.batch.seller ?? t('commandLine')),
      fact(t('price'), d.batch.price === null ? null : money(d.batch.price)), fact(t('created'), when(v.createdAt)), fact(t('firstUsed'), v.redeemedAt ? when(v.redeemedAt) : null),
      v.revokedAt ? fact(t('revoked'), `${when(v.revokedAt)}${v.revokeReason ? ` — ${v.revokeReason}` : ''}`) : null,
      p ? [...fact(t('timeLeft'), p.secondsRemaining === null ? '∞' : dur(p.secondsRemaining)), ...fact(t('dataLeft'), p.bytesRemaining === null ? '∞' : bytes(p.bytesRemaining)), ...fact(t('usedData'), bytes(p.usedBytes))] : null),
      p ? null : h('p', { class: 'muted' }, t('notUsedYet'))),
  );
  if (p && p.codes.length > 1) {
    main.append(h('div', { class: 'card' }, h('h2', {}, t('poolCodes')), h('p', { class: 'muted' }, t('poolCodesHint')),
      h('div', { class: 'scroll' }, h('table', {}, head(['code', 'plan', 'firstUsed']), h('tbody', { id: 'pool-codes' }, p.codes.map((c) => h('tr', {},
        h('td', {}, c.voucherId === v.id ? h('strong', { class: 'code' }, c.code) : h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(c.voucherId)}` }, c.code)), h('td', {}, c.words), h('td', {}, when(c.redeemedAt)))))))));
  }
  if (p) {
    main.append(h('div', { class: 'card' }, h('h2', {}, t('devices')),
      h('div', { class: 'scroll' }, h('table', {}, head(['deviceCol', 'macCol', 'ipCol', 'usedData', 'status', '']), h('tbody', { id: 'devices' }, p.devices.map(deviceRow))))));
  }
  if (admin && p && (p.status === 'active' || p.status === 'exhausted')) {
    main.append(h('form', {
      class: 'card', id: 'extend',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => {
          const r = /** @type {VoucherDetail} */ (await api('POST', `/api/admin/vouchers/${encodeURIComponent(v.id)}/extend`, fields(/** @type {HTMLFormElement} */ (e.target))));
          await shell.render(t('extended', { code: v.code, words: r.pool?.words ?? '' }));
        });
      },
    }, h('h2', {}, t('extendTitle')), h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'xduration' }, t('addTime')), h('input', { id: 'xduration', name: 'duration', placeholder: t('limTimePh') })),
      h('div', {}, h('label', { for: 'xdata' }, t('addData')), h('input', { id: 'xdata', name: 'data', placeholder: t('limDataPh') }))),
    h('p', {}, h('button', { type: 'submit' }, t('extendBtn')))));
  }
  if (admin && v.status !== 'revoked') {
    main.append(h('form', {
      class: 'card inline', id: 'revoke',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        act(async () => {
          await api('POST', `/api/admin/vouchers/${encodeURIComponent(v.id)}/revoke`, fields(/** @type {HTMLFormElement} */ (e.target)));
          await shell.render(t('isRevoked', { code: v.code }));
        });
      },
    }, h('input', { name: 'reason', 'aria-label': t('reasonFor', { code: v.code }), placeholder: t('reasonPh'), maxlength: 200 }), h('button', { class: 'danger', type: 'submit' }, t('revoke'))));
  }
  main.append(h('div', { class: 'card' }, h('h2', {}, t('history')), h('ul', { class: 'events', id: 'history' },
    d.history.map((e) => h('li', {}, h('span', { class: 'muted' }, when(e.at)), ' ', ...sentenceNodes(e))))));
}
