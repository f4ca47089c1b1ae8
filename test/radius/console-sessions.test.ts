/**
 * RADIUS sessions in the operator console (SPEC §9, issue 18 item 6), end to end through `portico
 * serve`'s composition (src/server.ts): real Access- and Accounting-Requests make a live session, the
 * admin API lists it with its NAS, MAC, address, code and usage, and the NAS's health; Disconnect sends
 * an RFC 5176 Disconnect-Request to a Node UDP stand-in for the NAS's DAS, which checks the request's
 * authenticators with the codec and answers ACK or NAK.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, decodeRequest, encodeResponse, get, type RadiusPacket } from '../../src/radius/index.js';
import { freePort } from '../helpers/free-port.js';
import { liveServer, type LiveServer } from '../ui/live-server.js';
import { burst } from './nas-peer.js';

const SECRET = 'console-radius-secret-24';
const MB = 1_000_000;

let s: LiveServer;
let authPort: number;
let acctPort: number;
const dasSocket = createSocket('udp4');
let answer: 'ack' | 'nak501' = 'ack';
const seen: RadiusPacket[] = [];
let cookie = '';
let csrf = '';

function standIn(msg: Buffer, from: RemoteInfo): void {
  const d = decodeRequest(msg, SECRET);
  if (!d.ok || d.packet.code !== Code.DisconnectRequest) return;
  seen.push(d.packet);
  const reply = answer === 'ack'
    ? encodeResponse(d.packet, Code.DisconnectACK, [], SECRET)
    : encodeResponse(d.packet, Code.DisconnectNAK, [['Error-Cause', 501]], SECRET);
  dasSocket.send(reply, from.port, from.address);
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(s.url + path.replace(/^\//, ''), {
    method,
    headers: { cookie, 'x-csrf-token': csrf, origin: s.url.replace(/\/$/, ''), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const setCookie = res.headers.get('set-cookie');
  if (setCookie) cookie = setCookie.split(';')[0]!;
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A code accepted over RADIUS and its accounting Start: a live session on NAS `mt`. */
async function liveSession(mac: string, ip: string): Promise<string> {
  const { codes } = s.vouchers(1, { durationSec: 3600, dataBytes: 500 * MB, devices: 1 }, { note: 'market stall' });
  const [accept] = await burst(authPort, SECRET, [[['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', mac]]]);
  expect(accept?.code).toBe(Code.AccessAccept);
  const cls = get(accept!, 'Class')!.toString('utf8');
  const [resp] = await burst(acctPort, SECRET, [[
    ['Acct-Status-Type', 1], ['Acct-Session-Id', `S-${mac}`], ['Class', cls], ['Calling-Station-Id', mac], ['Framed-IP-Address', ip], ['User-Name', codes[0]!],
  ]], 1500, '127.0.0.1', Code.AccountingRequest);
  expect(resp?.code).toBe(Code.AccountingResponse);
  return codes[0]!;
}

