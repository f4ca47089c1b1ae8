/** The command runner under the nftables driver: what a program that misbehaves on its pipes does to Portico. */
import { describe, expect, it } from 'vitest';
import { createNftSession, nodeRunner } from './transport.js';

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

describe('nft session', () => {
  /**
   * A stand-in `nft -i`: answers `list` lines with an empty JSON ruleset, shows the last batch's marker
   * for `list set …_batch`, prints `describe meta mark`'s line, takes 400 ms over a batch naming `slow`,
   * refuses one naming `bad` (an error on stderr) and takes one naming `warn` with a warning.
   */
  const FAKE_NFT = String.raw`#!/bin/sh
n=0
log="$(dirname "$0")/log"
echo "start $$ $*" >> "$log"
while IFS= read -r line; do
  case "$line" in
    describe*) echo 'meta expression, datatype mark (packet mark) (basetype integer), 32 bits' ;;
    'list set'*) printf 'table inet t { set _batch { type mark\n elements = { 0x%08x } } }\n' "$n" ;;
    list*) echo '{"nftables": [{"metainfo": {}}]}' ;;
    *bad*) echo 'Error: Could not process rule: No such file or directory' >&2 ;;
    *) case "$line" in *slow*) sleep 0.4 ;; *warn*) echo 'Warning: deprecated' >&2 ;; esac
       n=$(printf '%s\n' "$line" | sed -n 's/.*elements = { \([0-9]*\) }.*/\1/p') ;;
  esac
done
echo "end $$" >> "$log"
`;

  async function session(o: { writerBytes?: number } = {}) {
    const { mkdtemp, writeFile, chmod } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'portico-fake-nft-'));
    const nftPath = join(dir, 'nft');
    await writeFile(nftPath, FAKE_NFT);
    await chmod(nftPath, 0o755);
    return Object.assign(createNftSession({ runner: nodeRunner(), nftPath, table: 't', ...o }), {
      log: async () => (await import('node:fs/promises')).readFile(join(dir, 'log'), 'utf8').catch(() => ''),
    });
  }

  it('answers a read `alongside` while a batch is in flight; any other read waits for the batch', async () => {
    const nft = await session();
    try {
      await nft.apply(['add table inet t']);
      const order: string[] = [];
      const batch = nft.apply(['add table inet slow']).then(() => order.push('batch'));
      await new Promise((r) => setTimeout(r, 50));
      const alongside = nft.listAll(['list map inet t up4'], { alongside: true }).then(() => order.push('alongside'));
      const committed = nft.list('list map inet t up4').then(() => order.push('committed'));
      await Promise.all([batch, alongside, committed]);
      expect(order).toEqual(['alongside', 'batch', 'committed']);
    } finally {
      await nft.close();
    }
  });

  it('takes a silent batch as done, and asks the marker when nft said something: a warning is no refusal', async () => {
    const nft = await session();
    try {
      await nft.apply(['add table inet t']);
      await nft.apply(['add table inet warn']);
      await expect(nft.apply(['add table inet bad'])).rejects.toThrow(/nft refused the batch: Error: Could not process rule/);
      await nft.apply(['add table inet t']);
    } finally {
      await nft.close();
    }
  });

  it('hands the writing over to a fresh nft after writerBytes of batches (nft -i keeps every line in memory); the old one ends', async () => {
    const nft = await session({ writerBytes: 200 });
    try {
      for (let i = 0; i < 12; i++) await nft.apply([`add table inet t${i}`, 'add set inet t s { type ipv4_addr; }']);
      expect(nft.writerRotations()).toBeGreaterThanOrEqual(3);
      // Still judged as before on the new process: a refusal is a refusal, the next batch goes in.
      await expect(nft.apply(['add table inet bad'])).rejects.toThrow(/nft refused the batch/);
      await nft.apply(['add table inet t']);
      await new Promise((r) => setTimeout(r, 200));
      const log = (await nft.log()).trim().split('\n');
      const writers = log.filter((l) => /^start \d+ -i$/.test(l)).map((l) => l.split(' ')[1]);
      const ended = new Set(log.filter((l) => l.startsWith('end ')).map((l) => l.split(' ')[1]));
      expect(writers.length).toBe(nft.writerRotations() + 1);
      // Every writer but the current one was told to end, and did.
      expect(writers.slice(0, -1).every((pid) => ended.has(pid))).toBe(true);
      expect(ended.has(writers.at(-1)!)).toBe(false);
    } finally {
      await nft.close();
    }
  });
});
