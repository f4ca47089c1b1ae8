/**
 * The simulated gateway's state: which clients exist, which devices are authorized in which pool, and
 * their byte counters. It outlives a driver instance the way a router's kernel state outlives a Portico
 * restart, so the contract suite can restart the driver against the same "gateway".
 *
 * Any address that talks to the portal is a client: unknown IPs get a stable locally-administered MAC
 * derived from the address, so the browser that opens the demo portal can log in. Tests can give a
 * client a new MAC (`setMac`) to play a phone with a rotating private address.
 *
 * @example
 *   const net = new SimulatedNetwork();
 *   net.transfer('10.0.0.5', 1_000_000, 0); // bytes that got through (0 while captive)
 */
import type { DeviceGrant, PoolLimits } from '../driver.js';

interface Pool {
  limits: PoolLimits;
  /** Bytes used since limits were last set (the quota counts from then). */
  used: number;
}

interface Device {
  grant: DeviceGrant;
  up: number;
  down: number;
}

export class SimulatedNetwork {
  readonly pools = new Map<string, Pool>();
  readonly devices = new Map<string, Device>();
  private readonly macs = new Map<string, string>();
  private readonly hostNames = new Map<string, string>();
  /** When false, every driver call fails as if the router were unreachable. */
  reachable = true;
  /** The walled garden as the driver last set it. */
  walledGarden: string[] = [];
  /** MACs that pass without a login (the bypass list as the driver last set it). */
  bypass = new Set<string>();

  /**
   * @param autoClients every address is a client (the demo: whoever opens the portal). When false only
   *   addresses given a MAC with `setMac` exist, like a real neighbour table.
   */
  constructor(readonly autoClients = true) {}

  knows(ip: string): boolean {
    return this.autoClients || this.macs.has(ip);
  }

  macFor(ip: string): string {
    const known = this.macs.get(ip);
    if (known) return known;
    // FNV-1a over the address → 5 bytes after a locally-administered 02: prefix.
    let h = 0x811c9dc5;
    for (const ch of ip) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    const h2 = Math.imul(h ^ 0x5bd1e995, 0x01000193) >>> 0;
    const bytes = [0x02, (h >>> 24) & 255, (h >>> 16) & 255, (h >>> 8) & 255, h & 255, h2 & 255];
    return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  }

  setMac(ip: string, mac: string): void {
    this.macs.set(ip, mac.toLowerCase());
  }

  /** The host name the client gave in its DHCP request, as a real gateway's lease table would hold it. */
  setHostName(ip: string, name: string): void {
    this.hostNames.set(ip, name);
  }

  hostNameFor(ip: string): string | undefined {
    return this.hostNames.get(ip);
  }

  deviceFor(ip: string): Device | undefined {
    const mac = this.macFor(ip);
    for (const d of this.devices.values()) if (d.grant.mac === mac && d.grant.ips.includes(ip)) return d;
    return undefined;
  }

  /** Whether traffic from `ip` passes now (authorized and its pool not out of quota). */
  allowed(ip: string): boolean {
    if (this.knows(ip) && this.bypass.has(this.macFor(ip))) return true;
    const d = this.deviceFor(ip);
    if (!d) return false;
    const pool = this.pools.get(d.grant.poolId);
    return !!pool && (pool.limits.bytesRemaining === null || pool.used < pool.limits.bytesRemaining);
  }

  /**
   * Moves up to `down` + `up` bytes for the client; returns how many passed. Like a kernel quota, the
   * pool cuts off at its remaining bytes.
   */
  transfer(ip: string, down: number, up: number): { down: number; up: number } {
    const d = this.deviceFor(ip);
    if (!d) return { down: 0, up: 0 };
    return this.transferDevice(d, down, up);
  }

  transferDevice(d: Device, down: number, up: number): { down: number; up: number } {
    const pool = this.pools.get(d.grant.poolId);
    if (!pool) return { down: 0, up: 0 };
    let left = pool.limits.bytesRemaining === null ? Infinity : Math.max(0, pool.limits.bytesRemaining - pool.used);
    const passDown = Math.min(down, left);
    left -= passDown;
    const passUp = Math.min(up, left);
    pool.used += passDown + passUp;
    d.down += passDown;
    d.up += passUp;
    return { down: passDown, up: passUp };
  }
}
