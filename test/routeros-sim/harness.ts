/**
 * Test wiring: simulated routers plus a Portico config and `routeros` driver pointed at them, through
 * the real factory and real node-routeros over TCP.
 *
 * @example
 *   const lab = await startLab([{ name: 'tower1', hosts: [['10.5.50.10', '02:00:00:00:00:0a']] }]);
 *   const driver = await lab.driver();
 */
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createRouterOsDriver, type RouterOsFactoryOptions } from '../../src/gateway/routeros/index.js';
import { fakeClock, type FakeClock } from '../../src/lib/clock.js';
import { silentLogger, type Logger } from '../../src/lib/log.js';
import { startSimulator, type RouterOsSimulator, type SimulatorOptions } from './server.js';

export const API_USER = 'portico';
export const API_PASSWORD = 'api-s3cret';

export interface LabRouter {
  name: string;
  hosts?: Array<[ip: string, mac: string]>;
  sim?: SimulatorOptions;
}

export interface Lab {
  clock: FakeClock;
  sims: Map<string, RouterOsSimulator>;
  sim(name: string): RouterOsSimulator;
  /** The `gateway` section for these routers. */
  gateway(timeoutMs?: number): NonNullable<ConfigInput['gateway']>;
  config(timeoutMs?: number): Config;
  driver(opts?: RouterOsFactoryOptions & { timeoutMs?: number; log?: Logger }): Promise<GatewayDriver>;
  close(): Promise<void>;
}

export async function startLab(routers: LabRouter[]): Promise<Lab> {
  const clock = fakeClock();
  const sims = new Map<string, RouterOsSimulator>();
  for (const r of routers) {
    const sim = await startSimulator({ users: { [API_USER]: API_PASSWORD }, clock, identity: r.name, ...r.sim });
    for (const [ip, mac] of r.hosts ?? []) sim.state.addHost(ip, mac);
    sims.set(r.name, sim);
  }
  const drivers: GatewayDriver[] = [];
  const lab: Lab = {
    clock,
    sims,
    sim: (name) => sims.get(name)!,
    gateway: (timeoutMs = 2000) => ({
      driver: 'routeros',
      routeros: {
        routers: routers.map((r) => ({ name: r.name, host: '127.0.0.1', port: sims.get(r.name)!.port, user: API_USER, password: API_PASSWORD, timeoutMs })),
      },
    }),
    config: (timeoutMs) => ({ ...configSchema.parse({ gateway: lab.gateway(timeoutMs) }), portalUrl: 'http://127.0.0.1:8080/' }),
    async driver(opts = {}) {
      const d = await createRouterOsDriver(lab.config(opts.timeoutMs), { log: opts.log ?? silentLogger, clock }, { backoffMinMs: 0, ...opts });
      drivers.push(d);
      return d;
    },
    async close() {
      for (const d of drivers) await d.stop();
      for (const s of sims.values()) await s.close();
    },
  };
  return lab;
}
