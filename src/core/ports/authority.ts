/**
 * The authority port: who may enter, how much is left, where usage is recorded. Cut where a login
 * already splits decide / enforce / record (core/login.ts): the authority decides (`find`, `redeem`),
 * the gateway driver enforces, the authority records (`commit`, or `abort` when the gateway failed);
 * usage and the end of a pool go to it too. Async because an authority may be remote (a central RADIUS
 * server, issue 12; a shared PostgreSQL ledger, issue 13); `async` stops at the use-cases, and the
 * synchronous readers (intercept, status, live views) read the local store plus the in-memory usage
 * buffer (core/ledger.ts), the projection of live pools.
 *
 * The first implementation is the local ledger over the store (core/authority-local.ts).
 */
import type { EntitlementStatus } from '../../domain/entitlement.js';
import type { ClientInfo, PoolLimits } from './driver.js';
import type { Actor } from '../context.js';
import type { DeviceRow, EntitlementRow, VoucherRow } from './model.js';

/** A decided login: what the gateway must enforce, and what `commit` will record. */
export interface Redemption {
  voucherId: string;
  poolId: string;
  firstUse: boolean;
  /** The pool's limits now, for the gateway (with pending usage folded in). */
  limits: PoolLimits;
  /** The device this login is: the row it already has in the pool, or a new id. */
  deviceId: string;
  /** The device is already in this pool (a re-login from the same MAC). */
  present: boolean;
  /** Whether the pool has no device on the gateway yet (the gateway needs the pool first). */
  poolIsNew: boolean;
  /** At the device limit with "replace": the device that leaves. */
  evicted: DeviceRow | undefined;
  /** The same MAC on another pool: it leaves that pool. */
  elsewhere: DeviceRow | undefined;
  /**
   * A first use, from an authority that keeps the pool in the local store: the pool as the commit will
   * write it and its code, so the caller's status after the commit is known without reading it back
   * (three round trips on PostgreSQL).
   */
  made?: { pool: EntitlementRow; code: string };
}

export interface EntitlementAuthority {
  /**
   * The voucher behind a parsed code, for the locks a login takes (its id, and its pool's when it has
   * one); an unknown code is counted against the caller (throttle, audit) and refused. `typed` is the
   * code as the resident typed it (a remote authority may be configured to send that instead).
   * `voucher`: the row as the lookup read it, when the authority keeps vouchers in the local store;
   * `macDevice`: the caller's active device as read together with it (one round trip on PostgreSQL).
   */
  find(code: string, client: ClientInfo, typed?: unknown): Promise<{ voucherId: string; poolId: string | null; voucher?: VoucherRow; macDevice?: () => DeviceRow | undefined }>;
  /**
   * Decides a login under the voucher's and pool's locks; throws the refusal. Writes nothing. `voucher`:
   * its row as the caller read it under those locks just now, when it did (no need to read it again);
   * `macDevice`, with it: the caller's active device read at the same moment (find's).
   */
  redeem(r: { voucherId: string; client: ClientInfo; replace: boolean; now: number; voucher?: VoucherRow; macDevice?: () => DeviceRow | undefined }): Promise<Redemption>;
  /** Records a login the gateway let through: durable before it resolves. */
  commit(r: Redemption, client: ClientInfo, now: number): Promise<void>;
  /** Forgets a decided login the gateway could not enforce (nothing was recorded). */
  abort(r: Redemption): Promise<void>;
  /** Writes the usage counted since the last call (the accounting sweep calls it once per interval). */
  recordUsage(now: number): Promise<void>;
  /** Ends a pool (expired, exhausted, revoked) and its devices; returns the devices that left. Caller holds the pool's lock. */
  end(poolId: string, status: EntitlementStatus, reason: string, actor: Actor): Promise<DeviceRow[]>;
}
