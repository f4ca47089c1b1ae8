/**
 * Authenticated encode/decode as the server and client will use it: every request kind round-trips
 * through encodeRequest → decodeRequest and every reply through encodeResponse → decodeResponse; and
 * each attack or mistake yields its stable reason (wrong secret, forged authenticators including the
 * sixteen-0xFF case of radius.md §d, missing/duplicate/tampered Message-Authenticator, Proxy-State
 * without MA, replies to the wrong request).
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  AcctStatusType,
  Code,
  decodePacket,
  decodeRequest,
  decodeResponse,
  encodePacket,
  encodeRequest,
  encodeResponse,
  get,
  requestAuthenticator,
  statusServerReplyCode,
  statusServerResponse,
  userPassword,
  type RadiusPacket,
} from './index.js';

const SECRET = 'unit-secret-0123456789abcdef';
let counter = 0;
/** Deterministic "random" bytes (STYLE rule 14). */
const randomBytes = (n: number) => Buffer.alloc(n, ++counter);

const accessRequest = (attrs = [['User-Name', 'KX7P-Q2MZ'], ['User-Password', 'KX7P-Q2MZ']] as const, ma?: boolean) =>
  encodeRequest(Code.AccessRequest, attrs, SECRET, { identifier: 42, randomBytes, messageAuthenticator: ma });

describe('requests', () => {
  it('Access-Request: random authenticator, MA first, password hidden and recoverable', () => {
    const { bytes, packet } = accessRequest();
    expect(bytes[20]).toBe(80);
    const d = decodeRequest(bytes, SECRET);
    expect(d).toMatchObject({ ok: true, reasons: [], messageAuthenticator: 'valid', messageAuthenticatorFirst: true });
    expect(userPassword(d.packet, SECRET)).toBe('KX7P-Q2MZ');
    expect(packet.authenticator.equals(d.packet.authenticator)).toBe(true);
  });

  it.each([Code.AccountingRequest, Code.CoARequest, Code.DisconnectRequest])('code %i: computed authenticator verifies; wrong secret does not', (code) => {
    const { bytes } = encodeRequest(code, [['Acct-Status-Type', AcctStatusType.Start], ['User-Name', 'a']], SECRET, { identifier: 1, randomBytes });
    expect(requestAuthenticator(bytes, SECRET).equals(bytes.subarray(4, 20))).toBe(true);
    expect(decodeRequest(bytes, SECRET).ok).toBe(true);
    expect(decodeRequest(bytes, 'wrong-secret').reasons).toEqual(['BAD_AUTHENTICATOR']);
    const withMa = encodeRequest(code, [['User-Name', 'a']], SECRET, { identifier: 1, randomBytes, messageAuthenticator: true });
    expect(decodeRequest(withMa.bytes, SECRET)).toMatchObject({ ok: true, messageAuthenticator: 'valid' });
    expect(decodeRequest(withMa.bytes, 'wrong-secret').reasons).toEqual(['BAD_AUTHENTICATOR', 'BAD_MESSAGE_AUTHENTICATOR']);
  });

  it('the sixteen-0xFF forged Accounting-Request (radius.md §d) is refused, over many attempts', () => {
    for (let i = 0; i < 2000; i++) {
      const { bytes } = encodeRequest(Code.AccountingRequest, [['Acct-Session-Id', `s${i}`]], `guess-${i}`, { identifier: i & 255, randomBytes });
      bytes.fill(0xff, 4, 20);
      expect(decodeRequest(bytes, SECRET).reasons).toEqual(['BAD_AUTHENTICATOR']);
    }
  });

  it('Message-Authenticator: missing when required, tampered, duplicated, wrong length', () => {
    const noMa = accessRequest(undefined, false).bytes;
    expect(decodeRequest(noMa, SECRET).reasons).toEqual(['MISSING_MESSAGE_AUTHENTICATOR']);
    expect(decodeRequest(noMa, SECRET, { requireMessageAuthenticator: false }).ok).toBe(true);

    const tampered = Buffer.from(accessRequest().bytes);
    tampered[tampered.length - 1]! ^= 1; // change an attribute covered by the HMAC
    expect(decodeRequest(tampered, SECRET).reasons).toEqual(['BAD_MESSAGE_AUTHENTICATOR']);

    const p = decodePacket(accessRequest().bytes);
    const dup = encodePacket({ ...p, attributes: [...p.attributes, p.attributes[0]!] });
    expect(decodeRequest(dup, SECRET).reasons).toContain('DUPLICATE_MESSAGE_AUTHENTICATOR');

    const short = encodePacket({ ...p, attributes: [{ type: 80, value: Buffer.alloc(15) }, ...p.attributes.slice(1)] });
    expect(decodeRequest(short, SECRET)).toMatchObject({ ok: false, messageAuthenticator: 'invalid' });
  });

  it('opted-out NAS: Proxy-State without MA is still refused; EAP-Message always needs MA', () => {
    const proxied = accessRequest([['User-Name', 'a'], ['Proxy-State', Buffer.from([1])]] as never, false).bytes;
    expect(decodeRequest(proxied, SECRET, { requireMessageAuthenticator: false }).reasons).toEqual(['PROXY_STATE_WITHOUT_MESSAGE_AUTHENTICATOR']);
    const eap = accessRequest([['User-Name', 'a'], ['EAP-Message', Buffer.from([2, 0, 0, 5, 1])]] as never, false).bytes;
    expect(decodeRequest(eap, SECRET, { requireMessageAuthenticator: false }).reasons).toEqual(['MISSING_MESSAGE_AUTHENTICATOR']);
  });

  it('Status-Server carries MA by default and is refused without it (RFC 5997 §3)', () => {
    const ok = encodeRequest(Code.StatusServer, [], SECRET, { identifier: 3, randomBytes });
    expect(decodeRequest(ok.bytes, SECRET).ok).toBe(true);
    const bare = encodeRequest(Code.StatusServer, [], SECRET, { identifier: 3, randomBytes, messageAuthenticator: false });
    expect(decodeRequest(bare.bytes, SECRET, { requireMessageAuthenticator: false }).reasons).toEqual(['MISSING_MESSAGE_AUTHENTICATOR']);
  });

  it('a reply code arriving on a request socket is NOT_A_REQUEST', () => {
    const req = accessRequest().packet;
    const reply = encodeResponse(req, Code.AccessAccept, [], SECRET);
    expect(decodeRequest(reply, SECRET).reasons).toContain('NOT_A_REQUEST');
  });
});

