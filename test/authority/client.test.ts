/**
 * The RADIUS client against loopback UDP servers built on the codec (real sockets, answers signed with
 * encodeResponse): RFC 2865 §2.5 retransmission (the same bytes from the same source port), failover in
 * order with a dead server remembered, replies that do not verify dropped (wrong secret, missing
 * Message-Authenticator), and one time budget for the whole call.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/log.js';
import { createRadiusClient, RadiusUnreachable } from '../../src/radius/client.js';
import { Code, decodeRequest, encodeResponse, get } from '../../src/radius/index.js';

const SECRET = 'client-test-secret-0123456';

interface Seen {
  bytes: Buffer;
  port: number;
}

/** A server that answers the `answerOn`-th datagram (1-based; 0 = never), signing with `secret`. */
async function server(o: { answerOn: number; secret?: string; messageAuthenticator?: boolean }): Promise<{ port: number; seen: Seen[]; close: () => Promise<void> }> {
  const s: Socket = createSocket('udp4');
  const seen: Seen[] = [];
  s.on('message', (msg, r) => {
    seen.push({ bytes: Buffer.from(msg), port: r.port });
    if (o.answerOn === 0 || seen.length < o.answerOn) return;
    const req = decodeRequest(msg, SECRET);
    const code = req.packet.code === Code.AccessRequest ? Code.AccessAccept : Code.AccountingResponse;
    s.send(encodeResponse(req.packet, code, code === Code.AccessAccept ? [['Session-Timeout', 60]] : [], o.secret ?? SECRET, o.messageAuthenticator === false ? { messageAuthenticator: false } : {}), r.port, r.address);
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, seen, close: () => new Promise((r) => s.close(() => r())) };
}

const clients: ReturnType<typeof createRadiusClient>[] = [];
const servers: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.stop();
  for (const s of servers.splice(0)) await s.close();
});

function client(ports: number[], o: { timeoutMs?: number; clock?: ReturnType<typeof fakeClock>; requireMessageAuthenticator?: boolean } = {}) {
  const c = createRadiusClient({
    servers: ports.map((p) => ({ host: '127.0.0.1', authPort: p, acctPort: p, secret: SECRET, requireMessageAuthenticator: o.requireMessageAuthenticator ?? true })),
    timeoutMs: o.timeoutMs ?? 900, deadTimeMs: 30_000, clock: o.clock ?? fakeClock(), log: silentLogger, randomBytes,
  });
  clients.push(c);
  return c;
}

describe('RADIUS client', () => {
  it('retransmits the same datagram (Identifier, authenticator) from the same source port until answered', async () => {
    const s = await server({ answerOn: 3 });
    servers.push(s);
    const c = client([s.port]);
    await c.start();
    const r = await c.access([['User-Name', 'K7QM4XPA9TR'], ['User-Password', 'K7QM4XPA9TR']]);
    expect(r.packet.code).toBe(Code.AccessAccept);
    expect(get(r.packet, 'Session-Timeout')).toBe(60);
    expect(s.seen).toHaveLength(3);
    expect(new Set(s.seen.map((x) => x.bytes.toString('hex'))).size).toBe(1);
    expect(new Set(s.seen.map((x) => x.port)).size).toBe(1);
    expect(s.seen[0]!.bytes[20]).toBe(80); // Message-Authenticator first (BlastRADIUS)
    // The next request is a new one: another Identifier.
    await c.accounting([['Acct-Status-Type', 1], ['Acct-Session-Id', 'dev_1']]);
    expect(s.seen[3]!.bytes[1]).not.toBe(s.seen[0]!.bytes[1]);
  });

  it('fails over in order, remembers the dead server for a while, asks it again later', async () => {
    const dead = await server({ answerOn: 0 });
    const alive = await server({ answerOn: 1 });
    servers.push(dead, alive);
    const clock = fakeClock();
    const c = client([dead.port, alive.port], { clock });
    const first = await c.access([['User-Name', 'a'], ['User-Password', 'a']]);
    expect(first.server).toBe(1);
    expect(dead.seen.length).toBeGreaterThan(0);
    const before = dead.seen.length;
    const started = performance.now();
    const second = await c.access([['User-Name', 'b'], ['User-Password', 'b']]);
    expect(second.server).toBe(1);
    expect(performance.now() - started).toBeLessThan(200); // no wait for the dead one
    expect(dead.seen.length).toBe(before);
    clock.advance(30_001);
    await c.access([['User-Name', 'c'], ['User-Password', 'c']]);
    expect(dead.seen.length).toBeGreaterThan(before);
  });

  it('drops replies that do not verify; no answer at all is RadiusUnreachable within the budget', async () => {
    const forged = await server({ answerOn: 1, secret: 'another-secret-entirely-99' });
    const bare = await server({ answerOn: 1, messageAuthenticator: false });
    servers.push(forged, bare);
    const started = performance.now();
    await expect(client([forged.port], { timeoutMs: 600 }).access([['User-Name', 'a'], ['User-Password', 'a']])).rejects.toBeInstanceOf(RadiusUnreachable);
    expect(performance.now() - started).toBeLessThan(600 + 250);
    const strict = client([bare.port], { timeoutMs: 600 });
    await expect(strict.access([['User-Name', 'a'], ['User-Password', 'a']])).rejects.toBeInstanceOf(RadiusUnreachable);
    expect(strict.stats().dropped).toBeGreaterThan(0);
    // Opted out (a server like Debian's FreeRADIUS 3.2.1): the same reply is taken.
    const lax = client([bare.port], { timeoutMs: 600, requireMessageAuthenticator: false });
    expect((await lax.access([['User-Name', 'a'], ['User-Password', 'a']])).packet.code).toBe(Code.AccessAccept);
  });
});
