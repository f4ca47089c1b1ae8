import { describe, expect, it } from 'vitest';
import { portalHostMatcher } from '../http/intercept.js';
import { normalizeIp } from './net.js';

describe('normalizeIp', () => {
  it('keeps a plain IPv4 address, unwraps IPv4-mapped IPv6, drops a zone, lower-cases IPv6', () => {
    expect(normalizeIp('10.0.0.23')).toBe('10.0.0.23');
    expect(normalizeIp('::ffff:10.0.0.23')).toBe('10.0.0.23');
    expect(normalizeIp('::FFFF:10.0.0.23')).toBe('10.0.0.23');
    expect(normalizeIp('FE80::1%br-lan')).toBe('fe80::1');
    expect(normalizeIp('2001:DB8::5')).toBe('2001:db8::5');
    expect(normalizeIp('')).toBe('');
  });
});

describe('portalHostMatcher', () => {
  const isPortal = portalHostMatcher({ portalUrl: 'http://portal.lan:8080/', listen: { host: '0.0.0.0' } as never, portalHosts: ['wifi.example.net'] });
  it('knows its own names, and an address literal only when it is the one the request came in on', () => {
    expect(isPortal('portal.lan', () => '10.0.0.1')).toBe(true);
    expect(isPortal('wifi.example.net', () => '10.0.0.1')).toBe(true);
    expect(isPortal('connectivitycheck.gstatic.com', () => '10.0.0.1')).toBe(false);
    expect(isPortal('10.0.0.1', () => '10.0.0.1')).toBe(true);
    expect(isPortal('10.0.0.9', () => '10.0.0.1')).toBe(false);
    expect(isPortal('fd00::1', () => 'fd00::1')).toBe(true);
    // Looks like hex and dots but is no address: never matched as one.
    expect(isPortal('cafe.bad', () => 'cafe.bad')).toBe(false);
  });
});
