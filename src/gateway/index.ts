/**
 * The driver factory: picks the driver named in the config and loads it lazily, so a router running the
 * nftables driver never loads node-routeros and vice versa. An unknown name fails with the valid ones.
 *
 * @example
 *   const driver = await createDriver(config, { log, clock });
 */
import type { Config } from '../config/schema.js';
import type { DriverDeps, GatewayDriver } from './driver.js';
import { DRIVERS, type DriverName } from './names.js';

export { DRIVERS };
export type { DriverDeps };

/** One lazy loader per driver name (gateway/names.ts): the only place a new driver is registered. */
const LOADERS: Record<DriverName, (config: Config, deps: DriverDeps) => Promise<GatewayDriver>> = {
  simulated: async (config) => (await import('./simulated/driver.js')).createSimulatedDriver(config.gateway.simulated),
  nftables: async (config, deps) => (await import('./nftables/index.js')).createNftablesDriver(config, deps),
  routeros: async (config, deps) => (await import('./routeros/index.js')).createRouterOsDriver(config, deps),
};

export async function createDriver(config: Config, deps: DriverDeps): Promise<GatewayDriver> {
  const name = config.gateway.driver;
  const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
  if (!load) throw new Error(`unknown gateway driver "${String(name)}" (valid: ${DRIVERS.join(', ')})`);
  return load(config, deps);
}
