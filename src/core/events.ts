/**
 * The typed event bus (zigbee2mqtt's eventBus shape). Use-cases emit only after the database commit, so
 * a listener (the WebSocket hub, metrics) never sees something that could still roll back. A listener
 * that throws is logged as `owner/event` and does not disturb the emitter or other listeners.
 *
 * @example
 *   bus.on('voucher.redeemed', 'ws', (e) => hub.publish(...));
 *   bus.emit('voucher.redeemed', { ... });
 */
import type { EntitlementStatus } from '../domain/entitlement.js';
import type { Logger } from '../lib/log.js';
import type { EventRow } from './ports/model.js';

/** A stored audit row with its id. */
export type AuditRecord = EventRow & { id: number };

export interface PoolUsage {
  entitlementId: string;
  status: EntitlementStatus;
  throttled: boolean;
  usedBytes: number;
  secondsRemaining: number | null;
  bytesRemaining: number | null;
  /** Current rates summed over the pool's devices, bits/s. */
  downBps: number;
  upBps: number;
  devices: { deviceId: string; downBps: number; upBps: number }[];
}

export interface PorticoEvents {
  'voucher.redeemed': { voucherId: string; entitlementId: string; deviceId: string; mac: string; ip: string; topUp: boolean };
  'voucher.revoked': { voucherId: string; entitlementId: string | null; reason: string | null; operatorId: string | null };
  'batch.created': { batchId: string; count: number; sellerId: string | null; price: number | null };
  'batch.deleted': { batchId: string; count: number };
  'device.attached': { deviceId: string; entitlementId: string; mac: string; ip: string };
  'device.detached': { deviceId: string; entitlementId: string; mac: string; reason: string };
  'entitlement.changed': { entitlementId: string; status: EntitlementStatus; reason: string };
  'login.failed': { ip: string; mac: string | null; code: string };
  /** A pass's live figures, published as soon as its counters are read (core/accounting.ts). */
  'usage': { at: number; pools: PoolUsage[]; devicesOnline: number; downBps: number; upBps: number };
  /** A pass is complete (figures, transitions, usage write): how long it took. */
  'sweep': { ms: number };
  'operator.action': { operatorId: string; action: string; subject: string | null };
  /** An audit row, after the commit that wrote it (core/tx.ts): the operator event feed is built from these. */
  'audit.recorded': AuditRecord;
}

export type EventName = keyof PorticoEvents;
type Listener<K extends EventName> = (payload: PorticoEvents[K]) => void;

export class EventBus {
  private readonly listeners = new Map<EventName, { owner: string; fn: Listener<never> }[]>();

  constructor(private readonly log: Logger) {}

  on<K extends EventName>(event: K, owner: string, fn: Listener<K>): () => void {
    const list = this.listeners.get(event) ?? [];
    const entry = { owner, fn: fn as Listener<never> };
    list.push(entry);
    this.listeners.set(event, list);
    return () => {
      const l = this.listeners.get(event);
      if (l) this.listeners.set(event, l.filter((x) => x !== entry));
    };
  }

  emit<K extends EventName>(event: K, payload: PorticoEvents[K]): void {
    this.emitFor(null, event, payload);
  }

  /**
   * Delivers to the listeners of `owners` only (null: all). Another instance's committed event
   * (store/pg/live.ts) reaches the live views (`ws`) without running this instance's side effects again.
   */
  emitFor<K extends EventName>(owners: readonly string[] | null, event: K, payload: PorticoEvents[K]): void {
    for (const { owner, fn } of this.listeners.get(event) ?? []) {
      if (owners && !owners.includes(owner)) continue;
      try {
        (fn as Listener<K>)(payload);
      } catch (err) {
        this.log.error(`${owner}/${event}`, 'listener failed', { err });
      }
    }
  }
}
