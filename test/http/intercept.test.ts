/**
 * Interception (captive-clients.md B1, B2, B3, E4) through app.request(): every OS probe gets the
 * canonical 302 before login and its genuine answer after.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../helpers/harness.js';

const PROBES: [string, string, number, string | RegExp][] = [
  // host, path, online status, online body
  ['connectivitycheck.gstatic.com', '/generate_204', 204, ''],
  ['www.google.com', '/gen_204', 204, ''],
  ['play.googleapis.com', '/generate_204', 204, ''],
  ['connectivitycheck.grapheneos.network', '/generate_204', 204, ''],
  ['captive.apple.com', '/hotspot-detect.html', 200, '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>'],
  ['www.apple.com', '/library/test/success.html', 200, '<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>'],
  ['www.msftconnecttest.com', '/connecttest.txt', 200, 'Microsoft Connect Test'],
  ['ipv6.msftconnecttest.com', '/connecttest.txt', 200, 'Microsoft Connect Test'],
  ['www.msftncsi.com', '/ncsi.txt', 200, 'Microsoft NCSI'],
  ['edge-http.microsoft.com', '/captiveportal/generate_204', 204, ''],
  ['www.gstatic.com', '/generate_204', 204, ''],
  ['detectportal.firefox.com', '/canonical.html', 200, '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>'],
  ['detectportal.firefox.com', '/success.txt?ipv4', 200, 'success\n'],
  ['connectivity-check.ubuntu.com', '/', 204, ''],
  ['nmcheck.gnome.org', '/check_network_status.txt', 200, 'NetworkManager is online\n'],
  ['network-test.debian.org', '/nm', 200, 'NetworkManager is online\n'],
];

function expectCanonical302(res: Response, body: string, orig: string) {
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toMatch(/^https:\/\/portal\.example\.net\//);
  expect(new URL(location).searchParams.get('orig')).toBe(orig);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('connection')).toBe('close');
  expect(res.headers.get('x-networkmanager-status')).toBeNull();
  expect(body.length).toBeGreaterThan(4);
  expect(body).toContain(location.replace(/&/g, '&#38;'));
}

describe('interception of foreign hosts', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });

  it.each(PROBES)('%s%s → 302 to the portal before login', async (host, path) => {
    const phone = h.device();
    const res = await phone.get(path, { host });
    expectCanonical302(res, await res.text(), `http://${host}${path}`);
  });

  it('answers HEAD the same way, without a body', async () => {
    const res = await h.device().request('/hotspot-detect.html', { method: 'HEAD', headers: { host: 'captive.apple.com' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^https:\/\/portal\.example\.net\/\?orig=/);
    expect(await res.text()).toBe('');
  });

  it.each([
    ['an IP-literal Host', '172.217.6.238'],
    ['the Windows redirect page', 'www.msftconnecttest.com'],
  ])('sends %s to the portal too', async (_name, host) => {
    const res = await h.device().get('/redirect', { host });
    expect(res.status).toBe(302);
  });

  it('answers a request without Host with the 302', async () => {
    const phone = h.device();
    const res = await h.app.request('/', { headers: {} }, { incoming: { socket: { remoteAddress: phone.ip, localAddress: '10.0.0.1' } } });
    expect(res.status).toBe(302);
  });

  it.each(['POST', 'PUT', 'DELETE'])('answers %s to a foreign host with 511 and a link', async (method) => {
    const res = await h.device().request('/upload', { method, headers: { host: 'example.com' }, body: 'x' });
    expect(res.status).toBe(511);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toContain('href="https://portal.example.net/"');
  });

  it('serves the portal on its own names and on the gateway address', async () => {
    const phone = h.device();
    for (const host of ['portal.example.net', '10.0.0.1', '10.0.0.1:8080']) {
      const res = await phone.get('/', { host });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it.each(PROBES)('%s%s gets its genuine answer once the device is online (stale connection race)', async (host, path, status, body) => {
    const { codes } = h.vouchers(1);
    const phone = h.device();
    expect((await phone.login(codes[0]!)).status).toBe(303);
    const res = await phone.get(path, { host });
    expect(res.status).toBe(status);
    expect(await res.text()).toBe(body);
    if (host === 'connectivity-check.ubuntu.com') expect(res.headers.get('x-networkmanager-status')).toBe('online');
  });

  it('still sends an online device asking for a non-probe URL to the portal', async () => {
    const { codes } = h.vouchers(1);
    const phone = h.device();
    await phone.login(codes[0]!);
    expect((await phone.get('/news', { host: 'example.com' })).status).toBe(302);
  });

  it('never gives another device the online answer', async () => {
    const { codes } = h.vouchers(1);
    await h.device().login(codes[0]!);
    expect((await h.device().get('/generate_204', { host: 'connectivitycheck.gstatic.com' })).status).toBe(302);
  });
});
