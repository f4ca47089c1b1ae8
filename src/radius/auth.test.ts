/**
 * The cryptography against the RFC's own worked examples (RFC 2865 §7.1–7.2, shared secret "xyzzy5461")
 * and against itself: hide/unhide across block boundaries, CHAP with either challenge, and the
 * authenticator constructions. The radclient goldens (golden.test.ts) cover the same code from outside.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  chapPassword,
  Code,
  decodePacket,
  encodeResponse,
  get,
  hidePassword,
  RadiusError,
  safeEqual,
  unhidePassword,
  userPassword,
  verifyChap,
} from './index.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// RFC 2865 §7.1: "nemo" logs in with password "arctangent" from NAS 192.168.1.16 port 3.
const RFC_SECRET = 'xyzzy5461';
const RFC_ACCESS_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a
  01 06 6e 65 6d 6f
  02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee
  04 06 c0 a8 01 10
  05 06 00 00 00 03`);
const RFC_ACCESS_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2
  06 06 00 00 00 01
  0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);

describe('RFC 2865 §7.1 worked example', () => {
  const req = decodePacket(RFC_ACCESS_REQUEST);

  it('unhides User-Password to "arctangent" and hides it back to the same octets', () => {
    expect(get(req, 'User-Name')).toBe('nemo');
    expect(userPassword(req, RFC_SECRET)).toBe('arctangent');
    expect(hidePassword('arctangent', RFC_SECRET, req.authenticator).equals(hex('0dbe708d93d413ce3196e43f782a0aee'))).toBe(true);
  });

  it('produces the Access-Accept of the RFC byte for byte (no MA: the RFC predates it)', () => {
    const reply = encodeResponse(
      req,
      Code.AccessAccept,
      [['Service-Type', 1], ['Login-Service', 0], ['Login-IP-Host', '192.168.1.3']],
      RFC_SECRET,
      { messageAuthenticator: false },
    );
    expect(reply.toString('hex')).toBe(RFC_ACCESS_ACCEPT.toString('hex'));
  });
});

describe('User-Password hiding (RFC 2865 §5.2)', () => {
  const ra = hex('00112233445566778899aabbccddeeff');
  it.each([0, 1, 15, 16, 17, 31, 32, 33, 127, 128])('round-trips a %i-octet password', (n) => {
    const pw = Buffer.from('x'.repeat(n));
    const hidden = hidePassword(pw, 's3cret', ra);
    expect(hidden.length).toBe(Math.max(16, Math.ceil(n / 16) * 16));
    expect(unhidePassword(hidden, 's3cret', ra).equals(pw)).toBe(true);
  });

  it('chains blocks: changing block 1 of the ciphertext garbles block 2 of the plaintext', () => {
    const hidden = hidePassword('A'.repeat(32), 's', ra);
    hidden[0]! ^= 1;
    expect(unhidePassword(hidden, 's', ra).subarray(16).toString()).not.toBe('A'.repeat(16));
  });

  it('refuses > 128 octets and hidden lengths that are not 16..128 in steps of 16', () => {
    expect(() => hidePassword('x'.repeat(129), 's', ra)).toThrow(RadiusError);
    for (const n of [0, 15, 17, 144]) {
      expect(() => unhidePassword(Buffer.alloc(n), 's', ra)).toThrowError(expect.objectContaining({ code: 'BAD_PASSWORD' }));
    }
  });
});

describe('CHAP (RFC 2865 §2.2, §5.3)', () => {
  it('verifies the right password, not a wrong one, not a wrong challenge, not a short value', () => {
    const challenge = hex('0102030405060708090a0b0c0d0e0f10');
    const value = chapPassword(7, 'ABCD-EFGH', challenge);
    expect(value.length).toBe(17);
    expect(value[0]).toBe(7);
    expect(verifyChap(value, 'ABCD-EFGH', challenge)).toBe(true);
    expect(verifyChap(value, 'ABCD-EFGX', challenge)).toBe(false);
    expect(verifyChap(value, 'ABCD-EFGH', Buffer.alloc(16))).toBe(false);
    expect(verifyChap(value.subarray(0, 16), 'ABCD-EFGH', challenge)).toBe(false);
  });
});

describe('safeEqual', () => {
  it('is false for different lengths instead of throwing like timingSafeEqual', () => {
    expect(safeEqual(Buffer.alloc(16), Buffer.alloc(15))).toBe(false);
    expect(safeEqual(Buffer.alloc(16, 0xff), Buffer.alloc(16, 0xff))).toBe(true);
  });
});
