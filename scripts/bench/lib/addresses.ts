/**
 * Loopback source addresses for simulated devices: all of 127.0.0.0/8 is local on Linux, so each
 * simulated phone can have its own TCP peer address (which is how Portico tells devices apart).
 *
 * @example
 *   sourceAddress(0); // '127.10.1.2'
 */
export function sourceAddress(k: number): string {
  return `127.${10 + Math.floor(k / 62_500)}.${Math.floor((k % 62_500) / 250) + 1}.${(k % 250) + 2}`;
}
