/**
 * `portico vouchers create|list|revoke|print`: the operator's command line. Every argument is checked
 * before anything is written; a bad one exits 2 with a one-line reason.
 */
import { writeFileSync } from 'node:fs';
import { formatCode, parseCode } from '../domain/code.js';
import type { VoucherStatus } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import { describePlan } from '../domain/plan-words.js';
import type { Plan } from '../domain/plan.js';
import { parseBytes, parseDuration, parseRate } from '../domain/units.js';
import { LAYOUTS, renderSheet, type SheetLayout } from '../print/sheet.js';
import type { Runtime } from '../runtime.js';
import { intArg, parse, unitArg, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { LANGS } from '../domain/plan-words.js';

const STATUSES: VoucherStatus[] = ['unused', 'active', 'exhausted', 'expired', 'revoked'];
const CLI_ACTOR = { type: 'operator' as const, id: 'cli' };

function redeemByArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/.test(value)) throw new UsageError('--redeem-by must be a date like 2026-12-31');
  // A bare date means "until the end of that day" in local time.
  const ms = value.length === 10 ? new Date(`${value}T23:59:59.999`).getTime() : Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError('--redeem-by is not a valid date');
  return ms;
}

export function parseCreate(args: string[]) {
  const { values } = parse(args, {
    count: { type: 'string' }, plan: { type: 'string' }, duration: { type: 'string' }, data: { type: 'string' },
    down: { type: 'string' }, up: { type: 'string' }, devices: { type: 'string' }, 'redeem-by': { type: 'string' },
    reset: { type: 'string' }, 'on-exhausted': { type: 'string' }, note: { type: 'string' }, price: { type: 'string' },
    json: { type: 'boolean' },
  });
  const count = intArg(values.count, 'count', 1, 10_000);
  if (count === undefined) throw new UsageError('--count is required');
  if (values.reset !== undefined && !['daily', 'weekly', 'monthly'].includes(values.reset)) throw new UsageError('--reset must be daily, weekly or monthly');
  if (values['on-exhausted'] !== undefined && !['block', 'throttle'].includes(values['on-exhausted'])) throw new UsageError('--on-exhausted must be block or throttle');
  if (values.price !== undefined && !/^\d+(\.\d{1,4})?$/.test(values.price)) throw new UsageError('--price must be a number like 5 or 2.50');
  const plan: Partial<Plan> = {};
  const set = <K extends keyof Plan>(k: K, v: Plan[K] | undefined) => {
    if (v !== undefined) plan[k] = v;
  };
  set('durationSec', unitArg(values.duration, 'duration', parseDuration));
  set('dataBytes', unitArg(values.data, 'data', parseBytes));
  set('downBps', unitArg(values.down, 'down', parseRate));
  set('upBps', unitArg(values.up, 'up', parseRate));
  set('devices', intArg(values.devices, 'devices', 1, 64));
  set('redeemBy', redeemByArg(values['redeem-by']));
  set('reset', values.reset as Plan['reset'] | undefined);
  set('onExhausted', values['on-exhausted'] as Plan['onExhausted'] | undefined);
  if (!values.plan && plan.durationSec === undefined && plan.dataBytes === undefined) {
    throw new UsageError('give --plan NAME, or at least --duration or --data');
  }
  return {
    count, planName: values.plan, plan, note: values.note ?? null,
    price: values.price !== undefined ? Number(values.price) : undefined, json: values.json ?? false,
  };
}

