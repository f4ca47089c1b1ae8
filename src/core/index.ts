/**
 * createCore: wires the use-cases to one context (store, driver, clock, bus, ledger, throttles, audit
 * summary, locks). Nothing happens until `start()`: it reconciles the gateway and starts the accounting
 * and housekeeping timers.
 *
 * @example
 *   const core = createCore({ config, store, driver, clock, log, randomBytes, newId });
 *   await core.start();
 *   await core.login({ ip, code });
 */
import { keyedMutex } from '../lib/mutex.js';
import { localAuthority } from './authority-local.js';
import type { EntitlementAuthority } from './ports/authority.js';
import { createAccounting } from './accounting.js';
import { createAdmin } from './admin.js';
import { createAuditSummary } from './audit-summary.js';
import type { Actor, CoreContext, CoreDeps } from './context.js';
import { EventBus } from './events.js';
import { createHousekeeping } from './housekeeping.js';
import { createLedger } from './ledger.js';
import { createMetrics } from './metrics.js';
import { login, topUp, type LoginInput } from './login.js';
import { addOperator, bootstrapAdmin, loginOperator, logoutOperator, operatorForToken, resetOperatorPassword, sessionOperator } from './operators.js';
import { deviceStatus, logout, poolView } from './session.js';
import { applyBypass, applyWalledGarden } from './pool.js';
import { asStorageFailure, transact } from './tx.js';
import { localDay } from './ledger.js';
import { normalizeIp } from '../lib/net.js';
import { authorizeRadius, authorizeRadiusMac, checkRadiusCode, type RadiusAuthorizeInput } from './radius.js';
import { recordRadiusAccounting, type RadiusAccountingInput } from './radius-accounting.js';
import { createRadiusBatcher } from './radius-batch.js';
import { createCommitGroup, type CommitGroup } from './commit-group.js';
import { createOnlineCache } from './online-cache.js';
import { closeRadiusSession, liveRadiusSessions, radiusSessionsOfPool } from './radius-sessions.js';
import { regrantRadiusSession, restoreRadiusSlice, type Regrant } from './radius-topup.js';
import { radiusHeldBytes, withRadiusReservations } from './radius-reserve.js';
import type { SliceRule } from './radius.js';
import { createThrottle } from './throttle.js';
import { createBatch, revokeVoucher, savePlan, type BatchInput } from './vouchers.js';
import type { ClientHint } from './ports/driver.js';
import type { Plan } from '../domain/plan.js';
import type { Role } from './ports/model.js';

/** Refused attempts are summarised per source prefix per 10 minutes (core/audit-summary.ts). */
const AUDIT_WINDOW_MS = 10 * 60_000;

