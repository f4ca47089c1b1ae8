/** Entitlement rules: time from first use, shared pools, exhaustion, resets, top-ups, device limits. */
import { describe, expect, it } from 'vitest';
import { activate, allowsTraffic, applyResets, attachDecision, loginBlocker, nextReset, redeemBlocker, remaining, statusAt, topUp } from './entitlement.js';
import { DomainError } from './errors.js';
import { validatePlan } from './plan.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const DAY = 86_400_000;

describe('entitlements', () => {
  it('starts the clock at first use and counts down', () => {
    const e = activate(validatePlan({ durationSec: 3600, dataBytes: 1e6 }), T0);
    expect(e).toMatchObject({ status: 'active', activatedAt: T0, expiresAt: T0 + 3_600_000, dataTotal: 1e6, usedBytes: 0 });
    expect(remaining(e, T0 + 600_000)).toEqual({ seconds: 3000, bytes: 1e6 });
    expect(statusAt(e, T0 + 3_599_999)).toBe('active');
    expect(statusAt(e, T0 + 3_600_000)).toBe('expired');
    expect(remaining(e, T0 + 9e9).seconds).toBe(0);
  });

  it('is exhausted when the pool is used up; throttle plans keep traffic flowing', () => {
    const block = { ...activate(validatePlan({ dataBytes: 1000 }), T0), usedBytes: 1000 };
    expect(statusAt(block, T0)).toBe('exhausted');
    expect(allowsTraffic(block, T0)).toBe(false);
    expect(loginBlocker(block, T0)?.code).toBe('VOUCHER_EXHAUSTED');
    const throttle = { ...activate(validatePlan({ dataBytes: 1000, onExhausted: 'throttle' }), T0), usedBytes: 5000 };
    expect(allowsTraffic(throttle, T0)).toBe(true);
    expect(loginBlocker(throttle, T0)).toBeNull();
    expect(remaining(throttle, T0).bytes).toBe(0);
  });

  it('stays exhausted until a reset or top-up, and counts the gateway’s cut-off slack as used', () => {
    const plan = validatePlan({ dataBytes: 1_000_000 });
    const e = { ...activate(plan, T0), usedBytes: 960_000 };
    expect(statusAt(e, T0)).toBe('active');
    expect(statusAt(e, T0, 65_536)).toBe('exhausted');
    const stored = { ...e, status: 'exhausted' as const };
    expect(statusAt(stored, T0)).toBe('exhausted');
    expect(loginBlocker(stored, T0)?.code).toBe('VOUCHER_EXHAUSTED');
    expect(statusAt(topUp(stored, plan, T0), T0)).toBe('active');
  });

  it('blocks redemption of revoked codes and of unused codes past their deadline', () => {
    expect(redeemBlocker('revoked', null, T0)?.code).toBe('VOUCHER_REVOKED');
    expect(redeemBlocker('unused', T0 - 1, T0)?.code).toBe('VOUCHER_EXPIRED');
    expect(redeemBlocker('unused', T0 + 1, T0)).toBeNull();
    // The deadline is for first use only: an active code keeps working after it.
    expect(redeemBlocker('active', T0 - 1, T0)).toBeNull();
  });

  it('renews the quota each period, catching up on missed periods', () => {
    const e = { ...activate(validatePlan({ dataBytes: 1000, reset: 'daily', durationSec: 30 * 86400 }), T0), usedBytes: 1000 };
    expect(applyResets(e, T0 + DAY - 1)).toBe(e);
    const r = applyResets(e, T0 + 3 * DAY + 5);
    expect(r).toMatchObject({ usedBytes: 0, status: 'active', periodStart: T0 + 3 * DAY });
    expect(nextReset(T0, 'weekly')).toBe(T0 + 7 * DAY);
    const jan31 = new Date(2026, 0, 31, 12).getTime();
    expect(new Date(nextReset(jan31, 'monthly')).getMonth()).toBe(2); // Jan 31 + 1 month rolls into March, like a calendar
  });

  it('adds a top-up to the pool, from now if the time had run out', () => {
    const plan = validatePlan({ durationSec: 3600, dataBytes: 1000 });
    const e = { ...activate(plan, T0), usedBytes: 1000 };
    const t = topUp(e, plan, T0 + 1000);
    expect(t).toMatchObject({ status: 'active', expiresAt: T0 + 7_200_000, dataTotal: 2000 });
    const late = topUp(e, plan, T0 + 5_000_000);
    expect(late.expiresAt).toBe(T0 + 5_000_000 + 3_600_000);
  });

  it('shares one pool among up to N devices, offering to replace the oldest', () => {
    const devs = [{ mac: 'a', attachedAt: 2 }, { mac: 'b', attachedAt: 1 }];
    expect(attachDecision(devs, 3, 'c', false)).toEqual({ kind: 'attach' });
    expect(attachDecision(devs, 2, 'a', false)).toEqual({ kind: 'present' });
    expect(attachDecision(devs, 2, 'c', true)).toEqual({ kind: 'replace', evict: 'b' });
    expect(() => attachDecision(devs, 2, 'c', false)).toThrow(DomainError);
    try {
      attachDecision(devs, 2, 'c', false);
    } catch (err) {
      expect((err as DomainError).code).toBe('DEVICE_LIMIT');
    }
  });
});
