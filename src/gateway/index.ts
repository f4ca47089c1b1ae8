/**
 * The driver factory: picks the driver named in the config and loads it lazily, so a router running the
 * nftables driver never loads node-routeros and vice versa. An unknown name fails with the valid ones.
 *
 * @example
 *   const driver = await createDriver(config, { log, exec });
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/log.js';
import type { Clock } from '../lib/clock.js';
import type { GatewayDriver } from './driver.js';

export const DRIVERS = ['simulated', 'nftables', 'routeros'] as const;

export interface DriverDeps {
  log: Logger;
  clock: Clock;
}

export async function createDriver(config: Config, deps: DriverDeps): Promise<GatewayDriver> {
  const name = config.gateway.driver;
  switch (name) {
    case 'simulated': {
      const { createSimulatedDriver } = await import('./simulated/driver.js');
      return createSimulatedDriver(config.gateway.simulated);
    }
    case 'nftables': {
      const mod = await import('./nftables/index.js');
      return mod.createNftablesDriver(config, deps);
    }
    case 'routeros': {
      const mod = await import('./routeros/index.js');
      return mod.createRouterOsDriver(config, deps);
    }
    default:
      throw new Error(`unknown gateway driver "${String(name)}" (valid: ${DRIVERS.join(', ')})`);
  }
}
