// @ts-check
/**
 * The dashboard: figures (devices online, throughput, today's traffic, gateway, unused vouchers), who is
 * online now and the latest events, all live over `operator/sessions` and `operator/events`.
 *
 * @typedef {import('../../../src/api/contract.js').OperatorSessions} OperatorSessions
 * @typedef {import('../../../src/api/contract.js').AuditEvent} AuditEvent
 * @typedef {import('../../../src/api/contract.js').NetworkHistoryView} NetworkHistoryView
 * @typedef {import('../i18n.js').TextKey} TextKey
 */
import { api } from '../api.js';
import { h, num, bytes, rate, dur, pill, head } from '../dom.js';
import { barChart } from '../chart.js';
import { sentenceNodes } from '../event-words.js';
import { lang, t } from '../i18n.js';
import { live } from '../live.js';

/**
 * The last 24 hours per hour (the network history's 5-minute buckets): traffic summed, devices the most
 * online at once. The same public figures as the /network chart, drawn in the console's language.
 * @param {NetworkHistoryView} hist
 */
function charts(hist) {
  const HOUR = 3_600_000;
  /** @type {Map<number, { bytes: number; devices: number }>} */
  const hours = new Map();
  const now = Date.now();
  for (let at = Math.floor((now - 23 * HOUR) / HOUR) * HOUR; at <= now; at += HOUR) hours.set(at, { bytes: 0, devices: 0 });
  for (const p of hist.points) {
    const slot = hours.get(Math.floor(p.at / HOUR) * HOUR);
    if (!slot) continue;
    slot.bytes += p.bytes;
    slot.devices = Math.max(slot.devices, p.devices);
  }
  const label = (/** @type {number} */ at) => new Date(at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  const list = [...hours];
  return h('div', { class: 'grid charts' },
    h('div', { class: 'card' }, h('h2', {}, t('trafficPerHour')), barChart({ id: 'traffic-chart', caption: t('trafficPerHour'), format: bytes, points: list.map(([at, v]) => ({ label: label(at), value: v.bytes })) })),
    h('div', { class: 'card' }, h('h2', {}, t('devicesPerHour')), barChart({ id: 'devices-chart', caption: t('devicesPerHour'), format: (n) => num(n), points: list.map(([at, v]) => ({ label: label(at), value: v.devices })) })));
}

/** @type {import('../dom.js').View} */
export default async function dashboard(main, params, shell) {
  const [d, hist] = /** @type {[OperatorSessions, NetworkHistoryView]} */ (await Promise.all([api('GET', '/api/admin/dashboard'), api('GET', '/api/network/history')]));
  const figure = (/** @type {string} */ id, /** @type {string} */ label) => h('div', { class: 'card' }, h('h2', {}, label), h('div', { class: 'big', id }));
  const pools = h('tbody');
  const events = h('ul', { class: 'events', id: 'events' });
  const total = Object.values(d.vouchers).reduce((n, x) => n + x, 0);
  main.append(
    h('h1', {}, t('dashboard')),
    // A first run has no vouchers at all: say what to do, in order.
    total === 0 ? h('div', { class: 'card', id: 'first-steps' }, h('h2', {}, t('firstSteps')),
      h('ol', {}, h('li', {}, t('step1'), ' ', h('a', { href: '#/plans' }, t('goPlans'))), h('li', {}, t('step2'), ' ', h('a', { href: '#/batch' }, t('goBatch'))), h('li', {}, t('step3')))) : '',
    h('div', { class: 'grid' }, figure('online', t('devicesOnline')), figure('rate', t('throughput')), figure('today', t('todayTraffic')), figure('gw', t('gateway')), figure('unused', t('unusedVouchers'))),
    charts(hist),
    h('div', { class: 'card' }, h('h2', {}, t('onlineNow')), h('div', { class: 'scroll' }, h('table', {}, head(['code', 'note', 'sellerCol', 'devices', 'status', 'timeLeft', 'dataLeft', 'down', 'up']), pools))),
    h('div', { class: 'card' }, h('h2', {}, t('latestEvents')), events),
  );
  /** @param {OperatorSessions} s */
  const show = (s) => {
    /** @param {string} id @param {string} text */
    const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
    set('online', num(s.devicesOnline));
    set('rate', `${rate(s.downBps)} ↓ ${rate(s.upBps)} ↑`);
    set('today', bytes(s.todayBytes));
    set('gw', s.gateway.ok ? t('gwOk') : t('gwDown', { detail: s.gateway.detail }));
    document.getElementById('gw')?.setAttribute('class', `big ${s.gateway.ok ? 'ok' : 'bad'}`);
    set('unused', num(s.vouchers.unused));
    pools.replaceChildren(...s.pools.map((p) => h('tr', {},
      h('td', {}, h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(p.voucherId)}` }, p.code)), h('td', {}, p.note ?? ''), h('td', {}, p.seller ?? ''),
      h('td', {}, p.online.map((d) => h('div', {}, d.name ? `${d.name} ` : '', h('span', { class: 'code' }, d.mac), h('span', { class: 'muted' }, ` ${d.ip}`)))),
      h('td', {}, pill(p.throttled ? 'throttled' : p.status)), h('td', {}, dur(p.secondsRemaining)),
      h('td', {}, p.bytesRemaining === null ? '∞' : bytes(p.bytesRemaining)), h('td', {}, rate(p.downBps)), h('td', {}, rate(p.upBps)))));
    if (!s.pools.length) pools.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, t('nobodyOnline'))));
  };
  /** @param {AuditEvent[]} list @param {boolean} replace */
  const addEvents = (list, replace) => {
    const items = list.map((e) => h('li', {}, h('span', { class: 'muted' }, new Date(e.at).toLocaleTimeString(lang)), ' ', ...sentenceNodes(e)));
    if (replace) events.replaceChildren(...items);
    else events.prepend(...items);
    while (events.children.length > 50) events.lastChild?.remove();
  };
  show(d);
  live('operator/sessions,operator/events', (m) => {
    if (m.topic === 'operator/sessions') show(m.payload);
    else if (m.topic === 'operator/events') addEvents(m.payload, m.kind === 'snapshot');
  });
}
