/**
 * What every use-case receives: the store, the gateway driver, the clock, the bus and the shared
 * in-memory pieces (usage ledger, guess and sign-in throttles, the refused-attempt audit summary,
 * per-voucher locks). Built once by createCore.
 */
import type { CommitGroup } from './commit-group.js';
import type { Config } from '../config/schema.js';
import type { RandomBytes } from '../domain/code.js';
import type { GatewayDriver } from './ports/driver.js';
import type { Clock } from '../lib/clock.js';
import type { IdFactory } from '../lib/ids.js';
import type { Logger } from '../lib/log.js';
import type { KeyedMutex } from '../lib/mutex.js';
import type { EntitlementAuthority } from './ports/authority.js';
import type { Store } from './ports/store.js';
import type { AuditSummary } from './audit-summary.js';
import type { EventBus } from './events.js';
import type { Ledger } from './ledger.js';
import type { Throttle } from './throttle.js';

export interface CoreDeps {
  config: Config;
  store: Store;
  driver: GatewayDriver;
  clock: Clock;
  log: Logger;
  randomBytes: RandomBytes;
  newId: IdFactory;
  /** The authority to use instead of the local ledger (issues 12 and 13 plug in here); given the context it serves. */
  createAuthority?: (ctx: CoreContext) => EntitlementAuthority;
}

export interface CoreContext extends CoreDeps {
  bus: EventBus;
  ledger: Ledger;
  throttle: Throttle;
  /** Operator sign-in, apart from `throttle` so operator failures never count against residents' limits. */
  signInThrottle: Throttle;
  auditSummary: AuditSummary;
  locks: KeyedMutex;
  /** Transactions of logins and logouts that come together share one COMMIT (core/commit-group.ts). */
  commits: CommitGroup;
  /** Who decides and records logins, usage and pool ends (core/ports/authority.ts); the local ledger by default. */
  authority: EntitlementAuthority;
  /**
   * Pools a first login is creating right now (under its voucher's lock, until its commit): nobody
   * else knows their ids yet, so no RADIUS session holds any of them (core/radius-reserve.ts asks
   * the store for the others).
   */
  creatingPools: Set<string>;
}

/** Who did something, for the audit log. */
export type Actor = { type: 'device'; id: string } | { type: 'operator'; id: string } | { type: 'system'; id?: null };
