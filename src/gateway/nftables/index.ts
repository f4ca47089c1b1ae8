/** The `nftables` driver entry point (being built; see its issue). */
import type { Config } from '../../config/schema.js';
import type { DriverDeps } from '../index.js';
import type { GatewayDriver } from '../driver.js';

export async function createNftablesDriver(_config: Config, _deps: DriverDeps): Promise<GatewayDriver> {
  throw new Error('the nftables driver is not built yet');
}
