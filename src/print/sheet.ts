/**
 * Printable voucher sheets: an A4/Letter grid or a 58/80 mm receipt roll. Each voucher shows its code,
 * the plan in words and a QR that opens the portal with the code filled in (`<portalUrl>?code=…`); the
 * sheet starts with a Wi-Fi join QR for the SSID (`WIFI:T:WPA;S:…;P:…;;`). Self-contained HTML with inline
 * SVG QR codes: no network needed to print.
 *
 * Page sizes are CSS `@page size`, which Chromium's print dialog and `page.pdf({preferCSSPageSize})` use.
 * A roll has no page height, and `size: 58mm auto` is not valid CSS (css-page-3 allows only lengths,
 * a paper name or `auto` alone), so Chromium dropped the rule and printed receipts on Letter. Each receipt
 * voucher is therefore its own ticket page of a fixed height: a thermal printer feeds (and, with a cutter,
 * cuts) once per voucher.
 *
 * Above the vouchers, on screen only, a one-line hint says how to print on which paper, beside a Print
 * button. The sheet runs no script (its CSP forbids it), so the button stays hidden unless the console,
 * which frames the sheet (`#/print`), wires it to the frame's print().
 *
 * @example
 *   const html = await renderSheet({ vouchers, plan, portalUrl, network, layout: 'a4' });
 */
import QRCode from 'qrcode';
import { formatCode } from '../domain/code.js';
import { describePlan, VOUCHER_WORD, type Lang } from '../domain/plan-words.js';
import type { Plan } from '../domain/plan.js';

export type SheetLayout = 'a4' | 'letter' | 'receipt58' | 'receipt80';
export const LAYOUTS: readonly SheetLayout[] = ['a4', 'letter', 'receipt58', 'receipt80'];

export interface SheetInput {
  /** Each voucher may carry its own plan and price (a selection from several batches); else the sheet's. */
  vouchers: { code: string; plan?: Plan; price?: number | null }[];
  plan: Plan;
  portalUrl: string;
  network: { name: string; ssid: string; wifiPassword: string };
  layout: SheetLayout;
  lang?: Lang;
  price?: number | null;
  /** ISO 4217 code for the price (the network's Settings), or '' / absent for a plain number. */
  currency?: string;
  /** How many revoked codes the caller left off (the hint says so: the newcomer wondered where one went). */
  leftOut?: number;
}

