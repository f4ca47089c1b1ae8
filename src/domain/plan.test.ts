/** Plans: defaults, validation naming the bad field, plans in words in four languages, fair-use rates. */
import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.js';
import { describePlan } from './plan-words.js';
import { throttleRates, validatePlan } from './plan.js';

describe('plans', () => {
  it('fills defaults', () => {
    expect(validatePlan({ durationSec: 3600 })).toEqual({
      durationSec: 3600, dataBytes: null, downBps: null, upBps: null, devices: 1, redeemBy: null, reset: null,
      onExhausted: 'block', throttleDownBps: null, throttleUpBps: null,
    });
  });

  it.each([
    [{}, 'durationSec'],
    [{ durationSec: -5 }, 'durationSec'],
    [{ durationSec: 1.5 }, 'durationSec'],
    [{ dataBytes: 1e9, devices: 0 }, 'devices'],
    [{ dataBytes: 1e9, devices: 65 }, 'devices'],
    [{ durationSec: 60, reset: 'daily' as const }, 'reset'],
    [{ dataBytes: 1e9, reset: 'hourly' as never }, 'reset'],
    [{ dataBytes: 1e9, onExhausted: 'explode' as never }, 'onExhausted'],
  ])('rejects %j naming %s', (input, field) => {
    try {
      validatePlan(input);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DomainError);
      expect((err as DomainError).details.field).toBe(field);
    }
  });

  it('describes plans in words in four languages', () => {
    const plan = validatePlan({ durationSec: 30 * 86400, dataBytes: 2e9, devices: 2 });
    expect(describePlan(plan, 'en')).toBe('2 GB, 30 days from first use, 2 devices');
    expect(describePlan(plan, 'es')).toBe('2 GB, 30 días desde el primer uso, 2 dispositivos');
    expect(describePlan(plan, 'pt')).toBe('2 GB, 30 dias a partir do primeiro uso, 2 dispositivos');
    expect(describePlan(plan, 'fr')).toBe('2 GB, 30 jours à partir de la première utilisation, 2 appareils');
    expect(describePlan(validatePlan({ durationSec: 3600, downBps: 4e6 }), 'en')).toBe('unlimited data, 1 hour from first use, 1 device, up to 4 Mbit/s');
    expect(describePlan(validatePlan({ dataBytes: 1e9, reset: 'daily', onExhausted: 'throttle' }), 'en')).toBe(
      '1 GB, no time limit, 1 device, renews daily, then slower speed',
    );
  });

  it('throttles to the fair-use rate, never above the plan rate', () => {
    expect(throttleRates(validatePlan({ dataBytes: 1e9, downBps: 128_000 }))).toEqual({ downBps: 128_000, upBps: 256_000 });
    expect(throttleRates(validatePlan({ dataBytes: 1e9, throttleDownBps: 64_000, throttleUpBps: 32_000 }))).toEqual({ downBps: 64_000, upBps: 32_000 });
  });
});
