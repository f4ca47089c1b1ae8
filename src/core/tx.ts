/**
 * The transaction handle with an outbox (PocketBase's RunInTransaction + afterFuncs): every state
 * transition runs in `transact(ctx, what, (t) => …)`, where `t.record(entry, event)` writes the audit
 * row inside the transaction and queues the bus event for after the commit. So a transition is written
 * once, an event never leaves for something that rolled back, and an audit row never lacks its event.
 * Every recorded row is also published as `audit.recorded`, so the live operator feed never re-reads the table.
 *
 * A storage failure (full disk, I/O error, locked database, RAM journal short of flash) becomes
 * DomainError STORAGE_FAILED ("could not save <what>; nothing was changed") here, in one place for every
 * use-case, with the store's reason in the message and the cause kept for the log. A DomainError thrown
 * by `fn` rolls the transaction back and passes through unchanged; anything else is a bug and stays one.
 *
 * @example
 *   transact(ctx, 'the revoke', (t) => {
 *     ctx.store.vouchers.revoke(v.id, reason, now);
 *     t.record({ type: 'voucher.revoked', actor, subject: v.id, data: { reason } },
 *              ['voucher.revoked', { voucherId: v.id, entitlementId: null, reason, operatorId }]);
 *   });
 */
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Actor, CoreContext } from './context.js';
import type { AuditRecord, EventName, PorticoEvents } from './events.js';

/** One audit row: what happened, who did it, to what, with which details. */
export interface AuditEntry {
  type: string;
  actor: Actor;
  subject: string | null;
  data?: Record<string, unknown> | null;
}

/** A bus event as a [name, payload] pair, type-checked against PorticoEvents. */
export type Publish = { [K in EventName]: [K, PorticoEvents[K]] }[EventName];

export interface Tx {
  /** Writes the audit row in the transaction (with the transaction's others, before COMMIT) and, when given, publishes the event after the commit. */
  record(entry: AuditEntry, event?: Publish): void;
  /** Publishes an event after the commit without an audit row of its own. */
  publish(event: Publish): void;
}

type Ctx = Pick<CoreContext, 'store' | 'bus' | 'clock' | 'log'>;

/**
 * The outboxes of the transactions running now, per store: a transact inside another (a savepoint:
 * the RADIUS group commit runs each grant in one) hands its events to the outer one, so nothing is
 * published before the outermost COMMIT; a savepoint that rolled back hands over nothing.
 */
const running = new WeakMap<object, Publish[][]>();

/**
 * The audit rows of the transacts running now, per store, handed outwards the same way and written
 * together by the outermost, just before its COMMIT: one statement for a login's two or three rows, and
 * for a whole RADIUS batch's, instead of one each (a round trip each on PostgreSQL). Their ids are
 * filled in then, before any `audit.recorded` goes out.
 */
const pendingRows = new WeakMap<object, AuditRecord[][]>();

export function transact<T>(ctx: Ctx, what: string, fn: (t: Tx) => T): T {
  const outbox: Publish[] = [];
  const rows: AuditRecord[] = [];
  const t: Tx = {
    record(entry, event) {
      const row: AuditRecord = { at: ctx.clock.now(), type: entry.type, actorType: entry.actor.type, actorId: entry.actor.id ?? null, subject: entry.subject, data: entry.data ?? null, id: 0 };
      rows.push(row);
      if (event) outbox.push(event);
      outbox.push(['audit.recorded', row]);
    },
    publish(event) {
      outbox.push(event);
    },
  };
  const stack = running.get(ctx.store) ?? [];
  running.set(ctx.store, stack);
  const rowStack = pendingRows.get(ctx.store) ?? [];
  pendingRows.set(ctx.store, rowStack);
  const outermost = rowStack.length === 0;
  let result: T;
  let ids: (() => number[]) | null = null;
  stack.push(outbox);
  rowStack.push(rows);
  try {
    result = ctx.store.tx(() => {
      outbox.length = 0; // a retried closure starts with an empty outbox
      rows.length = 0;
      const value = fn(t);
      // Written last, their ids read once committed (PostgreSQL sends them with the COMMIT).
      ids = outermost && rows.length ? ctx.store.events.appendManyLater(rows.map(({ id: _, ...row }) => row)) : null;
      return value;
    });
    const got = (ids as (() => number[]) | null)?.();
    if (got) rows.forEach((r, i) => (r.id = got[i]!));
  } catch (err) {
    throw asStorageFailure(ctx, what, err);
  } finally {
    stack.pop();
    rowStack.pop();
  }
  const outer = stack[stack.length - 1];
  if (!outermost) rowStack[rowStack.length - 1]!.push(...rows);
  if (outer) outer.push(...outbox);
  else for (const [name, payload] of outbox) ctx.bus.emit(name, payload as never);
  return result;
}

