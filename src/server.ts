/**
 * The one composition: runtime (store → driver → core) → RADIUS → listeners (HTTP, HTTPS, WebSocket).
 * Nothing happens until `start()`; `stop()` undoes it in reverse order and leaves the gateway as it is,
 * for the next start to reconcile (residents stay online across a restart, SPEC §4). main.ts adds only
 * process concerns (signals, exit codes, what is printed); the end-to-end and UI tests run this same
 * composition with a simulated driver and their own clock.
 *
 * @example
 *   const server = createServer({ config, log });
 *   const { admin, ms } = await server.start();   // throws StartError saying what could not start
 *   await server.stop();
 */
import { readFileSync } from 'node:fs';
import type { Config } from './config/schema.js';
import type { GatewayDriver } from './gateway/driver.js';
import { createListeners, type Listeners } from './http/listeners.js';
import type { WsHubOptions } from './http/ws-hub.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/log.js';
import { openRuntime, type Runtime } from './runtime.js';
import { startRadius, type RadiusService } from './serve-radius.js';

/** A part that could not start, with the sentences an operator needs (main.ts prints them and exits 1). */
export class StartError extends Error {
  constructor(readonly part: 'gateway' | 'radius' | 'http', readonly lines: string[], options?: ErrorOptions) {
    super(lines[0], options);
    this.name = 'StartError';
  }
}

export interface ServerDeps {
  config: Config;
  log: Logger;
  /** Tests pass a simulated driver and a clock they control; production builds both from the config. */
  driver?: GatewayDriver;
  clock?: Clock;
  hub?: WsHubOptions;
}

export function createServer(deps: ServerDeps) {
  const { config, log } = deps;
  let rt: Runtime | null = null;
  let radius: RadiusService | null = null;
  let listeners: Listeners | null = null;

  async function start(): Promise<{ admin: { name: string; password: string } | null; ms: number }> {
    const startedAt = performance.now();
    const runtime = await openRuntime(config, { log, ...(deps.driver ? { driver: deps.driver } : {}), ...(deps.clock ? { clock: deps.clock } : {}) });
    rt = runtime;
    try {
      await runtime.driver.start();
    } catch (err) {
      runtime.close();
      rt = null;
      throw new StartError('gateway', [
        `the ${config.gateway.driver} gateway cannot start: ${(err as Error).message}`,
        'check gateway.* in the config (or run with gateway.driver=simulated to try Portico without a router)',
      ], { cause: err });
    }
    try {
      await runtime.authority?.start();
    } catch (err) {
      await stop();
      throw new StartError('radius', [(err as Error).message, 'check authority.radius.das in the config (port 0 turns the listener off)'], { cause: err });
    }
    await runtime.core.start();
    try {
      radius = await startRadius(runtime, log);
    } catch (err) {
      await stop();
      throw new StartError('radius', [(err as Error).message], { cause: err });
    }
    runtime.storage.start();
    // Listener construction and hardening live in http/listeners.ts; what a bind failure means is decided here.
    const tls = config.tls.port && config.tls.cert && config.tls.key ? { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) } : null;
    const r = radius;
    listeners = createListeners({ core: runtime.core, config, log, tls, ...(deps.hub ? { hub: deps.hub } : {}), ...(r ? { radiusStats: () => r.stats(), radiusDisconnect: (id: string, operatorId: string) => r.disconnect(id, operatorId) } : {}),
      ...(runtime.authority ? { authorityStats: runtime.authority.stats } : {}) });
    try {
      await listeners.listen();
    } catch (err) {
      await stop();
      throw new StartError('http', [`cannot listen on ${config.listen.host}:${config.listen.port}: ${(err as Error).message}`], { cause: err });
    }
    const admin = await runtime.core.bootstrapAdmin();
    return { admin, ms: Math.round(performance.now() - startedAt) };
  }

  async function stop(): Promise<void> {
    const l = listeners;
    listeners = null;
    const closing = l?.close();
    await radius?.stop();
    radius = null;
    if (rt) {
      await rt.core.stop();
      await rt.authority?.stop();
      rt.storage.stop();
      await rt.driver.stop();
      rt.close();
      rt = null;
    }
    await closing;
  }

  const running = () => {
    if (!rt || !listeners) throw new Error('the server is not running');
    return { rt, listeners };
  };

  return {
    start,
    stop,
    /** The running pieces (tests and tools read them; throws before start()). */
    get runtime(): Runtime {
      return running().rt;
    },
    get listeners(): Listeners {
      return running().listeners;
    },
  };
}

export type PorticoServer = ReturnType<typeof createServer>;
