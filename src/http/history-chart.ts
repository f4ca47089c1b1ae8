/**
 * The 24-hour chart on /network, as inline SVG rendered on the server so it reads without JavaScript:
 * devices online (the most at once in each 5 minutes) and traffic per hour, on one time axis labelled
 * every 8 hours in the network's time zone, with a one-line summary in words for screen readers and
 * for anyone who does not read charts. /ui/network.js fetches GET /network/history (this same markup)
 * every 5 minutes to keep it current.
 *
 * @example
 *   historyChart(core.admin.networkHistory(), { lang: 'es', timeZone: 'America/Bogota', now: Date.now() });
 */
import type { NetworkHistoryView } from '../api/contract.js';
import { localBytes, type Lang } from '../domain/plan-words.js';
import { esc } from './pages.js';
import { ui } from './ui-text.js';

const W = 600;
const H = 90;
const DAY = 86_400_000;
const HOUR = 3_600_000;

export function historyChart(view: NetworkHistoryView, p: { lang: Lang; timeZone: string; now: number }): string {
  const U = (k: Parameters<typeof ui>[1], vars?: Record<string, string | number>) => esc(ui(p.lang, k, vars));
  const points = view.points.filter((x) => x.at > p.now - DAY);
  if (points.length === 0) return `<p class="muted" id="history-empty">${U('historyEmpty')}</p>`;
  const start = p.now - DAY;
  const x = (at: number) => Math.max(0, Math.min(W, ((at - start) / DAY) * W));
  const clock = new Intl.DateTimeFormat(p.lang, { hour: '2-digit', minute: '2-digit', timeZone: p.timeZone });

  // Traffic per hour: 24 bars, each the sum of its 5-minute buckets.
  const hours = new Map<number, number>();
  for (const pt of points) {
    const h = Math.floor(pt.at / HOUR) * HOUR;
    hours.set(h, (hours.get(h) ?? 0) + pt.bytes);
  }
  const maxDevices = Math.max(1, ...points.map((pt) => pt.devices));
  const maxBytes = Math.max(1, ...hours.values());
  const step = (view.bucketMs / DAY) * W;
  const deviceBars = points
    .filter((pt) => pt.devices > 0)
    .map((pt) => {
      const h = (pt.devices / maxDevices) * (H - 4);
      return `<rect x="${x(pt.at).toFixed(1)}" y="${(H - h).toFixed(1)}" width="${Math.max(1, step - 0.3).toFixed(1)}" height="${h.toFixed(1)}"/>`;
    })
    .join('');
  const trafficBars = [...hours]
    .filter(([, b]) => b > 0)
    .map(([at, b]) => {
      const h = (b / maxBytes) * (H - 4);
      return `<rect x="${x(at).toFixed(1)}" y="${(H - h).toFixed(1)}" width="${Math.max(1, (HOUR / DAY) * W - 2).toFixed(1)}" height="${h.toFixed(1)}"/>`;
    })
    .join('');
  const ticks = [0, 8, 16, 24]
    .map((i) => {
      const at = start + i * HOUR;
      const anchor = i === 0 ? 'start' : i === 24 ? 'end' : 'middle';
      return `<text x="${x(at).toFixed(0)}" y="${H + 22}" text-anchor="${anchor}">${esc(clock.format(at))}</text>`;
    })
    .join('');
  const peak = points.reduce((a, b) => (b.devices > a.devices ? b : a));
  const total = points.reduce((n, pt) => n + pt.bytes, 0);
  const summary = U('historySummary', { n: peak.devices, at: clock.format(peak.at), bytes: localBytes(total, p.lang) });
  const chart = (id: string, title: string, max: string, bars: string, fill: string) =>
    `<figure class="chart"><figcaption>${title} <span class="muted">(max ${esc(max)})</span></figcaption>` +
    `<svg id="${id}" viewBox="0 -2 ${W} ${H + 30}" width="100%" role="img" aria-label="${title}" preserveAspectRatio="none">` +
    `<line x1="0" y1="${H}" x2="${W}" y2="${H}" stroke="#777"/><g fill="${fill}">${bars}</g><g font-size="20" fill="#333">${ticks}</g></svg></figure>`;
  return (
    `<p id="history-summary">${summary} <span class="muted">(${esc(p.timeZone.replace(/_/g, ' '))})</span></p>` +
    chart('history-devices', U('historyDevices'), String(maxDevices), deviceBars, '#0b4f8a') +
    chart('history-traffic', U('historyTraffic'), localBytes(maxBytes, p.lang), trafficBars, '#0b6e4f')
  );
}
