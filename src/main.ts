/**
 * The only file with side effects: the process. It runs the CLI; `portico serve` starts the one
 * composition (server.ts), prints where Portico listens, and stops it on SIGTERM/SIGINT. What cannot
 * start is a StartError: its sentences are logged and the exit code is 1.
 */
import { readFileSync } from 'node:fs';
import { runCli } from './cli/index.js';
import type { Config } from './config/schema.js';
import { createLogger } from './lib/log.js';
import { createServer, StartError } from './server.js';

async function serve(config: Config): Promise<void> {
  const log = createLogger(config.log.level);
  const server = createServer({ config, log });
  let started;
  try {
    started = await server.start();
  } catch (err) {
    if (!(err instanceof StartError)) throw err;
    for (const line of err.lines) log.error(err.part, line);
    process.exit(1);
  }
  const { admin, ms } = started;
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
    await server.stop();
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
