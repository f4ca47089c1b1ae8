/**
 * Typed attribute access and encoding: every kind, vendor attributes (several per VSA, unknown vendors,
 * malformed VSAs), and the rule that whatever the dictionary does not understand survives re-encoding.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  Code,
  decodePacket,
  encodePacket,
  get,
  getAll,
  getVendor,
  has,
  RadiusError,
  toRawAttributes,
  vendorAttributes,
  vendorSpecific,
  Vendor,
  type RadiusPacket,
  type RawAttribute,
} from './index.js';

const pkt = (attributes: RawAttribute[]): RadiusPacket => ({ code: Code.AccessAccept, identifier: 1, authenticator: Buffer.alloc(16), attributes });
const roundTrip = (p: RadiusPacket) => decodePacket(encodePacket(p));

describe('typed values', () => {
  it('encodes and decodes every kind', () => {
    const p = roundTrip(
      pkt(
        toRawAttributes([
          ['User-Name', 'ÅSA-Ünïcode'],
          ['Session-Timeout', 4_294_967_295],
          ['Framed-IP-Address', '10.0.0.1'],
          ['NAS-IPv6-Address', '2001:db8::1'],
          ['Framed-IPv6-Prefix', '2001:db8:ab00::/40'],
          ['Delegated-IPv6-Prefix', '::/0'],
          ['Framed-Interface-Id', Buffer.from('0102030405060708', 'hex')],
          ['Event-Timestamp', new Date('2026-01-01T00:00:00Z')],
          ['Class', Buffer.from([0, 255, 1])],
          ['State', 'text-state'],
        ]),
      ),
    );
    expect(get(p, 'User-Name')).toBe('ÅSA-Ünïcode');
    expect(get(p, 'Session-Timeout')).toBe(4_294_967_295);
    expect(get(p, 'Framed-IP-Address')).toBe('10.0.0.1');
    expect(get(p, 'NAS-IPv6-Address')).toBe('2001:db8::1');
    expect(get(p, 'Framed-IPv6-Prefix')).toBe('2001:db8:ab00::/40');
    expect(p.attributes.find((a) => a.type === 97)!.value.length).toBe(2 + 5); // only the octets the prefix needs
    expect(get(p, 'Delegated-IPv6-Prefix')).toBe('::/0');
    expect(get(p, 'Framed-Interface-Id')?.toString('hex')).toBe('0102030405060708');
    expect(get(p, 'Event-Timestamp')?.getTime()).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(get(p, 'Class')?.equals(Buffer.from([0, 255, 1]))).toBe(true);
    expect(get(p, 'State')?.toString()).toBe('text-state');
    expect(get(p, 'Reply-Message')).toBeUndefined();
  });

  it('parses IPv6 forms (RFC 4291 §2.2) and prints RFC 5952 text', () => {
    for (const [input, out] of [
      ['::', '::'],
      ['::1', '::1'],
      ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ]) {
      expect(get(roundTrip(pkt(toRawAttributes([['NAS-IPv6-Address', input!]]))), 'NAS-IPv6-Address')).toBe(out);
    }
  });

  it('returns undefined for a value of the wrong size (RFC 6929 §2.8 invalid attribute), keeping the raw bytes', () => {
    const p = pkt([{ type: 27, value: Buffer.from([1, 2, 3]) }, { type: 27, value: Buffer.from([0, 0, 0, 9]) }, { type: 8, value: Buffer.alloc(5) }]);
    expect(get(p, 'Session-Timeout')).toBe(9); // first well-formed one
    expect(getAll(p, 'Session-Timeout')).toEqual([9]);
    expect(get(p, 'Framed-IP-Address')).toBeUndefined();
    expect(has(p, 'Framed-IP-Address')).toBe(true);
    expect(encodePacket(roundTrip(p)).equals(encodePacket(p))).toBe(true);
  });

  it.each<[string, unknown]>([
    ['Session-Timeout', -1],
    ['Session-Timeout', 2 ** 32],
    ['Session-Timeout', 1.5],
    ['Framed-IP-Address', '10.0.0.256'],
    ['Framed-IP-Address', '10.0.0'],
    ['NAS-IPv6-Address', '1::2::3'],
    ['NAS-IPv6-Address', '1:2:3:4:5:6:7:8:9'],
    ['Framed-IPv6-Prefix', '2001:db8::/129'],
    ['Framed-Interface-Id', Buffer.alloc(7)],
    ['Reply-Message', 'x'.repeat(254)],
    ['Mikrotik-Rate-Limit', 'x'.repeat(248)],
  ])('refuses to encode %s = %s', (name, value) => {
    expect(() => toRawAttributes([[name, value] as never])).toThrow(RadiusError);
  });

  it('refuses names no dictionary has', () => {
    expect(() => toRawAttributes([['No-Such-Attribute', 1] as never])).toThrowError(expect.objectContaining({ code: 'UNKNOWN_ATTRIBUTE' }));
  });
});

describe('Vendor-Specific (RFC 2865 §5.26)', () => {
  it('encodes each vendor attribute as one VSA with the verified vendor and type numbers', () => {
    const raw = toRawAttributes([
      ['Mikrotik-Rate-Limit', '512k/2M'],
      ['Mikrotik-Total-Limit-Gigawords', 1],
      ['ChilliSpot-Max-Total-Octets', 100],
      ['ChilliSpot-Max-Total-Gigawords', 2],
      ['WISPr-Bandwidth-Max-Up', 1_000_000],
      ['WISPr-Session-Terminate-Time', '2026-01-01T23:59:59+00:00'],
      ['pfSense-Max-Total-Octets', 3],
    ]);
    expect(raw.map((a) => [a.type, a.value.readUInt32BE(0), a.value[4]])).toEqual([
      [26, 14988, 8],
      [26, 14988, 18],
      [26, 14559, 3],
      [26, 14559, 23],
      [26, 14122, 7],
      [26, 14122, 9],
      [26, 13644, 3],
    ]);
    const p = roundTrip(pkt(raw));
    expect(getVendor(p, 'Mikrotik-Rate-Limit')).toBe('512k/2M');
    expect(getVendor(p, 'ChilliSpot-Max-Total-Gigawords')).toBe(2);
    expect(getVendor(p, 'WISPr-Session-Terminate-Time')).toBe('2026-01-01T23:59:59+00:00');
    expect(get(p, 'pfSense-Max-Total-Octets')).toBe(3);
  });

  it('reads several sub-attributes packed into one VSA', () => {
    const value = Buffer.concat([Buffer.from([0, 0, 0x3a, 0x8c]), Buffer.from([17, 6, 0, 0, 0, 5]), Buffer.from([18, 6, 0, 0, 0, 1])]);
    const p = pkt([{ type: 26, value }]);
    expect(getVendor(p, 'Mikrotik-Total-Limit')).toBe(5);
    expect(getVendor(p, 'Mikrotik-Total-Limit-Gigawords')).toBe(1);
    expect(vendorAttributes(p).length).toBe(2);
  });

  it('keeps unknown vendors, unknown vendor numbers, unknown standard types and malformed VSAs as raw octets that round-trip', () => {
    const attrs: RawAttribute[] = [
      vendorSpecific(9, 1, Buffer.from('cisco-avpair=x')), // Cisco: not in our tables
      vendorSpecific(Vendor.Mikrotik, 200, Buffer.from([1, 2])), // unknown MikroTik number
      { type: 26, value: Buffer.from([0, 0, 0x3a, 0x8c, 8, 1, 0]) }, // sub-attribute length 1: malformed
      { type: 26, value: Buffer.from([0, 0]) }, // shorter than a Vendor-Id
      { type: 241, value: Buffer.from([1, 2, 3]) }, // RFC 6929 extended type, unknown here
    ];
    const p = roundTrip(pkt(attrs));
    expect(encodePacket(p).equals(encodePacket(pkt(attrs)))).toBe(true);
    expect(getVendor(p, 'Mikrotik-Rate-Limit')).toBeUndefined();
    expect(vendorAttributes(p).map((v) => [v.vendor, v.type])).toEqual([
      [9, 1],
      [14988, 200],
    ]);
  });
});
