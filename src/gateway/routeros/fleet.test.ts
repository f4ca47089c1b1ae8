/** The fleet's failure policy and replay queue, with stand-in routers (no API, no simulator). */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log.js';
import { GatewayError } from '../driver.js';
import { RouterOsTrap } from './client.js';
import { createFleet } from './fleet.js';
import type { RouterOps } from './router.js';

const router = (name: string) => ({ name }) as RouterOps;

function setup(names: string[], replay: (r: RouterOps, poolId: string) => Promise<void> = async () => {}) {
  const lines: string[] = [];
  const routers = names.map(router);
  const fleet = createFleet({ routers, log: createLogger('info', (l) => lines.push(l)), replay });
  return { fleet, routers, lines };
}

describe('fleet', () => {
  it('settles on every router: a failing one is logged and handed to onFail, the call succeeds', async () => {
    const { fleet, lines } = setup(['t1', 't2']);
    const failed: string[] = [];
    const done: string[] = [];
    await fleet.everywhere('setPool p1', async (r) => {
      if (r.name === 't1') throw new GatewayError('router t1: unreachable');
      done.push(r.name);
    }, (r) => failed.push(r.name));
    expect(done).toEqual(['t2']);
    expect(failed).toEqual(['t1']);
    expect(lines).toEqual([expect.stringMatching(/^warn gateway\/routeros: setPool p1 failed on router t1/)]);
  });

  it('throws only when every router failed, as a GatewayError', async () => {
    const { fleet } = setup(['t1', 't2']);
    const gw = new GatewayError('router t1: unreachable');
    await expect(fleet.everywhere('x', async () => { throw gw; })).rejects.toBe(gw);
    const err = await fleet.everywhere('readCounters', async () => { throw new Error('boom'); }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect(String(err)).toContain('readCounters failed');
  });

  it('replays what a router missed before its next call, in order, then forgets it', async () => {
    const replayed: string[] = [];
    const { fleet, routers } = setup(['t1', 't2'], async (r, poolId) => void replayed.push(`${r.name}:${poolId}`));
    fleet.markDirty(routers[0]!, 'p1');
    fleet.markDirty(routers[0]!, 'p2');
    const calls: string[] = [];
    await fleet.on(routers[1]!, async () => void calls.push('t2'));
    expect(replayed).toEqual([]); // t2 missed nothing
    await fleet.on(routers[0]!, async () => void calls.push(`t1 after ${replayed.join(',')}`));
    expect(calls).toEqual(['t2', 't1 after t1:p1,t1:p2']);
    await fleet.on(routers[0]!, async () => {});
    expect(replayed).toHaveLength(2);
  });

  it('keeps a change while the router is unreachable, drops one it refuses (saying so once)', async () => {
    let reachable = false;
    const tries: string[] = [];
    const { fleet, routers, lines } = setup(['t1'], async (_r, poolId) => {
      tries.push(poolId);
      if (poolId === 'refused') throw new RouterOsTrap('t1', 'profile is in use');
      if (!reachable) throw new GatewayError('router t1: unreachable');
    });
    const [t1] = routers as [RouterOps];
    fleet.markDirty(t1, 'refused');
    fleet.markDirty(t1, 'p1');
    await expect(fleet.on(t1, async () => 'never')).rejects.toThrow(/unreachable/);
    reachable = true;
    await expect(fleet.on(t1, async () => 'ok')).resolves.toBe('ok');
    await fleet.on(t1, async () => {});
    expect(tries).toEqual(['refused', 'p1', 'p1']);
    expect(lines.filter((l) => l.includes('refused a replayed pool change'))).toHaveLength(1);
  });

  it('runs one call at a time per router, and routers in parallel', async () => {
    const { fleet, routers } = setup(['t1', 't2']);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = fleet.on(routers[0]!, async () => { order.push('t1 first start'); await gate; order.push('t1 first end'); });
    const second = fleet.on(routers[0]!, async () => void order.push('t1 second'));
    await fleet.on(routers[1]!, async () => void order.push('t2'));
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['t1 first start', 't2', 't1 first end', 't1 second']);
  });
});
