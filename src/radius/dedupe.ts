/**
 * Duplicate detection for a RADIUS server or DAS (RFC 5080 §2.2.2, RFC 5176 §2.3). A NAS retransmits
 * an unanswered request unchanged — same source IP and port, Identifier and Request Authenticator — and
 * the server MUST answer it with the cached reply instead of processing it twice (an Access-Request that
 * consumed a voucher slice must not consume another); a duplicate still being processed MUST be dropped.
 * A new authenticator on the same (IP, port, Identifier) is a new request and evicts the old entry.
 * Entries live `windowMs` (RFC 5080 suggests purging after 5–30 s) counted from the last touch.
 *
 * Bounded: at most `maxEntries`; inserting past it evicts the oldest entry in O(1) (a Map iterates in
 * insertion order, and every touch re-inserts). Time comes from the injected clock (STYLE rule 2).
 *
 * @example
 *   const cache = createDedupeCache({ clock, windowMs: 30_000 });
 *   const seen = cache.begin({ address, port, identifier: p.identifier, authenticator: p.authenticator });
 *   if (seen.kind === 'replay') return send(seen.response);
 *   if (seen.kind === 'in-progress') return;     // drop
 *   const reply = await handle(p); cache.complete(key, reply); send(reply);
 */
import { Buffer } from 'node:buffer';
import type { Clock } from '../lib/clock.js';
import { safeEqual } from './auth.js';

export interface DedupeKey {
  address: string;
  port: number;
  identifier: number;
  authenticator: Buffer;
}

export type DedupeDecision =
  /** Not seen (or the old entry expired / had another authenticator): process it. */
  | { kind: 'new' }
  /** A retransmission of a request still being processed: drop it (RFC 5080 §2.2.2). */
  | { kind: 'in-progress' }
  /** A retransmission of an answered request: send this cached reply again. */
  | { kind: 'replay'; response: Buffer };

export interface DedupeOptions {
  clock: Clock;
  /** How long a request/reply is remembered. Default 30 s. */
  windowMs?: number;
  /** Upper bound on entries. Default 4096. */
  maxEntries?: number;
}

export interface DedupeCache {
  /** Looks the request up and, if new, records it as in progress. */
  begin(key: DedupeKey): DedupeDecision;
  /** Stores the reply sent for a request begun earlier (ignored if that entry is gone or replaced). */
  complete(key: DedupeKey, response: Buffer): void;
  /** Forgets a request whose processing failed without a reply, so a retransmission is processed anew. */
  abandon(key: DedupeKey): void;
  readonly size: number;
}

interface Entry {
  authenticator: Buffer;
  response: Buffer | undefined;
  expires: number;
}

const slot = (k: DedupeKey) => `${k.address}|${k.port}|${k.identifier}`;

export function createDedupeCache(options: DedupeOptions): DedupeCache {
  const windowMs = options.windowMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 4096;
  if (!(windowMs > 0) || !(maxEntries > 0)) throw new Error('dedupe: windowMs and maxEntries must be positive');
  const entries = new Map<string, Entry>();

  const put = (id: string, e: Entry) => {
    entries.delete(id); // re-insert at the end: iteration order stays oldest-touched first
    entries.set(id, e);
    // Purge expired heads, then enforce the bound; both look only at the oldest entry: O(1) amortised.
    const now = options.clock.now();
    for (const [k, v] of entries) {
      if (v.expires > now && entries.size <= maxEntries) break;
      entries.delete(k);
    }
  };

  return {
    begin(key) {
      const id = slot(key);
      const now = options.clock.now();
      const e = entries.get(id);
      if (e && e.expires > now && safeEqual(e.authenticator, key.authenticator)) {
        return e.response ? { kind: 'replay', response: e.response } : { kind: 'in-progress' };
      }
      put(id, { authenticator: Buffer.from(key.authenticator), response: undefined, expires: now + windowMs });
      return { kind: 'new' };
    },
    complete(key, response) {
      const id = slot(key);
      const e = entries.get(id);
      if (!e || !safeEqual(e.authenticator, key.authenticator)) return;
      put(id, { authenticator: e.authenticator, response, expires: options.clock.now() + windowMs });
    },
    abandon(key) {
      const id = slot(key);
      const e = entries.get(id);
      if (e && safeEqual(e.authenticator, key.authenticator)) entries.delete(id);
    },
    get size() {
      return entries.size;
    },
  };
}