describe('RADIUS sessions in the console', () => {
  beforeAll(async () => {
    await new Promise<void>((r) => dasSocket.bind(0, '127.0.0.1', () => r()));
    dasSocket.on('message', standIn);
    authPort = await freePort();
    acctPort = await freePort();
    s = await liveServer({
      downBps: 0,
      config: {
        radius: {
          server: {
            enabled: true, host: '127.0.0.1', authPort, acctPort,
            nas: [
              { name: 'mt', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: dasSocket.address().port },
              { name: 'opn', address: '127.0.0.2', secret: SECRET, profile: 'opnsense', coaPort: 0 },
            ],
          },
        },
      },
    });
    const login = await api('POST', '/api/admin/login', { name: 'admin', password: s.adminPassword });
    expect(login.status).toBe(200);
    csrf = login.json.csrf as string;
    // A first sign-in may have to choose a new password before anything else.
    const changed = await api('POST', '/api/admin/password', { current: s.adminPassword, password: 'a-new-long-admin-password' });
    expect(changed.status).toBe(200);
    const again = await api('POST', '/api/admin/login', { name: 'admin', password: 'a-new-long-admin-password' });
    csrf = again.json.csrf as string;
  }, 60_000);
  afterAll(async () => {
    await s?.close();
    dasSocket.close();
  });

  it('lists each live session with its NAS, MAC, address, code and what is left, and each NAS with its health', async () => {
    const code = await liveSession('AA-BB-CC-00-00-01', '10.8.0.21');
    const { status, json } = await api('GET', '/api/admin/radius');
    expect(status).toBe(200);
    const sessions = json.sessions as Record<string, unknown>[];
    const row = sessions.find((r) => r.mac === 'aa:bb:cc:00:00:01');
    expect(row).toMatchObject({ nas: 'mt', ip: '10.8.0.21', note: 'market stall', bytesIn: 0, bytesOut: 0 });
    expect(String(row!.code).replace(/-/g, '')).toBe(code.replace(/-/g, ''));
    expect(row!.secondsLeft).toBeGreaterThan(3500);
    expect(row!.bytesLeft).toBe(500 * MB);
    const nas = json.nas as Record<string, unknown>[];
    expect(nas.find((n) => n.name === 'mt')).toMatchObject({ profile: 'mikrotik', disconnects: true, answered: 2, refused: 0, dropped: 0 });
    expect((nas.find((n) => n.name === 'mt')!.lastPacketAt as number)).toBeGreaterThan(Date.now() - 60_000);
    expect(nas.find((n) => n.name === 'opn')).toMatchObject({ disconnects: false, lastPacketAt: null, answered: 0 });
  });

  it('Disconnect sends the NAS a Disconnect-Request for that session and, on ACK, the session leaves the list', async () => {
    await liveSession('AA-BB-CC-00-00-02', '10.8.0.22');
    const before = ((await api('GET', '/api/admin/radius')).json.sessions as Record<string, unknown>[]).find((r) => r.mac === 'aa:bb:cc:00:00:02')!;
    seen.length = 0;
    const r = await api('POST', `/api/admin/radius/sessions/${before.id as string}/disconnect`);
    expect(r).toMatchObject({ status: 200, json: { ok: true, outcome: 'disconnected' } });
    expect(seen).toHaveLength(1);
    expect(get(seen[0]!, 'Acct-Session-Id')?.toString()).toBe('S-AA-BB-CC-00-00-02');
    const after = (await api('GET', '/api/admin/radius')).json.sessions as Record<string, unknown>[];
    expect(after.find((x) => x.id === before.id)).toBeUndefined();
    // Audited with the operator as actor.
    const admin = s.rt.store.operators.findByName('admin')!;
    const row = s.rt.store.events.list({ actorId: admin.id, type: 'device.detached', limit: 10 })[0];
    expect(row?.data).toMatchObject({ sessionId: before.id, nas: 'mt', reason: 'disconnect:operator' });
    const again = await api('POST', `/api/admin/radius/sessions/${before.id as string}/disconnect`);
    expect(again).toMatchObject({ status: 404, json: { code: 'NOT_FOUND' } });
  });

  it('a NAK keeps the session and says the NAS refused; a seller may not disconnect', async () => {
    await liveSession('AA-BB-CC-00-00-03', '10.8.0.23');
    const row = ((await api('GET', '/api/admin/radius')).json.sessions as Record<string, unknown>[]).find((x) => x.mac === 'aa:bb:cc:00:00:03')!;
    answer = 'nak501';
    const r = await api('POST', `/api/admin/radius/sessions/${row.id as string}/disconnect`);
    answer = 'ack';
    expect(r.status).toBe(409);
    expect(String(r.json.message)).toMatch(/refused/);
    expect(((await api('GET', '/api/admin/radius')).json.sessions as Record<string, unknown>[]).some((x) => x.id === row.id)).toBe(true);

    const added = await api('POST', '/api/admin/operators', { name: 'shop', role: 'seller', password: 'seller-password-long' });
    expect(added.status).toBe(201);
    const adminCookie = cookie;
    const adminCsrf = csrf;
    cookie = '';
    const seller = await api('POST', '/api/admin/login', { name: 'shop', password: 'seller-password-long' });
    csrf = seller.json.csrf as string;
    const listed = await api('GET', '/api/admin/radius');
    const cut = await api('POST', `/api/admin/radius/sessions/${row.id as string}/disconnect`);
    cookie = adminCookie;
    csrf = adminCsrf;
    expect(listed.status).toBe(403);
    expect(cut.status).toBe(403);
  });
});
