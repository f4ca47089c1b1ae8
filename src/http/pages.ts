/**
 * Server-rendered resident pages: the login form and the status page. They work with JavaScript off
 * (every action is a real form and a full navigation, which the iOS sign-in sheet needs to re-probe:
 * captive-clients.md c2) and stay small (SPEC §8: ≤ 30 KB, no external requests).
 *
 * @example
 *   c.html(loginPage({ lang, networkName, code, error }), 404);
 */
import type { SessionState } from '../api/contract.js';
import { formatBytes, formatRate } from '../domain/units.js';
import { LANGS, t, type Lang } from './i18n.js';

export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const CSS = `*{box-sizing:border-box}body{font:17px/1.45 system-ui,sans-serif;margin:0;background:#f4f6f4;color:#111}
main{max-width:30rem;margin:0 auto;padding:1.2rem}h1{font-size:1.4rem}label{display:block;font-weight:600;margin:.8rem 0 .3rem}
input[type=text]{width:100%;font:inherit;font-size:1.3rem;letter-spacing:.08em;padding:.7rem;border:2px solid #555;border-radius:.4rem;text-transform:uppercase}
button{font:inherit;font-weight:600;min-height:3rem;padding:.6rem 1rem;border:0;border-radius:.4rem;background:#0b6e4f;color:#fff;width:100%;margin-top:.8rem}
button.alt{background:#444}.err{background:#fde8e8;border-left:5px solid #b00020;padding:.7rem;margin:.8rem 0}
.card{background:#fff;border-radius:.5rem;padding:1rem;margin:.8rem 0;box-shadow:0 1px 2px #0002}
.big{font-size:1.6rem;font-weight:700}nav a{margin-right:.6rem;color:#0b4f8a}ul{padding-left:1.1rem}`;

function layout(lang: Lang, title: string, body: string, allowed: readonly Lang[]): string {
  const langs = LANGS.filter((l) => allowed.includes(l))
    .map((l) => (l === lang ? `<b>${l.toUpperCase()}</b>` : `<a href="?lang=${l}" hreflang="${l}">${l.toUpperCase()}</a>`))
    .join(' ');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main><nav aria-label="Language">${langs}</nav>${body}</main></body></html>`;
}

export interface LoginPageInput {
  lang: Lang;
  languages: readonly Lang[];
  networkName: string;
  welcome?: string;
  code?: string;
  error?: string;
  /** Offer "replace my oldest device" (after a 409). */
  offerReplace?: boolean;
  hidden?: Record<string, string>;
}

export function loginPage(p: LoginPageInput): string {
  const hidden = Object.entries(p.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const replace = p.offerReplace
    ? `<button class="alt" type="submit" name="replace" value="1">${esc(t(p.lang, 'replace'))}</button>`
    : '';
  return layout(
    p.lang,
    t(p.lang, 'title'),
    `<h1>${esc(p.networkName)}</h1>${p.welcome ? `<p>${esc(p.welcome)}</p>` : ''}` +
      (p.error ? `<p class="err" role="alert">${esc(p.error)}</p>` : '') +
      `<form method="post" action="/login">${hidden}<label for="code">${esc(t(p.lang, 'codeLabel'))}</label>` +
      `<input type="text" id="code" name="code" value="${esc(p.code ?? '')}" autocomplete="off" autocapitalize="characters" spellcheck="false" inputmode="text" maxlength="40" required placeholder="XXXX-XXXX-XXX">` +
      `<button type="submit">${esc(t(p.lang, 'submit'))}</button>${replace}</form>`,
    p.languages,
  );
}

export function formatDuration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${seconds % 60}s`;
}

export function statusPage(p: { lang: Lang; languages: readonly Lang[]; networkName: string; session: Extract<SessionState, { authorized: true }>; error?: string; orig?: string }): string {
  const s = p.session;
  const L = (k: Parameters<typeof t>[1]) => esc(t(p.lang, k));
  const time = s.secondsRemaining === null ? L('unlimited') : formatDuration(s.secondsRemaining);
  const data = s.bytesRemaining === null ? L('unlimited') : formatBytes(s.bytesRemaining);
  const devices = s.devices
    .map(
      (d) =>
        `<li>${esc(d.label)}${d.isCaller ? ` (${L('thisDevice')})` : ''}` +
        (d.isCaller ? '' : ` <form method="post" action="/logout" style="display:inline"><input type="hidden" name="device" value="${esc(d.id)}"><button class="alt" style="width:auto;min-height:2.2rem;margin:0">${L('remove')}</button></form>`) +
        `</li>`,
    )
    .join('');
  return layout(
    p.lang,
    t(p.lang, 'connected'),
    `<h1>${L('connected')}</h1>` +
      (p.error ? `<p class="err" role="alert">${esc(p.error)}</p>` : '') +
      (s.throttled ? `<p class="err">${L('throttled')}</p>` : '') +
      `<div class="card"><div>${L('timeLeft')}</div><div class="big" data-live="seconds">${time}</div>` +
      `<div>${L('dataLeft')}</div><div class="big" data-live="bytes">${data}</div>` +
      `<div>${L('speed')}: <span data-live="rate">${formatRate(s.downBps)} ↓ ${formatRate(s.upBps)} ↑</span></div></div>` +
      `<div class="card"><div>${L('plan')}: ${esc(s.plan.words)}</div><div>${L('devices')}:</div><ul>${devices}</ul></div>` +
      `<form method="post" action="/logout"><button class="alt">${L('logout')}</button></form>` +
      `<form method="post" action="/logout"><input type="hidden" name="all" value="1"><button class="alt">${L('logoutAll')}</button></form>` +
      `<form method="post" action="/topup" class="card"><label for="code">${L('addCode')}</label>` +
      `<input type="text" id="code" name="code" autocomplete="off" autocapitalize="characters" maxlength="40" required><button>${L('add')}</button></form>`,
    p.languages,
  );
}
