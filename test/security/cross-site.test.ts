/**
 * Cross-site requests against the resident routes (attack report D10): a page a resident visits must not
 * be able to log them out, spend their codes or top them up by posting a form at the portal. A foreign
 * `Origin` (or `Origin: null`, which sandboxed frames send) is refused with 403 and changes nothing;
 * captive-sheet browsers and curl that send no Origin, and the portal's own pages, still work.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

const RESIDENT = '10.0.0.50';

describe('resident POST routes refuse a foreign Origin', () => {
  it('a cross-site logout is refused and the resident stays online', async () => {
    const [code] = h.vouchers(1);
    expect((await h.post(RESIDENT, '/login', { code: code! })).status).toBe(200);
    const before = h.counts();
    const res = await h.post(RESIDENT, '/logout', { all: '1' }, { headers: { origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect(h.counts()).toEqual(before);
    const status = (await (await h.get(RESIDENT, '/status', { accept: 'application/json' })).json()) as { authorized: boolean };
    expect(status.authorized).toBe(true);
  });

  it('a cross-site login and top-up spend nothing', async () => {
    const [a, b] = h.vouchers(2);
    const before = h.counts();
    for (const origin of ['http://evil.example', 'null', 'http://10.0.0.1:8081']) {
      const res = await h.post(RESIDENT, '/login', { code: a! }, { headers: { origin } });
      expect(res.status, origin).toBe(403);
    }
    const plain = await h.post(RESIDENT, '/login', { code: b! }, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(plain.status).toBe(403);
    expect(h.counts()).toEqual(before);
    const top = await h.post(RESIDENT, '/topup', { code: a! }, { headers: { origin: 'http://evil.example' } });
    expect(top.status).toBe(403);
    expect(h.counts()).toEqual(before);
  });

  it('the HTML form answer for a refused post is the sign-in page with a sentence, not a crash', async () => {
    const res = await h.request(RESIDENT, '/logout', {
      method: 'POST',
      body: 'all=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Not allowed');
  });

  it('no Origin (captive sheets, curl) and the same origin still work', async () => {
    const [a, b] = h.vouchers(2);
    expect((await h.post(RESIDENT, '/login', { code: a! })).status).toBe(200);
    expect((await h.post('10.0.0.51', '/login', { code: b! }, { headers: { origin: 'http://10.0.0.1:8080', 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
    expect((await h.post(RESIDENT, '/logout', { all: '1' }, { headers: { origin: 'http://10.0.0.1:8080' } })).status).toBe(200);
  });
});
