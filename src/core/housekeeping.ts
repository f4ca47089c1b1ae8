/**
 * The housekeeping job: once a minute it writes the audit summaries of windows that have closed
 * (core/audit-summary.ts) and enforces audit retention (`audit.retentionDays`, `audit.maxRows`), so
 * neither refused guesses nor years of history fill the router's flash (attack report D5).
 *
 * Retention deletes in batches of BATCH rows, each its own short transaction, yielding to the event loop
 * between batches, and at most `maxBatches` per run: a database that is far over its limit (an upgrade
 * from a version without retention) converges over a few runs instead of stalling logins for seconds.
 * In RAM mode each batch is one small journal line (the DELETE and its two arguments).
 *
 * @example
 *   const hk = createHousekeeping(ctx);
 *   hk.start();                 // every minute, unref'ed
 *   await hk.run();             // one pass (tests drive it with a fake clock) → { deleted }
 *   hk.stop();                  // writes every pending summary
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { CoreContext } from './context.js';

const INTERVAL_MS = 60_000;
const BATCH = 1000;
const MAX_BATCHES = 20;
const DAY_MS = 86_400_000;

export function createHousekeeping(ctx: CoreContext) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<{ deleted: number }> | null = null;

  async function pass(maxBatches: number): Promise<{ deleted: number }> {
    ctx.auditSummary.closeWindows();
    const { retentionDays, maxRows } = ctx.config.audit;
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      const before = ctx.clock.now() - retentionDays * DAY_MS;
      const n = ctx.store.tx(() => ctx.store.events.prune(before, maxRows, BATCH));
      deleted += n;
      if (n < BATCH) break;
      await yieldToLoop();
    }
    return { deleted };
  }

  return {
    /** One pass; concurrent callers share the pass in flight. Failures are logged (contained job). */
    run(opts: { maxBatches?: number } = {}): Promise<{ deleted: number }> {
      if (!running) {
        running = pass(opts.maxBatches ?? MAX_BATCHES)
          .catch((err) => {
            ctx.log.error('housekeeping/run', 'audit retention failed', { err });
            return { deleted: 0 };
          })
          .finally(() => {
            running = null;
          });
      }
      return running;
    },
    start(): void {
      timer = setInterval(() => void this.run(), INTERVAL_MS);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      timer = undefined;
      if (running) await running;
      ctx.auditSummary.flushAll();
    },
  };
}

export type Housekeeping = ReturnType<typeof createHousekeeping>;
