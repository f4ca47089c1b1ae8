/**
 * A typed code, from text to voucher, the same way for the portal (core/authority-local.ts, login.ts),
 * RADIUS Access-Requests and the UAM page's check (core/radius.ts): the check character catches a typo
 * before any lookup, and an unknown code is a counted guess (throttle), summarised in the audit log per
 * source prefix per window so that guessing cannot fill the disk (attack report D5).
 *
 * @example
 *   const code = parsedCode('k7qm-4xpa-9tr');
 *   const voucher = voucherByCode(ctx, code, { key: mac, prefix, mac, data: { ip } });
 */
import { constantTimeEqual, parseCode } from '../domain/code.js';
import { DomainError } from '../domain/errors.js';
import type { CoreContext } from './context.js';
import type { VoucherRow } from './ports/model.js';

/** The code as stored; a typo (check character) or a malformed code is refused without a lookup. */
export function parsedCode(code: unknown): string {
  const parsed = parseCode(code);
  if (parsed.ok) return parsed.code;
  throw parsed.reason === 'check'
    ? new DomainError('CODE_CHECK_FAILED', 'this code has a typo; check each character')
    : new DomainError('CODE_MALFORMED', 'a code has 11 letters and digits, like K7QM-4XPA-9TR');
}

/**
 * The voucher of a parsed code. An unknown one counts a failure against `key` and `prefix`, is noted
 * in the audit summary (actor: the device `mac`, with `data`), and is refused VOUCHER_UNKNOWN, with the
 * seconds to wait once the throttle locks.
 */
export function voucherByCode(
  ctx: Pick<CoreContext, 'store' | 'throttle' | 'auditSummary'>,
  code: string,
  who: { key: string; prefix: string; mac: string; data: Record<string, unknown> },
  /** The lookup, when the caller read several codes at once (a RADIUS batch); the store by default. */
  find: (code: string) => VoucherRow | undefined = (c) => ctx.store.vouchers.findByCode(c),
): VoucherRow {
  const voucher = find(code);
  if (voucher && constantTimeEqual(voucher.code, code)) return voucher;
  const t = ctx.throttle.fail(who.key, who.prefix);
  ctx.auditSummary.note(t.locked ? 'login.locked' : 'login.failed', who.prefix, { type: 'device', id: who.mac }, {
    ...who.data, failures: t.failures, retryAfter: t.retryAfter,
  });
  throw new DomainError('VOUCHER_UNKNOWN', 'this code does not exist', t.locked ? { retryAfter: t.retryAfter } : {});
}
