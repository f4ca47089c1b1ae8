/**
 * Desired state → RouterOS API sentences, and RouterOS replies → values: pure, golden-tested
 * (sentences.test.ts). Naming and mapping (gateways.md Part 1b):
 *
 * - a pool is a user profile `portico-<poolId>` with `rate-limit` = `rx/tx` in the ROUTER's view, so
 *   rx = what the router receives from the client = upload, tx = download (the manual: "1M download,
 *   512k upload → rate-limit=512k/1M"); 0 = no limit on that side;
 * - and a hotspot user named by the pool id, with a random password only Portico knows, the profile, and
 *   `limit-bytes-total` = bytes the user already used + bytes remaining, because RouterOS checks the
 *   limit against the user's accumulated counters while Portico's quota counts from "now". 0 means "no
 *   limit" to RouterOS, so an exhausted pool disables the user instead;
 * - MACs go to the router upper-case (it prints them so, and `?mac-address=` compares strings) and
 *   come back lower-case.
 *
 * @example
 *   profileSentence({ id: 'e1', downBps: 2e6, upBps: 5e5, bytesRemaining: null }, { sharedUsers: 2 });
 *   // ['/ip/hotspot/user/profile/add', '=name=portico-e1', '=rate-limit=500000/2000000', '=shared-users=2']
 */
import type { PoolLimits } from '../driver.js';
import type { Row } from './transport.js';

export const PROFILE_PREFIX = 'portico-';
export const USER_COMMENT = 'managed by Portico';

export const profileName = (poolId: string): string => `${PROFILE_PREFIX}${poolId}`;
export const isManagedProfile = (name: string | undefined): boolean => !!name && name.startsWith(PROFILE_PREFIX);

export const toRouterMac = (mac: string): string => mac.toUpperCase();
export const fromRouterMac = (mac: string | undefined): string => (mac ?? '').toLowerCase();

