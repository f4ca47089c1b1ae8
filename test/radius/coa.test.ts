/**
 * CoA top-ups (RFC 5176 §3.2, radius/pool-coa.ts): a pool with a device behind the local gateway and a
 * session behind a CoovaChilli NAS; the local device adds a code on the portal; the NAS's DAS (a Node
 * UDP stand-in that authenticates every request with the codec) gets a CoA-Request with the full set
 * CoovaChilli needs: Session-Timeout from the session's start, ChilliSpot-Max-Total-Octets = used + the
 * new slice, Acct-Interim-Interval. A NAK puts the old reservation back; uspot's DAS gets its subset,
 * without Message-Authenticator and Event-Timestamp (it NAKs both), in CoA and in Disconnect.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NasConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/lib/log.js';
import { Code, decodeRequest, encodeResponse, get, has, type RadiusPacket } from '../../src/radius/index.js';
import { createDasClient, type DasClient } from '../../src/radius/das-client.js';
import { watchPoolTopUps } from '../../src/radius/pool-coa.js';
import { watchPoolEnds } from '../../src/radius/pool-disconnect.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst } from './nas-peer.js';

const SECRET = 'coa-test-secret-24-chars';
const MB = 1_000_000;
type Seen = { packet: RadiusPacket; ma: string; from: RemoteInfo };

let h: Harness;
let server: RadiusServer;
let das: DasClient;
let coa: ReturnType<typeof watchPoolTopUps>;
let ends: ReturnType<typeof watchPoolEnds>;
const stands: { socket: Socket; seen: Seen[]; nak: boolean }[] = [];

function standIn(address: string) {
  const st = { socket: createSocket('udp4'), seen: [] as Seen[], nak: false };
  st.socket.on('message', (msg, from) => {
    const d = decodeRequest(msg, SECRET);
    if (!d.ok) return;
    st.seen.push({ packet: d.packet, ma: d.messageAuthenticator, from });
    const ack = d.packet.code === Code.CoARequest ? (st.nak ? Code.CoANAK : Code.CoAACK) : Code.DisconnectACK;
    st.socket.send(encodeResponse(d.packet, ack, st.nak ? [['Error-Cause', 501]] : [], SECRET), from.port, from.address);
  });
  stands.push(st);
  return new Promise<typeof st>((r) => st.socket.bind(0, address, () => r(st)));
}

/** A pool (3 devices, 100 MB) with a local device and a RADIUS session from `from`; returns what the top-up needs. */
async function pool(from: string, mac: string) {
  const { codes } = h.vouchers(2, { durationSec: 3600, dataBytes: 100 * MB, devices: 3 });
  const phone = h.device();
  expect((await phone.login(codes[0]!)).status).toBe(303);
  const [accept] = await burst(server.ports().auth, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', mac]]], 1500, from);
  expect(accept?.code).toBe(Code.AccessAccept);
  const id = get(accept!, 'Class')!.toString('utf8');
  const [r] = await burst(server.ports().acct, SECRET, [[['Acct-Status-Type', 1], ['Acct-Session-Id', `S-${mac}`], ['Class', id], ['Calling-Station-Id', mac]]], 1500, from, Code.AccountingRequest);
  expect(r?.code).toBe(Code.AccountingResponse);
  return { phone, id, topUpCode: codes[1]!, code: codes[0]! };
}

describe('CoA top-ups', () => {
  let cc: Awaited<ReturnType<typeof standIn>>;
  let us: Awaited<ReturnType<typeof standIn>>;
  beforeAll(async () => {
    h = await harness();
    cc = await standIn('127.0.0.1');
    us = await standIn('127.0.0.3');
    const nas: NasConfig[] = [
      { name: 'cc', address: '127.0.0.1', secret: SECRET, profile: 'coovachilli', coaPort: cc.socket.address().port, requireMessageAuthenticator: true },
      { name: 'us', address: '127.0.0.3', secret: SECRET, profile: 'uspot', coaPort: us.socket.address().port, requireMessageAuthenticator: true },
    ];
    const slice = { minBytes: MB, maxBytes: 1000 * MB };
    server = createRadiusServer({
      config: { enabled: true, host: '127.0.0.1', authPort: 0, acctPort: 0, interimIntervalSec: 60, sliceMinBytes: slice.minBytes, sliceMaxBytes: slice.maxBytes, nas },
      core: h.core, clock: h.clock, log: silentLogger, translate: (c) => c,
    });
    // The server listens on 127.0.0.1 only; 127.0.0.3 reaches it as the NAS's source address.
    await server.start();
    das = createDasClient({ clock: h.clock, log: silentLogger, randomBytes, intervalMs: 150 });
    coa = watchPoolTopUps({ events: h.core.bus, core: h.core, nas, das, log: silentLogger, slice, interimSec: 60 });
    ends = watchPoolEnds({ events: h.core.bus, core: h.core, nas, das, log: silentLogger });
  });
  afterEach(() => {
    for (const s of stands) {
      s.seen = [];
      s.nak = false;
    }
  });
  afterAll(async () => {
    coa.off();
    ends.off();
    await das.stop();
    await server.stop();
    for (const s of stands) s.socket.close();
  });

  it('CoovaChilli: a code added on the portal reaches the NAS session as a CoA with the full set; ACK keeps the new slice', async () => {
    const p = await pool('127.0.0.1', 'AA-BB-CC-60-00-01');
    const before = h.store.radiusSessions.get(p.id)!;
    expect(before.sliceBytes).toBe(50 * MB); // half of 100 MB: the local device counts
    h.clock.advance(120_000);
    expect((await p.phone.post('/topup', { code: p.topUpCode })).status).toBe(303);
    await coa.idle();
    expect(cc.seen).toHaveLength(1);
    const req = cc.seen[0]!;
    expect(req.packet.code).toBe(Code.CoARequest);
    expect(req.ma).toBe('valid');
    expect(has(req.packet, 'Event-Timestamp')).toBe(true);
    expect(get(req.packet, 'User-Name')).toBe(p.code);
    expect(get(req.packet, 'Acct-Session-Id')).toBe('S-AA-BB-CC-60-00-01');
    // 200 MB left, shared with the local device: 100 MB; nothing used in the session yet.
    expect(get(req.packet, 'ChilliSpot-Max-Total-Octets')).toBe(100 * MB);
    expect(get(req.packet, 'Acct-Interim-Interval')).toBe(60);
    // Time: the top-up added an hour; Session-Timeout counts from the session's start two minutes ago.
    expect(get(req.packet, 'Session-Timeout')).toBe(2 * 3600);
    expect(h.store.radiusSessions.get(p.id)!.sliceBytes).toBe(100 * MB);
    expect(coa.stats().acked).toBe(1);
  });

  it('a NAK (not 503) puts the old reservation back: the NAS still enforces the old limit', async () => {
    const p = await pool('127.0.0.1', 'AA-BB-CC-60-00-02');
    cc.nak = true;
    await p.phone.post('/topup', { code: p.topUpCode });
    await coa.idle();
    expect(cc.seen).toHaveLength(1);
    expect(h.store.radiusSessions.get(p.id)!.sliceBytes).toBe(50 * MB);
    expect(h.store.radiusSessions.get(p.id)!.active).toBe(true);
  });

  it('uspot: Session-Timeout and Acct-Interim-Interval only, no Message-Authenticator or Event-Timestamp; the same for Disconnect', async () => {
    const p = await pool('127.0.0.3', 'AA-BB-CC-60-00-03');
    await p.phone.post('/topup', { code: p.topUpCode });
    await coa.idle();
    expect(us.seen).toHaveLength(1);
    const req = us.seen[0]!.packet;
    expect(us.seen[0]!.ma).toBe('absent');
    expect(req.attributes.map((a) => a.type).sort((a, b) => a - b)).toEqual([1, 27, 31, 44, 85]);
    await h.core.revokeVoucher(h.store.vouchers.findByCode(p.code.replace(/-/g, ''))!.id, null, { type: 'system' });
    await ends.idle();
    const disc = us.seen.find((s) => s.packet.code === Code.DisconnectRequest)!;
    expect(disc.ma).toBe('absent');
    expect(has(disc.packet, 'Event-Timestamp')).toBe(false);
    expect(h.store.radiusSessions.get(p.id)!.active).toBe(false);
  });
});

