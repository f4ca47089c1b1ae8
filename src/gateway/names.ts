/**
 * The gateway driver names, once: the config schema's enum and the factory's loader table
 * (gateway/index.ts, typed by this list so a name without a loader does not compile) both derive from it.
 */
export const DRIVERS = ['simulated', 'nftables', 'routeros'] as const;

export type DriverName = (typeof DRIVERS)[number];
