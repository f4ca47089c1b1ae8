/**
 * The store port: what core asks of storage, one interface per table family, shaped by the use-cases
 * that call it. Core owns it; src/store (SQLite) implements it, and a second engine implements the same
 * methods. Every write that must be atomic runs inside `tx` (core wraps it in core/tx.ts, which adds the
 * audit-and-publish outbox and turns storage failures into STORAGE_FAILED).
 *
 * Synchronous on purpose: the embedded SQLite answers in microseconds and the intercept fast path,
 * metrics and the live views read it on every request. What must be able to wait on a remote ledger goes
 * through the async authority port (core/ports/authority.ts).
 */
import type { VoucherStatus } from '../../domain/entitlement.js';
import type {
  BatchRow, DeviceRow, EntitlementRow, EventRow, OperatorRow, OperatorSessionRow, PlanRow, RadiusSessionRow, VoucherFilter, VoucherRow,
} from './model.js';

export interface VoucherStore {
  insertBatch(batch: BatchRow, vouchers: Pick<VoucherRow, 'id' | 'code'>[]): void;
  codeExists(code: string): boolean;
  findByCode(code: string): VoucherRow | undefined;
  get(id: string): VoucherRow | undefined;
  /** Several by id / by code, in one statement per 500; unknown ones are left out. */
  getMany(ids: readonly string[]): VoucherRow[];
  findManyByCode(codes: readonly string[]): VoucherRow[];
  /** The codes redeemed into one pool (the first and its top-ups), first use first. */
  ofPool(entitlementId: string): VoucherRow[];
  /** By id, or by code with or without dashes. */
  resolve(idOrCode: string): VoucherRow | undefined;
  /**
   * Binds a voucher to its pool; `firstUse`: only if no pool holds it yet. Returns whether it changed a
   * row; with `orElse`, throws `orElse()` instead of returning false (the check may then be the
   * database's, the write pipelined: store/db.ts runChanging).
   */
  markRedeemed(id: string, entitlementId: string, status: VoucherStatus, at: number, opts?: { firstUse?: boolean; orElse?: () => Error }): boolean;
  setStatusForEntitlement(entitlementId: string, status: VoucherStatus): void;
  revoke(id: string, reason: string | null, at: number): void;
  /** Unused vouchers past their redeem-by date become expired; returns their ids. */
  expireUnredeemed(now: number): string[];
  list(f?: VoucherFilter): { total: number; items: (VoucherRow & { note: string | null; sellerId: string | null })[] };
  getBatch(id: string): BatchRow | undefined;
  batchVouchers(batchId: string): VoucherRow[];
  /** Whether any code of the batch was ever redeemed. */
  batchUsed(batchId: string): boolean;
  /** Deletes a batch and its codes (only ever for a batch never used); returns how many codes went. */
  deleteBatch(batchId: string): number;
  listBatches(opts?: { sellerId?: string; limit?: number }): BatchRow[];
  sales(opts?: { sellerId?: string; since?: number }): { day: string; sellerId: string | null; seller: string | null; vouchers: number; amount: number }[];
  countByStatus(): Record<VoucherStatus, number>;
  listPlans(): PlanRow[];
  findPlan(name: string): PlanRow | undefined;
  upsertPlan(p: PlanRow): void;
  archivePlan(name: string): boolean;
}

export interface EntitlementStore {
  insert(e: EntitlementRow): void;
  get(id: string): EntitlementRow | undefined;
  /** Several by id (unknown ids left out, order not kept): one query instead of one per pool. */
  getMany(ids: readonly string[]): EntitlementRow[];
  /** Writes the mutable fields (status, expiry, allowance, usage, period). */
  update(e: EntitlementRow): void;
  /** Pools that may have devices online or need time-based transitions. */
  listLive(): EntitlementRow[];
  /** Live pools whose stored expiry, data or reset plan may make a transition due at `now`. */
  listDue(now: number, slackBytes: number): EntitlementRow[];
  /**
   * Adds the device as active, unless its MAC already has an active row (another instance logged it in
   * since this one looked: SPEC §11): then nothing is written and the answer is false.
   */
  /** Attaches a device unless its MAC is active elsewhere; returns whether it did, or with `orElse` throws `orElse()` instead. */
  insertDevice(d: DeviceRow, orElse?: () => Error): boolean;
  updateDeviceAddress(id: string, ip: string, site: string | null, at: number): void;
  endDevice(id: string, reason: string, at: number): void;
  activeDeviceByMac(mac: string): DeviceRow | undefined;
  /** The same reading sent now and taken later: what is read after it shares its round trip on PostgreSQL. */
  activeDeviceByMacLater(mac: string): () => DeviceRow | undefined;
  isActiveIp(ip: string): boolean;
  /** The active device using this address, if any (the newest, should two rows share it). */
  activeDeviceByIp(ip: string): DeviceRow | undefined;
  getDevice(id: string): DeviceRow | undefined;
  activeDevices(entitlementId: string): DeviceRow[];
  allActiveDevices(): DeviceRow[];
  addUsage(entitlementId: string, bytes: number, at: number): void;
  addDeviceUsage(id: string, up: number, down: number, counterUp: number, counterDown: number, at: number): void;
  addDaily(day: string, entitlementId: string, up: number, down: number): void;
  /**
   * The usage flush (core/ledger.ts) in a few statements instead of three per device: each device's
   * bytes and counter baselines, each pool's bytes and its day's totals. Call inside one transaction.
   */
  addUsageBatch(u: UsageBatch): void;
  trafficOn(day: string): { up: number; down: number };
}

