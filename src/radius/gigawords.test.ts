/** 64-bit counters and grants over 32-bit attributes (RFC 2869 §5.1–5.2), edge values included. */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Code, decodePacket, encodePacket, getVendor, grantAttributes, joinGigawords, octets64, RadiusError, splitGigawords, toRawAttributes } from './index.js';

describe('gigawords', () => {
  it('joins and splits at the 2^32 boundaries', () => {
    expect(joinGigawords(0xffffffff, 0)).toBe(4_294_967_295n);
    expect(joinGigawords(0, 1)).toBe(4_294_967_296n);
    expect(joinGigawords(0xffffffff, 0xffffffff)).toBe(2n ** 64n - 1n);
    expect(splitGigawords(4_294_967_296n)).toEqual({ octets: 0, gigawords: 1 });
    expect(splitGigawords(5_000_000_000)).toEqual({ octets: 705_032_704, gigawords: 1 });
    expect(() => splitGigawords(-1n)).toThrow(RadiusError);
    expect(() => splitGigawords(2n ** 64n)).toThrow(RadiusError);
  });

  it('reads Acct-Input/Output as 64 bits; missing gigawords count as 0, missing octets as undefined', () => {
    const p = decodePacket(
      encodePacket({
        code: Code.AccountingRequest,
        identifier: 1,
        authenticator: Buffer.alloc(16),
        attributes: toRawAttributes([['Acct-Input-Octets', 5], ['Acct-Input-Gigawords', 2], ['Acct-Output-Octets', 7]]),
      }),
    );
    expect(octets64(p, 'input')).toBe(2n * 2n ** 32n + 5n);
    expect(octets64(p, 'output')).toBe(7n);
    expect(octets64({ ...p, attributes: [] }, 'input')).toBeUndefined();
  });

  it('builds grant pairs per NAS, omitting a zero gigawords attribute', () => {
    expect(grantAttributes('mikrotik-total', 1_000_000n)).toEqual([['Mikrotik-Total-Limit', 1_000_000]]);
    const big = grantAttributes('chillispot-total', 10n * 2n ** 30n);
    expect(big).toEqual([['ChilliSpot-Max-Total-Octets', 2_147_483_648], ['ChilliSpot-Max-Total-Gigawords', 2]]);
    const p = { code: 2, identifier: 0, authenticator: Buffer.alloc(16), attributes: toRawAttributes(big) };
    expect(getVendor(p, 'ChilliSpot-Max-Total-Gigawords')).toBe(2);
  });
});
