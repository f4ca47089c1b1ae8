/**
 * The only file with side effects: config → database → migrations → driver → core → listeners; signals.
 * `portico serve` starts here; the other commands run through the CLI with the same config.
 *
 * Start-up never flushes the gateway: core.start() reconciles the kernel/router state with the database,
 * so residents stay online across a restart (SPEC §4). Shutdown flushes pending usage and leaves the
 * gateway as it is for the next start to reconcile.
 */
import { readFileSync } from 'node:fs';
import { createListeners } from './http/listeners.js';
import { runCli } from './cli/index.js';
import type { Config } from './config/schema.js';
import { createLogger } from './lib/log.js';
import { openRuntime } from './runtime.js';
import { startRadius } from './serve-radius.js';

async function serve(config: Config): Promise<void> {
  const log = createLogger(config.log.level);
  const startedAt = performance.now();
  const rt = await openRuntime(config, { log });
  try {
    await rt.driver.start();
  } catch (err) {
    log.error('gateway', `the ${config.gateway.driver} gateway cannot start: ${(err as Error).message}`);
    log.error('gateway', 'check gateway.* in the config (or run with gateway.driver=simulated to try Portico without a router)');
    rt.close();
    process.exit(1);
  }
  await rt.core.start();
  const radius = await startRadius(rt, log).catch((err: Error) => (log.error('radius', err.message), process.exit(1)));
  rt.storage.start();
  // Listener construction and hardening live in http/listeners.ts; what a bind failure means is decided here.
  const tls = config.tls.port && config.tls.cert && config.tls.key ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
  const listeners = createListeners({ core: rt.core, config, log, tls, ...(radius ? { radiusStats: () => radius.stats() } : {}) });
  try {
    await listeners.listen();
  } catch (err) {
    log.error('http', `cannot listen on ${config.listen.host}:${config.listen.port}: ${(err as Error).message}`);
    process.exit(1);
  }

  const admin = await rt.core.bootstrapAdmin();
  const ms = Math.round(performance.now() - startedAt);
  process.stdout.write(`Portico is serving the portal on ${config.portalUrl} (gateway: ${config.gateway.driver}, ready in ${ms} ms)\n`);
  process.stdout.write(`Operator console: ${new URL('/admin', config.portalUrl).toString()}\n`);
  if (admin) {
    process.stdout.write(`First start: operator "${admin.name}" was created with the one-time password: ${admin.password}\n`);
    process.stdout.write('Sign in and change it; it will not be shown again.\n');
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('main', `${signal}: stopping`);
    // procd waits 15 s (openwrt init term_timeout) before SIGKILL; a final RAM-mode snapshot may need most of it.
    const force = setTimeout(() => process.exit(1), 12_000);
    force.unref();
    void listeners.close();
    await radius?.stop();
    await rt.core.stop();
    rt.storage.stop();
    await rt.driver.stop();
    rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

const code = await runCli(process.argv.slice(2), {
  stdout: (l) => process.stdout.write(l + '\n'),
  stderr: (l) => process.stderr.write(l + '\n'),
  env: process.env,
  readFile: (p) => readFileSync(p, 'utf8'),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  serve,
});
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
