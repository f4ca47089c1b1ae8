/**
 * RFC 8908 (captive-clients.md section C, the JSON schema in section b) before and after login.
 */
import { describe, expect, it } from 'vitest';
import { harness } from '../helpers/harness.js';

/** The contract schema from captive-clients.md (b), checked by hand: no validator dependency. */
function assertCaptiveSchema(body: Record<string, unknown>) {
  expect(typeof body.captive).toBe('boolean');
  if ('user-portal-url' in body) expect(body['user-portal-url']).toMatch(/^https:\/\//);
  if ('can-extend-session' in body) expect(typeof body['can-extend-session']).toBe('boolean');
  for (const k of ['seconds-remaining', 'bytes-remaining']) {
    if (k in body) {
      expect(Number.isInteger(body[k])).toBe(true);
      expect(body[k] as number).toBeGreaterThanOrEqual(0);
    }
  }
  if ('seconds-remaining' in body) expect(body['seconds-remaining'] as number).toBeLessThanOrEqual(2_147_483_647);
  if (body.captive === true) {
    expect(body['user-portal-url']).toBeDefined();
    expect(body).not.toHaveProperty('seconds-remaining');
    expect(body).not.toHaveProperty('bytes-remaining');
  }
}

describe('GET /api/captive', () => {
  it.each([undefined, '*/*', 'application/captive+json', 'application/captive+json, */*;q=0.8', 'text/html'])(
    'is captive+json before login whatever Accept says (%s)',
    async (accept) => {
      const h = await harness();
      const res = await h.device().get('/api/captive', accept ? { accept } : {});
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/captive+json');
      expect(res.headers.get('cache-control')).toBe('private');
      const text = await res.text();
      expect(text.length).toBeLessThanOrEqual(4096);
      const body = JSON.parse(text);
      assertCaptiveSchema(body);
      expect(body).toEqual({ captive: true, 'user-portal-url': 'https://portal.example.net/' });
    },
  );

  it('turns captive:false with seconds and bytes remaining after login, and back after logout', async () => {
    const h = await harness({ network: { venueInfoUrl: 'https://community.example.net/' } });
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 1e9 });
    const phone = h.device();
    await phone.login(codes[0]!);
    h.clock.advance(188_000);
    phone.download(1000);
    await h.sweep();
    const body = await (await phone.get('/api/captive')).json();
    assertCaptiveSchema(body);
    expect(body).toEqual({
      captive: false,
      'user-portal-url': 'https://portal.example.net/',
      'venue-info-url': 'https://community.example.net/',
      'can-extend-session': true,
      'seconds-remaining': 3412,
      'bytes-remaining': 1e9 - 1000,
    });
    await phone.post('/logout', {});
    const after = await (await phone.get('/api/captive')).json();
    expect(after.captive).toBe(true);
    assertCaptiveSchema(after);
  });

  it('omits what the plan does not limit', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { dataBytes: 5e8 });
    const phone = h.device();
    await phone.login(codes[0]!);
    const body = await (await phone.get('/api/captive')).json();
    expect(body).not.toHaveProperty('seconds-remaining');
    expect(body['bytes-remaining']).toBe(5e8);
  });

  it('never tells one device another device’s state (C6)', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1);
    await h.device().login(codes[0]!);
    expect((await (await h.device().get('/api/captive')).json()).captive).toBe(true);
  });

  it('goes back to captive when the time runs out', async () => {
    const h = await harness();
    const { codes } = h.vouchers(1, { durationSec: 60 });
    const phone = h.device();
    await phone.login(codes[0]!);
    h.clock.advance(60_000);
    await h.sweep();
    expect((await (await phone.get('/api/captive')).json()).captive).toBe(true);
    expect((await phone.get('/generate_204', { host: 'connectivitycheck.gstatic.com' })).status).toBe(302);
  });
});
