// @ts-check
/**
 * RADIUS: the sessions NASes (MikroTik, CoovaChilli, pfSense…) hold on Portico codes right now, with
 * their NAS, device, code, usage and what is left, each NAS's health (when it was last heard, answers,
 * refusals, packets dropped), and a Disconnect per session for NASes that take one (RFC 5176).
 *
 * @typedef {import('../../../src/api/contract.js').RadiusPage} RadiusPage
 */
import { api } from '../api.js';
import { act, bytes, dur, h, head, num, when } from '../dom.js';
import { t } from '../i18n.js';

/** @type {import('../dom.js').View} */
export default async function radius(main, params, shell) {
  const r = /** @type {RadiusPage} */ (await api('GET', '/api/admin/radius'));
  main.append(h('h1', {}, t('radius')));
  if (!r.enabled) {
    main.append(h('div', { class: 'card' }, h('p', {}, t('radiusOff'))));
    return;
  }
  const disconnectable = new Set(r.nas.filter((n) => n.disconnects).map((n) => n.name));
  const cut = (/** @type {RadiusPage['sessions'][number]} */ s) => act(async () => {
    await api('POST', `/api/admin/radius/sessions/${encodeURIComponent(s.id)}/disconnect`);
    await shell.render(t('radiusCut', { mac: s.mac, nas: s.nas }));
  });
  const nasRows = r.nas.map((n) => h('tr', {},
    h('td', {}, n.name), h('td', {}, n.profile), h('td', {}, n.address),
    h('td', {}, n.lastPacketAt ? when(n.lastPacketAt) : h('span', { class: 'muted' }, t('radiusNever'))),
    h('td', {}, num(n.answered)), h('td', {}, num(n.refused)), h('td', {}, n.dropped ? h('span', { class: 'bad' }, num(n.dropped)) : '0')));
  const sessionRows = r.sessions.map((s) => h('tr', {},
    h('td', {}, s.code && s.voucherId ? h('a', { class: 'code', href: `#/voucher?id=${encodeURIComponent(s.voucherId)}` }, s.code) : '—', s.note ? h('div', { class: 'muted' }, s.note) : ''),
    h('td', {}, s.nas), h('td', {}, h('code', {}, s.mac), s.ip ? h('div', { class: 'muted' }, s.ip) : ''),
    h('td', {}, when(s.since)), h('td', {}, bytes(s.bytesIn + s.bytesOut)),
    h('td', {}, s.secondsLeft === null ? '∞' : dur(s.secondsLeft)), h('td', {}, s.bytesLeft === null ? '∞' : bytes(s.bytesLeft)),
    h('td', {}, disconnectable.has(s.nas) ? h('button', { class: 'alt', onclick: () => cut(s) }, t('disconnect')) : h('span', { class: 'muted', title: t('radiusNoDas') }, '—'))));
  main.append(
    h('div', { class: 'card' }, h('h2', {}, t('radiusNas')), r.unknownSourceDrops ? h('p', { class: 'bad' }, t('radiusUnknown', { n: r.unknownSourceDrops })) : '',
      h('div', { class: 'scroll' }, h('table', {}, head(['name', 'radiusProfile', 'radiusAddress', 'radiusLastHeard', 'radiusAnswered', 'radiusRefused', 'radiusDropped']), h('tbody', {}, nasRows)))),
    h('div', { class: 'card' }, h('h2', {}, t('radiusSessions', { n: r.sessions.length }, r.sessions.length)),
      r.sessions.length
        ? h('div', { class: 'scroll' }, h('table', {}, head(['code', 'radiusNasCol', 'devices', 'radiusSince', 'radiusUsed', 'timeLeft', 'dataLeft', '']), h('tbody', {}, sessionRows)))
        : h('p', { class: 'muted' }, t('radiusNone'))),
  );
}
