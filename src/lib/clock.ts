/**
 * Clocks: passed in wherever time matters so tests can drive it (STYLE rule 2).
 *
 * @example
 *   const clock = fakeClock(Date.parse('2026-01-01T00:00:00Z'));
 *   clock.advance(60_000);
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface FakeClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}
