import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../api/contract.js';
import { usageFrame, usageTemplate } from './usage-frame.js';

type Authorized = Extract<SessionState, { authorized: true }>;

const state = (over: Partial<Authorized> = {}): Authorized => ({
  authorized: true, online: true, code: 'K7QM-4XPA-9TR', status: 'active', throttled: false,
  plan: { words: '1 day · 2 GB · "fast" \u00e9\u{1F4F6}', devices: 2, dataBytes: 2e9, durationSec: 86_400 },
  secondsRemaining: 3600, bytesRemaining: 1_500_000_000, usedBytes: 500_000_000, dataTotal: 2e9, expiresAt: 1_796_300_000_000,
  downBps: 2_000_000, upBps: 400_000,
  devices: [
    { id: 'dev_a', label: '1E:D1', name: 'Ana\'s "phone" \\ \n', isCaller: true, attachedAt: 1_796_290_000_000, downBps: 1_500_000, upBps: 300_000 },
    { id: 'dev_b', label: '2F:A0', name: null, isCaller: false, attachedAt: 1_796_290_100_000, downBps: 500_000, upBps: 100_000 },
  ],
  ...over,
});

const expected = (payload: Authorized) => JSON.parse(JSON.stringify({ topic: 'device', kind: 'delta', payload }));

describe('the usage delta from a template', () => {
  it('parses to the same message JSON.stringify makes, after each patch of the moving figures', () => {
    const last = state();
    const t = usageTemplate(last);
    expect(JSON.parse(usageFrame(t, last))).toEqual(expected(last));
    // A sweep patches the payload in place (ws/topics.ts): the template still fits.
    Object.assign(last, { at: 1_796_300_001_000, online: false, status: 'exhausted', throttled: true, secondsRemaining: null, bytesRemaining: 0, usedBytes: 2e9, downBps: 0, upBps: 0 });
    last.devices[0]!.downBps = 0;
    last.devices[1]!.upBps = 7;
    expect(JSON.parse(usageFrame(t, last))).toEqual(expected(last));
  });

  it('writes a figure that is not a finite number as null, and carries fields it does not know', () => {
    const last = { ...state({ devices: [] }), extra: { note: 'new field' } } as Authorized;
    last.downBps = Number.NaN;
    const t = usageTemplate(last);
    expect(JSON.parse(usageFrame(t, last))).toEqual(expected(last));
    expect(JSON.parse(usageFrame(t, last)).payload.downBps).toBeNull();
  });
});
