/**
 * The public network status page (SPEC §5): devices online, uplink throughput, today's traffic and the
 * gateway's health — totals only, nothing about any person or device. Server-rendered so it reads
 * without JavaScript; /ui/network.js keeps it live over the `network` WebSocket topic. GET /api/network
 * gives the same figures as JSON (NetworkState).
 *
 * @example
 *   app.route('/', networkRoutes(deps));
 */
import { Hono } from 'hono';
import type { NetworkState } from '../api/contract.js';
import { formatBytes, formatRate } from '../domain/units.js';
import type { HttpDeps } from './context.js';
import { pickLang, type Lang } from './i18n.js';
import { esc, layout } from './pages.js';
import { ui } from './ui-text.js';

export function networkPage(p: { lang: Lang; languages: readonly Lang[]; state: NetworkState }): string {
  const s = p.state;
  const U = (k: Parameters<typeof ui>[1]) => esc(ui(p.lang, k));
  const figure = (id: string, label: string, value: string) => `<div class="card"><h2>${label}</h2><div class="big" id="${id}">${esc(value)}</div></div>`;
  return layout({
    lang: p.lang,
    languages: p.languages,
    networkName: s.name,
    title: `${s.name} — ${ui(p.lang, 'networkTitle')}`,
    script: '/ui/network.js',
    body:
      `<h1>${U('networkTitle')} <span class="muted" id="live" hidden>● ${U('live')}</span></h1>` +
      `<div data-network data-ok="${U('gatewayOk')}" data-bad="${U('gatewayDown')}">` +
      figure('devices', U('devicesOnline'), String(s.devicesOnline)) +
      figure('rate', U('throughput'), `${formatRate(s.downBps)} ↓ · ${formatRate(s.upBps)} ↑`) +
      figure('today', U('today'), formatBytes(s.todayBytes)) +
      `<div class="card"><h2>${U('gateway')}</h2><div class="big ${s.gateway.ok ? 'ok' : 'bad'}" id="gateway">${s.gateway.ok ? U('gatewayOk') : U('gatewayDown')}</div></div></div>` +
      `<p><a href="/">${U('signIn')}</a></p><footer>${U('noPersonal')}</footer>`,
  });
}

export function networkRoutes(deps: HttpDeps) {
  const app = new Hono();
  const { core } = deps;
  app.get('/api/network', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(core.admin.networkState());
  });
  app.get('/network', (c) => {
    const languages = core.admin.settings().languages;
    const cookie = /(?:^|;\s*)lang=([a-z]{2})/.exec(c.req.header('cookie') ?? '')?.[1];
    const lang = pickLang(c.req.header('accept-language'), c.req.query('lang') ?? cookie, languages);
    c.header('Cache-Control', 'no-store');
    return c.html(networkPage({ lang, languages, state: core.admin.networkState() }));
  });
  return app;
}
