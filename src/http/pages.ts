/**
 * Server-rendered resident pages: the login form and the status page. They work with JavaScript off
 * (every action is a real form and a full navigation, which the iOS sign-in sheet needs to re-probe:
 * captive-clients.md c2, c3) and get better with it on: /ui/portal.js makes the figures live over the
 * `device` WebSocket topic. Everything the first load needs is inline or same-origin and small
 * (SPEC §8: ≤ 30 KB for `/`, no external requests). Touch targets are at least 48 px; text contrast is
 * at least 4.5:1.
 *
 * @example
 *   c.html(loginPage({ lang, languages, networkName, code, error }), 404);
 */
import type { EndReason, SessionState } from '../api/contract.js';
import { DECIMAL, localBytes, localRate } from '../domain/plan-words.js';
import { LANGS, t, type Lang, type MessageKey } from './i18n.js';
import { ui, type UiKey } from './ui-text.js';

export const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const LANG_NAMES: Record<Lang, string> = { en: 'English', es: 'Español', pt: 'Português', fr: 'Français' };

export const CSS = `*{box-sizing:border-box}html{-webkit-text-size-adjust:100%}
body{font:17px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#eef2ef;color:#111}
main{max-width:30rem;margin:0 auto;padding:1rem}header{display:flex;justify-content:space-between;align-items:baseline;gap:.5rem;flex-wrap:wrap}
h1{font-size:1.45rem;margin:.4rem 0}h2{font-size:1.1rem;margin:0 0 .4rem}
nav.lang{display:flex;gap:.25rem;flex-wrap:wrap}nav.lang a,nav.lang b{display:inline-block;min-width:3rem;min-height:3rem;line-height:3rem;text-align:center;border-radius:.4rem;color:#0b4f8a;font-weight:600}
nav.lang b{background:#0b4f8a;color:#fff}
label{display:block;font-weight:700;margin:.8rem 0 .3rem}.hint{margin:.2rem 0 .5rem;color:#333;font-size:.95rem}
input[type=text]{width:100%;font:inherit;font-size:1.35rem;letter-spacing:.08em;padding:.7rem;border:2px solid #444;border-radius:.45rem;text-transform:uppercase;background:#fff;color:#111}
input:focus,button:focus,a:focus{outline:3px solid #f0a500;outline-offset:2px}
button{font:inherit;font-weight:700;min-height:3.1rem;padding:.6rem 1rem;border:0;border-radius:.45rem;background:#0b6e4f;color:#fff;width:100%;margin-top:.8rem;cursor:pointer}
button.alt{background:#fff;color:#222;border:2px solid #555}button.small{width:auto;min-height:3rem;margin:0}
.err{background:#fde8e8;border-left:6px solid #b00020;color:#5a0010;padding:.75rem;margin:.8rem 0;font-weight:600}
.note{background:#e3f1ea;border-left:6px solid #0b6e4f;color:#063d2c;padding:.75rem;margin:.8rem 0;font-weight:600}.note p{margin:.2rem 0}
.card{background:#fff;border-radius:.6rem;padding:1rem;margin:.8rem 0;box-shadow:0 1px 3px #0003}
.row{display:flex;justify-content:space-between;align-items:baseline;gap:.5rem;flex-wrap:wrap}
.big{font-size:1.9rem;font-weight:800;font-variant-numeric:tabular-nums}.muted{color:#444;font-size:.95rem}
.bar{height:.7rem;background:#d6ddd8;border-radius:.35rem;overflow:hidden;margin:.3rem 0}.bar i{display:block;height:100%;background:#0b6e4f}
ul.dev{list-style:none;padding:0;margin:0}ul.dev li{display:flex;justify-content:space-between;align-items:center;gap:.5rem;padding:.4rem 0;border-top:1px solid #e2e6e3}
.check{display:flex;gap:.7rem;align-items:center;font-weight:700;min-height:3rem;margin:.8rem 0 0}.check input{width:1.7rem;height:1.7rem;flex:none;margin:0}
.terms{max-height:12rem;overflow:auto;white-space:pre-line;font-size:.95rem;border:1px solid #bbb;border-radius:.4rem;padding:.5rem;margin:.3rem 0 0}
figure.chart{margin:.7rem 0 0}figure.chart figcaption{font-weight:700;font-size:.95rem}
.code{letter-spacing:.06em;font-family:ui-monospace,monospace;font-size:1.6rem;user-select:all}.ok{color:#0b6e4f;font-weight:700}.bad{color:#b00020;font-weight:700}footer{margin:1.2rem 0;font-size:.9rem;color:#444}
a{color:#0b4f8a}`;

export interface Chrome {
  lang: Lang;
  languages: readonly Lang[];
  networkName: string;
  /** Query parameters the language links keep (e.g. the prefilled code). */
  keep?: Record<string, string>;
  /** The network's IANA time zone (config network.timeZone): times are shown in it, with its name. */
  timeZone?: string;
  /** The operator's notice ("outage tonight 22:00–23:00"), shown at the top of every resident page. */
  notice?: string;
}

