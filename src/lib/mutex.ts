/**
 * Keyed async mutex: runs one task at a time per key. Logins for the same voucher are serialised so two
 * devices racing for the last device slot cannot both win between the check and the commit.
 *
 * @example
 *   const locks = keyedMutex();
 *   await locks.run(voucherId, async () => { ... });
 */
export interface KeyedMutex {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** Whether a task holds `key` or waits for it. */
  held(key: string): boolean;
}

export function keyedMutex(): KeyedMutex {
  const tails = new Map<string, Promise<unknown>>();
  return {
    held: (key) => tails.has(key),
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const prev = tails.get(key) ?? Promise.resolve();
      const next = prev.then(task, task);
      const tail = next.catch(() => undefined);
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return next;
    },
  };
}
