/**
 * The one interface every gateway driver implements (simulated, nftables, routeros). Core owns it (this
 * file); the drivers under src/gateway implement it. Identity and enforcement live here; vouchers, plans and accounting do not: a
 * driver only knows devices (MAC + addresses) grouped into pools (entitlements) with limits.
 *
 * Contract (checked for every driver by test/gateway/contract.ts):
 * - `start()` is idempotent and never cuts devices that are already authorized (a Portico restart
 *   reconciles instead of flushing: SPEC §4).
 * - `authorize()` resolves only once the device's packets pass and its stale connection-tracking
 *   entries are flushed, so the 303 that follows is the truth (captive-clients.md E1).
 * - `deauthorize()` resolves once the device is blocked again and its flows are cut.
 * - `setPool()` creates or updates a pool's limits. `bytesRemaining` is enforced by the gateway itself
 *   where it can (kernel quota, `limit-bytes-total`), counted from the moment of the call.
 * - `readCounters()` returns cumulative per-device byte counters since the device was authorized, in
 *   one batched call; core turns them into usage deltas.
 * - `reconcile()` makes the gateway hold exactly the given pools and devices, keeping the counters of
 *   devices that are already there.
 *
 * Errors: a driver throws `GatewayError` when the gateway is unreachable or refuses; core turns that into
 * GATEWAY_UNAVAILABLE and applies nothing.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';

export interface ClientInfo {
  /** Lower-case colon-separated MAC, e.g. `02:00:00:aa:bb:cc`. */
  mac: string;
  /** The address the client used (normalized: no IPv4-mapped IPv6). */
  ip: string;
  /** Which router/site saw the client, for drivers that drive several (routeros). */
  site?: string;
  /**
   * The host name the gateway learned for the client (DHCP lease, hotspot host list), if any: shown to
   * the household on the status page instead of MAC digits (core/device-names.ts). Optional: only the
   * simulated driver fills it in so far.
   */
  hostName?: string;
}

export interface ClientHint {
  mac?: string;
  site?: string;
}

export interface PoolLimits {
  /** Entitlement id. */
  id: string;
  /** Per-device rate limits in bits per second (null = none). */
  downBps: number | null;
  upBps: number | null;
  /** Bytes (up + down) the pool may still use from now on (null = unlimited). */
  bytesRemaining: number | null;
}

export interface DeviceGrant {
  /** Stable device id from the database. */
  deviceId: string;
  poolId: string;
  mac: string;
  /** Addresses known for the device; drivers may add more they learn (IPv6 privacy addresses). */
  ips: string[];
  site?: string;
}

export interface DeviceCounters {
  deviceId: string;
  /** Bytes from the device to the internet. */
  bytesUp: number;
  /** Bytes from the internet to the device. */
  bytesDown: number;
}

export interface GatewayHealth {
  ok: boolean;
  detail: string;
}

export interface GatewayDriver {
  readonly name: string;
  /**
   * True when one pool is enforced at several points that cannot share a counter (several MikroTik
   * routers): core then calls `setPool` with fresh `bytesRemaining` after every counter sweep in which
   * the pool's usage changed, so the enforcement points converge. Kernel quotas shared by all of a
   * pool's rules (nftables) do not need it.
   */
  readonly resyncPools?: boolean;
  /**
   * How far short of a pool's quota the gateway may already have cut it off. A kernel quota drops the
   * whole packet that would cross the limit — up to 64 KiB with GSO — so the counters can stop just
   * under the quota; core treats a pool within this many bytes of its quota as used up, so what it
   * records (and tells the resident) matches what the gateway does.
   */
  readonly quotaSlackBytes?: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Maps a client address (the TCP peer, never a header) to its device; null when the gateway does not
   * know it (yet). `hint` carries what a router's login page passed along (MikroTik `$(mac)`); a driver
   * may use it only to choose between candidates it can verify itself, never as the identity.
   */
  lookupClient(ip: string, hint?: ClientHint): Promise<ClientInfo | null>;
  setPool(limits: PoolLimits): Promise<void>;
  /** Takes the pool off the gateway and cuts every device still on it. */
  removePool(poolId: string): Promise<void>;
  authorize(grant: DeviceGrant): Promise<void>;
  /**
   * `setPool(limits)` and then `authorize(grant)` as one step, for a login that brings its pool onto
   * the gateway. Optional: a driver that can make the two one transaction offers it (nftables: one nft
   * batch and one turn of its group commit instead of two); core calls the two in turn otherwise. On
   * failure the pool may be left set: the caller removes it, as after a failed `authorize`.
   */
  authorizeWithPool?(limits: PoolLimits, grant: DeviceGrant): Promise<void>;
  deauthorize(deviceId: string): Promise<void>;
  readCounters(): Promise<DeviceCounters[]>;
  reconcile(state: { pools: PoolLimits[]; devices: DeviceGrant[] }): Promise<void>;
  /**
   * Replaces the walled garden: what devices may reach before they log in (host names, IPv4/IPv6
   * addresses or CIDRs, for the payment page or the community's own site). Idempotent; Portico's own
   * entries only, never the operator's hand-made ones.
   */
  setWalledGarden?(entries: string[]): Promise<void>;
  /**
   * Lets these MACs through without a login (the bypass list: a till, a printer), replacing the last
   * list; they are never counted or cut. Every driver implements it (nftables set, RouterOS
   * ip-binding type=bypassed); the RADIUS server accepts their MAC authentication.
   */
  setBypass?(macs: string[]): Promise<void>;
  health(): GatewayHealth;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** What every driver factory receives besides the config (gateway/index.ts passes it). */
export interface DriverDeps {
  log: Logger;
  clock: Clock;
}