/** A price in the sheet's language, with the network's currency when there is one: "$ 5.000", "2,50 €". */
export function formatPrice(price: number, lang: Lang, currency?: string): string {
  if (currency) {
    try {
      return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(price);
    } catch {} // a code the runtime cannot format: the number alone is still right
  }
  return new Intl.NumberFormat(lang, { maximumFractionDigits: 2, minimumFractionDigits: Number.isInteger(price) ? 0 : 2 }).format(price);
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The URL a voucher's QR opens: the portal with the code prefilled. */
export function voucherUrl(portalUrl: string, code: string): string {
  const u = new URL(portalUrl);
  u.searchParams.set('code', formatCode(code));
  return u.toString();
}

/** Wi-Fi join payload (the de-facto `WIFI:` format read by iOS and Android cameras). */
export function wifiPayload(ssid: string, password: string): string {
  const q = (s: string) => s.replace(/([\\;,:"])/g, '\\$1');
  return password ? `WIFI:T:WPA;S:${q(ssid)};P:${q(password)};;` : `WIFI:T:nopass;S:${q(ssid)};;`;
}

const WORDS: Record<Lang, { join: string; scan: string; price: string; print: string; password: string; hint: string; leftOut: [string, string]; paper: Record<SheetLayout, string> }> = {
  en: {
    join: 'Scan to join the Wi-Fi', scan: 'Scan, or type the code at', price: 'Price', print: 'Print', password: 'Password',
    hint: 'Or press Ctrl+P (⌘P on a Mac). Paper: {paper}, scale 100%.', leftOut: ['{n} revoked code is left out.', '{n} revoked codes are left out.'],
    paper: { a4: 'A4', letter: 'Letter', receipt58: '58 mm roll, one voucher per ticket', receipt80: '80 mm roll, one voucher per ticket' },
  },
  es: {
    join: 'Escanea para unirte al Wi-Fi', scan: 'Escanea, o escribe el código en', price: 'Precio', print: 'Imprimir', password: 'Contraseña',
    hint: 'O pulsa Ctrl+P (⌘P en Mac). Papel: {paper}, escala 100 %.', leftOut: ['{n} ficha anulada queda fuera.', '{n} fichas anuladas quedan fuera.'],
    paper: { a4: 'A4', letter: 'Carta', receipt58: 'rollo de 58 mm, una ficha por ticket', receipt80: 'rollo de 80 mm, una ficha por ticket' },
  },
  pt: {
    join: 'Escaneie para entrar no Wi-Fi', scan: 'Escaneie, ou digite o código em', price: 'Preço', print: 'Imprimir', password: 'Senha',
    hint: 'Ou pressione Ctrl+P (⌘P no Mac). Papel: {paper}, escala 100%.', leftOut: ['{n} código cancelado fica de fora.', '{n} códigos cancelados ficam de fora.'],
    paper: { a4: 'A4', letter: 'Carta', receipt58: 'bobina de 58 mm, um voucher por cupom', receipt80: 'bobina de 80 mm, um voucher por cupom' },
  },
  fr: {
    join: 'Scannez pour rejoindre le Wi-Fi', scan: 'Scannez, ou tapez le code sur', price: 'Prix', print: 'Imprimer', password: 'Mot de passe',
    hint: 'Ou appuyez sur Ctrl+P (⌘P sur Mac). Papier : {paper}, échelle 100 %.', leftOut: ['{n} code révoqué est laissé de côté.', '{n} codes révoqués sont laissés de côté.'],
    paper: { a4: 'A4', letter: 'Lettre', receipt58: 'rouleau de 58 mm, un ticket par code', receipt80: 'rouleau de 80 mm, un ticket par code' },
  },
};

const svg = (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

const RECEIPT = '.grid{grid-template-columns:1fr;gap:0}.v{flex-direction:column;justify-content:center;text-align:center;border:0;padding:0;break-after:page}';
const PAGE: Record<SheetLayout, string> = {
  a4: '@page{size:A4;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  letter: '@page{size:letter;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  // Receipt rolls: one ticket page per voucher, QR above a code that never wraps; tall enough for three
  // lines of plan words in the longest language.
  receipt58: `@page{size:58mm 80mm;margin:2mm}body{width:54mm}${RECEIPT}.v{height:76mm}.c{font-size:12pt}.qr svg{width:30mm;height:30mm}`,
  receipt80: `@page{size:80mm 85mm;margin:3mm}body{width:74mm}${RECEIPT}.v{height:79mm}.c{font-size:16pt}.qr svg{width:36mm;height:36mm}`,
};

export async function renderSheet(input: SheetInput): Promise<string> {
  const lang = input.lang ?? 'en';
  const w = WORDS[lang] ?? WORDS.en;
  const priceWords = (p: number | null | undefined) => (p !== null && p !== undefined ? ` · ${w.price} ${formatPrice(p, lang, input.currency)}` : '');
  const sheetWords = describePlan(input.plan, lang);
  const host = new URL(input.portalUrl).host;
  const cards = await Promise.all(
    input.vouchers.map(async (v) => {
      const url = voucherUrl(input.portalUrl, v.code);
      const words = v.plan ? describePlan(v.plan, lang) : sheetWords;
      const price = priceWords(v.price !== undefined ? v.price : input.price);
      return `<div class="v" data-url="${esc(url)}"><div class="qr">${await svg(url)}</div><div><div class="n">${esc(input.network.name)}</div>` +
        `<div class="c">${esc(formatCode(v.code))}</div><div class="p">${esc(words)}${esc(price)}</div>` +
        `<div class="u">${esc(w.scan)} ${esc(host)}</div></div></div>`;
    }),
  );
  const wifi = input.network.ssid
    ? `<div class="v wifi"><div class="qr">${await svg(wifiPayload(input.network.ssid, input.network.wifiPassword))}</div>` +
      `<div><div class="n">Wi-Fi: ${esc(input.network.ssid)}</div>` +
      // The password in letters too, for a laptop or a phone whose camera reads no QR.
      (input.network.wifiPassword ? `<div class="pw">${esc(w.password)}: ${esc(input.network.wifiPassword)}</div>` : '') +
      `<div class="p">${esc(w.join)}</div></div></div>`
    : '';
  const left = input.leftOut ?? 0;
  const hint = w.hint.replace('{paper}', w.paper[input.layout]) +
    (left > 0 ? ` ${w.leftOut[new Intl.PluralRules(lang).select(left) === 'one' ? 0 : 1].replace('{n}', String(left))}` : '');
  const bar = `<div class="bar"><button type="button" id="print" hidden>${esc(w.print)}</button><span class="hint">${esc(hint)}</span></div>`;
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(input.network.name)} · ${esc(VOUCHER_WORD[lang].other)}</title><style>
body{font-family:system-ui,sans-serif;margin:0;color:#000}.grid{display:grid;gap:3mm}
.v{display:flex;gap:3mm;align-items:center;border:1px dashed #888;padding:3mm;break-inside:avoid}
.qr svg{width:26mm;height:26mm;display:block}.n{font-size:9pt}.c{font:700 14pt ui-monospace,monospace;letter-spacing:.05em;white-space:nowrap}
.pw{font:700 10pt ui-monospace,monospace;word-break:break-all}.p{font-size:8pt}.u{font-size:6pt;color:#555;word-break:break-all}
.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.5rem 0;font:14px/1.4 system-ui,sans-serif}
.bar button{font:inherit;font-weight:600;min-height:2.75rem;padding:.4rem 1.2rem;border:0;border-radius:.35rem;background:#0b6e4f;color:#fff;cursor:pointer}
@media print{.bar{display:none}}
${PAGE[input.layout]}
</style></head><body>${bar}<div class="grid">${wifi}${cards.join('')}</div></body></html>`;
}
