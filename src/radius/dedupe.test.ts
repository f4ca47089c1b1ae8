/**
 * RFC 5080 §2.2.2 duplicate detection with a fake clock: replay of the cached reply, drop while in
 * progress, a new authenticator on the same key is a new request, expiry after the window, and the size
 * bound evicting the oldest entry.
 */
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { fakeClock } from '../lib/clock.js';
import { createDedupeCache, type DedupeKey } from './index.js';

const key = (over: Partial<DedupeKey> = {}): DedupeKey => ({
  address: '10.0.0.1',
  port: 1645,
  identifier: 7,
  authenticator: Buffer.alloc(16, 1),
  ...over,
});

describe('createDedupeCache', () => {
  it('new → in-progress → replay of the stored reply', () => {
    const cache = createDedupeCache({ clock: fakeClock() });
    expect(cache.begin(key())).toEqual({ kind: 'new' });
    expect(cache.begin(key())).toEqual({ kind: 'in-progress' });
    cache.complete(key(), Buffer.from('reply'));
    const again = cache.begin(key());
    expect(again.kind === 'replay' && again.response.toString()).toBe('reply');
  });

  it('any change of source address, port, identifier or authenticator is a different request', () => {
    const cache = createDedupeCache({ clock: fakeClock() });
    cache.begin(key());
    cache.complete(key(), Buffer.from('r'));
    for (const k of [key({ address: '10.0.0.2' }), key({ port: 1646 }), key({ identifier: 8 }), key({ authenticator: Buffer.alloc(16, 2) })]) {
      expect(cache.begin(k).kind).toBe('new');
    }
    // The new authenticator replaced the old entry on the same (address, port, identifier).
    expect(cache.begin(key()).kind).toBe('new');
  });

  it('forgets after the window and after abandon()', () => {
    const clock = fakeClock();
    const cache = createDedupeCache({ clock, windowMs: 30_000 });
    cache.begin(key());
    cache.complete(key(), Buffer.from('r'));
    clock.advance(29_999);
    expect(cache.begin(key()).kind).toBe('replay');
    clock.advance(30_000);
    expect(cache.begin(key()).kind).toBe('new');
    cache.abandon(key());
    expect(cache.begin(key()).kind).toBe('new');
  });

  it('stays within maxEntries, evicting the oldest', () => {
    const cache = createDedupeCache({ clock: fakeClock(), maxEntries: 3 });
    for (let id = 0; id < 5; id++) cache.begin(key({ identifier: id }));
    expect(cache.size).toBe(3);
    expect(cache.begin(key({ identifier: 4 })).kind).toBe('in-progress');
    expect(cache.begin(key({ identifier: 0 })).kind).toBe('new');
  });

  it('ignores complete() for a request it no longer holds', () => {
    const cache = createDedupeCache({ clock: fakeClock() });
    cache.complete(key(), Buffer.from('r'));
    expect(cache.size).toBe(0);
  });
});
