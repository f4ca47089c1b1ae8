/**
 * pfSense "Stop/Start" accounting (radius.md §a: every minute a Stop and a Start with the same
 * Acct-Session-Id and zeroed counters; §b point 2: key sessions by NAS, Acct-Session-Id and epoch). The
 * Start re-opens the same session, what each Stop reports is added once, the device keeps its slot, and
 * the minute-by-minute Stops do not each leave an audit row. A plain NAS's Stop still ends the session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, get, type AttributeInput } from '../../src/radius/index.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst, startTestRadius } from './nas-peer.js';

const SECRET = 'epoch-test-secret-24-chars';
const MB = 1_000_000;
let h: Harness;
let server: RadiusServer;

const one = async (attrs: AttributeInput[], code: number = Code.AccessRequest) =>
  (await burst(code === Code.AccessRequest ? server.ports().auth : server.ports().acct, SECRET, [attrs], 1500, '127.0.0.1', code))[0];
const acct = (type: number, cls: Buffer, out: number, extra: AttributeInput[] = []) =>
  one([['Acct-Status-Type', type], ['Acct-Session-Id', '5f3a9c21'], ['Class', cls], ['Calling-Station-Id', '00:11:22:33:44:55'], ['Acct-Input-Octets', 0], ['Acct-Output-Octets', out], ...extra], Code.AccountingRequest);

describe('RADIUS accounting epochs (pfSense Stop/Start)', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: { radius: h.core.radius.batcher() }, clock: h.clock, sliceMinBytes: MB, sliceMaxBytes: 100 * MB,
      nas: [{ name: 'pf', secret: SECRET, profile: 'pfsense' }],
    });
  });
  afterAll(async () => server?.stop());

  it('Stop then Start with the same Acct-Session-Id and zeroed counters: one session, every minute counted once', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 500 * MB, devices: 1 });
    const accept = await one([['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', '00:11:22:33:44:55']]);
    expect(accept?.code).toBe(Code.AccessAccept);
    const cls = get(accept!, 'Class')!;
    const id = cls.toString('utf8');
    const session = () => h.store.radiusSessions.get(id)!;
    const used = () => h.store.entitlements.get(session().entitlementId)!.usedBytes;

    expect((await acct(1, cls, 0))?.code).toBe(Code.AccountingResponse);
    await acct(2, cls, 5 * MB, [['Acct-Terminate-Cause', 1]]);
    expect(session().active).toBe(false);
    expect(used()).toBe(5 * MB);
    for (const minute of [3, 2, 4]) {
      h.clock.advance(60_000);
      await acct(1, cls, 0);
      expect(session().active).toBe(true);
      await acct(2, cls, minute * MB, [['Acct-Terminate-Cause', 1]]);
    }
    expect(used()).toBe(14 * MB);
    // A retransmitted last Stop (Acct-Delay-Time changed, so a new Identifier) adds nothing.
    await acct(2, cls, 4 * MB, [['Acct-Terminate-Cause', 1], ['Acct-Delay-Time', 2]]);
    expect(used()).toBe(14 * MB);
    // Resumed again, the device still holds the code's one slot: a second MAC is refused.
    await acct(1, cls, 0);
    const other = await one([['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', '00:11:22:33:44:66']]);
    expect(other?.code).toBe(Code.AccessReject);
    const detached = h.store.events.list({ type: 'device.detached' }).filter((e) => (e.data as { sessionId?: string } | null)?.sessionId === id);
    expect(detached).toHaveLength(1);
  });
});
