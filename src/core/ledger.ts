/**
 * The usage ledger: byte counts the gateway reported that are not yet written to storage. Counters are
 * read every `accounting.pollMs` (live display, quota and expiry checks) but written at most once per
 * `accounting.intervalMs`, so router flash sees few writes (SPEC §7). After a crash at most one interval
 * of usage is lost — and usually none, because each device row keeps the driver's counter as of the last
 * write, and a restarted Portico counts from there if the gateway kept its counters.
 *
 * @example
 *   ledger.record(counters, now);     // deltas since the last read
 *   ledger.usedBytes(entitlement);    // stored + pending
 *   ledger.flush(now);                // one transaction
 */
import type { DeviceCounters } from './ports/driver.js';
import type { Clock } from '../lib/clock.js';
import type { EntitlementRow, DeviceRow } from './ports/model.js';
import type { Store } from './ports/store.js';

interface DevicePending {
  entitlementId: string;
  up: number;
  down: number;
  counterUp: number;
  counterDown: number;
}

export interface DeviceRate {
  downBps: number;
  upBps: number;
}

export function localDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function createLedger(store: Store, clock: Clock) {
  /** Last counter value seen per device (the baseline for the next delta). */
  const last = new Map<string, { up: number; down: number; at: number }>();
  const pending = new Map<string, DevicePending>();
  const rates = new Map<string, DeviceRate>();
  let lastFlush = clock.now();

  /** Pending bytes per pool, kept beside `pending` so a lookup is O(1): the sweep asks once per pool. */
  const pendingPerPool = new Map<string, number>();

  function pendingBytes(entitlementId: string): number {
    return pendingPerPool.get(entitlementId) ?? 0;
  }

  return {
    /**
     * Turns cumulative driver counters into usage deltas. `devices` maps device id → active row (for the
     * entitlement and the stored counter baseline). Counters that went backwards mean the gateway lost
     * them (reboot); the new value is then all new usage.
     */
    record(counters: DeviceCounters[], devices: Map<string, DeviceRow>, now: number): Set<string> {
      const touched = new Set<string>();
      for (const c of counters) {
        const dev = devices.get(c.deviceId);
        if (!dev) continue;
        const prev = last.get(c.deviceId) ?? { up: dev.counterUp, down: dev.counterDown, at: now };
        const up = c.bytesUp >= prev.up ? c.bytesUp - prev.up : c.bytesUp;
        const down = c.bytesDown >= prev.down ? c.bytesDown - prev.down : c.bytesDown;
        const dt = Math.max(1, now - prev.at);
        rates.set(c.deviceId, { upBps: Math.round((up * 8000) / dt), downBps: Math.round((down * 8000) / dt) });
        last.set(c.deviceId, { up: c.bytesUp, down: c.bytesDown, at: now });
        if (up === 0 && down === 0 && pending.has(c.deviceId)) continue;
        const p = pending.get(c.deviceId) ?? { entitlementId: dev.entitlementId, up: 0, down: 0, counterUp: 0, counterDown: 0 };
        p.up += up;
        p.down += down;
        if (up + down > 0) pendingPerPool.set(p.entitlementId, (pendingPerPool.get(p.entitlementId) ?? 0) + up + down);
        p.counterUp = c.bytesUp;
        p.counterDown = c.bytesDown;
        pending.set(c.deviceId, p);
        if (up + down > 0) touched.add(dev.entitlementId);
      }
      return touched;
    },
    /** Bytes used by the pool: stored plus not yet written. */
    usedBytes(e: Pick<EntitlementRow, 'id' | 'usedBytes'>): number {
      return e.usedBytes + pendingBytes(e.id);
    },
    /** Bytes the pool used that are counted but not yet written. */
    pendingBytes,
    /** The row with pending usage folded in. */
    current(e: EntitlementRow): EntitlementRow {
      return { ...e, usedBytes: e.usedBytes + pendingBytes(e.id) };
    },
    rate(deviceId: string): DeviceRate {
      return rates.get(deviceId) ?? { downBps: 0, upBps: 0 };
    },
    due(now: number, intervalMs: number): boolean {
      return now - lastFlush >= intervalMs;
    },
    /** Writes all pending usage in one transaction (call inside store.tx or alone). */
    flush(now: number): number {
      const day = localDay(now);
      const writes = [...pending.entries()];
      if (writes.length) {
        const perEnt = new Map<string, { id: string; up: number; down: number }>();
        for (const [, p] of writes) {
          const e = perEnt.get(p.entitlementId) ?? { id: p.entitlementId, up: 0, down: 0 };
          e.up += p.up;
          e.down += p.down;
          perEnt.set(p.entitlementId, e);
        }
        // A few statements for the whole flush, not three per device (1,800 round trips for 600 devices
        // on PostgreSQL, with the event loop held for each).
        store.tx(() =>
          store.entitlements.addUsageBatch({
            day, at: now, pools: [...perEnt.values()],
            devices: writes.map(([id, p]) => ({ id, up: p.up, down: p.down, counterUp: p.counterUp, counterDown: p.counterDown })),
          }),
        );
      }
      pending.clear();
      pendingPerPool.clear();
      lastFlush = now;
      return writes.length;
    },
    /** Forgets a device that left (its pending usage must have been flushed first). */
    forget(deviceId: string): void {
      last.delete(deviceId);
      rates.delete(deviceId);
    },
    /** Starts a device from zero (its counters restart at authorize). */
    reset(deviceId: string, now: number): void {
      last.set(deviceId, { up: 0, down: 0, at: now });
      rates.delete(deviceId);
    },
    /** The pools with usage counted but not yet written. */
    pendingPools(): string[] {
      return [...pendingPerPool.keys()];
    },
    pendingCount(): number {
      return pending.size;
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
