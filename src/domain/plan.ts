/**
 * Plans: what a voucher grants. A plan is either a named template (stored by operators) or given inline
 * when a batch is created; a voucher keeps its own copy so later edits to a template never change codes
 * already sold.
 *
 * - `durationSec`: wall clock from first redemption (null = no time limit)
 * - `dataBytes`: total bytes up + down for the whole pool (null = unlimited)
 * - `downBps`/`upBps`: per-device rate limits in bits/s (null = unlimited)
 * - `devices`: simultaneous devices sharing the pool
 * - `redeemBy`: deadline (ms since epoch) for the first use
 * - `reset`: renew the data quota every day/week/month (member-style codes)
 * - `onExhausted`: `block`, or `throttle` to the fair-use rates once the data is used
 *
 * @example
 *   const plan = validatePlan({ durationSec: 86400, dataBytes: 1e9, devices: 2 });
 */
import { DomainError } from './errors.js';

export type ResetPeriod = 'daily' | 'weekly' | 'monthly';

export interface Plan {
  durationSec: number | null;
  dataBytes: number | null;
  downBps: number | null;
  upBps: number | null;
  devices: number;
  redeemBy: number | null;
  reset: ResetPeriod | null;
  onExhausted: 'block' | 'throttle';
  throttleDownBps: number | null;
  throttleUpBps: number | null;
}

export const DEFAULT_THROTTLE_BPS = 256_000;

export function validatePlan(input: Partial<Plan>): Plan {
  const plan: Plan = {
    durationSec: input.durationSec ?? null,
    dataBytes: input.dataBytes ?? null,
    downBps: input.downBps ?? null,
    upBps: input.upBps ?? null,
    devices: input.devices ?? 1,
    redeemBy: input.redeemBy ?? null,
    reset: input.reset ?? null,
    onExhausted: input.onExhausted ?? 'block',
    throttleDownBps: input.throttleDownBps ?? null,
    throttleUpBps: input.throttleUpBps ?? null,
  };
  const bad = (field: string, why: string): never => {
    throw new DomainError('INVALID_INPUT', `plan.${field}: ${why}`, { field });
  };
  const positive = (field: keyof Plan) => {
    const v = plan[field];
    if (v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)) {
      bad(field, 'must be a positive whole number');
    }
  };
  (['durationSec', 'dataBytes', 'downBps', 'upBps', 'redeemBy', 'throttleDownBps', 'throttleUpBps'] as const).forEach(positive);
  if (!Number.isInteger(plan.devices) || plan.devices < 1 || plan.devices > 64) bad('devices', 'must be 1 to 64');
  if (plan.reset !== null && !['daily', 'weekly', 'monthly'].includes(plan.reset)) bad('reset', 'must be daily, weekly or monthly');
  if (plan.reset !== null && plan.dataBytes === null) bad('reset', 'needs a data quota to renew');
  if (!['block', 'throttle'].includes(plan.onExhausted)) bad('onExhausted', 'must be block or throttle');
  if (plan.durationSec === null && plan.dataBytes === null) bad('durationSec', 'a plan needs a duration or a data quota');
  return plan;
}

/** The rates a device gets once the pool is used up under a `throttle` plan. */
export function throttleRates(plan: Plan): { downBps: number; upBps: number } {
  return {
    downBps: plan.throttleDownBps ?? Math.min(plan.downBps ?? DEFAULT_THROTTLE_BPS, DEFAULT_THROTTLE_BPS),
    upBps: plan.throttleUpBps ?? Math.min(plan.upBps ?? DEFAULT_THROTTLE_BPS, DEFAULT_THROTTLE_BPS),
  };
}