/** What one usage flush writes: per device (bytes added, the driver's counters now) and per pool. */
export interface UsageBatch {
  day: string;
  at: number;
  devices: Array<{ id: string; up: number; down: number; counterUp: number; counterDown: number }>;
  pools: Array<{ id: string; up: number; down: number }>;
}

export interface OperatorStore {
  count(): number;
  insert(o: OperatorRow): void;
  findByName(name: string): OperatorRow | undefined;
  get(id: string): OperatorRow | undefined;
  list(): OperatorRow[];
  update(o: Pick<OperatorRow, 'id' | 'role' | 'passwordHash' | 'disabled'>): void;
  insertSession(s: OperatorSessionRow): void;
  findSession(tokenHash: string): OperatorSessionRow | undefined;
  deleteSession(tokenHash: string): void;
  deleteSessionsOf(operatorId: string): void;
  pruneSessions(now: number): void;
}

export interface EventStore {
  /** Writes the rows (one statement per 50) and returns their ids, in the rows' order. */
  appendMany(rows: readonly EventRow[]): number[];
  /** The same, with the ids given by the function returned, after the transaction committed (PostgreSQL sends the rows with the COMMIT). */
  appendManyLater(rows: readonly EventRow[]): () => number[];
  /** Deletes at most `limit` of the oldest rows older than `before` or beyond the newest `keep`. */
  prune(before: number, keep: number, limit: number): number;
  list(f?: { type?: string; subject?: string; actorId?: string; before?: number; limit?: number }): EventRow[];
}

export interface SettingsStore {
  all(): Record<string, unknown>;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

export interface RadiusSessionStore {
  insert(s: RadiusSessionRow): void;
  get(id: string): RadiusSessionRow | undefined;
  byAcctSession(nas: string, acctSessionId: string): RadiusSessionRow | undefined;
  livePoolSessions(entitlementId: string, since: number): RadiusSessionRow[];
  updateCounters(id: string, inOctets: number, outOctets: number, at: number, acctSessionId: string | null, ip: string | null): void;
  setSlice(id: string, sliceBytes: number | null, sliceBase: number, at: number): void;
  activeOfPool(entitlementId: string): RadiusSessionRow[];
  latestForMac(mac: string): RadiusSessionRow | undefined;
  end(id: string, reason: string, at: number): boolean;
  /** A Start re-opening a session its NAS stopped: a new accounting epoch from the current counters. */
  resume(id: string, at: number): boolean;
  endAllOfNas(nas: string, reason: string, at: number): number;
  listActive(): RadiusSessionRow[];
}

/** Whether writes reach the disk (/healthz). */
export interface StorageState {
  ok: boolean;
  /** Why the last write failed, e.g. "the disk is full"; null while ok. */
  reason: string | null;
  /** When writes started failing (ms); null while ok. */
  since: number | null;
}

export interface Store {
  vouchers: VoucherStore;
  entitlements: EntitlementStore;
  operators: OperatorStore;
  events: EventStore;
  settings: SettingsStore;
  radiusSessions: RadiusSessionStore;
  /** Runs `fn` atomically: every write in it lands, or none does. */
  tx<T>(fn: () => T): T;
  /**
   * Runs `fn` (its transactions) with COMMIT not waiting for the disk; `synced` resolves once all of it
   * is on disk, and nothing of it may be acknowledged before. For the hot paths' group commits
   * (core/commit-group.ts): the flush then waits off the event loop. Absent where a store cannot.
   */
  syncLater?<T>(fn: () => T): { value: T; synced: Promise<void> };
  health: { state(): StorageState; failed(err: unknown): void };
  /** Why an error is the storage's fault ("the disk is full"), or null when it is not a storage error. */
  storageFailure(err: unknown): string | null;
  /** A consistent online copy to `file`. */
  backup(file: string): Promise<void>;
  close(): void;
}
