/**
 * grant.ts and the accounting attributes (pure): what an Accept means on the gateway, and what an
 * Accounting-Request carries — 64-bit counters as Octets + Gigawords (RFC 2869 §5.1–5.2), Class as sent.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { get } from '../radius/attributes.js';
import { Code, decodePacket } from '../radius/packet.js';
import { encodeRequest, encodeResponse } from '../radius/messages.js';
import type { AttributeInput } from '../radius/attributes.js';
import { accountingAttributes, callingStationId } from './accounting.js';
import { grantOf, replyMessageOf } from './grant.js';

const SECRET = 'unit-test-secret-123456';
const fixed = (n: number) => Buffer.alloc(n, 7);

function reply(code: number, attrs: AttributeInput[]) {
  const { packet } = encodeRequest(Code.AccessRequest, [['User-Name', 'x']], SECRET, { identifier: 1, randomBytes: fixed });
  return decodePacket(encodeResponse(packet, code, attrs, SECRET));
}

describe('grantOf', () => {
  it('reads time, 64-bit data, rates, Class/State and the re-authorization request', () => {
    const g = grantOf(reply(Code.AccessAccept, [
      ['Session-Timeout', 3600], ['ChilliSpot-Max-Total-Octets', 705_032_704], ['ChilliSpot-Max-Total-Gigawords', 1],
      ['WISPr-Bandwidth-Max-Down', 2_000_000], ['WISPr-Bandwidth-Max-Up', 500_000], ['Class', 'grant-7'], ['State', 'st-1'],
      ['Termination-Action', 1], ['Acct-Interim-Interval', 30],
    ]));
    expect(g).toEqual({
      secondsLeft: 3600, bytes: 5_000_000_000, downBps: 2_000_000, upBps: 500_000,
      classHex: Buffer.from('grant-7').toString('hex'), stateHex: Buffer.from('st-1').toString('hex'), reauth: true, interimSec: 60,
    });
  });

  it('falls back to MikroTik attributes (rx = upload, tx = download) and means "no limit" when nothing is sent', () => {
    const mk = grantOf(reply(Code.AccessAccept, [['Mikrotik-Total-Limit', 1000], ['Mikrotik-Rate-Limit', '512k/2M 4M/8M']]));
    expect([mk.bytes, mk.upBps, mk.downBps, mk.secondsLeft, mk.reauth]).toEqual([1000, 512_000, 2_000_000, null, false]);
    expect(grantOf(reply(Code.AccessAccept, []))).toMatchObject({ bytes: null, secondsLeft: null, downBps: null, interimSec: null });
  });

  it("joins a Reject's Reply-Messages", () => {
    expect(replyMessageOf(reply(Code.AccessReject, [['Reply-Message', 'Code '], ['Reply-Message', 'used up']]))).toBe('Code used up');
    expect(replyMessageOf(reply(Code.AccessReject, []))).toBeNull();
  });
});

describe('accountingAttributes', () => {
  it('a Stop past 4 GiB: Octets + Gigawords both ways, Class as the server sent it, RFC 3580 MAC, the delay since it happened', () => {
    const at = 1_767_225_600_000;
    const attrs = accountingAttributes({ nasIdentifier: 'tower-3', nasIp: '10.99.0.13' }, {
      type: 2, sessionId: 'dev_1', userName: 'K7QM4XPA9TR', mac: '02:00:00:0a:0b:0c', ip: '10.0.0.5', classHex: Buffer.from('grant-7').toString('hex'),
      inOctets: 10, outOctets: 5_000_000_000, sessionTime: 600, cause: 1, at,
    }, at + 12_500);
    const { packet } = encodeRequest(Code.AccountingRequest, attrs, SECRET, { identifier: 2, randomBytes: fixed });
    expect(get(packet, 'Acct-Output-Octets')).toBe(705_032_704);
    expect(get(packet, 'Acct-Output-Gigawords')).toBe(1);
    expect(get(packet, 'Acct-Input-Octets')).toBe(10);
    expect(get(packet, 'Class')!.toString()).toBe('grant-7');
    expect(get(packet, 'Calling-Station-Id')).toBe('02-00-00-0A-0B-0C');
    expect(get(packet, 'Acct-Delay-Time')).toBe(12);
    expect(get(packet, 'Acct-Terminate-Cause')).toBe(1);
    expect(get(packet, 'NAS-IP-Address')).toBe('10.99.0.13');
    expect(callingStationId('aa:bb:cc:dd:ee:ff')).toBe('AA-BB-CC-DD-EE-FF');
  });

  it('a Start carries no counters', () => {
    const attrs = accountingAttributes({ nasIdentifier: 'gw' }, { type: 1, sessionId: 'dev_1', userName: 'u', mac: '02:00:00:00:00:01', ip: 'fd00::5', classHex: null, inOctets: 0, outOctets: 0, sessionTime: 0, at: 0 }, 0);
    const { packet } = encodeRequest(Code.AccountingRequest, attrs, SECRET, { identifier: 3, randomBytes: fixed });
    expect(get(packet, 'Acct-Input-Octets')).toBeUndefined();
    expect(get(packet, 'Framed-IP-Address')).toBeUndefined(); // IPv6 address: no IPv4 attribute
  });
});
