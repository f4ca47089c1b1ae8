/** The intercept path's "is this address logged in?" from memory: forgotten at every join or leave, and after its TTL. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../lib/log.js';
import { EventBus } from './events.js';
import { createOnlineCache } from './online-cache.js';

function setup() {
  const online = new Set<string>();
  let reads = 0;
  let t = 0;
  const store = { entitlements: { isActiveIp: (ip: string) => (reads++, online.has(ip)) } };
  const bus = new EventBus(silentLogger);
  const cache = createOnlineCache({ store, bus } as never, { ttlMs: 2000, now: () => t });
  return { cache, bus, online, reads: () => reads, advance: (ms: number) => (t += ms) };
}

describe('online cache', () => {
  it('answers a repeated question from memory, and afresh after a login or a logout', () => {
    const s = setup();
    s.cache.start();
    expect(s.cache.isOnline('10.0.0.5')).toBe(false);
    expect(s.cache.isOnline('10.0.0.5')).toBe(false);
    expect(s.reads()).toBe(1);
    s.online.add('10.0.0.5');
    s.bus.emit('device.attached', { deviceId: 'd1', entitlementId: 'e1', mac: '02:00:00:00:00:05', ip: '10.0.0.5' });
    expect(s.cache.isOnline('10.0.0.5')).toBe(true);
    s.online.delete('10.0.0.5');
    s.bus.emit('device.detached', { deviceId: 'd1', entitlementId: 'e1', mac: '02:00:00:00:00:05', reason: 'logout' });
    expect(s.cache.isOnline('10.0.0.5')).toBe(false);
    expect(s.reads()).toBe(3);
  });

  it('forgets after its TTL (another instance on a shared database), and reads the store before start and after stop', () => {
    const s = setup();
    expect(s.cache.isOnline('10.0.0.6')).toBe(false);
    expect(s.cache.isOnline('10.0.0.6')).toBe(false);
    expect(s.reads()).toBe(2);
    s.cache.start();
    s.cache.isOnline('10.0.0.6');
    s.online.add('10.0.0.6'); // written elsewhere: no event here
    expect(s.cache.isOnline('10.0.0.6')).toBe(false);
    s.advance(2001);
    expect(s.cache.isOnline('10.0.0.6')).toBe(true);
    s.cache.stop();
    s.online.delete('10.0.0.6');
    expect(s.cache.isOnline('10.0.0.6')).toBe(false);
  });
});
