/**
 * Ids in words for the operator console (newcomer report, Confusing: "Operators see raw ids instead of
 * names"). An audit row names things by id (`op_…`, `vch_…`, `ent_…`, `dev_…`, `bat_…`); a shopkeeper
 * reads names, codes and MACs. `describeEvents` resolves them here, server-side, so the console (and the
 * live `operator/events` topic) gets the words with the row and only has to pick the sentence for the
 * event type in the operator's language (portal-ui/admin/views/audit-words.js).
 *
 * Each row costs at most a few primary-key reads, memoised per call, so a page of 100 rows that all
 * name the same pool or operator reads it once.
 *
 * @example
 *   describeEvents(ctx, store.events.list({ limit: 100 }));
 *   // [{ type: 'voucher.redeemed', …, words: { actor: '02:00:00:aa:bb:cc', code: 'K7QM-4XPA-9TR', voucherId: 'vch_…', target: null, facts: { ip: '10.0.0.7' } } }]
 */
import type { AuditEvent, AuditWords } from '../api/contract.js';
import { formatCode } from '../domain/code.js';
import type { CoreContext } from './context.js';
import type { EventRow, VoucherRow } from './ports/model.js';

/** The data fields worth a word in a sentence; everything else (ids, plan JSON, timestamps) stays out. */
const FACTS = ['ip', 'mac', 'reason', 'count', 'nas', 'role', 'name', 'closed', 'devices', 'failures', 'retryAfter', 'bucket', 'note', 'planName', 'price', 'terminateCause', 'added'] as const;

/** Every event type the audit log holds, for the console's filter (by name, in its language). */
export const AUDIT_TYPES = [
  'voucher.redeemed', 'voucher.revoked', 'voucher.expired', 'device.attached', 'device.detached',
  'entitlement.exhausted', 'entitlement.expired', 'entitlement.revoked', 'entitlement.reset', 'entitlement.extended',
  'login.failed', 'login.locked', 'operator.login_failed', 'batch.created', 'batch.deleted', 'plan.saved', 'plan.archived',
  'operator.added', 'operator.updated', 'operator.login', 'operator.logout', 'operator.password_changed', 'operator.password_reset',
  'settings.saved', 'radius.nas_reset',
] as const;

export function describeEvents(ctx: Pick<CoreContext, 'store'>, rows: readonly EventRow[]): AuditEvent[] {
  const { store } = ctx;
  const memo = new Map<string, unknown>();
  const once = <T>(key: string, read: () => T): T => {
    if (!memo.has(key)) memo.set(key, read());
    return memo.get(key) as T;
  };
  const operatorName = (id: string) => once(`op:${id}`, () => store.operators.get(id)?.name ?? null);
  const voucher = (id: string) => once<VoucherRow | null>(`v:${id}`, () => store.vouchers.get(id) ?? null);
  const poolVoucher = (entitlementId: string) =>
    once<VoucherRow | null>(`e:${entitlementId}`, () => {
      const e = store.entitlements.get(entitlementId);
      return e ? voucher(e.voucherId) : null;
    });
  const deviceMac = (id: string) => once(`d:${id}`, () => store.entitlements.getDevice(id)?.mac ?? null);
  const batchWords = (id: string) =>
    once(`b:${id}`, () => {
      const b = store.vouchers.getBatch(id);
      return b ? (b.note ?? b.planName ?? null) : null;
    });

  return rows.map((row) => {
    const data = (row.data && typeof row.data === 'object' ? row.data : {}) as Record<string, unknown>;
    const facts: Record<string, string | number> = {};
    for (const k of FACTS) {
      const v = data[k];
      if (typeof v === 'string' || typeof v === 'number') facts[k] = v;
    }
    if (Array.isArray(data.closed)) facts.closed = data.closed.length;
    // A summary row (many refused attempts in one window) counts them; its last sample has the address.
    if (data.summary === true && data.last && typeof data.last === 'object') {
      const last = data.last as Record<string, unknown>;
      if (typeof last.ip === 'string') facts.ip = last.ip;
    }
    if (typeof data.deviceId === 'string') {
      const mac = deviceMac(data.deviceId);
      if (mac) facts.mac = mac;
    }
    if (data.topUp === true) facts.topUp = 1;
    if (row.type === 'settings.saved') facts.keys = Object.keys(data).join(', ');
    if (row.type === 'operator.updated') facts.state = data.disabled === true ? 'disabled' : 'active';

    // An operator no longer in the table reads as "someone" in the console, never as an id.
    const actor = row.actorType === 'operator' && row.actorId ? operatorName(row.actorId) : row.actorType === 'device' ? row.actorId : null;
    let v: VoucherRow | null = null;
    let target: string | null = null;
    const subject = row.subject;
    if (subject) {
      if (row.type.startsWith('voucher.')) v = voucher(subject);
      else if (row.type.startsWith('device.') || row.type.startsWith('entitlement.')) v = poolVoucher(subject);
      else if (row.type.startsWith('operator.')) target = operatorName(subject) ?? (typeof data.name === 'string' ? data.name : null);
      else if (row.type.startsWith('batch.')) target = (typeof data.note === 'string' && data.note) || batchWords(subject) || (typeof data.planName === 'string' ? data.planName : null);
      else if (row.type.startsWith('plan.')) target = subject;
    }
    if (!v && typeof data.entitlementId === 'string') v = poolVoucher(data.entitlementId);
    const words: AuditWords = { actor, code: v ? formatCode(v.code) : null, voucherId: v?.id ?? null, target, facts };
    return { ...row, words };
  });
}