/** Decimal counter string → number (counters can exceed 2^32; doubles are exact to 2^53). */
export function counter(v: string | undefined): number {
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

/** `rx/tx` from the router's view = `upload/download` in bits/s; '' when neither side is limited. */
export function rateLimit(limits: Pick<PoolLimits, 'downBps' | 'upBps'>): string {
  if (limits.downBps === null && limits.upBps === null) return '';
  return `${Math.round(limits.upBps ?? 0)}/${Math.round(limits.downBps ?? 0)}`;
}

/** The user's `limit-bytes-total` and `disabled` for a pool that may use `remaining` more bytes. */
export function byteLimit(usedBytes: number, remaining: number | null): { limit: number; disabled: boolean } {
  if (remaining === null) return { limit: 0, disabled: false };
  if (remaining <= 0) return { limit: Math.max(usedBytes, 1), disabled: true };
  return { limit: usedBytes + Math.ceil(remaining), disabled: false };
}

/** `add` when the item does not exist yet, else `set` on its `.id`. */
function upsert(menu: string, id: string | undefined, words: string[]): string[] {
  return id === undefined ? [`${menu}/add`, ...words] : [`${menu}/set`, `=.id=${id}`, ...words];
}

export function profileSentence(limits: PoolLimits, opts: { sharedUsers: number; id?: string }): string[] {
  return upsert('/ip/hotspot/user/profile', opts.id, [
    `=name=${profileName(limits.id)}`,
    `=rate-limit=${rateLimit(limits)}`,
    `=shared-users=${Math.max(1, opts.sharedUsers)}`,
  ]);
}

export function userSentence(
  limits: PoolLimits,
  opts: { password: string; server: string; usedBytes: number; id?: string },
): string[] {
  const { limit, disabled } = byteLimit(opts.usedBytes, limits.bytesRemaining);
  return upsert('/ip/hotspot/user', opts.id, [
    `=name=${limits.id}`,
    `=password=${opts.password}`,
    `=profile=${profileName(limits.id)}`,
    `=server=${opts.server}`,
    `=limit-bytes-total=${limit}`,
    `=disabled=${disabled ? 'yes' : 'no'}`,
    `=comment=${USER_COMMENT}`,
  ]);
}

export const findProfileSentence = (poolId: string): string[] => ['/ip/hotspot/user/profile/print', `?name=${profileName(poolId)}`, '=.proplist=.id,name'];
export const findUserSentence = (poolId: string): string[] => ['/ip/hotspot/user/print', `?name=${poolId}`, '=.proplist=.id,name,bytes-in,bytes-out'];
export const managedUsersSentence = (): string[] => ['/ip/hotspot/user/print', '=.proplist=.id,name,profile'];
export const userCountersSentence = (): string[] => ['/ip/hotspot/user/print', `?comment=${USER_COMMENT}`, '=.proplist=name,profile,bytes-in,bytes-out'];
export const profilesSentence = (): string[] => ['/ip/hotspot/user/profile/print', '=.proplist=.id,name'];
export const hotspotSentence = (server: string): string[] => ['/ip/hotspot/print', `?name=${server}`, '=.proplist=.id,name'];
export const removeSentence = (menu: string, ids: string[]): string[] => [`${menu}/remove`, `=.id=${ids.join(',')}`];

/** Hosts the hotspot has seen at an address (`/ip/hotspot/host`, authorized or not). */
export const hostsSentence = (ip: string, server: string): string[] => ['/ip/hotspot/host/print', `?address=${ip}`, `?server=${server}`, '=.proplist=mac-address,address,server'];

/** The DHCP lease of a MAC, for the name the device gave (`host-name`, DHCP option 12). */
export const leaseNameSentence = (mac: string): string[] => ['/ip/dhcp-server/lease/print', `?mac-address=${mac.toUpperCase()}`, '=.proplist=host-name'];

/** All sessions of one hotspot server, with the counters: one call per router per sweep. */
export const activeSentence = (server: string): string[] => ['/ip/hotspot/active/print', `?server=${server}`, '=.proplist=.id,user,address,mac-address,bytes-in,bytes-out'];

/** Sessions that would clash with a login of `ip`/`mac`: either the address or the MAC. */
export const staleActiveSentence = (server: string, ip: string, mac: string): string[] => [
  '/ip/hotspot/active/print',
  `?server=${server}`,
  `?address=${ip}`,
  `?mac-address=${toRouterMac(mac)}`,
  '?#|&',
  '=.proplist=.id,user,address,mac-address',
];

export function loginSentence(opts: { poolId: string; password: string; ip: string; mac: string }): string[] {
  return ['/ip/hotspot/active/login', `=user=${opts.poolId}`, `=password=${opts.password}`, `=ip=${opts.ip}`, `=mac-address=${toRouterMac(opts.mac)}`];
}

export interface ActiveSession {
  id: string;
  user: string;
  ip: string;
  mac: string;
  /** Client view: up = router's bytes-in, down = router's bytes-out. */
  bytesUp: number;
  bytesDown: number;
}

export function parseActive(row: Row): ActiveSession {
  return {
    id: row['.id'] ?? '',
    user: row.user ?? '',
    ip: row.address ?? '',
    mac: fromRouterMac(row['mac-address']),
    bytesUp: counter(row['bytes-in']),
    bytesDown: counter(row['bytes-out']),
  };
}

/** Portico's walled-garden entries carry this comment; the operator's own entries are never touched. */
export const GARDEN_COMMENT = 'portico walled garden';
export const GARDEN_MENUS = ['/ip/hotspot/walled-garden', '/ip/hotspot/walled-garden/ip'] as const;

const IPV4_OR_CIDR = /^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/;

/**
 * One `add` per entry: addresses and CIDRs go to `/walled-garden/ip` (accepted before login at the IP
 * level), host names to `/walled-garden` (`dst-host`, matched by the hotspot's HTTP proxy and DNS).
 * The Hotspot is IPv4-only, so IPv6 entries have nothing to apply to and are left out.
 */
export function gardenSentences(entries: string[], server: string): string[][] {
  return entries
    .filter((e) => !e.includes(':'))
    .map((e) =>
      IPV4_OR_CIDR.test(e)
        ? ['/ip/hotspot/walled-garden/ip/add', `=dst-address=${e}`, '=action=accept', `=server=${server}`, `=comment=${GARDEN_COMMENT}`]
        : ['/ip/hotspot/walled-garden/add', `=dst-host=${e}`, '=action=allow', `=server=${server}`, `=comment=${GARDEN_COMMENT}`],
    );
}

export const gardenListSentence = (menu: string): string[] => [`${menu}/print`, `?comment=${GARDEN_COMMENT}`, '=.proplist=.id'];

/** The bypass list: `/ip/hotspot/ip-binding` entries of type `bypassed` pass without a login; ours carry this comment. */
export const BYPASS_COMMENT = 'portico-bypass';
export const bypassListSentence = (): string[] => ['/ip/hotspot/ip-binding/print', `?comment=${BYPASS_COMMENT}`, '=.proplist=.id'];
export const bypassSentence = (mac: string, server: string): string[] =>
  ['/ip/hotspot/ip-binding/add', `=mac-address=${mac.toUpperCase()}`, '=type=bypassed', `=server=${server}`, `=comment=${BYPASS_COMMENT}`];
