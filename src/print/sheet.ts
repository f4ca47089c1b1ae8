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

const svg = (text: string) => QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });

const PAGE: Record<SheetLayout, string> = {
  a4: '@page{size:A4;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  letter: '@page{size:letter;margin:10mm}.grid{grid-template-columns:repeat(3,1fr)}',
  receipt58: '@page{size:58mm auto;margin:2mm}body{width:54mm}.grid{grid-template-columns:1fr}',
  receipt80: '@page{size:80mm auto;margin:3mm}body{width:74mm}.grid{grid-template-columns:1fr}',
};

export async function renderSheet(input: SheetInput): Promise<string> {
  const words = describePlan(input.plan, input.lang ?? 'en');
  const price = input.price !== null && input.price !== undefined ? ` · ${input.price}` : '';
  const cards = await Promise.all(
    input.vouchers.map(async (v) => {
      const url = voucherUrl(input.portalUrl, v.code);
      return `<div class="v"><div class="qr">${await svg(url)}</div><div><div class="n">${esc(input.network.name)}</div>` +
        `<div class="c">${esc(formatCode(v.code))}</div><div class="p">${esc(words)}${esc(price)}</div>` +
        `<div class="u">${esc(url)}</div></div></div>`;
    }),
  );
  const wifi = input.network.ssid
    ? `<div class="v wifi"><div class="qr">${await svg(wifiPayload(input.network.ssid, input.network.wifiPassword))}</div>` +
      `<div><div class="n">Wi-Fi: ${esc(input.network.ssid)}</div><div class="p">Scan to join the network</div></div></div>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(input.network.name)} vouchers</title><style>
${PAGE[input.layout]}
body{font-family:system-ui,sans-serif;margin:0;color:#000}.grid{display:grid;gap:3mm}
.v{display:flex;gap:3mm;align-items:center;border:1px dashed #888;padding:3mm;break-inside:avoid}
.qr svg{width:26mm;height:26mm;display:block}.n{font-size:9pt}.c{font:700 14pt ui-monospace,monospace;letter-spacing:.05em}
.p{font-size:8pt}.u{font-size:6pt;color:#555;word-break:break-all}
</style></head><body><div class="grid">${wifi}${cards.join('')}</div></body></html>`;
}
