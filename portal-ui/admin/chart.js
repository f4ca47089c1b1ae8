// @ts-check
/**
 * Small bar charts as inline SVG, drawn with the DOM (no library, no external request, no HTML parsed):
 * sales per day on the Sales page, traffic and devices online per hour on the dashboard. Each bar has
 * a tooltip (`<title>`) with its label and value; the chart's summary (`aria-label`, and a caption for
 * those who do not read charts) says the largest bar and the total.
 *
 * @example
 *   main.append(barChart({ points: [{ label: '2 Dec', value: 12.5 }], format: money, caption: 'Sales per day' }));
 */
const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 120;
const PAD = 16;

/**
 * @param {string} tag @param {Record<string, string | number>} attrs @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return /** @type {SVGElement} */ (el);
}

/**
 * @param {{ points: { label: string; value: number }[]; format: (n: number) => string; caption: string; id?: string }} o
 * @returns {HTMLElement}
 */
export function barChart(o) {
  const fig = document.createElement('figure');
  fig.className = 'chart';
  if (o.id) fig.id = o.id;
  const max = Math.max(0, ...o.points.map((p) => p.value));
  const total = o.points.reduce((n, p) => n + p.value, 0);
  const top = o.points.find((p) => p.value === max);
  const summary = `${o.caption}: ${o.format(total)}${top && max > 0 ? ` (${top.label}: ${o.format(max)})` : ''}`;
  const n = Math.max(1, o.points.length);
  const slot = (W - 2 * PAD) / n;
  const bar = Math.max(1, slot * 0.8);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H + 18}`, role: 'img', 'aria-label': summary, width: '100%' },
    s('line', { x1: PAD, y1: H, x2: W - PAD, y2: H, stroke: '#888', 'stroke-width': 1 }),
    ...o.points.map((p, i) => {
      const h = max > 0 ? Math.round((p.value / max) * (H - PAD)) : 0;
      return s('rect', { x: (PAD + i * slot + (slot - bar) / 2).toFixed(1), y: H - h, width: bar.toFixed(1), height: h, fill: '#1f6feb', 'data-value': p.value },
        s('title', {}, `${p.label}: ${o.format(p.value)}`));
    }),
    s('text', { x: PAD, y: 11, 'font-size': 11, fill: '#555' }, max > 0 ? o.format(max) : ''),
  );
  // The first and the last label under the axis (more would not fit on a phone).
  if (o.points.length) {
    svg.append(s('text', { x: PAD, y: H + 14, 'font-size': 11, fill: '#555' }, o.points[0].label));
    if (o.points.length > 1) svg.append(s('text', { x: W - PAD, y: H + 14, 'font-size': 11, fill: '#555', 'text-anchor': 'end' }, o.points[o.points.length - 1].label));
  }
  const cap = document.createElement('figcaption');
  cap.className = 'muted';
  cap.textContent = summary;
  fig.append(svg, cap);
  return fig;
}
