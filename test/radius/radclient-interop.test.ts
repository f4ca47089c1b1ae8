/**
 * Interop: FreeRADIUS's radclient 3.2.1 (Debian freeradius-utils) as an independent NAS, talking to a
 * tiny UDP responder on 127.0.0.1 built only from src/radius's encoder. radclient verifies the Response
 * Authenticator (RFC 2865 §3) and any Message-Authenticator (RFC 3579 §3.2) itself, so "Received
 * Access-Accept" with exit status 0 proves our replies are correctly signed; the forged replies prove it
 * really checks (and that a mistake on our side would show). Skipped when radclient is not installed.
 */
import { Buffer } from 'node:buffer';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRadclient, radclientRun, type RadclientKind } from './nas-peer.js';
import {
  Code,
  decodeRequest,
  encodeResponse,
  get,
  responseAuthenticator,
  statusServerResponse,
  userPassword,
  verifyChapRequest,
  type Decoded,
} from '../../src/radius/index.js';

const SECRET = 'interop-secret-with-24-chars';

type Handler = (d: Decoded) => Buffer | undefined;
let sock: Socket;
let port = 0;
let handler: Handler = () => undefined;
const seen: Decoded[] = [];

const radclient = (kind: RadclientKind, input: string) => radclientRun(port, kind, input, SECRET);

