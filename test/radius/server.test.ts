/**
 * The RADIUS server end to end with a real peer: FreeRADIUS's radclient 3.2.1 as the NAS (MikroTik
 * profile) against createRadiusServer on 127.0.0.1, on the same core and in-memory store a Portico
 * runs with. radclient verifies every reply's Response Authenticator and Message-Authenticator itself
 * (RFC 2865 §3, RFC 3579 §3.2), so "Received Access-Accept" proves the reply is genuine. Dropped
 * requests are seen as radclient timing out (`-r 1 -t 1`) plus the server's drop counters. Usage is
 * asserted in the store, where the portal and the console read it. Skipped without radclient.
 */
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasRadclient, radclientRun } from './nas-peer.js';
import { generateCode, formatCode } from '../../src/domain/code.js';
import { silentLogger } from '../../src/lib/log.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';

const SECRET = 'radius-test-secret-24chr';
const GB = 1_000_000_000;

let h: Harness;
let server: RadiusServer;

function radclient(kind: 'auth' | 'acct' | 'status', input: string, secret = SECRET): Promise<{ code: number | null; out: string }> {
  return radclientRun(kind === 'acct' ? server.ports().acct : server.ports().auth, kind, input, secret);
}

const MA = 'Message-Authenticator = 0x00';
const pap = (code: string, mac: string, extra = '') =>
  radclient('auth', `User-Name = "${code}", User-Password = "${code}", Calling-Station-Id = "${mac}", Framed-IP-Address = 10.5.0.9, ${MA}${extra}`);
const classOf = (out: string) => /Class = 0x([0-9a-f]+)/.exec(out)?.[1];
const unknownCode = () => formatCode(generateCode((n) => randomFillSync(new Uint8Array(n))));

