/** Cumulative device counters across RouterOS sessions, including the tail of a session that ended. */
import { describe, expect, it } from 'vitest';
import { foldRouterRead, startSession, total, zero, type Tally } from './counters.js';
import type { ActiveSession } from './sentences.js';

const session = (id: string, mac: string, up: number, down: number): ActiveSession => ({ id, user: 'p', ip: '10.0.0.1', mac, bytesUp: up, bytesDown: down });
const tally = (mac: string, s?: ActiveSession): Tally => ({ mac, poolId: 'p', sessionId: s?.id, base: zero(), last: s ? { up: s.bytesUp, down: s.bytesDown } : zero(), ended: false });

describe('routeros counters', () => {
  it('follows a live session', () => {
    const t = tally('a', session('*1', 'a', 0, 0));
    foldRouterRead([t], [session('*1', 'a', 10, 500)], { up: 10, down: 500 });
    expect(total(t)).toEqual({ up: 10, down: 500 });
  });

  it('gives an ended session its unseen tail from the user counters, and keeps counting after a new login', () => {
    const a = tally('a', session('*1', 'a', 0, 0));
    const b = tally('b', session('*2', 'b', 0, 0));
    foldRouterRead([a, b], [session('*1', 'a', 0, 100), session('*2', 'b', 0, 50)], { up: 0, down: 150 });
    // a moved 900 more bytes and was logged out at the limit; b moved 10.
    foldRouterRead([a, b], [session('*2', 'b', 0, 60)], { up: 0, down: 910 });
    expect(total(a)).toEqual({ up: 0, down: 1000 });
    expect(total(b)).toEqual({ up: 0, down: 60 });
    startSession(a, session('*3', 'a', 0, 0));
    foldRouterRead([a, b], [session('*3', 'a', 5, 20), session('*2', 'b', 0, 60)], { up: 5, down: 20 });
    expect(total(a)).toEqual({ up: 5, down: 1020 });
  });

  it('splits an unexplained tail evenly between devices whose sessions ended', () => {
    const a = tally('a', session('*1', 'a', 0, 0));
    const b = tally('b', session('*2', 'b', 0, 0));
    foldRouterRead([a, b], [], { up: 1, down: 101 });
    expect([total(a), total(b)]).toEqual([
      { up: 1, down: 51 },
      { up: 0, down: 50 },
    ]);
  });

  it('does not guess without a previous user reading', () => {
    const a = tally('a', session('*1', 'a', 0, 7));
    foldRouterRead([a], [], undefined);
    expect(total(a)).toEqual({ up: 0, down: 7 });
  });
});
