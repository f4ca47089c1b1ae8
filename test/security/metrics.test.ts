/**
 * GET /metrics: Prometheus text for localhost or an operator session, 404 for everyone else (a header
 * cannot make a resident look local), and counters that follow what really happened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(() => h.close());

function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  it('answers loopback callers in the Prometheus text format', async () => {
    for (const ip of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await h.get(ip, '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain('# TYPE portico_devices_online gauge');
      expect(text).toContain('# TYPE portico_login_failures_total counter');
      // Every sample line is `name{labels} number`.
      for (const line of text.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"\})? -?[0-9.e+]+$/);
    }
  });

  it('is hidden from residents whatever headers they send', async () => {
    const attempts: Record<string, string>[] = [{}, { 'x-forwarded-for': '127.0.0.1' }, { host: 'localhost' }, { cookie: 'portico_op=forged' }];
    for (const headers of attempts) {
      const res = await h.get('10.0.0.5', '/metrics', headers);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('portico_');
    }
  });

  it('answers an operator with a valid session from the LAN', async () => {
    await h.core.addOperator({ name: 'maria', role: 'seller', password: 'correct horse battery' }, { type: 'system' });
    const { token } = await h.core.loginOperator('maria', 'correct horse battery');
    const res = await h.get('10.0.0.9', '/metrics', { cookie: `lang=en; portico_op=${token}` });
    expect(res.status).toBe(200);
  });

  it('counts logins, failures by code, devices online, bytes and sweeps', async () => {
    const [code] = h.vouchers(1, { durationSec: 3600, dataBytes: 10_000_000 });
    expect((await h.post('10.0.0.5', '/login', { code: code! })).status).toBe(200);
    expect((await h.post('10.0.0.6', '/login', { code: 'K7QM-4XPA-9T' })).status).toBe(400);
    expect((await h.post('10.0.0.6', '/login', { code: '0000-0000-000' })).status).toBe(404);
    await h.core.accounting.sweep();
    h.network.transfer('10.0.0.5', 300_000, 20_000);
    await h.core.accounting.sweep();

    const text = await (await h.get('127.0.0.1', '/metrics')).text();
    expect(sample(text, 'portico_logins_total{kind="login"}')).toBe(1);
    expect(sample(text, 'portico_login_failures_total{code="CODE_MALFORMED"}')).toBe(1);
    expect(sample(text, 'portico_login_failures_total{code="VOUCHER_UNKNOWN"}')).toBe(1);
    expect(sample(text, 'portico_devices_online')).toBe(1);
    expect(sample(text, 'portico_bytes_total')).toBe(320_000);
    expect(sample(text, 'portico_accounting_sweep_seconds_count')).toBe(2);
    expect(sample(text, 'portico_gateway_up')).toBe(1);
  });
});
