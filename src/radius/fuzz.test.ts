/**
 * Bounded, seeded fuzzing: random datagrams and mutations of the radclient goldens go through every
 * decoding entry point, which must either succeed or throw `RadiusError` — never a RangeError from a
 * Buffer read, a TypeError, or a hang. Typed getters on whatever decodes must not throw at all, and
 * whatever decodes must re-encode to the same octets. Deterministic (xorshift seed), ~4,000 cases.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Code,
  decodePacket,
  decodeRequest,
  decodeResponse,
  encodePacket,
  get,
  getVendor,
  octets64,
  RadiusError,
  userPassword,
  vendorAttributes,
  verifyChapRequest,
  type RadiusPacket,
} from './index.js';

function xorshift(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

const golden = (JSON.parse(readFileSync(new URL('./golden/radclient.json', import.meta.url), 'utf8')) as { cases: { hex: string; secret: string }[] }).cases;
const request: RadiusPacket = decodePacket(Buffer.from(golden[0]!.hex, 'hex'));

function exercise(buf: Buffer, secret: string): void {
  const onlyRadiusErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof RadiusError)) throw e;
    }
  };
  onlyRadiusErrors(() => decodeRequest(buf, secret));
  onlyRadiusErrors(() => decodeResponse(buf, request, secret));
  onlyRadiusErrors(() => {
    const p = decodePacket(buf);
    expect(encodePacket(p).equals(buf.subarray(0, buf.readUInt16BE(2)))).toBe(true);
    // Typed reads never throw, whatever the bytes.
    get(p, 'User-Name');
    get(p, 'Event-Timestamp');
    get(p, 'Framed-IPv6-Prefix');
    get(p, 'NAS-IPv6-Address');
    getVendor(p, 'Mikrotik-Total-Limit');
    vendorAttributes(p);
    octets64(p, 'input');
    verifyChapRequest(p, 'x');
    userPassword(p, secret);
  });
}

describe('fuzz', () => {
  it('random datagrams (0..300 octets, plausible headers half the time)', () => {
    const rnd = xorshift(0xc0ffee);
    for (let i = 0; i < 2000; i++) {
      const len = rnd() % 300;
      const buf = Buffer.alloc(len);
      for (let j = 0; j < len; j++) buf[j] = rnd() & 0xff;
      if (len >= 20 && i % 2 === 0) {
        buf[0] = [Code.AccessRequest, Code.AccountingRequest, Code.AccessAccept, Code.StatusServer][rnd() % 4]!;
        buf.writeUInt16BE(20 + (rnd() % (len - 19)), 2);
      }
      exercise(buf, 'fuzz-secret');
    }
  });

  it('mutated radclient packets (bit flips, truncation, length-field edits)', () => {
    const rnd = xorshift(0xbadc0de);
    for (let i = 0; i < 2000; i++) {
      const g = golden[i % golden.length]!;
      let buf = Buffer.from(g.hex, 'hex');
      switch (rnd() % 4) {
        case 0:
          buf[rnd() % buf.length]! ^= 1 << (rnd() % 8);
          break;
        case 1:
          buf = buf.subarray(0, rnd() % buf.length);
          break;
        case 2:
          buf.writeUInt16BE(rnd() % 5000, 2);
          break;
        default:
          // Corrupt an attribute length octet.
          buf[20 + 1 + (rnd() % Math.max(1, buf.length - 21))] = rnd() & 0xff;
      }
      exercise(buf, g.secret);
    }
  });
});
