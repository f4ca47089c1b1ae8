/**
 * Puts state into a bench data directory before the server starts: unused vouchers, and optionally
 * devices already online (for restart and memory figures), through the same core the server runs.
 *
 * @example
 *   const codes = await seed(dir, port, { vouchers: 2000 });
 */
import { parseConfig } from '../../../src/config/load.js';
import { createLogger } from '../../../src/lib/log.js';
import { openRuntime } from '../../../src/runtime.js';
import { benchConfig } from './server.js';

export async function seed(dir: string, port: number, opts: { vouchers?: number; online?: number; config?: Record<string, unknown> }): Promise<string[]> {
  const config = parseConfig(benchConfig(dir, port, opts.config));
  const rt = await openRuntime(config, { log: createLogger('warn') });
  try {
    await rt.driver.start();
    const codes: string[] = [];
    let left = (opts.vouchers ?? 0) + (opts.online ?? 0);
    while (left > 0) {
      const n = Math.min(left, 10_000);
      codes.push(...rt.core.createBatch({ count: n, plan: { durationSec: 86_400, dataBytes: 5e9 } }, { type: 'system' }).vouchers.map((v) => v.code));
      left -= n;
    }
    for (let i = 0; i < (opts.online ?? 0); i++) {
      await rt.core.login({ ip: `10.20.${Math.floor(i / 250)}.${(i % 250) + 2}`, code: codes.pop()! });
    }
    await rt.driver.stop();
    return codes;
  } finally {
    rt.close();
  }
}
