/**
 * Who is calling: the caller's address mapped to a MAC and, when logged in, its device row.
 *
 * The gateway is asked only when it must be. A login asks it once (it is about to authorize that MAC);
 * the status page, `/api/captive`, `/api/session` and the WebSocket feed match the address against the
 * active devices first, a local query, and ask the gateway only for an address no active device has
 * (with RouterOS, every gateway question is one API call per router).
 *
 * @example
 *   const { device } = await callerDevice(ctx, '10.0.0.23');
 */
import { DomainError } from '../domain/errors.js';
import type { ClientHint, ClientInfo } from './ports/driver.js';
import { normalizeIp } from '../lib/net.js';
import type { CoreContext } from './context.js';
import type { DeviceRow } from './ports/model.js';
import { onGateway } from './pool.js';

/** Looks the caller up on the gateway; unknown clients cannot log in. */
export async function identify(ctx: CoreContext, ip: string, hint?: ClientHint): Promise<ClientInfo> {
  const addr = normalizeIp(ip);
  const client = await onGateway(ctx, 'lookupClient', () => ctx.driver.lookupClient(addr, hint));
  if (!client) throw new DomainError('CLIENT_UNKNOWN', 'the gateway cannot see this device; reconnect to the Wi-Fi');
  return client;
}

/**
 * The caller's active device: by address from the store, else by the MAC the gateway reports (a device
 * that roamed to a new address). `client` is what identifies the caller either way.
 */
export async function callerDevice(ctx: CoreContext, ip: string, hint?: ClientHint): Promise<{ client: ClientInfo; device: DeviceRow | undefined }> {
  const addr = normalizeIp(ip);
  const local = ctx.store.entitlements.activeDeviceByIp(addr);
  if (local) return { client: { mac: local.mac, ip: addr, ...(local.site ? { site: local.site } : {}) }, device: local };
  const client = await identify(ctx, addr, hint);
  return { client, device: ctx.store.entitlements.activeDeviceByMac(client.mac) };
}
