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
    // The upload speed is part of the words when the plan limits it (newcomer report).
    expect(describePlan(validatePlan({ dataBytes: 1e9, durationSec: 86400, devices: 2, downBps: 4e6, upBps: 1e6 }), 'en')).toBe('1 GB, 1 day from first use, 2 devices, up to 4 Mbit/s down / 1 Mbit/s up');
    expect(describePlan(validatePlan({ durationSec: 3600, downBps: 4e6, upBps: 1.5e6 }), 'es')).toBe('datos ilimitados, 1 hora desde el primer uso, 1 dispositivo, hasta 4 Mbit/s de bajada / 1,5 Mbit/s de subida');
    expect(describePlan(validatePlan({ durationSec: 3600, upBps: 1e6 }), 'fr')).toBe("données illimitées, 1 heure à partir de la première utilisation, 1 appareil, jusqu'à 1 Mbit/s en envoi");
    expect(describePlan(validatePlan({ dataBytes: 1e9, reset: 'daily', onExhausted: 'throttle' }), 'en')).toBe(
      '1 GB, no time limit, 1 device, renews daily, then slower speed',
    );
  });

  it('throttles to the fair-use rate, never above the plan rate', () => {
    expect(throttleRates(validatePlan({ dataBytes: 1e9, downBps: 128_000 }))).toEqual({ downBps: 128_000, upBps: 256_000 });
    expect(throttleRates(validatePlan({ dataBytes: 1e9, throttleDownBps: 64_000, throttleUpBps: 32_000 }))).toEqual({ downBps: 64_000, upBps: 32_000 });
  });
});