describe.skipIf(!hasRadclient)('RADIUS server with radclient as the NAS', () => {
  beforeAll(async () => {
    h = await harness({ network: { languages: ['en'] } });
    server = createRadiusServer({
      config: {
        enabled: true, host: '127.0.0.1', authPort: 0, acctPort: 0, interimIntervalSec: 300, sliceMinBytes: 10_000_000, sliceMaxBytes: 1_000_000_000,
        nas: [{ name: 'mk1', address: '127.0.0.0/8', secret: SECRET, profile: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }],
      },
      core: h.core,
      clock: h.clock,
      log: silentLogger,
      translate: (code) => ({ VOUCHER_UNKNOWN: 'This code does not exist.', CODE_CHECK_FAILED: 'There is a typo in this code.', VOUCHER_REVOKED: 'This code has been cancelled.', DEVICE_LIMIT: 'This code is already in use on its maximum number of devices.' })[code] ?? code,
    });
    await server.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  const plan = { durationSec: 3600, dataBytes: 5 * GB, downBps: 2_000_000, upBps: 512_000, devices: 2 };

  it('PAP: a valid code typed in lower case without dashes is accepted with a MikroTik slice of the pool', async () => {
    const { codes } = h.vouchers(1, plan);
    const typed = codes[0]!.replace(/-/g, '').toLowerCase();
    const r = await pap(typed, 'AA:BB:CC:00:00:01');
    expect(r.out).toMatch(/Received Access-Accept Id \d+/);
    expect(r.out).toContain('Session-Timeout = 3600');
    // A slice of the 5 GB pool, not all of it (radius.md §b): sliceMaxBytes = 1 GB.
    expect(r.out).toContain('Mikrotik-Total-Limit = 1000000000');
    expect(r.out).not.toContain('Mikrotik-Total-Limit-Gigawords');
    expect(r.out).toContain('Termination-Action = RADIUS-Request');
    expect(r.out).toContain('Mikrotik-Rate-Limit = "512k/2M"');
    expect(r.out).toContain('Acct-Interim-Interval = 300');
    expect(classOf(r.out)).toBeDefined();
    expect(r.code).toBe(0);
  });

  it('CHAP: a second device joins the same pool; a third hits the device limit', async () => {
    const { codes } = h.vouchers(1, plan);
    const first = await pap(codes[0]!, 'AA:BB:CC:00:01:01');
    expect(first.out).toMatch(/Received Access-Accept/);
    const chap = await radclient('auth', `User-Name = "${codes[0]}", CHAP-Password = "${codes[0]}", Calling-Station-Id = "AA-BB-CC-00-01-02", ${MA}`);
    expect(chap.out).toMatch(/Received Access-Accept/);
    expect(chap.out).toContain('Mikrotik-Total-Limit = 1000000000');
    const third = await pap(codes[0]!, 'AA:BB:CC:00:01:03');
    expect(third.out).toMatch(/Received Access-Reject/);
    expect(third.out).toContain('Reply-Message = "This code is already in use on its maximum number of devices."');
    // The device that is already on the pool is still let in (re-authentication, same MAC).
    expect((await pap(codes[0]!, 'aa:bb:cc:00:01:01')).out).toMatch(/Received Access-Accept/);
  });

  it('rejects unknown, typo and revoked codes with a Reply-Message', async () => {
    const unknown = await pap(unknownCode(), 'AA:BB:CC:00:02:01');
    expect(unknown.out).toMatch(/Received Access-Reject/);
    expect(unknown.out).toContain('Reply-Message = "This code does not exist."');

    const { codes, ids } = h.vouchers(1, plan);
    const c = codes[0]!;
    const typo = c.slice(0, 2) + (c[2] === 'A' ? 'B' : 'A') + c.slice(3);
    const t = await pap(typo, 'AA:BB:CC:00:02:02');
    expect(t.out).toContain('Reply-Message = "There is a typo in this code."');

    await h.core.revokeVoucher(ids[0]!, 'lost sheet', { type: 'system' });
    const revoked = await pap(c, 'AA:BB:CC:00:02:03');
    expect(revoked.out).toMatch(/Received Access-Reject/);
    expect(revoked.out).toContain('Reply-Message = "This code has been cancelled."');
  });

  it('drops a wrong secret and a missing Message-Authenticator without answering, and counts them', async () => {
    const { codes } = h.vouchers(1, plan);
    const wrong = await radclient('auth', `User-Name = "${codes[0]}", User-Password = "${codes[0]}", ${MA}`, 'not-the-secret-at-all-x');
    expect(wrong.out).not.toMatch(/Received Access-/);
    expect(wrong.code).not.toBe(0);
    const noMa = await radclient('auth', `User-Name = "${codes[0]}", User-Password = "${codes[0]}"`);
    expect(noMa.out).not.toMatch(/Received Access-/);
    const dropped = server.stats().dropped;
    expect(dropped.BAD_MESSAGE_AUTHENTICATOR).toBeGreaterThanOrEqual(1);
    expect(dropped.MISSING_MESSAGE_AUTHENTICATOR).toBeGreaterThanOrEqual(1);
    // Nothing was redeemed by either.
    expect(h.store.vouchers.findByCode(codes[0]!.replace(/-/g, ''))?.status).toBe('unused');
  });

  it('answers Status-Server on both ports', async () => {
    expect((await radclient('status', MA)).out).toMatch(/Received Access-Accept/);
    const r = (await radclientRun(server.ports().acct, 'status', MA, SECRET)).out;
    expect(r).toMatch(/Received Accounting-Response/);
  });

  it('accounting Start/Interim/Stop with gigawords feeds the pool; a duplicate Interim counts once', async () => {
    const { codes } = h.vouchers(1, plan);
    const accept = await pap(codes[0]!, 'AA:BB:CC:00:03:01');
    const cls = classOf(accept.out)!;
    const sessionId = Buffer.from(cls, 'hex').toString('utf8');
    const session = () => h.store.radiusSessions.get(sessionId)!;
    const used = () => h.store.entitlements.get(session().entitlementId)!.usedBytes;
    const acct = (type: string, extra: string) =>
      radclient('acct', `Acct-Status-Type = ${type}, Acct-Session-Id = "80000001", Class = 0x${cls}, Calling-Station-Id = "AA:BB:CC:00:03:01"${extra}`);

    expect((await acct('Start', '')).out).toMatch(/Received Accounting-Response/);
    expect(session().acctSessionId).toBe('80000001');
    const interim = ', Acct-Input-Octets = 100, Acct-Input-Gigawords = 1, Acct-Output-Octets = 2000';
    expect((await acct('Interim-Update', interim)).out).toMatch(/Received Accounting-Response/);
    expect(used()).toBe(2 ** 32 + 100 + 2000);
    // The same counters again (Acct-Delay-Time changed, so a new packet the duplicate cache cannot catch).
    expect((await acct('Interim-Update', interim + ', Acct-Delay-Time = 5')).out).toMatch(/Received Accounting-Response/);
    expect(used()).toBe(2 ** 32 + 100 + 2000);
    // An older Interim arriving late adds nothing either.
    await acct('Interim-Update', ', Acct-Input-Octets = 50, Acct-Input-Gigawords = 1, Acct-Output-Octets = 1000');
    expect(used()).toBe(2 ** 32 + 100 + 2000);
    const stop = await acct('Stop', ', Acct-Input-Octets = 600, Acct-Input-Gigawords = 1, Acct-Output-Octets = 5000, Acct-Terminate-Cause = User-Request');
    expect(stop.out).toMatch(/Received Accounting-Response/);
    expect(used()).toBe(2 ** 32 + 600 + 5000);
    expect(session().active).toBe(false);
    // The next Accept grants what is left of the pool.
    const again = await pap(codes[0]!, 'AA:BB:CC:00:03:01');
    const left = 5 * GB - (2 ** 32 + 5600);
    expect(again.out).toContain(`Mikrotik-Total-Limit = ${left}`);
    expect(again.out).not.toContain('Mikrotik-Total-Limit-Gigawords');
  });

  it('Accounting-On closes every open session of that NAS', async () => {
    const { codes } = h.vouchers(1, plan);
    const accept = await pap(codes[0]!, 'AA:BB:CC:00:04:01');
    const sessionId = Buffer.from(classOf(accept.out)!, 'hex').toString('utf8');
    expect(h.store.radiusSessions.get(sessionId)!.active).toBe(true);
    const r = await radclient('acct', 'Acct-Status-Type = Accounting-On, NAS-Identifier = "mk1"');
    expect(r.out).toMatch(/Received Accounting-Response/);
    expect(h.store.radiusSessions.get(sessionId)!.active).toBe(false);
    expect(h.store.radiusSessions.get(sessionId)!.endReason).toBe('nas-reboot');
  });
});
