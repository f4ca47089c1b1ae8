/**
 * Group commit (core/radius-batch.ts), what `portico serve` runs: requests that arrive together are
 * granted in one transaction, each in its own savepoint. Observable from outside: every distinct valid
 * code of a burst is accepted and redeemed, a 1-device code raced from 24 MACs in one burst still gets
 * exactly one Accept, refusals in the same burst are refused without spoiling the others, and a burst
 * of Interim-Updates is counted once each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, get, type AttributeInput } from '../../src/radius/index.js';
import type { RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst, startTestRadius } from './nas-peer.js';

const SECRET = 'batch-test-secret-24-chars';
const MB = 1_000_000;
let h: Harness;
let server: RadiusServer;
const mac = (i: number) => `AA-BB-CC-20-00-${i.toString(16).padStart(2, '0').toUpperCase()}`;
const pap = (code: string, i: number): AttributeInput[] => [['User-Name', code], ['User-Password', code], ['Calling-Station-Id', mac(i)]];

describe('RADIUS group commit', () => {
  beforeAll(async () => {
    h = await harness();
    server = await startTestRadius({
      core: { radius: h.core.radius.batcher() }, clock: h.clock, sliceMinBytes: MB, sliceMaxBytes: 100 * MB,
      nas: [{ name: 'mk', secret: SECRET, profile: 'mikrotik' }],
    });
  });
  afterAll(async () => server?.stop());

  it('a burst of distinct codes, with refusals mixed in: every valid one accepted and redeemed, once', async () => {
    const { codes } = h.vouchers(40, { durationSec: 3600, dataBytes: 500 * MB, devices: 1 });
    const requests = codes.map((c, i) => pap(c, i));
    requests.splice(10, 0, pap('K7QM-4XPA-9TR', 200), pap('0000-0000-000', 201));
    const replies = await burst(server.ports().auth, SECRET, requests);
    const accepts = replies.filter((r) => r?.code === Code.AccessAccept);
    expect(accepts).toHaveLength(40);
    expect(replies.filter((r) => r?.code === Code.AccessReject)).toHaveLength(2);
    for (const c of codes) expect(h.store.vouchers.findByCode(c.replace(/-/g, ''))?.status).toBe('active');
    const classes = new Set(accepts.map((r) => get(r!, 'Class')!.toString('utf8')));
    expect(classes.size).toBe(40);

    // Interim-Updates for all 40 at once: each counted once.
    const interims = accepts.map((r, i): AttributeInput[] => [
      ['Acct-Status-Type', 3], ['Acct-Session-Id', `b-${i}`], ['Class', get(r!, 'Class')!], ['Acct-Input-Octets', 1000], ['Acct-Output-Octets', 9000],
    ]);
    const acks = await burst(server.ports().acct, SECRET, [...interims, ...interims.slice(0, 5)], 1500, '127.0.0.1', Code.AccountingRequest);
    expect(acks.filter((a) => a?.code === Code.AccountingResponse)).toHaveLength(45);
    for (const r of accepts) {
      const s = h.store.radiusSessions.get(get(r!, 'Class')!.toString('utf8'))!;
      expect(h.store.entitlements.get(s.entitlementId)!.usedBytes).toBe(10_000);
    }
  });

  it('24 MACs racing for a 1-device code in one burst: exactly one Accept', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 500 * MB, devices: 1 });
    const replies = await burst(server.ports().auth, SECRET, Array.from({ length: 24 }, (_, i) => pap(codes[0]!, 100 + i)));
    expect(replies.filter((r) => r?.code === Code.AccessAccept)).toHaveLength(1);
    expect(replies.filter((r) => r?.code === Code.AccessReject)).toHaveLength(23);
  });
});
