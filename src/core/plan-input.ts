/**
 * One parser for the plan an operator types, shared by the console API and the CLI: "1h", "2GB",
 * "4Mbit", a device count, a redeem-by date, a reset period, what happens when the data is used up, and
 * a price. Only the fields given are returned; a bad one throws INVALID_INPUT naming its field (the CLI
 * turns that into a usage error naming its option).
 *
 * @example
 *   planFromInput({ duration: '1d', data: '1GB', devices: '2', price: '1.50' });
 *   // { plan: { durationSec: 86400, dataBytes: 1e9, devices: 2 }, price: 1.5 }
 */
import type { PlanInput } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import type { Plan } from '../domain/plan.js';
import { parseBytes, parseDuration, parseRate } from '../domain/units.js';

/**
 * A redeem-by date: `2026-12-31` means until the end of that day in local time; a full ISO time
 * (`2026-12-31T18:00:00Z`) means that instant.
 */
export function parseRedeemBy(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) throw new RangeError('redeem-by must be a date like 2026-12-31');
  const ms = s.length === 10 ? new Date(`${s}T23:59:59.999`).getTime() : Date.parse(s);
  if (Number.isNaN(ms)) throw new RangeError('redeem-by is not a valid date');
  return ms;
}

function unit<T>(field: string, text: unknown, parse: (s: string) => T): T | undefined {
  if (text === undefined || text === null || text === '') return undefined;
  if (typeof text !== 'string') throw new DomainError('INVALID_INPUT', `${field} must be text like the examples`, { field });
  try {
    return parse(text);
  } catch (err) {
    throw new DomainError('INVALID_INPUT', (err as Error).message, { field });
  }
}

export function numberOf(field: string, v: unknown, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || n < (opts.min ?? 0)) {
    throw new DomainError('INVALID_INPUT', `${field} must be ${opts.integer ? 'a whole number' : 'a number'} of at least ${opts.min ?? 0}`, { field });
  }
  return n;
}

/** Turns what an operator typed into plan fields (only the ones given) and a price. */
export function planFromInput(input: PlanInput): { plan: Partial<Plan>; price: number | null | undefined } {
  const plan: Partial<Plan> = {};
  const set = <K extends keyof Plan>(k: K, v: Plan[K] | undefined) => {
    if (v !== undefined) plan[k] = v;
  };
  set('durationSec', unit('duration', input.duration, parseDuration));
  set('dataBytes', unit('data', input.data, parseBytes));
  set('downBps', unit('down', input.down, parseRate));
  set('upBps', unit('up', input.up, parseRate));
  set('devices', numberOf('devices', input.devices, { integer: true, min: 1 }));
  set('redeemBy', unit('redeemBy', input.redeemBy, parseRedeemBy));
  if (input.reset) {
    if (!['daily', 'weekly', 'monthly'].includes(input.reset)) throw new DomainError('INVALID_INPUT', 'reset must be daily, weekly or monthly', { field: 'reset' });
    plan.reset = input.reset;
  }
  if (input.onExhausted !== undefined) {
    if (input.onExhausted !== 'block' && input.onExhausted !== 'throttle') throw new DomainError('INVALID_INPUT', 'onExhausted must be block or throttle', { field: 'onExhausted' });
    plan.onExhausted = input.onExhausted;
  }
  const price = input.price === null ? null : numberOf('price', input.price);
  return { plan, price };
}

