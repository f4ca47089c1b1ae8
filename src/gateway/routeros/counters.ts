/**
 * Per-device cumulative counters from RouterOS's per-session ones. A session's `bytes-in`/`bytes-out`
 * start at 0 at each login and vanish with the session, and RouterOS ends sessions on its own when
 * `limit-bytes-total` is reached. So each device keeps `base` (earlier sessions) + `last` (current
 * session), and bytes a session moved after the last sweep but before it ended, which no active entry
 * shows any more, are recovered from the user's accumulated counters: whatever the user grew by beyond
 * the growth of its live sessions belongs to the devices whose session ended, split evenly among them.
 * Pure; the driver feeds it one router's reads.
 *
 * @example
 *   foldRouterRead(devicesOfPoolOnRouter, sessions, { up: 10, down: 900 });
 */
import type { ActiveSession } from './sentences.js';

export interface Traffic {
  up: number;
  down: number;
}

export interface Tally {
  mac: string;
  poolId: string;
  sessionId?: string;
  /** Counters of sessions that ended. */
  base: Traffic;
  /** The current session's counters when last seen. */
  last: Traffic;
  /** A session of this device ended since the last read (its tail is in the user counters only). */
  ended: boolean;
}

export const zero = (): Traffic => ({ up: 0, down: 0 });
export const total = (t: Tally): Traffic => ({ up: t.base.up + t.last.up, down: t.base.down + t.last.down });

/** A new session replaced the tally's current one (login after a kick, a re-login). */
export function startSession(t: Tally, session: ActiveSession): void {
  if (t.sessionId === session.id) return;
  if (t.sessionId !== undefined) t.ended = true;
  t.base = total(t);
  t.last = { up: session.bytesUp, down: session.bytesDown };
  t.sessionId = session.id;
}

/**
 * Folds one read of a router into the tallies of ONE pool's devices on it. `userGrowth` is how much the
 * pool's hotspot user grew on that router since the previous read (undefined on the first read).
 */
export function foldRouterRead(tallies: Tally[], sessions: ActiveSession[], userGrowth: Traffic | undefined): void {
  const seen = zero();
  for (const t of tallies) {
    const s = sessions.find((x) => x.user === t.poolId && x.mac === t.mac);
    if (s && s.id === t.sessionId) {
      seen.up += Math.max(0, s.bytesUp - t.last.up);
      seen.down += Math.max(0, s.bytesDown - t.last.down);
      t.last = { up: s.bytesUp, down: s.bytesDown };
    } else if (s) {
      startSession(t, s);
      seen.up += s.bytesUp;
      seen.down += s.bytesDown;
    } else if (t.sessionId !== undefined) {
      t.base = total(t);
      t.last = zero();
      t.sessionId = undefined;
      t.ended = true;
    }
  }
  const ended = tallies.filter((t) => t.ended);
  if (userGrowth && ended.length) {
    const tail = { up: Math.max(0, userGrowth.up - seen.up), down: Math.max(0, userGrowth.down - seen.down) };
    ended.forEach((t, i) => {
      const share = (n: number) => Math.floor(n / ended.length) + (i === 0 ? n % ended.length : 0);
      t.base = { up: t.base.up + share(tail.up), down: t.base.down + share(tail.down) };
    });
  }
  for (const t of tallies) t.ended = false;
}