describe.skipIf(!hasRadclient)('radclient accepts what the encoder signs', () => {
  beforeAll(async () => {
    sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const d = decodeRequest(msg, SECRET, { requireMessageAuthenticator: false });
      seen.push(d);
      const reply = d.ok ? handler(d) : undefined;
      if (reply) sock.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    port = sock.address().port;
  });
  afterAll(() => new Promise<void>((r) => sock.close(() => r())));

  it('PAP Access-Request → Access-Accept with MA first, MikroTik and WISPr attributes', async () => {
    handler = (d) =>
      userPassword(d.packet, SECRET) === 'KX7P-Q2MZ'
        ? encodeResponse(d.packet, Code.AccessAccept, [
            ['Session-Timeout', 3600],
            ['Acct-Interim-Interval', 300],
            ['Class', 'grant:42'],
            ['Mikrotik-Rate-Limit', '512k/2M'],
            ['Mikrotik-Total-Limit', 705_032_704],
            ['Mikrotik-Total-Limit-Gigawords', 1],
            ['WISPr-Bandwidth-Max-Down', 2_000_000],
          ], SECRET)
        : encodeResponse(d.packet, Code.AccessReject, [['Reply-Message', 'Unknown code']], SECRET);
    const r = await radclient('auth', 'User-Name = "KX7P-Q2MZ", User-Password = "KX7P-Q2MZ", Message-Authenticator = 0x00');
    expect(r.out).toMatch(/Received Access-Accept Id \d+/);
    expect(r.out).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
    expect(r.out).toContain('Mikrotik-Rate-Limit = "512k/2M"');
    expect(r.out).toContain('Mikrotik-Total-Limit-Gigawords = 1');
    expect(r.out).toContain('WISPr-Bandwidth-Max-Down = 2000000');
    expect(r.code).toBe(0);
    expect(seen.at(-1)?.messageAuthenticator).toBe('valid');
  });

  it('wrong password → Access-Reject with Reply-Message, accepted as a genuine reply', async () => {
    const r = await radclient('auth', 'User-Name = "KX7P-Q2MZ", User-Password = "nope"');
    expect(r.out).toMatch(/Received Access-Reject Id \d+/);
    expect(r.out).toContain('Reply-Message = "Unknown code"');
    // Attribute values are hex (a random Message-Authenticator once read "0x7f2bad…"): judge only radclient's own words.
    expect(r.out.replace(/0x[0-9a-f]+/gi, '0x…')).not.toMatch(/\b(invalid|bad)\b|not correct/i);
  });

  it('CHAP (challenge = Request Authenticator) verifies against the clear-text code', async () => {
    handler = (d) =>
      encodeResponse(d.packet, verifyChapRequest(d.packet, 'ABCD-EFGH') ? Code.AccessAccept : Code.AccessReject, [], SECRET);
    const ok = await radclient('auth', 'User-Name = "ABCD-EFGH", CHAP-Password = "ABCD-EFGH"');
    expect(ok.out).toMatch(/Received Access-Accept Id \d+/);
    expect(ok.code).toBe(0);
    const bad = await radclient('auth', 'User-Name = "ABCD-EFGH", CHAP-Password = "ABCD-EFGX"');
    expect(bad.out).toMatch(/Received Access-Reject Id \d+/);
  });

  it('Proxy-State is echoed, and radclient still accepts the reply', async () => {
    handler = (d) => encodeResponse(d.packet, Code.AccessAccept, [], SECRET);
    const r = await radclient('auth', 'User-Name = "x", User-Password = "y", Proxy-State = 0x0102, Message-Authenticator = 0x00');
    expect(r.out).toMatch(/Received Access-Accept Id \d+/);
    expect(r.out).toContain('Proxy-State = 0x0102');
  });

  it('a forged Response Authenticator is rejected by radclient', async () => {
    handler = (d) => {
      const reply = encodeResponse(d.packet, Code.AccessAccept, [], SECRET);
      reply.fill(0xff, 4, 20); // the sixteen-0xFF forgery of radius.md §d
      return reply;
    };
    const r = await radclient('auth', 'User-Name = "x", User-Password = "y"');
    expect(r.out).toContain('invalid Response Authenticator');
    expect(r.out).not.toMatch(/Received Access-Accept Id \d+/);
    expect(r.code).not.toBe(0);
  });

  it('a reply signed with the wrong secret is rejected by radclient', async () => {
    handler = (d) => encodeResponse(d.packet, Code.AccessAccept, [], 'not-the-secret');
    const r = await radclient('auth', 'User-Name = "x", User-Password = "y", Message-Authenticator = 0x00');
    expect(r.out).not.toMatch(/Received Access-Accept Id \d+/);
    expect(r.code).not.toBe(0);
  });

  it('a bad Message-Authenticator under a correct Response Authenticator is rejected by radclient', async () => {
    handler = (d) => {
      const reply = encodeResponse(d.packet, Code.AccessAccept, [], SECRET);
      reply[22]! ^= 1; // corrupt the MA value, then re-sign the outer authenticator so only the MA is wrong
      responseAuthenticator(reply, d.packet.authenticator, SECRET).copy(reply, 4);
      return reply;
    };
    const r = await radclient('auth', 'User-Name = "x", User-Password = "y", Message-Authenticator = 0x00');
    expect(r.out).not.toMatch(/Received Access-Accept Id \d+/);
    expect(r.out).toMatch(/Message-Authenticator/i);
    expect(r.code).not.toBe(0);
  });

  it('Accounting-Request → Accounting-Response is accepted, without MA (default) and with it', async () => {
    let withMa = false;
    handler = (d) => {
      expect(get(d.packet, 'Acct-Input-Gigawords')).toBe(3);
      return encodeResponse(d.packet, Code.AccountingResponse, [], SECRET, { messageAuthenticator: withMa });
    };
    const input = 'Acct-Status-Type = Interim-Update, Acct-Session-Id = "s1", Acct-Input-Octets = 10, Acct-Input-Gigawords = 3';
    const plain = await radclient('acct', input);
    expect(plain.out).toMatch(/Received Accounting-Response Id \d+/);
    expect(plain.out).not.toContain('Message-Authenticator');
    expect(plain.code).toBe(0);
    withMa = true;
    const signed = await radclient('acct', input);
    expect(signed.out).toMatch(/Received Accounting-Response Id \d+/);
    expect(signed.out).toMatch(/Message-Authenticator = 0x[0-9a-f]{32}/);
    expect(signed.code).toBe(0);
  });

  it('Status-Server on the accounting port → Accounting-Response with MA is accepted', async () => {
    handler = (d) => statusServerResponse(d.packet, 'acct', SECRET);
    const r = await radclient('status', 'Message-Authenticator = 0x00');
    expect(r.out).toMatch(/Received Accounting-Response Id \d+/);
    expect(r.code).toBe(0);
  });

  it('CoA-Request → CoA-ACK and Disconnect-Request → Disconnect-NAK with Error-Cause are accepted', async () => {
    handler = (d) =>
      d.packet.code === Code.CoARequest
        ? encodeResponse(d.packet, Code.CoAACK, [], SECRET)
        : encodeResponse(d.packet, Code.DisconnectNAK, [['Error-Cause', 503]], SECRET);
    const coa = await radclient('coa', 'User-Name = "alice", Session-Timeout = 60');
    expect(coa.out).toMatch(/Received CoA-ACK Id \d+/);
    expect(coa.code).toBe(0);
    const dm = await radclient('disconnect', 'User-Name = "alice"');
    expect(dm.out).toMatch(/Received Disconnect-NAK Id \d+/);
    expect(dm.out).toContain('Error-Cause = Session-Context-Not-Found');
  });

  it('Status-Server → Access-Accept is accepted', async () => {
    handler = (d) => statusServerResponse(d.packet, 'auth', SECRET);
    const r = await radclient('status', 'Message-Authenticator = 0x00');
    expect(r.out).toMatch(/Received Access-Accept Id \d+/);
    expect(r.code).toBe(0);
  });
});
