/**
 * Printable voucher sheets: an A4/Letter grid or a 58/80 mm receipt roll. Each voucher shows its code,
 * the plan in words and a QR that opens the portal with the code filled in (`<portalUrl>?code=…`); the
 * sheet starts with a Wi-Fi join QR for the SSID (`WIFI:T:WPA;S:…;P:…;;`). Self-contained HTML with inline
 * SVG QR codes: no network needed to print.
 *
 * @example
 *   const html = await renderSheet({ vouchers, plan, portalUrl, network, layout: 'a4' });
 */
import QRCode from 'qrcode';
import { formatCode } from '../domain/code.js';
import { describePlan, type Lang } from '../domain/plan-words.js';
import type { Plan } from '../domain/plan.js';

export type SheetLayout = 'a4' | 'letter' | 'receipt58' | 'receipt80';
export const LAYOUTS: readonly SheetLayout[] = ['a4', 'letter', 'receipt58', 'receipt80'];

export interface SheetInput {
  vouchers: { code: string }[];
  plan: Plan;
  portalUrl: string;
  network: { name: string; ssid: string; wifiPassword: string };
  layout: SheetLayout;
  lang?: Lang;
  price?: number | null;
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

const WORDS: Record<Lang, { join: string; scan: string; price: string }> = {
  en: { join: 'Scan to join the Wi-Fi', scan: 'Scan, or type the code at', price: 'Price' },
  es: { join: 'Escanea para unirte al Wi-Fi', scan: 'Escanea, o escribe el código en', price: 'Precio' },
  pt: { join: 'Escaneie para entrar no Wi-Fi', scan: 'Escaneie, ou digite o código em', price: 'Preço' },
  fr: { join: 'Scannez pour rejoindre le Wi-Fi', scan: 'Scannez, ou tapez le code sur', price: 'Prix' },
};

const svg = (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

const PAGE: Record<SheetLayout, string> = {
  a4: '@page{size:A4;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  letter: '@page{size:letter;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  // Receipt rolls: one voucher under the other, QR above a code that never wraps, a cut line between.
  receipt58: '@page{size:58mm auto;margin:2mm}body{width:54mm}.grid{grid-template-columns:1fr;gap:0}.v{flex-direction:column;text-align:center;border:0;border-bottom:1px dashed #000;padding:3mm 0}.c{font-size:12pt}.qr svg{width:30mm;height:30mm}',
  receipt80: '@page{size:80mm auto;margin:3mm}body{width:74mm}.grid{grid-template-columns:1fr;gap:0}.v{flex-direction:column;text-align:center;border:0;border-bottom:1px dashed #000;padding:3mm 0}.c{font-size:16pt}.qr svg{width:36mm;height:36mm}',
};

export async function renderSheet(input: SheetInput): Promise<string> {
  const lang = input.lang ?? 'en';
  const w = WORDS[lang] ?? WORDS.en;
  const words = describePlan(input.plan, lang);
  const price = input.price !== null && input.price !== undefined ? ` · ${w.price} ${input.price}` : '';
  const host = new URL(input.portalUrl).host;
  const cards = await Promise.all(
    input.vouchers.map(async (v) => {
      const url = voucherUrl(input.portalUrl, v.code);
      return `<div class="v" data-url="${esc(url)}"><div class="qr">${await svg(url)}</div><div><div class="n">${esc(input.network.name)}</div>` +
        `<div class="c">${esc(formatCode(v.code))}</div><div class="p">${esc(words)}${esc(price)}</div>` +
        `<div class="u">${esc(w.scan)} ${esc(host)}</div></div></div>`;
    }),
  );
  const wifi = input.network.ssid
    ? `<div class="v wifi"><div class="qr">${await svg(wifiPayload(input.network.ssid, input.network.wifiPassword))}</div>` +
      `<div><div class="n">Wi-Fi: ${esc(input.network.ssid)}</div><div class="p">${esc(w.join)}</div></div></div>`
    : '';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${esc(input.network.name)} vouchers</title><style>
body{font-family:system-ui,sans-serif;margin:0;color:#000}.grid{display:grid;gap:3mm}
.v{display:flex;gap:3mm;align-items:center;border:1px dashed #888;padding:3mm;break-inside:avoid}
.qr svg{width:26mm;height:26mm;display:block}.n{font-size:9pt}.c{font:700 14pt ui-monospace,monospace;letter-spacing:.05em;white-space:nowrap}
.p{font-size:8pt}.u{font-size:6pt;color:#555;word-break:break-all}
${PAGE[input.layout]}
</style></head><body><div class="grid">${wifi}${cards.join('')}</div></body></html>`;
}
