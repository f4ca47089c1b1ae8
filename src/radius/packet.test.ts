/**
 * Framing rules of RFC 2865 §3 and §5 on hostile input: what is padding, what is truncated, and which
 * attribute lengths are refused — each with the codec's typed error code, never another exception.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Code, decodePacket, encodePacket, RadiusError, type RadiusErrorCode } from './index.js';

function packet(attrs: Buffer, lengthOverride?: number): Buffer {
  const head = Buffer.alloc(20);
  head[0] = Code.AccessRequest;
  head[1] = 9;
  head.writeUInt16BE(lengthOverride ?? 20 + attrs.length, 2);
  head.fill(0xab, 4, 20);
  return Buffer.concat([head, attrs]);
}

function codeOf(fn: () => unknown): RadiusErrorCode | 'no error' {
  try {
    fn();
    return 'no error';
  } catch (e) {
    if (e instanceof RadiusError) return e.code;
    throw e;
  }
}

const userName = Buffer.from([1, 7, ...Buffer.from('alice')]);

describe('decodePacket', () => {
  it('reads header and attributes in order', () => {
    const p = decodePacket(packet(Buffer.concat([userName, Buffer.from([5, 6, 0, 0, 0, 3])])));
    expect(p.code).toBe(1);
    expect(p.identifier).toBe(9);
    expect(p.authenticator.equals(Buffer.alloc(16, 0xab))).toBe(true);
    expect(p.attributes.map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [1, Buffer.from('alice').toString('hex')],
      [5, '00000003'],
    ]);
  });

  it('ignores octets beyond Length as padding (RFC 2865 §3)', () => {
    const exact = packet(userName);
    const padded = Buffer.concat([exact, Buffer.from([0xde, 0xad, 0xbe, 0xef, 1])]);
    expect(encodePacket(decodePacket(padded)).equals(exact)).toBe(true);
  });

  it('does not alias the caller buffer', () => {
    const buf = packet(userName);
    const p = decodePacket(buf);
    buf.fill(0);
    expect(p.attributes[0]!.value.toString()).toBe('alice');
  });

  it.each<[string, Buffer, RadiusErrorCode]>([
    ['empty datagram', Buffer.alloc(0), 'TRUNCATED'],
    ['19 octets', Buffer.alloc(19), 'TRUNCATED'],
    ['Length field says more than arrived (silently discard)', packet(userName, 40), 'TRUNCATED'],
    ['Length field < 20', packet(Buffer.alloc(0), 19), 'BAD_LENGTH'],
    ['Length field > 4096', Buffer.concat([packet(Buffer.alloc(0), 4097), Buffer.alloc(4077)]), 'BAD_LENGTH'],
    ['attribute length 0', packet(Buffer.from([1, 0, 0, 0])), 'BAD_ATTRIBUTE_LENGTH'],
    ['attribute length 1', packet(Buffer.from([1, 1, 0, 0])), 'BAD_ATTRIBUTE_LENGTH'],
    ['attribute overruns Length', packet(Buffer.from([1, 9, 0x61, 0x62])), 'BAD_ATTRIBUTE_LENGTH'],
    ['one stray octet after the last attribute', packet(Buffer.concat([userName, Buffer.from([1])])), 'BAD_ATTRIBUTE_LENGTH'],
    [
      'attribute overruns Length although the datagram has the bytes (padding is not attribute space)',
      Buffer.concat([packet(Buffer.from([1, 9, 0x61, 0x62]), 24), Buffer.alloc(10, 0x61)]),
      'BAD_ATTRIBUTE_LENGTH',
    ],
  ])('%s → %s', (_label, buf, code) => {
    expect(codeOf(() => decodePacket(buf))).toBe(code);
  });

  it('accepts an attribute of length 2 (empty value) and a 4096-octet packet', () => {
    expect(decodePacket(packet(Buffer.from([24, 2]))).attributes[0]!.value.length).toBe(0);
    const big = Buffer.concat(Array.from({ length: 15 }, () => Buffer.concat([Buffer.from([26, 255]), Buffer.alloc(253)])));
    const rest = 4096 - 20 - big.length; // 251
    const full = packet(Buffer.concat([big, Buffer.from([26, rest]), Buffer.alloc(rest - 2)]));
    expect(full.length).toBe(4096);
    expect(decodePacket(full).attributes.length).toBe(16);
  });
});

describe('encodePacket', () => {
  const base = { code: 2, identifier: 1, authenticator: Buffer.alloc(16), attributes: [] };
  it('refuses a value over 253 octets, a packet over 4096 octets, bad header fields', () => {
    expect(codeOf(() => encodePacket({ ...base, attributes: [{ type: 18, value: Buffer.alloc(254) }] }))).toBe('BAD_VALUE');
    const many = Array.from({ length: 17 }, () => ({ type: 18, value: Buffer.alloc(253) }));
    expect(codeOf(() => encodePacket({ ...base, attributes: many }))).toBe('TOO_LONG');
    expect(codeOf(() => encodePacket({ ...base, identifier: 256 }))).toBe('BAD_VALUE');
    expect(codeOf(() => encodePacket({ ...base, authenticator: Buffer.alloc(15) }))).toBe('BAD_VALUE');
    expect(codeOf(() => encodePacket({ ...base, attributes: [{ type: 0, value: Buffer.alloc(1) }] }))).toBe('BAD_VALUE');
  });
});
