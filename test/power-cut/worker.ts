/**
 * A second Portico process for the power-cut test, doing what an operator's CLI does while `serve` runs:
 * it opens the same database (openRuntime, the CLI's path) and revokes the codes it is given, one by
 * one, and creates small batches, printing one acknowledgement line after each returns:
 * `revoked <code>` / `batch <id> <count>`. The test SIGKILLs it at random points.
 *
 * Usage: node --import tsx test/power-cut/worker.ts CONFIG_FILE CODE...
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/log.js';
import { openRuntime } from '../../src/runtime.js';

const [file, ...codes] = process.argv.slice(2);
const config = loadConfig({ file, env: {}, readFile: (p) => readFileSync(p, 'utf8') });
const rt = await openRuntime(config, { log: createLogger('warn') });
const actor = { type: 'system' as const };
const say = (line: string) => process.stdout.write(line + '\n');
say('ready');
for (const [i, code] of codes.entries()) {
  await rt.core.revokeVoucher(code, 'power-cut test', actor);
  say(`revoked ${code}`);
  if (i % 3 === 2) {
    const { batch } = rt.core.createBatch({ count: 2, plan: { durationSec: 3600 } }, actor);
    say(`batch ${batch.id} 2`);
  }
  await new Promise((r) => setTimeout(r, 15));
}
rt.close();
