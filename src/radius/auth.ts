/**
 * The RADIUS cryptography, as pure functions over bytes: User-Password hiding (RFC 2865 §5.2), CHAP
 * (RFC 2865 §2.2, RFC 1994 §4.1), the Request Authenticator of Accounting/CoA/Disconnect-Requests
 * (RFC 2866 §3, RFC 5176 §2.3), the Response Authenticator (RFC 2865 §3) and Message-Authenticator
 * (RFC 2869 §5.14, RFC 3579 §3.2, RFC 5176 §3.3). Only `node:crypto`.
 *
 * Every comparison goes through `timingSafeEqual` on raw bytes: radius.md §d measured the npm `radius`
 * package accepting a forged authenticator of sixteen 0xFF once in ~5 M tries because it compared
 * UTF-8 strings (every invalid byte became U+FFFD). Never compare secrets-derived bytes any other way.
 *
 * @example
 *   const hidden = hidePassword('correct horse', secret, requestAuthenticator);
 *   unhidePassword(hidden, secret, requestAuthenticator).toString(); // 'correct horse'
 */
import { Buffer } from 'node:buffer';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { RadiusError } from './errors.js';
import { AttributeType } from './dictionary.js';
import { HEADER_LENGTH } from './packet.js';

export type Secret = string | Buffer;

const asBytes = (s: Secret): Buffer => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s);

export function md5(...parts: Buffer[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Constant-time equality of two byte strings; different lengths are unequal (lengths are public). */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * RFC 2865 §5.2: pad to a multiple of 16 with NULs (at most 128 octets), then
 * c1 = p1 XOR MD5(S + RA), ci = pi XOR MD5(S + c(i-1)).
 */
export function hidePassword(password: Buffer | string, secret: Secret, requestAuthenticator: Buffer): Buffer {
  const p = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  if (p.length > 128) throw new RadiusError('BAD_PASSWORD', `password has ${p.length} octets, RFC 2865 §5.2 allows 128`);
  const padded = Buffer.alloc(Math.max(16, Math.ceil(p.length / 16) * 16));
  p.copy(padded);
  const s = asBytes(secret);
  let prev = requestAuthenticator;
  for (let i = 0; i < padded.length; i += 16) {
    const b = md5(s, prev);
    for (let j = 0; j < 16; j++) padded[i + j]! ^= b[j]!;
    prev = padded.subarray(i, i + 16);
  }
  return padded;
}

/** Inverse of `hidePassword`; trailing NUL padding removed. Throws BAD_PASSWORD on a bad length. */
export function unhidePassword(hidden: Buffer, secret: Secret, requestAuthenticator: Buffer): Buffer {
  if (hidden.length < 16 || hidden.length > 128 || hidden.length % 16 !== 0) {
    throw new RadiusError('BAD_PASSWORD', `hidden User-Password has ${hidden.length} octets, not a multiple of 16 in 16..128`);
  }
  const s = asBytes(secret);
  const out = Buffer.alloc(hidden.length);
  let prev = requestAuthenticator;
  for (let i = 0; i < hidden.length; i += 16) {
    const b = md5(s, prev);
    for (let j = 0; j < 16; j++) out[i + j] = hidden[i + j]! ^ b[j]!;
    prev = hidden.subarray(i, i + 16);
  }
  let end = out.length;
  while (end > 0 && out[end - 1] === 0) end--;
  return out.subarray(0, end);
}

/** CHAP-Password value (RFC 2865 §5.3): CHAP Ident, then MD5(Ident + password + challenge). */
export function chapPassword(ident: number, password: Buffer | string, challenge: Buffer): Buffer {
  const p = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  return Buffer.concat([Buffer.from([ident & 0xff]), md5(Buffer.from([ident & 0xff]), p, challenge)]);
}

/**
 * Checks a CHAP-Password against the clear-text password. The challenge is CHAP-Challenge when the
 * request has one, else the Request Authenticator (RFC 2865 §2.2; `chapChallengeOf` picks it).
 */
export function verifyChap(chapPasswordValue: Buffer, password: Buffer | string, challenge: Buffer): boolean {
  if (chapPasswordValue.length !== 17) return false;
  return safeEqual(chapPassword(chapPasswordValue[0]!, password, challenge), chapPasswordValue);
}

/** With the authenticator field (octets 4..20) replaced, leaving the input untouched. */
function withAuthenticator(bytes: Buffer, authenticator: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  authenticator.copy(copy, 4, 0, 16);
  return copy;
}

const ZERO16 = Buffer.alloc(16);

/** RFC 2866 §3 / RFC 5176 §2.3: MD5(Code+ID+Length+16 zero octets+Attributes+Secret). */
export function requestAuthenticator(bytes: Buffer, secret: Secret): Buffer {
  return md5(withAuthenticator(bytes, ZERO16), asBytes(secret));
}

/** RFC 2865 §3: MD5(Code+ID+Length+RequestAuth+Attributes+Secret), `bytes` being the reply. */
export function responseAuthenticator(bytes: Buffer, requestAuth: Buffer, secret: Secret): Buffer {
  return md5(withAuthenticator(bytes, requestAuth), asBytes(secret));
}

/**
 * Offsets of every Message-Authenticator value in an encoded (already validated) packet. A packet may
 * carry at most one (RFC 3579 §3.3); callers reject more.
 */
export function messageAuthenticatorOffsets(bytes: Buffer): number[] {
  const out: number[] = [];
  const end = bytes.readUInt16BE(2);
  for (let at = HEADER_LENGTH; at + 2 <= end; ) {
    const len = bytes[at + 1]!;
    if (len < 2) break;
    if (bytes[at] === AttributeType.MessageAuthenticator) out.push(at + 2);
    at += len;
  }
  return out;
}

/**
 * HMAC-MD5(secret, packet) with the Message-Authenticator value zeroed and the authenticator field set
 * to `authenticatorField`: the packet's own random one for Access-Request/Status-Server (RFC 3579 §3.2),
 * zeros for Accounting/CoA/Disconnect-Requests (RFC 5176 §3.3), the request's for replies (RFC 3579 §3.2).
 */
export function messageAuthenticator(bytes: Buffer, maOffset: number, authenticatorField: Buffer, secret: Secret): Buffer {
  const copy = withAuthenticator(bytes, authenticatorField);
  copy.fill(0, maOffset, maOffset + 16);
  return createHmac('md5', asBytes(secret)).update(copy).digest();
}
