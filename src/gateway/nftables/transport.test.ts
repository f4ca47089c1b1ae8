/** The command runner under the nftables driver: what a program that misbehaves on its pipes does to Portico. */
import { describe, expect, it } from 'vitest';
import { nodeRunner } from './transport.js';

describe('nodeRunner', () => {
  it('gives a program its input on stdin and its output back', async () => {
    const r = await nodeRunner().exec(['sh', '-c', 'wc -l'], 'a\nb\n');
    expect(r).toEqual({ code: 0, stdout: '2\n', stderr: '' });
  });

  it('survives a program that exits without reading its input: no unhandled EPIPE, the exit status comes back', async () => {
    // 4 MB is more than a pipe or socket buffer holds, so the write is still going when `true` exits.
    // Before the fix this was an unhandled 'error' event: it ended Portico (the conntrack clean-up's input).
    const r = await nodeRunner().exec(['sh', '-c', 'exit 3'], 'x'.repeat(4 * 1024 * 1024));
    expect(r.code).toBe(3);
    const ok = await nodeRunner().exec(['true'], 'x'.repeat(4 * 1024 * 1024));
    expect(ok.code).toBe(0);
  });
});
