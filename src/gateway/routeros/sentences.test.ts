/** Golden sentences: what Portico sends a MikroTik for a given desired state. */
import { describe, expect, it } from 'vitest';
import { byteLimit, loginSentence, parseActive, profileSentence, rateLimit, staleActiveSentence, userSentence } from './sentences.js';
import { apiPort, apiTarget, routerName } from './index.js';

const pool = { id: 'ent_7', downBps: 4_000_000, upBps: 1_000_000, bytesRemaining: 500_000_000 };

describe('routeros sentences', () => {
  it('maps rates to rx/tx in the router view: upload first, download second', () => {
    expect(rateLimit(pool)).toBe('1000000/4000000');
    expect(rateLimit({ downBps: 2_000_000, upBps: null })).toBe('0/2000000');
    expect(rateLimit({ downBps: null, upBps: null })).toBe('');
  });

  it('adds a profile per pool, or sets it by .id', () => {
    expect(profileSentence(pool, { sharedUsers: 3 })).toEqual(['/ip/hotspot/user/profile/add', '=name=portico-ent_7', '=rate-limit=1000000/4000000', '=shared-users=3']);
    expect(profileSentence(pool, { sharedUsers: 0, id: '*4' })).toEqual(['/ip/hotspot/user/profile/set', '=.id=*4', '=name=portico-ent_7', '=rate-limit=1000000/4000000', '=shared-users=1']);
  });

  it('sets limit-bytes-total to used + remaining, and disables an exhausted user (0 would mean unlimited)', () => {
    expect(userSentence(pool, { password: 'pw', server: 'hotspot1', usedBytes: 1234 })).toEqual([
      '/ip/hotspot/user/add',
      '=name=ent_7',
      '=password=pw',
      '=profile=portico-ent_7',
      '=server=hotspot1',
      '=limit-bytes-total=500001234',
      '=disabled=no',
      '=comment=managed by Portico',
    ]);
    expect(byteLimit(0, 0)).toEqual({ limit: 1, disabled: true });
    expect(byteLimit(10, null)).toEqual({ limit: 0, disabled: false });
    expect(userSentence({ ...pool, bytesRemaining: 0 }, { password: 'pw', server: 'hs', usedBytes: 99, id: '*9' }).slice(0, 2)).toEqual(['/ip/hotspot/user/set', '=.id=*9']);
  });

  it('logs in through /ip/hotspot/active/login with an upper-case MAC', () => {
    expect(loginSentence({ poolId: 'ent_7', password: 'pw', ip: '10.5.50.10', mac: '02:ab:00:00:00:0a' })).toEqual([
      '/ip/hotspot/active/login',
      '=user=ent_7',
      '=password=pw',
      '=ip=10.5.50.10',
      '=mac-address=02:AB:00:00:00:0A',
    ]);
    expect(staleActiveSentence('hs', '10.5.50.10', '02:ab:00:00:00:0a').slice(1, 5)).toEqual(['?server=hs', '?address=10.5.50.10', '?mac-address=02:AB:00:00:00:0A', '?#|&']);
  });

  it('reads active counters in the client view: bytes-in is upload', () => {
    expect(parseActive({ '.id': '*1', user: 'ent_7', address: '10.5.50.10', 'mac-address': '02:AB:00:00:00:0A', 'bytes-in': '100', 'bytes-out': '5000000000' })).toEqual({
      id: '*1',
      user: 'ent_7',
      ip: '10.5.50.10',
      mac: '02:ab:00:00:00:0a',
      bytesUp: 100,
      bytesDown: 5_000_000_000,
    });
  });

  it('always passes an explicit API port: 8728, or 8729 with tls (node-routeros defect #4)', () => {
    const base = { host: '192.0.2.1', user: 'portico', password: 'x', hotspot: 'hotspot1', timeoutMs: 5000 };
    expect(apiPort({ ...base, tls: false })).toBe(8728);
    expect(apiPort({ ...base, tls: true })).toBe(8729);
    expect(apiPort({ ...base, tls: true, port: 9000 })).toBe(9000);
    expect(routerName({ ...base, tls: false })).toBe('192.0.2.1:8728');
    expect(apiTarget({ ...base, tls: true, ca: '/etc/ca.pem' }, () => 'PEM').tls).toMatchObject({ ca: 'PEM' });
    expect(apiTarget({ ...base, tls: false }).tls).toBeUndefined();
  });
});
