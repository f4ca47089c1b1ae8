/**
 * Group commit for portal logins and logouts, the way core/radius-batch.ts does it for RADIUS: the
 * transactions asked for in one turn of the event loop run in ONE database transaction, each as a
 * savepoint (a nested transact: one that fails rolls back only itself and fails only its caller), so
 * they share one COMMIT and one flush to disk instead of one each. The nftables group commit finishes
 * the gateway step of logins that arrived together in the same turn, so their transactions meet here.
 * A call alone is run alone, as before.
 *
 * The flush waits off the event loop where the store can (store.syncLater: an fdatasync of SQLite's
 * WAL in the thread pool, ~1–2 ms that used to hold the main thread inside COMMIT). Nothing is resolved,
 * and no event of it published, before the flush returned: still durable before acknowledged.
 *
 * @example
 *   await ctx.commits.run('the login', (t) => { … t.record(…) });
 */
import type { CoreContext } from './context.js';
import { commitDurably, transact, transactEach, type TaskOutcome, type Tx } from './tx.js';

interface Job {
  what: string;
  fn: (t: Tx) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface CommitGroup {
  /** Runs `fn` as `transact(ctx, what, fn)` would, in the transaction this turn's calls share. */
  run<T>(what: string, fn: (t: Tx) => T): Promise<T>;
}

export function createCommitGroup(ctx: Pick<CoreContext, 'store' | 'bus' | 'clock' | 'log'>, opts: { maxBatch?: number } = {}): CommitGroup {
  const maxBatch = opts.maxBatch ?? 128;
  let queue: Job[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    const jobs = queue;
    queue = [];
    if (jobs.length === 0) return;
    if (jobs.length === 1) {
      const j = jobs[0]!;
      let done: Promise<unknown>;
      try {
        done = commitDurably(ctx, j.what, () => transact(ctx, j.what, j.fn));
      } catch (err) {
        j.reject(err);
        return;
      }
      done.then(j.resolve, j.reject);
      return;
    }
    const what = jobs.every((j) => j.what === jobs[0]!.what) ? jobs[0]!.what : 'the changes';
    let done: Promise<Array<TaskOutcome<unknown>>>;
    try {
      done = commitDurably(ctx, what, () => transactEach(ctx, what, jobs.map((j) => () => transact(ctx, j.what, j.fn))));
    } catch (err) {
      // The COMMIT itself failed (disk full…): nothing of the group is stored.
      for (const j of jobs) j.reject(err);
      return;
    }
    done.then(
      (outcomes) =>
        jobs.forEach((j, i) => {
          const o = outcomes[i]!;
          if (o.ok) j.resolve(o.value);
          else j.reject(o.err);
        }),
      (err: unknown) => jobs.forEach((j) => j.reject(err)),
    );
  };

  return {
    run<T>(what: string, fn: (t: Tx) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ what, fn, resolve: resolve as (v: unknown) => void, reject });
        if (queue.length >= maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
