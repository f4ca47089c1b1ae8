/**
 * `portico vouchers create|list|revoke|print`: the operator's command line. Every argument is checked
 * before anything is written; a bad one exits 2 with a one-line reason.
 */
import { writeFileSync } from 'node:fs';
import { formatCode, parseCode } from '../domain/code.js';
import type { VoucherStatus } from '../domain/entitlement.js';
import { DomainError } from '../domain/errors.js';
import type { PlanInput } from '../api/contract.js';
import { planFromInput } from '../core/plan-input.js';
import { describePlan, LANGS } from '../domain/plan-words.js';
import { LAYOUTS, renderSheet, type SheetLayout } from '../print/sheet.js';
import type { Runtime } from '../runtime.js';
import { intArg, parse, UsageError } from './args.js';
import type { CliIo } from './io.js';

const STATUSES: VoucherStatus[] = ['unused', 'active', 'exhausted', 'expired', 'revoked'];
const CLI_ACTOR = { type: 'operator' as const, id: 'cli' };

/** The CLI's option for each field the shared plan parser (core/plan-input.ts) names. */
const OPTION: Record<string, string> = { redeemBy: 'redeem-by', onExhausted: 'on-exhausted' };

export function parseCreate(args: string[]) {
  const { values } = parse(args, {
    count: { type: 'string' }, plan: { type: 'string' }, duration: { type: 'string' }, data: { type: 'string' },
    down: { type: 'string' }, up: { type: 'string' }, devices: { type: 'string' }, 'redeem-by': { type: 'string' },
    reset: { type: 'string' }, 'on-exhausted': { type: 'string' }, note: { type: 'string' }, price: { type: 'string' },
    json: { type: 'boolean' },
  });
  const count = intArg(values.count, 'count', 1, 10_000);
  if (count === undefined) throw new UsageError('--count is required');
  let parsed;
  try {
    parsed = planFromInput({
      duration: values.duration, data: values.data, down: values.down, up: values.up, redeemBy: values['redeem-by'],
      reset: values.reset as PlanInput['reset'], onExhausted: values['on-exhausted'] as PlanInput['onExhausted'],
      devices: intArg(values.devices, 'devices', 1, 64), price: values.price,
    });
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const field = typeof err.details.field === 'string' ? err.details.field : '';
    throw new UsageError(`--${OPTION[field] ?? field}: ${err.message}`);
  }
  const { plan, price } = parsed;
  if (!values.plan && plan.durationSec === undefined && plan.dataBytes === undefined) {
    throw new UsageError('give --plan NAME, or at least --duration or --data');
  }
  return {
    count, planName: values.plan, plan, note: values.note ?? null,
    price: price ?? undefined, json: values.json ?? false,
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
        // The console's Settings win over the config file here too: network name, SSID, Wi-Fi password, currency.
        const settings = rt.core.admin.settings();
        // Like the console's sheets: a revoked code is not printed, and the sheet says how many were left out.
        const all = rt.store.vouchers.batchVouchers(batchId);
        const kept = all.filter((v) => v.status !== 'revoked');
        const leftOut = all.length - kept.length;
        const html = await renderSheet({
          vouchers: kept, plan: batch.plan, portalUrl: rt.config.portalUrl,
          network: { name: settings.networkName, ssid: settings.ssid, wifiPassword: settings.wifiPassword },
          layout, lang: (values.lang ?? rt.config.network.languages[0]) as 'en', price: batch.price, currency: settings.currency, leftOut,
        });
        writeFileSync(values.out, html);
        io.stdout(`wrote ${kept.length} voucher(s) to ${values.out}${leftOut ? ` (${leftOut} revoked code${leftOut === 1 ? '' : 's'} left out)` : ''}`);
        return 0;
      } finally {
        rt.close();
      }
    }
    default:
      throw new UsageError('usage: portico vouchers create|list|revoke|print …');
  }
}
