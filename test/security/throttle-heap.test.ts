/**
 * Attack report D4 under the router's V8 flags (`openwrt/files/etc/init.d/portico`): 200,000 wrong codes,
 * each from a new address, driven straight through core in a child `node --max-old-space-size=64
 * --optimize-for-size --max-semi-space-size=1 --v8-pool-size=1` (fixtures/heap-swarm.ts). It must exit 0 with the throttle
 * at its cap and the live heap after a full GC grown by a few MB at most. Before the fix the table kept
 * every source (28 MB of heap for 200k in this harness, about 360 B a source with HTTP in the report) and
 * pruning scanned it on every failure: the same run took about 5 minutes instead of a few seconds.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROUTER_FLAGS = ['--max-old-space-size=64', '--optimize-for-size', '--max-semi-space-size=1', '--v8-pool-size=1'];
const script = fileURLToPath(new URL('./fixtures/heap-swarm.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('throttle memory under router flags', () => {
  it('200,000 distinct sources through core: alive, table at its cap, heap bounded', async () => {
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [...ROUTER_FLAGS, '--expose-gc', '--import', 'tsx', script, '200000'], { cwd: root, timeout: 100_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(out.code, out.stderr.slice(-2000)).toBe(0);
    const r = JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { before: number; after: number; by: Record<string, number>; throttle: { sources: number }; auditRows: number };
    expect(r.by.VOUCHER_UNKNOWN).toBe(200_000); // every guess reached the lookup: the worst case for the table
    expect(r.throttle.sources).toBeLessThanOrEqual(10_000);
    expect(r.after - r.before).toBeLessThan(8 * 1024 * 1024);
    expect(r.after).toBeLessThan(32 * 1024 * 1024);
    // D5 in the same run: 200,000 refused guesses, a few hundred audit rows (one per prefix and window).
    expect(r.auditRows).toBeLessThan(2000);
  }, 120_000);
});