/**
 * A moment as residents of the network read it, with the zone named so nobody guesses:
 * `2 dic 2026, 14:29 (America/Bogota)`. portal.js formats updates the same way.
 */
export function localTime(ms: number, lang: Lang, timeZone = 'UTC'): string {
  return `${new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(ms)} (${timeZone.replace(/_/g, ' ')})`;
}

export function layout(p: Chrome & { title: string; body: string; script?: string }): string {
  const langs = LANGS.filter((l) => p.languages.includes(l))
    .map((l) => {
      const q = new URLSearchParams({ ...(p.keep ?? {}), lang: l }).toString();
      return l === p.lang
        ? `<b lang="${l}" aria-current="true" title="${LANG_NAMES[l]}">${l.toUpperCase()}</b>`
        : `<a href="?${esc(q)}" hreflang="${l}" lang="${l}" title="${LANG_NAMES[l]}">${l.toUpperCase()}</a>`;
    })
    .join('');
  return `<!doctype html><html lang="${p.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(p.title)}</title><link rel="icon" href="data:,"><style>${CSS}</style></head><body><main><header><strong>${esc(p.networkName)}</strong>` +
    (p.languages.length > 1 ? `<nav class="lang" aria-label="${esc(ui(p.lang, 'language'))}">${langs}</nav>` : '') +
    `</header>${p.notice ? `<p class="note" role="note" id="notice">${esc(p.notice)}</p>` : ''}${p.body}</main>${p.script ? `<script src="${p.script}" defer></script>` : ''}</body></html>`;
}

export interface LoginPageInput extends Chrome {
  welcome?: string;
  code?: string;
  error?: string;
  /** Offer "replace my oldest device" (after a 409). */
  offerReplace?: boolean;
  hidden?: Record<string, string>;
  /** Why this device's session ended lately: said first, and the form becomes "add a code". */
  ended?: EndReason;
  /** The operator's terms of use: shown in the form, which then requires ticking "I accept". */
  terms?: string;
  /** The box was ticked when the form came back with an error (device limit, typo): keep it ticked. */
  accepted?: boolean;
}

const ENDED: Record<EndReason, [UiKey, UiKey]> = {
  exhausted: ['endedExhausted', 'addToContinue'], expired: ['endedExpired', 'addToContinue'], revoked: ['endedRevoked', 'addToContinue'],
  logout: ['endedLogout', 'signInAgain'], removed: ['endedRemoved', 'signInAgain'], replaced: ['endedReplaced', 'signInAgain'],
};
/** Pools that ran out: the page is about adding a code, not signing in. */
const RAN_OUT: ReadonlySet<EndReason> = new Set(['exhausted', 'expired', 'revoked']);

export function loginPage(p: LoginPageInput): string {
  const hidden = Object.entries(p.hidden ?? {})
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');
  const replace = p.offerReplace
    ? `<button class="alt" type="submit" name="replace" value="1">${esc(t(p.lang, 'replace'))}</button>`
    : '';
  const ranOut = !!p.ended && RAN_OUT.has(p.ended);
  const heading = ranOut ? t(p.lang, 'addCode') : t(p.lang, 'title');
  const ended = p.ended ? `<div class="note" role="status" id="ended"><p>${esc(ui(p.lang, ENDED[p.ended][0]))}</p><p>${esc(ui(p.lang, ENDED[p.ended][1]))}</p></div>` : '';
  return layout({
    ...p,
    title: heading,
    body:
      `<h1>${esc(heading)}</h1>${ended}${p.welcome && !ranOut ? `<p>${esc(p.welcome)}</p>` : ''}` +
      (p.error ? `<p class="err" role="alert" id="err">${esc(p.error)}</p>` : '') +
      `<form method="post" action="/login" class="card">${hidden}<label for="code">${esc(ranOut ? t(p.lang, 'addCode') : t(p.lang, 'codeLabel'))}</label>` +
      `<p class="hint" id="code-hint">${esc(ui(p.lang, 'codeHint'))}</p>` +
      `<input type="text" id="code" name="code" value="${esc(p.code ?? '')}" aria-describedby="code-hint${p.error ? ' err' : ''}"${p.error ? ' aria-invalid="true"' : ''} autocomplete="one-time-code" autocapitalize="characters" autocorrect="off" spellcheck="false" inputmode="text" maxlength="40" required placeholder="K7QM-4XPA-9TR"${p.error || !p.code ? ' autofocus' : ''}>` +
      (p.terms
        ? `<h2 style="margin-top:1rem" id="terms-title">${esc(ui(p.lang, 'termsTitle'))}</h2><div class="terms" id="terms" tabindex="0" role="region" aria-labelledby="terms-title">${esc(p.terms)}</div>` +
          `<label class="check"><input type="checkbox" id="accept" name="accept" value="1" required${p.accepted ? ' checked' : ''}>${esc(ui(p.lang, 'accept'))}</label>`
        : '') +
      `<button type="submit">${esc(t(p.lang, 'submit'))}</button>${replace}</form>`,
  });
}

