/**
 * Group commit for nft batches: driver calls that arrive while a batch is being built or is in the
 * kernel wait, then go together as ONE nft transaction: one process round trip and one kernel
 * commit (and, for a batch that holds an `add rule` or `add chain`, one load of the table's chains and
 * objects: ruleset.ts) whatever the number of commands in it, so 300 logins arriving together pay it a
 * few times instead of 300 times. A lone call waits for nothing: it is planned on the next turn of the
 * event loop and sent at once.
 *
 * Each call plans its commands against the desired state as the earlier calls of the same batch left it
 * (device-table.ts changes at once). When the kernel refuses the combined batch (nothing of it applied:
 * a batch is atomic), the state goes back to its snapshot and each call is retried alone, so one bad
 * call fails only its own caller.
 *
 * @example
 *   const commit = createGroupCommit({ apply, snapshot: table.snapshot, restore: table.restore, release: table.release, begin: table.begin });
 *   await commit.run(async () => ({ cmds: (await table.grant(g)).cmds }));
 */

export interface Planned<T> {
  cmds: string[];
  /** Runs once the batch is in the kernel; its result is the caller's (e.g. a conntrack flush). */
  done?: () => T | Promise<T>;
}

export interface GroupCommitDeps {
  apply(cmds: string[]): Promise<void>;
  snapshot(): unknown;
  restore(s: unknown): void;
  /** The batch taken after `snapshot()` is in the kernel: nothing to restore any more. */
  release?(): void;
  begin(): void;
}

interface Call {
  plan: () => Promise<Planned<unknown>>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommit {
  /** Queues one call: `plan` runs when its batch is built; resolves after the batch and `done`. */
  run<T = void>(plan: () => Promise<Planned<T>>): Promise<T>;
  /** Batches sent so far and calls they carried (for tests and health). */
  stats(): { batches: number; calls: number };
  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void>;
}

export function createGroupCommit(deps: GroupCommitDeps): GroupCommit {
  let queue: Call[] = [];
  let running: Promise<void> | null = null;
  let batches = 0;
  let calls = 0;

  const finish = (c: Call, p: Planned<unknown>): void => {
    // `done` runs outside the batch loop: the next batch need not wait for a conntrack walk.
    Promise.resolve()
      .then(() => p.done?.())
      .then(c.resolve, c.reject);
  };

  /** One call alone: its own snapshot, plan and batch. */
  const alone = async (c: Call): Promise<void> => {
    const snap = deps.snapshot();
    deps.begin();
    try {
      const p = await c.plan();
      if (p.cmds.length) await deps.apply(p.cmds);
      batches += p.cmds.length ? 1 : 0;
      deps.release?.();
      finish(c, p);
    } catch (err) {
      deps.restore(snap);
      c.reject(err);
    }
  };

  const flushOnce = async (group: Call[]): Promise<void> => {
    calls += group.length;
    if (group.length === 1) return alone(group[0]!);
    const snap = deps.snapshot();
    deps.begin();
    const planned: Array<{ c: Call; p: Planned<unknown> }> = [];
    for (const c of group) {
      try {
        planned.push({ c, p: await c.plan() });
      } catch (err) {
        // A plan checks before it changes anything (device-table.ts), so the others' state stands.
        c.reject(err);
      }
    }
    const cmds = planned.flatMap((x) => x.p.cmds);
    try {
      if (cmds.length) await deps.apply(cmds);
      batches += cmds.length ? 1 : 0;
      deps.release?.();
    } catch {
      deps.restore(snap);
      for (const { c } of planned) await alone(c);
      return;
    }
    for (const { c, p } of planned) finish(c, p);
  };

  const loop = async (): Promise<void> => {
    // Calls made in the same turn as the first one join its batch.
    await new Promise((r) => setImmediate(r));
    while (queue.length) {
      const group = queue;
      queue = [];
      await flushOnce(group);
    }
    running = null;
  };

  return {
    run<T>(plan: () => Promise<Planned<T>>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ plan: plan as () => Promise<Planned<unknown>>, resolve: resolve as (v: unknown) => void, reject });
        running ??= loop();
      });
    },
    stats: () => ({ batches, calls }),
    async idle() {
      while (running) await running;
    },
  };
}