export function createCore(deps: CoreDeps) {
  const creatingPools = new Set<string>();
  const ctx: CoreContext = {
    ...deps,
    // The local gateway gets what live RADIUS slices do not hold (core/radius-reserve.ts).
    driver: withRadiusReservations(deps.driver, (poolId) => (creatingPools.has(poolId) ? 0 : radiusHeldBytes(deps, poolId))),
    creatingPools,
    bus: new EventBus(deps.log),
    ledger: createLedger(deps.store, deps.clock),
    throttle: createThrottle({ clock: deps.clock, ...deps.config.security }),
    signInThrottle: createThrottle({ clock: deps.clock, ...deps.config.security, message: 'too many sign-in attempts; wait before trying again' }),
    // The writer runs only after createCore returns, when `ctx` is complete.
    auditSummary: createAuditSummary({
      clock: deps.clock,
      windowMs: AUDIT_WINDOW_MS,
      maxBuckets: 256,
      write: (rows) => {
        transact(ctx, 'the refused-attempt summaries', (t) => rows.forEach((r) => t.record({ type: r.type, actor: r.actor, subject: null, data: r.data })));
      },
      onError: (err, rows) => deps.log.warn('audit/summary', 'could not write refused-attempt summaries; dropped', { rows, err: err instanceof Error ? err.message : String(err) }),
    }),
    locks: keyedMutex(),
    // Set just below: it works over the context it belongs to.
    commits: undefined as unknown as CommitGroup,
    // Set just below: the local authority works over the context it belongs to.
    authority: undefined as unknown as EntitlementAuthority,
  };
  ctx.commits = createCommitGroup(ctx);
  ctx.authority = deps.createAuthority ? deps.createAuthority(ctx) : localAuthority(ctx);
  const housekeeping = createHousekeeping(ctx);
  const metrics = createMetrics(ctx.bus);
  const online = createOnlineCache(ctx);
  const accounting = createAccounting(ctx);
  const admin = createAdmin(ctx, { gatewayOk: accounting.gatewayOk });
  return {
    bus: ctx.bus,
    clock: ctx.clock,
    /** Whether an address belongs to a device that is logged in (the intercept fast path: from memory, core/online-cache.ts). */
    isOnline: (ip: string) => online.isOnline(normalizeIp(ip)),
    /** The gateway's and the storage's health (/healthz, /metrics). */
    health: () => ({ gateway: ctx.driver.health(), storage: ctx.store.health.state() }),
    /** Stored traffic for the local day, and the devices online now (/metrics). */
    trafficToday: () => ({ ...ctx.store.entitlements.trafficOn(localDay(ctx.clock.now())), devicesOnline: ctx.store.entitlements.allActiveDevices().length }),
    /**
     * The operator of a session (by token hash) while it is signed in, not expired and not disabled, else
     * null: the WebSocket hub re-checks its operators with it on every heartbeat.
     */
    sessionOperator: (tokenHash: string) => sessionOperator(ctx, tokenHash),
    /**
     * An error that escaped a use-case, as the error to answer with: a storage failure becomes
     * STORAGE_FAILED (and /healthz turns 503) the same way core/tx.ts does it inside transactions.
     */
    asStorageFailure: (err: unknown) => asStorageFailure(ctx, 'the change', err),
    /** Pending usage (core/ledger.ts): tests and shutdown flush it. */
    usage: {
      pending: () => ctx.ledger.pendingCount(),
      flush: () => ctx.ledger.flush(ctx.clock.now()),
      due: () => ctx.ledger.due(ctx.clock.now(), ctx.config.accounting.intervalMs),
    },
    /** Guess-throttle table sizes (the heap tests bound them). */
    throttleStats: () => ctx.throttle.stats(),
    accounting,
    /** Operator console use-cases (src/core/admin.ts). */
    admin,
    /** Audit summaries and retention (src/core/housekeeping.ts); tests call `housekeeping.run()`. */
    housekeeping,
    /** Reconciles the gateway with the database, hands it the walled garden, starts accounting. */
    /** Counters for GET /metrics since start (core/metrics.ts). */
    metrics: { snapshot: () => metrics.snapshot() },
    start: async (opts?: { timer?: boolean }) => {
      metrics.start();
      online.start();
      await accounting.start(opts);
      const saved = admin.settings();
      await applyWalledGarden(ctx, saved.walledGarden);
      await applyBypass(ctx, saved.bypass);
      if (opts?.timer !== false) housekeeping.start();
    },
    stop: async () => {
      metrics.close();
      online.stop();
      await accounting.stop();
      await housekeeping.stop();
    },
    login: (input: LoginInput) => login(ctx, input),
    /** The RADIUS server's use-cases (src/core/radius.ts, radius-accounting.ts): no gateway driver involved. */
    radius: {
      authorize: (input: RadiusAuthorizeInput) => authorizeRadius(ctx, input),
      /** MAC authentication of a device already on an active pool. */
      authorizeMac: (input: RadiusAuthorizeInput) => authorizeRadiusMac(ctx, input),
      /** The same use-cases with group commit for a busy RADIUS listener (core/radius-batch.ts). */
      batcher: (opts?: { maxBatch?: number }) => createRadiusBatcher(ctx, opts),
      /** Whether a MAC is on the bypass list (Settings, gateway.bypass): the RADIUS server accepts its MAC authentication. */
      isBypassed: (mac: string) => admin.settings().bypass.includes(mac),
      /** The code's form and the throttle, before a UAM page hands the code to its NAS (no redemption). */
      checkCode: (input: RadiusAuthorizeInput) => checkRadiusCode(ctx, input),
      accounting: (input: RadiusAccountingInput) => recordRadiusAccounting(ctx, input),
      /** Live sessions of a pool (Disconnect targets) and closing one the NAS confirmed gone. */
      sessionsOfPool: (entitlementId: string) => radiusSessionsOfPool(ctx, entitlementId),
      closeSession: (sessionId: string, reason: string, actor?: Actor) => closeRadiusSession(ctx, sessionId, reason, actor),
      /** Every live session for the console: NAS, MAC, IP, code, usage, what is left. */
      liveSessions: () => liveRadiusSessions(ctx),
      session: (sessionId: string) => ctx.store.radiusSessions.get(sessionId),
      /** A top-up's new grant for a live session, reserved before its CoA, and the NAK undo (radius-topup.ts). */
      regrant: (sessionId: string, opts: { slice: SliceRule | null; interimSec: number }) => regrantRadiusSession(ctx, sessionId, opts),
      restoreSlice: (sessionId: string, before: Regrant['before'], granted: number | null) => restoreRadiusSlice(ctx, sessionId, before, granted),
    },
    topUp: (input: { ip: string; code: unknown; hint?: ClientHint }) => topUp(ctx, input),
    logout: (input: { ip: string; all?: boolean; deviceId?: string; hint?: ClientHint }) => logout(ctx, input),
    deviceStatus: (ip: string, hint?: ClientHint) => deviceStatus(ctx, ip, hint),
    poolView: (entitlementId: string) => poolView(ctx, entitlementId, null),
    createBatch: (input: BatchInput, actor: Actor) => createBatch(ctx, input, actor),
    revokeVoucher: (idOrCode: string, reason: string | null, actor: Actor) => revokeVoucher(ctx, idOrCode, reason, actor),
    savePlan: (name: string, plan: Partial<Plan>, price: number | null, actor: Actor) => savePlan(ctx, name, plan, price, actor),
    addOperator: (input: { name: string; role: Role; password: string }, actor: Actor) => addOperator(ctx, input, actor),
    bootstrapAdmin: () => bootstrapAdmin(ctx),
    resetOperatorPassword: (name: string, password: string, actor: Actor) => resetOperatorPassword(ctx, name, password, actor),
    loginOperator: (name: string, password: string, source?: string) => loginOperator(ctx, name, password, source),
    operatorForToken: (token: string | undefined) => operatorForToken(ctx, token),
    logoutOperator: (tokenHash: string, operatorId: string) => logoutOperator(ctx, tokenHash, operatorId),
  };
}

export type Core = ReturnType<typeof createCore>;
export type { Actor } from './context.js';