/**
 * Runs `fn` (transactions) holding back the events their commits would publish; `publish()` sends
 * them, in commit order. For commits acknowledged only once they are on disk (core/commit-group.ts):
 * no event goes out about something a power cut could still take back.
 */
export function holdEvents<T>(ctx: Ctx, fn: () => T): { value: T; publish(): void } {
  const held: Publish[] = [];
  const stack = running.get(ctx.store) ?? [];
  running.set(ctx.store, stack);
  stack.push(held);
  let value: T;
  try {
    value = fn();
  } finally {
    stack.pop();
  }
  return {
    value,
    publish() {
      for (const [name, payload] of held) ctx.bus.emit(name, payload as never);
    },
  };
}

/**
 * Runs `fn` (its transactions commit before this returns) and resolves with its value once all of it
 * is on disk; only then do its events go out. Where the store can (store.syncLater) the flush waits in
 * the thread pool instead of inside COMMIT on the event loop; otherwise COMMIT itself waited. A flush
 * that fails is a storage failure, and nobody is told the change happened. For the group commits
 * (core/commit-group.ts, core/radius-batch.ts): `fn` throwing means nothing was committed.
 */
export function commitDurably<T>(ctx: Ctx, what: string, fn: () => T): Promise<T> {
  const later = ctx.store.syncLater;
  if (!later) return Promise.resolve(fn());
  const held = holdEvents(ctx, () => later(fn));
  return held.value.synced.then(
    () => {
      held.publish();
      return held.value.value;
    },
    (err: unknown) => {
      throw asStorageFailure(ctx, what, err);
    },
  );
}

/** What one task of `transactEach` came to. */
export type TaskOutcome<T> = { ok: true; value: T } | { ok: false; err: unknown };

/**
 * Group commit: runs every task in ONE transaction (one COMMIT, one fsync), in order. A task that
 * transacts runs as a savepoint, so a DomainError (a refusal, or its own storage failure) rolls back
 * only that task and is its outcome; anything else (a serialization failure on PostgreSQL, on which
 * the store retries the whole transaction, or a bug) ends the transaction and is thrown, as is a
 * failed COMMIT: then nothing of the group is stored. Used by the RADIUS batch and the portal's
 * commit group. `begin` runs inside the transaction before the tasks, on every attempt.
 */
export function transactEach<T>(ctx: Ctx, what: string, tasks: Array<() => T>, begin?: () => void): Array<TaskOutcome<T>> {
  let out: Array<TaskOutcome<T>> = [];
  transact(ctx, what, () => {
    out = [];
    begin?.(); // at the start of every attempt (PostgreSQL runs a transaction again after a conflict)
    for (const task of tasks) {
      try {
        out.push({ ok: true, value: task() });
      } catch (err) {
        if (!isDomainError(err)) throw err;
        out.push({ ok: false, err });
      }
    }
  });
  return out;
}

/**
 * `err` as the error to throw: a storage failure becomes STORAGE_FAILED (the store's health is told, so
 * /healthz answers 503 until a write succeeds); DomainErrors and bugs are returned unchanged.
 */
export function asStorageFailure(ctx: Pick<CoreContext, 'store' | 'log'>, what: string, err: unknown): unknown {
  if (isDomainError(err)) return err;
  const reason = ctx.store.storageFailure(err);
  if (!reason) return err;
  ctx.store.health.failed(err);
  ctx.log.warn('store', `could not save ${what}: ${reason}`, { err: err instanceof Error ? err.message : String(err) });
  return new DomainError('STORAGE_FAILED', `could not save ${what} (${reason}); nothing was changed`, { reason }, { cause: err });
}

/** One audit row on its own (a refused guess's summary, a failed sign-in), with the same failure rule. */
export function auditAlone(ctx: Ctx, entry: AuditEntry): void {
  transact(ctx, 'the audit log', (t) => t.record(entry));
}
