// @ts-check
/**
 * Print: a batch's sheet for one layout, framed in the console (`#/print?batch=…&layout=…`), or chosen
 * codes (`#/print?ids=a,b&layout=…`: a selection, or one ticket to reprint). The sheet
 * itself runs no script (its CSP forbids it), so its Print button is hidden there and wired here, from
 * outside, to the frame's own print(): Chromium then prints the sheet alone, on its own `@page` paper
 * (A4, Letter, or one 58/80 mm ticket per voucher). The sheet's hint line says the same for Ctrl+P.
 *
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h } from '../dom.js';
import { lang, t } from '../i18n.js';

/** Layout → its label in the links ('' is Letter, whose word depends on the language). */
export const LAYOUTS = [['a4', 'A4'], ['letter', ''], ['receipt58', '58 mm'], ['receipt80', '80 mm']];
/** @param {string} label */
const layoutName = (label) => label || t('letter');

/** @param {string} batchId @param {string} layout */
export const printHref = (batchId, layout) => `#/print?${new URLSearchParams({ batch: batchId, layout })}`;
/** Chosen vouchers (ids or codes) on one sheet. @param {string[]} ids @param {string} layout */
export const printIdsHref = (ids, layout) => `#/print?${new URLSearchParams({ ids: ids.join(','), layout })}`;

/** @type {import('../dom.js').View} */
export default async function print(main, params) {
  const batch = params.get('batch') ?? '';
  const ids = (params.get('ids') ?? '').split(',').filter(Boolean);
  const layout = LAYOUTS.find(([l]) => l === params.get('layout')) ?? LAYOUTS[0];
  const query = new URLSearchParams({ layout: layout[0], lang });
  if (ids.length) query.set('ids', ids.join(','));
  const src = ids.length ? `/api/admin/bulk/sheet?${query}` : `/api/admin/batches/${encodeURIComponent(batch)}/sheet?${query}`;
  // Asked first so that a wrong or foreign batch or code is a sentence in the console, not JSON in the frame.
  await api('GET', ids.length ? `/api/admin/bulk/sheet?${query}` : `/api/admin/batches/${encodeURIComponent(batch)}`);
  const frame = /** @type {HTMLIFrameElement} */ (h('iframe', { class: 'sheet', title: t('sheetFrame'), src }));
  frame.addEventListener('load', () => {
    const doc = frame.contentDocument;
    const button = doc?.getElementById('print');
    if (!doc || !button) return;
    button.hidden = false;
    button.addEventListener('click', () => frame.contentWindow?.print());
    frame.style.height = `${doc.documentElement.scrollHeight + 16}px`;
  });
  main.append(
    h('h1', {}, t('printTitle', { layout: layoutName(layout[1]) })),
    h('p', { class: 'inline' }, LAYOUTS.filter(([l]) => l !== layout[0]).map(([l, label]) =>
      h('a', { class: 'button alt', href: ids.length ? printIdsHref(ids, l) : printHref(batch, l), 'data-layout': l }, t('print', { layout: layoutName(label) })))),
    h('div', { class: 'card' }, frame),
  );
}
