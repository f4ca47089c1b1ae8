/**
 * /network in plain words with its 24-hour chart (server-rendered SVG), and the operator's notice on
 * the portal and the network page (issue 15 item 6), through app.request().
 */
import { describe, expect, it } from 'vitest';
import { esc } from '../../src/http/pages.js';
import { ui } from '../../src/http/ui-text.js';
import { harness } from '../helpers/harness.js';

describe('/network', () => {
  it('says "Internet use right now", not "Uplink throughput"; no history yet says so', async () => {
    const h = await harness();
    const html = await (await h.device().get('/network')).text();
    expect(html).toContain(ui('en', 'throughput'));
    expect(html).not.toMatch(/throughput/i);
    expect(html).toContain(esc(ui('en', 'historyEmpty')));
    expect(await (await h.device().get('/network?lang=es')).text()).toContain(ui('es', 'throughput'));
  });

  it('draws the last 24 hours of devices online and traffic as inline SVG, labelled in the network’s zone', async () => {
    const h = await harness({ network: { timeZone: 'America/Bogota' } });
    const { codes } = h.vouchers(2, { durationSec: 86_400 * 2, devices: 2 });
    const [a, b] = [h.device(), h.device()];
    await a.login(codes[0]!);
    await b.login(codes[1]!);
    for (let i = 0; i < 30; i++) {
      a.download(2_000_000);
      b.download(1_000_000);
      h.clock.advance(10_000);
      await h.sweep();
    }
    const history = await (await a.get('/api/network/history')).json();
    expect(history.bucketMs).toBe(300_000);
    expect(Math.max(...history.points.map((p: { devices: number }) => p.devices))).toBe(2);
    expect(history.points.reduce((n: number, p: { bytes: number }) => n + p.bytes, 0)).toBeGreaterThan(50e6);

    const html = await (await a.get('/network?lang=es')).text();
    expect(html).toContain('<svg id="history-devices"');
    expect(html).toContain('<svg id="history-traffic"');
    expect(html).toMatch(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+"\/>/);
    expect(html).toContain('(America/Bogota)');
    const last = new Intl.DateTimeFormat('es', { hour: '2-digit', minute: '2-digit', timeZone: 'America/Bogota' }).format(h.clock.now());
    expect(html).toContain(`text-anchor="end">${last}</text>`);
    expect(html).toMatch(/Más dispositivos conectados a la vez: 2, a las \d\d:\d\d\. Tráfico en 24 horas: \d+(,\d+)? MB\./);
    // The chart alone, for network.js to refresh it: the same markup, no personal data.
    const fragment = await (await a.get('/network/history?lang=es')).text();
    expect(fragment).toContain('<svg id="history-devices"');
    expect(fragment).not.toContain(a.mac);
  });

  it('shows the operator’s notice on the portal (sign-in and status) and the network page, per language', async () => {
    const h = await harness();
    const op = await h.core.addOperator({ name: 'ana', role: 'admin', password: 'long-enough-1' }, { type: 'system' });
    const phone = h.device();
    expect(await (await phone.get('/')).text()).not.toContain('id="notice"');
    await h.core.admin.saveSettings({ notice: 'Outage tonight 22:00–23:00', noticeByLang: { es: 'Corte esta noche 22:00–23:00' } }, op);
    const note = (text: string) => `<p class="note" role="note" id="notice">${text}</p>`;
    expect(await (await phone.get('/')).text()).toContain(note('Outage tonight 22:00–23:00'));
    expect(await (await phone.get('/?lang=es')).text()).toContain(note('Corte esta noche 22:00–23:00'));
    expect(await (await phone.get('/network?lang=es')).text()).toContain(note('Corte esta noche 22:00–23:00'));
    expect(await (await phone.get('/network?lang=fr')).text()).toContain(note('Outage tonight 22:00–23:00'));
    const { codes } = h.vouchers(1);
    await phone.login(codes[0]!);
    expect(await (await phone.get('/status')).text()).toContain(note('Outage tonight 22:00–23:00'));
    await expect(h.core.admin.saveSettings({ notice: 'x'.repeat(301) }, op)).rejects.toMatchObject({ details: { field: 'notice' } });
  });
});
