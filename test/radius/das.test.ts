/**
 * Disconnect-Request when a pool ends (RFC 5176, SPEC §9): a Node UDP socket on 127.0.0.1 plays the
 * NAS's DAS. It authenticates each Disconnect-Request with the codec (Request Authenticator,
 * Message-Authenticator) and answers ACK, NAK (503 / 501) or nothing. The sessions come from real
 * Access- and Accounting-Requests to the RADIUS server, on the same core a Portico runs.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NasConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/lib/log.js';
import { Code, decodeRequest, encodeResponse, get, type RadiusPacket } from '../../src/radius/index.js';
import { createDasClient, type DasClient } from '../../src/radius/das-client.js';
import { watchPoolEnds } from '../../src/radius/pool-disconnect.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst } from './nas-peer.js';

const SECRET = 'das-test-secret-24-chars';
const MB = 1_000_000;
type Reply = 'ack' | 'nak503' | 'nak501' | 'silent';

let h: Harness;
let server: RadiusServer;
let das: DasClient;
let watcher: ReturnType<typeof watchPoolEnds>;
const nasSocket = createSocket('udp4');
let mode: Reply = 'ack';
let received: { bytes: Buffer; packet: RadiusPacket; ma: string; at: number; from: RemoteInfo }[] = [];

function standIn(msg: Buffer, from: RemoteInfo): void {
  const d = decodeRequest(msg, SECRET);
  if (!d.ok || d.packet.code !== Code.DisconnectRequest) return; // a real DAS drops it silently
  received.push({ bytes: msg, packet: d.packet, ma: d.messageAuthenticator, at: Date.now(), from });
  const reply =
    mode === 'ack' ? encodeResponse(d.packet, Code.DisconnectACK, [], SECRET)
    : mode === 'nak503' ? encodeResponse(d.packet, Code.DisconnectNAK, [['Error-Cause', 503]], SECRET)
    : mode === 'nak501' ? encodeResponse(d.packet, Code.DisconnectNAK, [['Error-Cause', 501]], SECRET)
    : null;
  if (reply) nasSocket.send(reply, from.port, from.address);
}

async function session(mac: string, from = '127.0.0.1'): Promise<{ id: string; code: string; ids: string[] }> {
  const { codes, ids } = h.vouchers(1, { durationSec: 3600, dataBytes: 50 * MB, devices: 2 });
  const [accept] = await burst(server.ports().auth, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', mac]]], 1500, from);
  expect(accept?.code).toBe(Code.AccessAccept);
  const id = get(accept!, 'Class')!.toString('utf8');
  const [resp] = await burst(server.ports().acct, SECRET,
    [[['Acct-Status-Type', 1], ['Acct-Session-Id', `A-${mac}`], ['Class', id], ['Calling-Station-Id', mac]]], 1500, from, Code.AccountingRequest);
  expect(resp?.code).toBe(Code.AccountingResponse);
  return { id, code: codes[0]!, ids };
}

describe('Disconnect-Request when a pool ends', () => {
  beforeAll(async () => {
    h = await harness();
    await new Promise<void>((r) => nasSocket.bind(0, '127.0.0.1', () => r()));
    nasSocket.on('message', standIn);
    const nas: NasConfig[] = [
      { name: 'cc', address: '127.0.0.1', secret: SECRET, profile: 'coovachilli', coaPort: nasSocket.address().port, requireMessageAuthenticator: true },
      { name: 'no-das', address: '127.0.0.2', secret: SECRET, profile: 'coovachilli', coaPort: 0, requireMessageAuthenticator: true },
    ];
    server = createRadiusServer({
      config: { enabled: true, host: '127.0.0.1', authPort: 0, acctPort: 0, interimIntervalSec: 60, sliceMinBytes: MB, sliceMaxBytes: 100 * MB, nas },
      core: h.core, clock: h.clock, log: silentLogger, translate: (c) => c,
    });
    await server.start();
    das = createDasClient({ clock: h.clock, log: silentLogger, randomBytes, intervalMs: 150 });
    watcher = watchPoolEnds({ events: h.core.bus, core: h.core, nas, das, log: silentLogger });
  });
  afterEach(() => {
    received = [];
    mode = 'ack';
  });
  afterAll(async () => {
    watcher.off();
    await das.stop();
    await server.stop();
    nasSocket.close();
  });

  it('revoked: an authenticated Disconnect-Request within a second; ACK closes the session', async () => {
    const s = await session('AA-BB-CC-50-00-01');
    const t0 = Date.now();
    await h.core.revokeVoucher(s.ids[0]!, 'lost', { type: 'system' });
    await watcher.idle();
    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.at - t0).toBeLessThan(1000);
    expect(r.ma).toBe('valid');
    expect(get(r.packet, 'User-Name')).toBe(s.code);
    expect(get(r.packet, 'Acct-Session-Id')).toBe('A-AA-BB-CC-50-00-01');
    expect(get(r.packet, 'Calling-Station-Id')).toBe('AA-BB-CC-50-00-01');
    const ts = get(r.packet, 'Event-Timestamp') as unknown;
    expect(ts instanceof Date ? ts.getTime() : Number(ts) * 1000).toBeGreaterThan(h.clock.now() - 300_000);
    expect(h.store.radiusSessions.get(s.id)).toMatchObject({ active: false, endReason: 'disconnect:revoked' });
    expect(das.stats().acked).toBe(1);
  });

  it('used up (the sweep sees accounting reach the pool): Disconnect; NAK 503 closes it as already gone', async () => {
    mode = 'nak503';
    const s = await session('AA-BB-CC-50-00-02');
    const [resp] = await burst(server.ports().acct, SECRET, [[['Acct-Status-Type', 3], ['Acct-Session-Id', 'A-AA-BB-CC-50-00-02'], ['Class', s.id],
      ['Acct-Output-Octets', 50 * MB]]], 1500, '127.0.0.1', Code.AccountingRequest);
    expect(resp?.code).toBe(Code.AccountingResponse);
    await h.sweep();
    await watcher.idle();
    expect(received).toHaveLength(1);
    expect(h.store.radiusSessions.get(s.id)).toMatchObject({ active: false, endReason: 'disconnect:exhausted:gone' });
  });

  it('NAK with another Error-Cause is logged and counted; the session stays until its NAS reports', async () => {
    mode = 'nak501';
    const s = await session('AA-BB-CC-50-00-03');
    await h.core.revokeVoucher(s.ids[0]!, null, { type: 'system' });
    await watcher.idle();
    expect(received).toHaveLength(1);
    expect(h.store.radiusSessions.get(s.id)!.active).toBe(true);
    expect(das.stats().errorCauses['501']).toBe(1);
  });

  it('a silent NAS gets 3 identical transmissions (same Identifier and bytes, same source port), then it times out', async () => {
    mode = 'silent';
    const s = await session('AA-BB-CC-50-00-04');
    const before = das.stats();
    await h.core.revokeVoucher(s.ids[0]!, null, { type: 'system' });
    await watcher.idle();
    expect(received).toHaveLength(3);
    expect(received.every((r) => r.bytes.equals(received[0]!.bytes))).toBe(true);
    expect(new Set(received.map((r) => r.from.port)).size).toBe(1);
    expect(received[2]!.at - received[0]!.at).toBeGreaterThanOrEqual(250);
    expect(das.stats().timedOut - before.timedOut).toBe(1);
    expect(h.store.radiusSessions.get(s.id)!.active).toBe(true);
  });

  it('a NAS with coaPort 0 gets nothing', async () => {
    const s = await session('AA-BB-CC-50-00-05', '127.0.0.2');
    await h.core.revokeVoucher(s.ids[0]!, null, { type: 'system' });
    await watcher.idle();
    await new Promise((r) => setTimeout(r, 200));
    expect(received).toHaveLength(0);
    expect(h.store.radiusSessions.get(s.id)!.active).toBe(true);
  });
});
