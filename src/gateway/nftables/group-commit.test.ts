/** Group commit: calls arriving together share one batch; a refused batch fails only its bad call. */
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

function harness(refuse: (cmds: string[]) => boolean = () => false) {
  const applied: string[][] = [];
  let state = 0;
  const commit = createGroupCommit({
    apply: async (cmds) => {
      await new Promise((r) => setTimeout(r, 5));
      if (refuse(cmds)) throw new Error('nft refused the batch');
      applied.push(cmds);
    },
    snapshot: () => state,
    restore: (s) => (state = s as number),
    begin: () => {},
  });
  const call = (name: string) =>
    commit.run(async () => {
      state++;
      return { cmds: [name], done: () => name };
    });
  return { commit, applied, call, state: () => state };
}

describe('group commit', () => {
  it('sends calls made together as one batch, and each caller gets its own result', async () => {
    const h = harness();
    const results = await Promise.all(['a', 'b', 'c'].map(h.call));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(h.applied).toEqual([['a', 'b', 'c']]);
  });

  it('groups the calls that arrive while a batch is in the kernel into the next one', async () => {
    const h = harness();
    const first = h.call('a');
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const later = Array.from({ length: 300 }, (_, i) => h.call(`l${i}`));
    await Promise.all([first, ...later]);
    expect(h.applied.length).toBe(2);
    expect(h.applied[1]!.length).toBe(300);
    expect(h.commit.stats()).toEqual({ batches: 2, calls: 301 });
  });

  it('retries each call alone when the batch is refused: only the bad one fails, and its state is put back', async () => {
    const h = harness((cmds) => cmds.includes('bad'));
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map(h.call));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(h.applied).toEqual([['a'], ['c']]);
    expect(h.state()).toBe(2);
  });

  it('fails a call whose plan throws without touching the others', async () => {
    const h = harness();
    const bad = h.commit.run(async () => {
      throw new Error('pool not set');
    });
    const [x, y] = await Promise.allSettled([bad, h.call('ok')]);
    expect(x.status).toBe('rejected');
    expect(y).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(h.applied).toEqual([['ok']]);
  });
});
