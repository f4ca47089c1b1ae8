/**
 * What radclient cannot show: a retransmission (same source port, Identifier and Request Authenticator,
 * RFC 5080 §2.2.2) is answered from the duplicate cache with the identical reply and not processed again;
 * an Accounting-Request with a forged Request Authenticator (RFC 2866 §3) and a datagram from an
 * unknown source are dropped and counted; and the config names the field it refuses.
 */
import { Buffer } from 'node:buffer';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Code, encodeRequest } from '../../src/radius/index.js';
import { startTestRadius } from './nas-peer.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';

const SECRET = 'raw-test-secret-24-chars';
let h: Harness;
let server: RadiusServer;
const client = createSocket('udp4');

function exchange(bytes: Buffer, port: number, waitMs = 300): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => (client.off('message', on), resolve(undefined)), waitMs);
    const on = (msg: Buffer) => (clearTimeout(timer), client.off('message', on), resolve(msg));
    client.on('message', on);
    client.send(bytes, port, '127.0.0.1');
  });
}

describe('RADIUS server: duplicates and drops', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: h.core, clock: h.clock, sliceMinBytes: 10_000_000, sliceMaxBytes: 1_000_000_000,
      nas: [{ name: 'cc', secret: SECRET, profile: 'coovachilli' }],
    });
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('answers a retransmitted Access-Request from the cache, byte for byte, without redeeming twice', async () => {
    const { codes } = h.vouchers(1, { durationSec: 600, dataBytes: 1_000_000, downBps: 1_000_000, upBps: 250_000, devices: 1 });
    const { bytes } = encodeRequest(Code.AccessRequest, [['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', 'AA-BB-CC-DD-EE-01']], SECRET, { identifier: 9, randomBytes });
    const first = await exchange(bytes, server.ports().auth);
    const again = await exchange(bytes, server.ports().auth);
    expect(first?.[0]).toBe(Code.AccessAccept);
    expect(again?.equals(first!)).toBe(true);
    expect(server.stats().replayed).toBe(1);
    expect(server.stats().outcomes.ACCEPT).toBe(1);
    expect(h.store.radiusSessions.listActive()).toHaveLength(1);
  });

  it('drops a forged Accounting-Request authenticator and an unknown source', async () => {
    const { bytes } = encodeRequest(Code.AccountingRequest, [['Acct-Status-Type', 3], ['Acct-Session-Id', 'x']], SECRET, { identifier: 3, randomBytes });
    bytes.fill(0xff, 4, 20);
    expect(await exchange(bytes, server.ports().acct)).toBeUndefined();
    expect(server.stats().dropped.BAD_AUTHENTICATOR).toBe(1);

    // 127.0.0.2 is loopback too, but not a configured NAS.
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '127.0.0.2', () => r()));
    await new Promise<void>((r) => other.send(Buffer.alloc(20), server.ports().auth, '127.0.0.1', () => r()));
    await new Promise((r) => setTimeout(r, 100));
    other.close();
    expect(server.stats().dropped.UNKNOWN_SOURCE).toBe(1);
  });

  it('refuses bad NAS config naming the field', () => {
    const nas = { name: 'a', address: '10.0.0.0/33', secret: 'short', profile: 'mikrotik' };
    expect(() => parseConfig({ radius: { server: { nas: [nas] } } })).toThrow(/radius\.server\.nas\.0\.address/);
    expect(() => parseConfig({ radius: { server: { nas: [{ ...nas, address: '10.0.0.1' }] } } })).toThrow(/radius\.server\.nas\.0\.secret/);
    expect(() => parseConfig({ radius: { server: { interimIntervalSec: 30 } } })).toThrow(/radius\.server\.interimIntervalSec/);
    expect(parseConfig({}).radius.server).toMatchObject({ enabled: false, authPort: 1812, acctPort: 1813, interimIntervalSec: 300 });
  });
});
