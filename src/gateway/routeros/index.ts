/**
 * The `routeros` driver entry point: turns `gateway.routeros.routers` into one API client per router
 * (explicit ports: 8728 plain, 8729 api-ssl, node-routeros defect #4) and hands them to the driver.
 *
 * @example
 *   const driver = await createRouterOsDriver(config, { log, clock });
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config, RouterConfig } from '../../config/schema.js';
import type { DriverDeps } from '../driver.js';
import type { GatewayDriver } from '../driver.js';
import { createRouterOsClient } from './client.js';
import { createRouterOsDriverWith } from './driver.js';
import { RouterOps } from './router.js';
import { openNodeRouterOs, type ApiTarget, type OpenSession } from './transport.js';

/** The router's name in logs and as the device's `site`: its `name`, else host:port. */
export function routerName(r: RouterConfig): string {
  return r.name ?? `${r.host}:${apiPort(r)}`;
}

export function apiPort(r: RouterConfig): number {
  return r.port ?? (r.tls ? 8729 : 8728);
}

export function apiTarget(r: RouterConfig, readCa: (path: string) => string = (p) => readFileSync(p, 'utf8')): ApiTarget {
  return {
    host: r.host,
    port: apiPort(r),
    user: r.user,
    password: r.password,
    connectTimeoutMs: r.timeoutMs,
    // With a CA (the router's own certificate or its CA) the session is verified; without one the link is
    // encrypted but not authenticated, which the setup guide warns about.
    ...(r.tls ? { tls: r.ca ? { ca: readCa(r.ca), checkServerIdentity: () => undefined } : { rejectUnauthorized: false } } : {}),
  };
}

export interface RouterOsFactoryOptions {
  open?: OpenSession;
  randomPassword?: () => string;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export async function createRouterOsDriver(config: Config, deps: DriverDeps, options: RouterOsFactoryOptions = {}): Promise<GatewayDriver> {
  const list = config.gateway.routeros.routers;
  if (list.length === 0) throw new Error('gateway.routeros.routers is empty: list at least one MikroTik (host, user, password, hotspot)');
  const names = list.map(routerName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`gateway.routeros.routers: two routers are named "${dup}"; names must be unique`);
  const routers = list.map((r, i) => {
    let ops: RouterOps | undefined;
    const client = createRouterOsClient({
      name: names[i]!,
      target: apiTarget(r),
      timeoutMs: r.timeoutMs,
      open: options.open ?? openNodeRouterOs,
      clock: deps.clock,
      backoffMinMs: options.backoffMinMs,
      backoffMaxMs: options.backoffMaxMs,
      verify: (exec) => ops!.verify(exec),
    });
    ops = new RouterOps(client, r.hotspot);
    return ops;
  });
  return createRouterOsDriverWith({
    routers,
    log: deps.log,
    randomPassword: options.randomPassword ?? (() => randomBytes(18).toString('base64url')),
  });
}