export async function vouchersCommand(sub: string | undefined, args: string[], open: () => Promise<Runtime>, io: CliIo): Promise<number> {
  switch (sub) {
    case 'create': {
      const opts = parseCreate(args);
      const rt = await open();
      try {
        const { batch, vouchers } = rt.core.createBatch(
          { count: opts.count, ...(opts.planName ? { planName: opts.planName } : {}), plan: opts.plan, note: opts.note, ...(opts.price !== undefined ? { price: opts.price } : {}) },
          CLI_ACTOR,
        );
        if (opts.json) io.stdout(JSON.stringify(vouchers.map((v) => ({ code: formatCode(v.code), id: v.id, batch: batch.id }))));
        else {
          io.stdout(`batch ${batch.id}: ${vouchers.length} voucher(s), ${describePlan(batch.plan)}`);
          for (const v of vouchers) io.stdout(formatCode(v.code));
        }
        return 0;
      } finally {
        rt.close();
      }
    }
    case 'list': {
      const { values } = parse(args, { status: { type: 'string' }, batch: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' } });
      if (values.status !== undefined && !STATUSES.includes(values.status as VoucherStatus)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
      // Every matching row unless the caller pages explicitly: a script that checks "every code I sold is
      // here" must not be handed the first 1,000 silently (attack report D12).
      const limit = intArg(values.limit, 'limit', 1, 10_000) ?? Infinity;
      const offset = intArg(values.offset, 'offset', 0, Number.MAX_SAFE_INTEGER) ?? 0;
      const rt = await open();
      try {
        const { items, total } = rt.store.vouchers.list({
          ...(values.status ? { status: values.status as VoucherStatus } : {}), ...(values.batch ? { batchId: values.batch } : {}),
          ...(values.search ? { q: values.search } : {}), limit, offset,
        });
        const more = offset + items.length < total;
        if (values.json) {
          io.stdout(JSON.stringify(items.map((v) => ({
            code: formatCode(v.code), id: v.id, batch: v.batchId, status: v.status, plan: describePlan(v.plan), note: v.note,
            createdAt: new Date(v.createdAt).toISOString(), redeemedAt: v.redeemedAt ? new Date(v.redeemedAt).toISOString() : null,
          }))));
          if (more) io.stderr(`${items.length} of ${total} voucher(s); more with --offset ${offset + items.length}`);
        } else {
          for (const v of items) io.stdout(`${formatCode(v.code)}  ${v.status.padEnd(9)}  ${v.batchId}  ${describePlan(v.plan)}${v.note ? '  ' + v.note : ''}`);
          io.stderr(`${items.length} of ${total} voucher(s)${more ? `; more with --offset ${offset + items.length}` : ''}`);
        }
        return 0;
      } finally {
        rt.close();
      }
    }
    case 'revoke': {
      const { values, positionals } = parse(args, { reason: { type: 'string' } }, 1);
      const target = positionals[0];
      if (!target) throw new UsageError('usage: portico vouchers revoke CODE [--reason TEXT]');
      const parsed = parseCode(target);
      if (!parsed.ok && !target.startsWith('vch_')) throw new UsageError(parsed.reason === 'check' ? `${target}: check character does not match (typo?)` : `${target}: not a voucher code`);
      const rt = await open();
      try {
        const v = await rt.core.revokeVoucher(parsed.ok ? parsed.code : target, values.reason ?? null, CLI_ACTOR);
        io.stdout(`revoked ${formatCode(v.code)}`);
        return 0;
      } catch (err) {
        if (err instanceof DomainError && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT')) throw new UsageError(err.message);
        throw err;
      } finally {
        rt.close();
      }
    }
    case 'print': {
      const { values, positionals } = parse(args, { out: { type: 'string' }, layout: { type: 'string' }, lang: { type: 'string' } }, 1);
      const batchId = positionals[0];
      if (!batchId || !values.out) throw new UsageError('usage: portico vouchers print BATCH_ID --out sheet.html [--layout a4|letter|receipt58|receipt80]');
      const layout = (values.layout ?? 'a4') as SheetLayout;
      if (!LAYOUTS.includes(layout)) throw new UsageError(`--layout must be one of ${LAYOUTS.join(', ')}`);
      if (values.lang !== undefined && !(LANGS as readonly string[]).includes(values.lang)) throw new UsageError(`--lang must be one of ${LANGS.join(', ')}`);
      const rt = await open();
      try {
        const batch = rt.store.vouchers.getBatch(batchId);
        if (!batch) throw new UsageError(`no batch ${batchId}`);
        const html = await renderSheet({
          vouchers: rt.store.vouchers.batchVouchers(batchId), plan: batch.plan, portalUrl: rt.config.portalUrl,
          network: rt.config.network, layout, lang: (values.lang ?? rt.config.network.languages[0]) as 'en', price: batch.price,
        });
        writeFileSync(values.out, html);
        io.stdout(`wrote ${batch.count} voucher(s) to ${values.out}`);
        return 0;
      } finally {
        rt.close();
      }
    }
    default:
      throw new UsageError('usage: portico vouchers create|list|revoke|print …');
  }
}
