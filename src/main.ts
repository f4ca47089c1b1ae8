/**
 * The only file with side effects: config → database → migrations → driver → core → listeners; signals.
 * `portico serve` starts here; the other commands run through the CLI with the same config.
 *
 * Start-up never flushes the gateway: core.start() reconciles the kernel/router state with the database,
 * so residents stay online across a restart (SPEC §4). Shutdown flushes pending usage and leaves the
 * gateway as it is for the next start to reconcile.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createHttpServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { createApp } from './app.js';
import { portalHostMatcher } from './http/intercept.js';
import { interceptListener } from './http/intercept-listener.js';
import { createWsHub } from './http/ws-hub.js';
import { runCli } from './cli/index.js';
import type { Config } from './config/schema.js';
import { createLogger } from './lib/log.js';
import { openRuntime } from './runtime.js';

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
  rt.storage.start();
  const hub = createWsHub({ core: rt.core, config, log });
  const app = createApp({ core: rt.core, config, log, wsClients: () => hub.stats().connections });

  // Interception is answered on the bare node:http response (intercept-listener.ts); the rest is Hono.
  const listener = interceptListener(
    {
      portalUrl: config.portalUrl,
      isPortalHost: portalHostMatcher(config),
      isAuthorized: (ip) => rt.store.entitlements.isActiveIp(ip),
    },
    getRequestListener(app.fetch),
  );
  const servers: Server[] = [];
  const listening = new Promise<void>((resolve) => {
    const server = createHttpServer(listener);
    // Probes must never ride a kept-alive, DNAT'd connection past login (captive-clients.md c6, c8).
    server.keepAliveTimeout = 2000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 15_000;
    servers.push(server);
    server.on('error', (err) => {
      log.error('http', `cannot listen on ${config.listen.host}:${config.listen.port}: ${err.message}`);
      process.exit(1);
    });
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  if (config.tls.port && config.tls.cert && config.tls.key) {
    const tlsServer = createHttpsServer({ cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) }, listener);
    tlsServer.on('error', (err) => log.error('http', `cannot listen on ${config.listen.host}:${config.tls.port} (TLS): ${err.message}`));
    tlsServer.listen(config.tls.port, config.listen.host);
    servers.push(tlsServer);
  }
  await listening;
  for (const s of servers) hub.attach(s);

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
    hub.close();
    for (const s of servers) s.close();
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