describe('responses', () => {
  const req: RadiusPacket = accessRequest([['User-Name', 'a'], ['Proxy-State', Buffer.from('p1')], ['Proxy-State', Buffer.from('p2')]] as never).packet;

  it('puts MA first, echoes Proxy-State in order, and verifies on the client side', () => {
    const bytes = encodeResponse(req, Code.AccessAccept, [['Session-Timeout', 60], ['Mikrotik-Rate-Limit', '1M/2M']], SECRET);
    const p = decodePacket(bytes);
    expect(p.attributes.map((a) => a.type)).toEqual([80, 27, 26, 33, 33]);
    expect(p.attributes.slice(3).map((a) => a.value.toString())).toEqual(['p1', 'p2']);
    const d = decodeResponse(bytes, req, SECRET);
    expect(d).toMatchObject({ ok: true, messageAuthenticator: 'valid', messageAuthenticatorFirst: true });
    expect(get(d.packet, 'Session-Timeout')).toBe(60);
  });

  it('does not let the caller smuggle a second MA or Proxy-State', () => {
    const bytes = encodeResponse(req, Code.AccessReject, [{ type: 80, value: Buffer.alloc(16) }, ['Proxy-State', 'evil']], SECRET);
    expect(decodePacket(bytes).attributes.map((a) => [a.type, a.value.toString()]).slice(1)).toEqual([
      [33, 'p1'],
      [33, 'p2'],
    ]);
  });

  it('refuses a forged, mis-addressed, wrong-secret or MA-less reply', () => {
    const good = encodeResponse(req, Code.AccessAccept, [], SECRET);
    const forged = Buffer.from(good).fill(0xff, 4, 20);
    expect(decodeResponse(forged, req, SECRET).reasons).toEqual(['BAD_AUTHENTICATOR']);
    expect(decodeResponse(good, { ...req, identifier: 43 }, SECRET).reasons).toContain('UNEXPECTED_REPLY');
    expect(decodeResponse(good, { ...req, code: Code.AccountingRequest }, SECRET).reasons).toContain('UNEXPECTED_REPLY');
    expect(decodeResponse(good, req, 'other').reasons).toEqual(['BAD_AUTHENTICATOR', 'BAD_MESSAGE_AUTHENTICATOR']);
    const bare = encodeResponse(req, Code.AccessAccept, [], SECRET, { messageAuthenticator: false });
    expect(decodeResponse(bare, req, SECRET).reasons).toEqual(['MISSING_MESSAGE_AUTHENTICATOR']);
    expect(decodeResponse(bare, req, SECRET, { requireMessageAuthenticator: false }).ok).toBe(true);
  });

  it('Accounting-Response: no MA by default; with MA (FreeRADIUS convention) it verifies', () => {
    const acct = encodeRequest(Code.AccountingRequest, [['Acct-Status-Type', AcctStatusType.Stop]], SECRET, { identifier: 9, randomBytes }).packet;
    const plain = encodeResponse(acct, Code.AccountingResponse, [], SECRET);
    expect(decodePacket(plain).attributes).toEqual([]);
    expect(decodeResponse(plain, acct, SECRET)).toMatchObject({ ok: true, messageAuthenticator: 'absent' });
    const signed = encodeResponse(acct, Code.AccountingResponse, [], SECRET, { messageAuthenticator: true });
    expect(decodeResponse(signed, acct, SECRET)).toMatchObject({ ok: true, messageAuthenticator: 'valid' });
  });

  it('CoA-ACK / Disconnect-NAK verify against their requests', () => {
    const coa = encodeRequest(Code.CoARequest, [['User-Name', 'a']], SECRET, { identifier: 5, randomBytes }).packet;
    expect(decodeResponse(encodeResponse(coa, Code.CoAACK, [], SECRET), coa, SECRET).ok).toBe(true);
    const dm = encodeRequest(Code.DisconnectRequest, [['User-Name', 'a']], SECRET, { identifier: 6, randomBytes }).packet;
    const nak = encodeResponse(dm, Code.DisconnectNAK, [['Error-Cause', 503]], SECRET);
    expect(decodeResponse(nak, dm, SECRET).ok).toBe(true);
    expect(decodeResponse(nak, coa, SECRET).reasons).toContain('UNEXPECTED_REPLY');
  });

  it('Status-Server answers: Access-Accept on auth, Accounting-Response on acct, both with MA', () => {
    const ss = encodeRequest(Code.StatusServer, [], SECRET, { identifier: 7, randomBytes }).packet;
    expect(statusServerReplyCode('auth')).toBe(Code.AccessAccept);
    for (const listener of ['auth', 'acct'] as const) {
      const d = decodeResponse(statusServerResponse(ss, listener, SECRET), ss, SECRET);
      expect(d).toMatchObject({ ok: true, messageAuthenticator: 'valid' });
      expect(d.packet.code).toBe(statusServerReplyCode(listener));
    }
  });
});
