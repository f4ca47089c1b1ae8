/**
 * Clean-up of the flows a device opened before its login. They sit in the pre-login conntrack zone,
 * which its packets left in the batch that authorized it (ruleset.ts raw_pre): they can no longer match
 * anything, so a login does not wait for the conntrack walk. Deleting them is done in the background,
 * one address at a time (each `conntrack -D` walks the whole hash: a burst of logins must not start a
 * burst of walks competing with the logins for the CPU).
 *
 * @example
 *   const prelogin = createPreloginFlush({ runner, conntrackPath: 'conntrack', log });
 *   prelogin.add(['10.0.0.23']); // returns at once; the walk runs after the caller's continuation
 */
import type { Logger } from '../../lib/log.js';
import { flushConntrack } from './conntrack.js';
import { PRE_LOGIN_ZONE } from './ruleset.js';
import type { CommandRunner } from './transport.js';

export interface PreloginFlushDeps {
  runner: CommandRunner;
  conntrackPath: string;
  log: Logger;
}

export function createPreloginFlush(deps: PreloginFlushDeps): { add(ips: string[]): void } {
  const pending = new Set<string>();
  let running = false;

  const drain = async (): Promise<void> => {
    for (const ip of pending) {
      pending.delete(ip);
      await flushConntrack(deps.runner, deps.conntrackPath, [ip], 'source', PRE_LOGIN_ZONE).catch((err: unknown) =>
        deps.log.warn('gateway/nftables', 'pre-login conntrack clean-up failed', { ip, err: String(err) }),
      );
    }
    running = false;
  };

  return {
    add(ips) {
      for (const ip of ips) pending.add(ip);
      if (running || pending.size === 0) return;
      running = true;
      // After the caller's continuation (the 303): spawning a process blocks the event loop for a while.
      setImmediate(() => void drain());
    },
  };
}
