/**
 * The RADIUS codec's public surface: framing (packet.ts), dictionaries (dictionary.ts, vendors.ts),
 * typed attribute access (attributes.ts, values.ts), cryptography (auth.ts), authenticated
 * encode/decode (messages.ts), duplicate cache (dedupe.ts), Status-Server (status-server.ts) and
 * 64-bit counters (gigawords.ts). Pure apart from the injected clock and randomness; the UDP server
 * and client that use it live beside it.
 *
 * @example import { decodeRequest, encodeResponse, Code, get } from './radius/index.js';
 */
export * from './errors.js';
export * from './packet.js';
export * from './dictionary.js';
export * from './vendors.js';
export * from './values.js';
export * from './attributes.js';
export * from './auth.js';
export * from './messages.js';
export * from './dedupe.js';
export * from './status-server.js';
export * from './gigawords.js';
