/** The `routeros` driver entry point (being built; see its issue). */
import type { Config } from '../../config/schema.js';
import type { DriverDeps } from '../index.js';
import type { GatewayDriver } from '../driver.js';

export async function createRouterOsDriver(_config: Config, _deps: DriverDeps): Promise<GatewayDriver> {
  throw new Error('the routeros driver is not built yet');
}
