/**
 * MAC authentication (SPEC §9, radius.md §a): MikroTik's `mac-as-username` sends the MAC as User-Name
 * with an empty password; CoovaChilli's `macauth` sends it as User-Name with the MAC (or `macpasswd`)
 * as password, and both put it in Calling-Station-Id. A device already on an active pool — behind
 * this NAS or the local gateway — is let in with that pool's slice; any other MAC is refused, and a
 * refusal is not counted as a guess (a NAS tries MAC auth on every new device before its login page).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { classOf, grantedBytes, hasRadclient, MA, radclient, startTestRadius } from './nas-peer.js';

const SECRET = 'macauth-test-secret-24ch';
const MB = 1_000_000;
let h: Harness;
let server: RadiusServer;

const auth = (attrs: string) => radclient(server.ports().auth, 'auth', `${attrs}, ${MA}`, SECRET);
const codeLogin = (code: string, mac: string) => auth(`User-Name = "${code}", User-Password = "${code}", Calling-Station-Id = "${mac}"`);
const macAuth = (mac: string, password = '', csi = mac) => auth(`User-Name = "${mac}", User-Password = "${password}", Calling-Station-Id = "${csi}"`);

describe.skipIf(!hasRadclient)('RADIUS MAC authentication', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: h.core, clock: h.clock, sliceMinBytes: MB, sliceMaxBytes: 20 * MB,
      nas: [{ name: 'mk', secret: SECRET, profile: 'mikrotik' }],
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('MikroTik mac-as-username (empty password): a device on an active pool gets its slice', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    const first = await codeLogin(codes[0]!, 'AA:BB:CC:60:00:01');
    const ent = h.store.radiusSessions.get(classOf(first)!)!.entitlementId;
    const again = await macAuth('AA:BB:CC:60:00:01');
    expect(again).toMatch(/Received Access-Accept/);
    expect(grantedBytes(again)).toBe(20 * MB);
    expect(h.store.radiusSessions.get(classOf(again)!)!.entitlementId).toBe(ent);
  });

  it('CoovaChilli macauth (password = the MAC, dashed): accepted for a device behind the local gateway', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    const phone = h.device(undefined, '02:00:00:60:00:02');
    expect((await phone.login(codes[0]!)).status).toBeLessThan(400);
    const r = await macAuth('02-00-00-60-00-02', '02-00-00-60-00-02');
    expect(r).toMatch(/Received Access-Accept/);
  });

  it('refuses a MAC on no pool, a pool that ended, a Calling-Station-Id that differs, a wrong password', async () => {
    expect(await macAuth('AA:BB:CC:60:00:09')).toMatch(/Received Access-Reject/);
    const { codes, ids } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    await codeLogin(codes[0]!, 'AA:BB:CC:60:00:03');
    expect(await macAuth('AA:BB:CC:60:00:03', '', 'AA:BB:CC:60:00:04')).toMatch(/Received Access-Reject/);
    expect(await macAuth('AA:BB:CC:60:00:03', 'not-the-mac')).toMatch(/Received Access-Reject/);
    await h.core.revokeVoucher(ids[0]!, null, { type: 'system' });
    expect(await macAuth('AA:BB:CC:60:00:03')).toMatch(/Received Access-Reject/);
  });

  it('after its NAS ended the session (slice used) the MAC re-attaches; after the resident logged out it does not', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    const stop = (cls: string, mac: string, cause: string) => radclient(server.ports().acct, 'acct',
      `Acct-Status-Type = Stop, Acct-Session-Id = "x-${mac}", Class = "${cls}", Acct-Output-Octets = ${20 * MB}, Acct-Terminate-Cause = ${cause}`, SECRET);
    const a = classOf(await codeLogin(codes[0]!, 'AA:BB:CC:60:00:06'))!;
    await stop(a, 'AA:BB:CC:60:00:06', 'Session-Timeout');
    const again = await macAuth('AA:BB:CC:60:00:06');
    expect(again).toMatch(/Received Access-Accept/);
    await stop(classOf(again)!, 'AA:BB:CC:60:00:06b', 'User-Request');
    expect(await macAuth('AA:BB:CC:60:00:06')).toMatch(/Received Access-Reject/);
  });

  it('a MAC on the bypass list is accepted with no code, no Class and no limits (issue 15 item 4)', async () => {
    expect(await macAuth('AA:BB:CC:60:00:0B')).toMatch(/Received Access-Reject/);
    await h.core.admin.saveSettings({ bypass: ['aa:bb:cc:60:00:0b'] }, h.store.operators.list()[0] ?? (await h.core.addOperator({ name: 'boss', role: 'admin', password: 'correct horse battery' }, { type: 'system' })));
    const r = await macAuth('AA:BB:CC:60:00:0B');
    expect(r).toMatch(/Received Access-Accept/);
    expect(classOf(r)).toBeUndefined();
    expect(r).not.toMatch(/Session-Timeout|Mikrotik-Total-Limit|Mikrotik-Rate-Limit/);
    await h.core.admin.saveSettings({ bypass: [] }, h.store.operators.list()[0]!);
    expect(await macAuth('AA:BB:CC:60:00:0B')).toMatch(/Received Access-Reject/);
  });

  it('MAC-auth refusals are not counted as guesses: the device can still log in with its code', async () => {
    for (let i = 0; i < 8; i++) expect(await macAuth('AA:BB:CC:60:00:05')).toMatch(/Received Access-Reject/);
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 100 * MB, devices: 2 });
    expect(await codeLogin(codes[0]!, 'AA:BB:CC:60:00:05')).toMatch(/Received Access-Accept/);
  });
});
