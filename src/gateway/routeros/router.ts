/**
 * What Portico does on one MikroTik: push a pool (profile + user), log a device in through
 * `/ip/hotspot/active/login`, kick it by removing its active entry, list sessions with counters, find
 * hosts by address, and clear what Portico no longer wants. Each method is a few API calls built by
 * sentences.ts; failures surface as GatewayError (unreachable) or RouterOsTrap (refused).
 *
 * @example
 *   const r = new RouterOps(client, 'hotspot1');
 *   await r.pushPool(limits, { password, sharedUsers: 2 });
 *   await r.login({ poolId: limits.id, password, ip: '10.5.50.10', mac: '02:00:00:00:00:0a' });
 */
import { GatewayError, type PoolLimits } from '../driver.js';
import { RouterOsTrap, type RouterOsClient } from './client.js';
import type { Traffic } from './counters.js';
import {
  activeSentence,
  bypassListSentence,
  bypassSentence,
  counter,
  findProfileSentence,
  findUserSentence,
  fromRouterMac,
  GARDEN_MENUS,
  gardenListSentence,
  gardenSentences,
  hostsSentence,
  leaseNameSentence,
  hotspotSentence,
  isManagedProfile,
  loginSentence,
  managedUsersSentence,
  parseActive,
  profileName,
  profileSentence,
  profilesSentence,
  removeSentence,
  staleActiveSentence,
  userCountersSentence,
  userSentence,
  type ActiveSession,
} from './sentences.js';

export class RouterOps {
  constructor(
    readonly client: RouterOsClient,
    readonly hotspot: string,
  ) {}

  get name(): string {
    return this.client.name;
  }

  /** Proves the login worked and the configured hotspot server exists (node-routeros defect #8). */
  async verify(exec = (w: readonly string[]) => this.client.exec(w)): Promise<void> {
    const rows = await exec(hotspotSentence(this.hotspot));
    if (rows.length === 0) throw new GatewayError(`router ${this.name} has no hotspot server named "${this.hotspot}" (see /ip/hotspot print)`);
  }

  /** Pushes the pool; returns the user's accumulated counters (client view) as they were before. */
  async pushPool(limits: PoolLimits, opts: { password: string; sharedUsers: number }): Promise<Traffic> {
    const [profile] = await this.client.exec(findProfileSentence(limits.id));
    await this.client.exec(profileSentence(limits, { sharedUsers: opts.sharedUsers, id: profile?.['.id'] }));
    const [user] = await this.client.exec(findUserSentence(limits.id));
    const used = { up: counter(user?.['bytes-in']), down: counter(user?.['bytes-out']) };
    const usedBytes = used.up + used.down;
    await this.client.exec(userSentence(limits, { password: opts.password, server: this.hotspot, usedBytes, id: user?.['.id'] }));
    // A disabled user keeps its sessions on some versions [I]; an exhausted pool must stop now.
    if (limits.bytesRemaining !== null && limits.bytesRemaining <= 0) await this.kick(limits.id);
    return used;
  }

  /**
   * Accumulated counters of Portico's users (client view), by pool id. They include sessions that
   * ended between two sweeps (a quota kick), which the active list no longer shows.
   */
  async userCounters(): Promise<Map<string, Traffic>> {
    const out = new Map<string, Traffic>();
    for (const u of await this.client.exec(userCountersSentence()))
      if (u.profile === profileName(u.name ?? '')) out.set(u.name!, { up: counter(u['bytes-in']), down: counter(u['bytes-out']) });
    return out;
  }

  async removePool(poolId: string): Promise<void> {
    await this.kick(poolId);
    const [user] = await this.client.exec(findUserSentence(poolId));
    if (user?.['.id']) await this.client.exec(removeSentence('/ip/hotspot/user', [user['.id']]));
    const [profile] = await this.client.exec(findProfileSentence(poolId));
    if (profile?.['.id']) await this.client.exec(removeSentence('/ip/hotspot/user/profile', [profile['.id']]));
  }

