/**
 * Conntrack clean-up, always in the background: no login or logout waits for it (SPEC §8 login →
 * online and sustained logins). Each `conntrack -D` filter walks the kernel's whole conntrack hash
 * whatever it names (conntrack.ts; 15–30 ms each at 262,144 buckets here), and a logout used to wait
 * for two of them, a login cycle paid three. None is needed for enforcement any
 * more (ruleset.ts):
 * - a login moves the device's packets out of the pre-login zone in the batch that authorizes it, so
 *   a flow redirected before the login can never match again;
 * - after a logout, the device's packets find no element: uploads are rejected, and replies reach the
 *   LAN past the lookup only for flows begun in the pre-login or bypass zone.
 * What is left are entries that can no longer match anything; they are deleted here so that they do
 * not fill the table (nf_conntrack_max is small on a router) until they time out:
 * - after logins, the addresses' pre-login flows (`-w PRE_LOGIN_ZONE -s ip`); when several are
 *   pending (a burst), one walk clears the whole pre-login zone instead of one walk per address
 *   (the flows of clients still behind the portal are picked up again by their next packet, to the
 *   same redirect: conntrack's default loose TCP tracking);
 * - after logouts, every flow from or to the address, unless the address is authorized again by then
 *   (its new flows are live: left alone);
 * - when the bypass list shrinks, the bypass zone.
 * The work waits for a quiet moment (`quietMs` without a new request, at most `maxDelayMs` after the
 * first pending one), so that the walks do not take the CPU from the logins and logouts around them,
 * and more of them fold into one; then everything pending goes to `conntrack -R` processes of up to
 * 16 filters each (one fork of Portico instead of two per logout: conntrack.ts), one at a time. An
 * address pending twice is walked once.
 *
 * @example
 *   const cleanup = createConntrackCleanup({ runner, conntrackPath: 'conntrack', log, bound: (ip) => false });
 *   cleanup.loggedIn(['10.0.0.23']); // returns at once
 */
import { isIP } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { deleteFlows, flowsOf, zoneFilter, type FlowFilter } from './conntrack.js';
import { BYPASS_ZONE, PRE_LOGIN_ZONE } from './ruleset.js';
import type { CommandRunner } from './transport.js';

export interface ConntrackCleanupDeps {
  runner: CommandRunner;
  conntrackPath: string;
  log: Logger;
  /** Whether an address belongs to an authorized device right now. */
  bound(ip: string): boolean;
  /** Quiet time before the walks start (default 250 ms; 0: on the next turn of the event loop). */
  quietMs?: number;
  /** Longest wait for a quiet moment (default 5 s). */
  maxDelayMs?: number;
}

export interface ConntrackCleanup {
  /** Addresses just authorized: their pre-login flows go. */
  loggedIn(ips: string[]): void;
  /** Addresses no device holds any more: all their flows go, unless authorized again by then. */
  left(ips: string[]): void;
  /** MACs left the bypass list: the bypass zone goes (the remaining MACs' flows pick up again). */
  bypassShrank(): void;
  /** Resolves once nothing is pending or running. */
  idle(): Promise<void>;
  /** Drops what is pending and waits for the walk in flight. */
  stop(): Promise<void>;
}

/** Pending pre-login addresses from which one zone-wide walk is cheaper than one walk each. */
const ZONE_WIDE_FROM = 3;

/** Filters per conntrack process: 2–10 ms of fork saved per filter, and a stop waits ~16 walks at most. */
const FILTERS_PER_RUN = 16;

export function createConntrackCleanup(deps: ConntrackCleanupDeps): ConntrackCleanup {
  const prelogin = new Set<string>();
  const gone = new Set<string>();
  let bypass = false;
  let running: Promise<void> | null = null;
  const quietMs = deps.quietMs ?? 250;
  const maxDelayMs = deps.maxDelayMs ?? 5000;
  /** When the first pending request came and when the last did (the quiet moment is measured from it). */
  let firstAt = 0;
  let lastAt = 0;
  let stopped = false;

  /**
   * Everything pending, in `conntrack -R` runs (conntrack.ts): the bypass zone, the pre-login
   * flows (one zone-wide filter per family for a burst, else one per address), and the logged-out
   * addresses not authorized again by now. Returns false when nothing was pending.
   */
  const step = async (): Promise<boolean> => {
    const filters: FlowFilter[] = [];
    const what: string[] = [];
    if (bypass) {
      bypass = false;
      filters.push(zoneFilter(BYPASS_ZONE, 'ipv4'), zoneFilter(BYPASS_ZONE, 'ipv6'));
      what.push('bypass zone');
    }
    if (prelogin.size >= ZONE_WIDE_FROM) {
      const fams = new Set([...prelogin].map((ip) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4') as 'ipv4' | 'ipv6'));
      filters.push(...[...fams].map((f) => zoneFilter(PRE_LOGIN_ZONE, f)));
      what.push('pre-login zone');
    } else {
      for (const ip of prelogin) filters.push(...flowsOf(ip, 'source', PRE_LOGIN_ZONE));
      if (prelogin.size) what.push(`pre-login flows of ${[...prelogin].join(', ')}`);
    }
    prelogin.clear();
    const left = [...gone].filter((ip) => !deps.bound(ip));
    gone.clear();
    for (const ip of left) filters.push(...flowsOf(ip, 'both'));
    if (left.length) what.push(`flows of ${left.length > 3 ? `${left.length} addresses` : left.join(', ')}`);
    if (filters.length === 0) return false;
    // At most FILTERS_PER_RUN to a process (each filter is a walk of the whole table): a stop waits for
    // the run in flight, and a restart must not wait for a hundred walks.
    for (let i = 0; i < filters.length && !stopped; i += FILTERS_PER_RUN) {
      await deleteFlows(deps.runner, deps.conntrackPath, filters.slice(i, i + FILTERS_PER_RUN)).catch((err: unknown) =>
        deps.log.warn('gateway/nftables', `conntrack clean-up failed (${what.join('; ')})`, { err: String(err) }),
      );
    }
    return true;
  };

  /** Ends the current wait for a quiet moment (stop). */
  let wake: (() => void) | null = null;
  /** Resolves at the quiet moment (or at once when stopped). */
  const quiet = async (): Promise<void> => {
    for (;;) {
      const now = Date.now();
      const at = Math.min(lastAt + quietMs, firstAt + maxDelayMs);
      if (stopped || now >= at) return;
      await new Promise<void>((r) => {
        const timer = setTimeout(() => r(), at - now);
        timer.unref();
        wake = () => {
          clearTimeout(timer);
          r();
        };
      });
      wake = null;
    }
  };

  const kick = (): void => {
    const now = Date.now();
    if (!running) firstAt = now;
    lastAt = now;
    // At the earliest after the caller's continuation (the 303): spawning a process blocks the event loop for a while.
    running ??= new Promise<void>((r) => setImmediate(r))
      .then(quiet)
      .then(async () => {
        while (await step());
      })
      .finally(() => {
        running = null;
      });
  };

  return {
    loggedIn(ips) {
      for (const ip of ips) prelogin.add(ip);
      if (ips.length) kick();
    },
    left(ips) {
      for (const ip of ips) gone.add(ip);
      if (ips.length) kick();
    },
    bypassShrank() {
      bypass = true;
      kick();
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopped = true;
      prelogin.clear();
      gone.clear();
      bypass = false;
      wake?.();
      await running;
      stopped = false;
    },
  };
}