/** `1d 4h 5m`, `3h 5m 9s`, `12m 9s`: short, language-neutral, ticking by the second; the same in portal.js. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m ${s % 60}s`;
  return `${m}m ${s % 60}s`;
}

type Authorized = Extract<SessionState, { authorized: true }>;

/** The host name the gateway learned, with the MAC's last digits to tell two "iPhone"s apart; else the digits. */
function deviceName(d: Authorized['devices'][number]): string {
  return d.name ? `${esc(d.name)} <span class="muted">· ${esc(d.label)}</span>` : esc(d.label);
}

export function statusPage(p: Chrome & { session: Authorized; error?: string; /** After "Add": say it worked. */ added?: boolean }): string {
  const s = p.session;
  const L = (k: MessageKey) => esc(t(p.lang, k));
  const U = (k: UiKey, vars?: Record<string, string | number>) => esc(ui(p.lang, k, vars));
  const time = s.secondsRemaining === null ? L('unlimited') : formatDuration(s.secondsRemaining);
  const data = s.bytesRemaining === null ? L('unlimited') : localBytes(Math.max(0, s.bytesRemaining), p.lang);
  const pct = s.dataTotal ? Math.min(100, Math.round((Math.max(0, s.bytesRemaining ?? 0) / s.dataTotal) * 100)) : null;
  const devices = s.devices
    .map(
      (d) =>
        `<li><span>${deviceName(d)}${d.isCaller ? ` <span class="muted">(${L('thisDevice')})</span>` : ''}</span>` +
        (d.isCaller ? '' : `<form method="post" action="/logout"><input type="hidden" name="device" value="${esc(d.id)}"><button class="alt small">${L('remove')}</button></form>`) +
        `</li>`,
    )
    .join('');
  const tz = p.timeZone ?? 'UTC';
  const expires = s.expiresAt
    ? `<div class="muted">${U('until')} <time id="until" data-tz="${esc(tz)}" datetime="${new Date(s.expiresAt).toISOString()}">${esc(localTime(s.expiresAt, p.lang, tz))}</time></div>`
    : '';
  return layout({
    ...p,
    title: t(p.lang, 'connected'),
    script: '/ui/portal.js',
    body:
      `<h1>${L('connected')}</h1>` +
      (p.error ? `<p class="err" role="alert">${esc(p.error)}</p>` : '') +
      (p.added && !p.error ? `<p class="note" role="status" id="added">${esc(ui(p.lang, 'added', { words: s.plan.words }))}</p>` : '') +
      `<p class="err" role="status" id="throttled"${s.throttled ? '' : ' hidden'}>${L('throttled')}</p>` +
      `<section class="card" aria-live="polite" data-live data-seconds="${s.secondsRemaining ?? ''}" data-bytes="${s.bytesRemaining ?? ''}" data-total="${s.dataTotal ?? ''}" data-unlimited="${L('unlimited')}" data-dec="${DECIMAL[p.lang]}">` +
      `<div class="row"><h2>${L('timeLeft')}</h2><span class="muted" id="live" hidden>● ${U('live')}</span></div><div class="big" id="time">${time}</div>${expires}` +
      `<h2 style="margin-top:.8rem">${L('dataLeft')}</h2><div class="big" id="data">${data}</div>` +
      (pct !== null ? `<div class="bar" role="presentation"><i id="bar" style="width:${pct}%"></i></div>` : '') +
      `<div>${L('speed')}: <span id="rate">${localRate(s.downBps, p.lang)} ↓ · ${localRate(s.upBps, p.lang)} ↑</span></div>` +
      `<noscript><p><a href="/status">${U('refresh')}</a></p></noscript></section>` +
      `<section class="card"><h2>${L('plan')}</h2><p id="plan">${esc(s.plan.words)}</p>` +
      (s.code ? `<h2>${U('yourCode')}</h2><div class="big code" id="hhcode">${esc(s.code)}</div><p class="hint">${s.plan.devices > 1 ? U('shareCode', { n: s.plan.devices }) : U('keepCode')}</p>` : '') +
      `<h2>${L('devices')}</h2>` +
      `<ul class="dev" id="devices" data-remove="${L('remove')}" data-this="${L('thisDevice')}">${devices}</ul></section>` +
      `<form method="post" action="/topup" class="card"><label for="code">${L('addCode')}</label><p class="hint" id="code-hint">${U('codeHint')}</p>` +
      `<input type="text" id="code" name="code" aria-describedby="code-hint" autocomplete="off" autocapitalize="characters" autocorrect="off" spellcheck="false" maxlength="40" required placeholder="K7QM-4XPA-9TR"><button>${L('add')}</button></form>` +
      `<form method="post" action="/logout"><button class="alt">${L('logout')}</button></form>` +
      `<form method="post" action="/logout"><input type="hidden" name="all" value="1"><button class="alt">${L('logoutAll')}</button></form>`,
  });
}