  async sessions(): Promise<ActiveSession[]> {
    return (await this.client.exec(activeSentence(this.hotspot))).map(parseActive);
  }

  /** Removes active entries of a pool (all, or one MAC's): the RouterOS way to log out. */
  async kick(poolId: string, mac?: string): Promise<void> {
    const ids = (await this.sessions()).filter((s) => s.user === poolId && (mac === undefined || s.mac === mac)).map((s) => s.id);
    await this.removeActive(ids);
  }

  async removeActive(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.client.exec(removeSentence('/ip/hotspot/active', ids));
    } catch (err) {
      // Gone meanwhile (logged out, limit reached): what we wanted.
      if (!(err instanceof RouterOsTrap && /no such item/.test(err.trapMessage))) throw err;
    }
  }

  /**
   * Logs the host in as the pool's user. Stale sessions of the same address or MAC go first (a phone
   * that changed address, a previous pool), as public clients of this command do (Part 1b).
   */
  async login(opts: { poolId: string; password: string; ip: string; mac: string }): Promise<ActiveSession> {
    const stale = (await this.client.exec(staleActiveSentence(this.hotspot, opts.ip, opts.mac))).map(parseActive);
    const keep = stale.find((s) => s.user === opts.poolId && s.ip === opts.ip && s.mac === opts.mac);
    if (keep) return keep;
    await this.removeActive(stale.map((s) => s.id));
    await this.client.exec(loginSentence(opts));
    const now = (await this.sessions()).find((s) => s.ip === opts.ip && s.user === opts.poolId);
    if (!now) throw new GatewayError(`router ${this.name} accepted the login of ${opts.ip} but shows no session`);
    return now;
  }

  async hostsAt(ip: string): Promise<Array<{ mac: string; ip: string }>> {
    return (await this.client.exec(hostsSentence(ip, this.hotspot))).map((r) => ({ mac: fromRouterMac(r['mac-address']), ip: r.address ?? ip }));
  }

  /** The host name in this router's DHCP lease for `mac`, or null (no lease, no name, no DHCP server here). */
  async hostName(mac: string): Promise<string | null> {
    const rows = await this.client.exec(leaseNameSentence(mac)).catch(() => []);
    return rows.map((r) => r['host-name']).find((n): n is string => !!n) ?? null;
  }

  /** Portico's users and profiles on this router: `{ poolId → user .id }`, `{ poolId → profile .id }`. */
  async managed(): Promise<{ users: Map<string, string>; profiles: Map<string, string> }> {
    const users = new Map<string, string>();
    for (const u of await this.client.exec(managedUsersSentence())) if (isManagedProfile(u.profile) && u.profile === profileName(u.name ?? '')) users.set(u.name!, u['.id']!);
    const profiles = new Map<string, string>();
    for (const p of await this.client.exec(profilesSentence())) if (isManagedProfile(p.name)) profiles.set(p.name!.slice(profileName('').length), p['.id']!);
    return { users, profiles };
  }

  /** Replaces Portico's walled-garden entries (and only those) with `entries`. */
  /** Replaces our bypassed ip-bindings with one per MAC (the operator's own bindings are left alone). */
  async setBypass(macs: string[]): Promise<void> {
    const ids = (await this.client.exec(bypassListSentence())).map((r) => r['.id']!).filter(Boolean);
    if (ids.length) await this.client.exec(removeSentence('/ip/hotspot/ip-binding', ids));
    for (const mac of macs) await this.client.exec(bypassSentence(mac, this.hotspot));
  }

  async setGarden(entries: string[]): Promise<void> {
    for (const menu of GARDEN_MENUS) {
      const ids = (await this.client.exec(gardenListSentence(menu))).map((r) => r['.id']!).filter(Boolean);
      if (ids.length) await this.client.exec(removeSentence(menu, ids));
    }
    for (const words of gardenSentences(entries, this.hotspot)) await this.client.exec(words);
  }
}
