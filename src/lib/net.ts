/**
 * Address helpers: normalizing what sockets report and validating what operators type.
 *
 * @example
 *   normalizeIp('::ffff:10.0.0.23'); // '10.0.0.23'
 *   normalizeMac('AA-BB-CC-00-11-22'); // 'aa:bb:cc:00:11:22'
 */
import { isIP } from 'node:net';

const DOTTED = /^[\d.]+$/;

/** Strips the IPv4-mapped IPv6 prefix (a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d) and zone ids. */
export function normalizeIp(ip: string): string {
  // A plain IPv4 address (every IPv4 peer's socket address) is already as wanted: no split, no regex.
  if (DOTTED.test(ip)) return ip;
  const noZone = ip.split('%')[0]!;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(noZone);
  return (m ? m[1]! : noZone).toLowerCase();
}

export function isIpv6(ip: string): boolean {
  return isIP(ip) === 6;
}

export function isValidIp(ip: string): boolean {
  return isIP(ip) !== 0;
}

export function normalizeMac(mac: string): string | null {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^[0-9a-f:.\-]+$/i.test(mac)) return null;
  return hex.match(/../g)!.join(':');
}

export function isLoopback(ip: string): boolean {
  const n = normalizeIp(ip);
  return n === '::1' || n.startsWith('127.');
}
