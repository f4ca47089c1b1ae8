/**
 * The public network status page (SPEC §5): devices online, internet use right now, today's traffic, the
 * gateway's health, a 24-hour chart of devices online and traffic (http/history-chart.ts) and the
 * operator's notice — totals only, nothing about any person or device. Server-rendered so it reads
 * without JavaScript; /ui/network.js keeps the figures live over the `network` WebSocket topic and
 * refreshes the chart from GET /network/history. GET /api/network and GET /api/network/history give the
 * same figures as JSON (NetworkState, NetworkHistoryView).
 *
 * @example
 *   app.route('/', networkRoutes(deps));
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { NetworkState } from '../api/contract.js';
import { pickText } from '../core/portal-texts.js';
import { DECIMAL, localBytes, localRate } from '../domain/plan-words.js';
import type { HttpDeps } from './context.js';
import { historyChart } from './history-chart.js';
import { pickLang, type Lang } from './i18n.js';
import { esc, layout } from './pages.js';
import { ui } from './ui-text.js';

export function networkPage(p: { lang: Lang; languages: readonly Lang[]; state: NetworkState; chart: string; notice?: string }): string {
  const s = p.state;
  const U = (k: Parameters<typeof ui>[1]) => esc(ui(p.lang, k));
  const figure = (id: string, label: string, value: string) => `<div class="card"><h2>${label}</h2><div class="big" id="${id}">${esc(value)}</div></div>`;
  return layout({
    lang: p.lang,
    languages: p.languages,
    networkName: s.name,
    ...(p.notice ? { notice: p.notice } : {}),
    title: `${s.name} — ${ui(p.lang, 'networkTitle')}`,
    script: '/ui/network.js',
    body:
      `<h1>${U('networkTitle')} <span class="muted" id="live" hidden>● ${U('live')}</span></h1>` +
      `<div data-network data-ok="${U('gatewayOk')}" data-bad="${U('gatewayDown')}" data-dec="${DECIMAL[p.lang]}">` +
      figure('devices', U('devicesOnline'), String(s.devicesOnline)) +
      figure('rate', U('throughput'), `${localRate(s.downBps, p.lang)} ↓ · ${localRate(s.upBps, p.lang)} ↑`) +
      figure('today', U('today'), localBytes(s.todayBytes, p.lang)) +
      `<div class="card"><h2>${U('gateway')}</h2><div class="big ${s.gateway.ok ? 'ok' : 'bad'}" id="gateway">${s.gateway.ok ? U('gatewayOk') : U('gatewayDown')}</div></div></div>` +
      `<section class="card"><h2>${U('historyTitle')}</h2><div id="history" data-lang="${p.lang}">${p.chart}</div></section>` +
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
  const langOf = (c: Context): Lang => {
    const cookie = /(?:^|;\s*)lang=([a-z]{2})/.exec(c.req.header('cookie') ?? '')?.[1];
    return pickLang(c.req.header('accept-language'), c.req.query('lang') ?? cookie, core.admin.settings().languages);
  };
  const chart = (lang: Lang) => historyChart(core.admin.networkHistory(), { lang, timeZone: deps.config.network.timeZone, now: core.clock.now() });
  app.get('/api/network/history', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(core.admin.networkHistory());
  });
  /** The chart alone (the markup /network embeds), for network.js to refresh it. */
  app.get('/network/history', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.html(chart(langOf(c)));
  });
  app.get('/network', (c) => {
    const settings = core.admin.settings();
    const lang = langOf(c);
    const notice = pickText(settings.notice, settings.noticeByLang, lang);
    c.header('Cache-Control', 'no-store');
    return c.html(networkPage({ lang, languages: settings.languages, state: core.admin.networkState(), chart: chart(lang), ...(notice ? { notice } : {}) }));
  });
  return app;
}
