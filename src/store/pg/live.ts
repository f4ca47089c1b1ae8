/**
 * Live views across instances (SPEC §11: the console, the WebSocket feeds and /network show the whole
 * network, not one instance's share). Every committed event the live views consume is published with
 * NOTIFY on one channel, tagged with the publishing instance; each other instance hands what it hears
 * to its live-view listeners only (owner `ws`, `EventBus.emitFor`), never to core's side-effect
 * listeners (metrics, device endings): those already ran on the instance that made the change.
 * NOTIFY is delivered after the publisher's commit and in commit order (PostgreSQL manual, NOTIFY);
 * what is published is what core/tx.ts emits after its own COMMIT, so nothing rolled back is shown.
 *
 * The events of one event-loop turn share one NOTIFY (split below PostgreSQL's 8,000-byte payload
 * limit). An event over the limit on its own (an audit row with a huge detail) is not relayed; it is
 * still in the audit table, which the console reads on load.
 *
 * @example
 *   const stop = relayLive(store, core.bus, log);
 */
import type { EventBus, EventName } from '../../core/events.js';
import type { Logger } from '../../lib/log.js';
import type { PgStore } from './index.js';

/** What the live views (src/http/ws/topics.ts) listen to. `usage` is each instance's own sweep and stays local. */
export const RELAYED: readonly EventName[] = [
  'audit.recorded', 'voucher.redeemed', 'voucher.revoked', 'batch.created', 'batch.deleted', 'device.attached', 'device.detached', 'entitlement.changed',
];

/** The listener owners remote events are delivered to. */
export const LIVE_OWNERS: readonly string[] = ['ws'];

const MAX_PAYLOAD = 7900;

export function relayLive(store: PgStore, bus: EventBus, log: Logger): () => void {
  // What one turn of the event loop committed goes out as one NOTIFY (a login commits four or five
  // events; one statement each would be a round trip each on the store's one connection).
  let queue: string[] = [];
  const flush = () => {
    let batch: string[] = [];
    let size = 0;
    const send = () => batch.length && store.notify(`{"i":${JSON.stringify(store.instanceId)},"events":[${batch.join(',')}]}`);
    for (const item of queue) {
      if (size + item.length > MAX_PAYLOAD - 100) (send(), (batch = []), (size = 0));
      batch.push(item);
      size += item.length + 1;
    }
    send();
    queue = [];
  };
  const offs = RELAYED.map((name) =>
    bus.on(name, 'pg-live', (payload) => {
      const item = JSON.stringify({ e: name, p: payload });
      if (Buffer.byteLength(item) > MAX_PAYLOAD - 100) return log.debug('store', `not relayed: ${name} is over the NOTIFY limit`);
      if (!queue.length) setImmediate(flush);
      queue.push(item);
    }),
  );
  store.subscribe((text) => {
    let m: { i?: unknown; events?: unknown };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      return log.warn('store', 'ignored a malformed live event from the database');
    }
    if (m.i === store.instanceId || !Array.isArray(m.events)) return;
    for (const ev of m.events as { e?: unknown; p?: unknown }[]) {
      if (typeof ev?.e !== 'string' || !RELAYED.includes(ev.e as EventName)) continue;
      bus.emitFor(LIVE_OWNERS, ev.e as EventName, ev.p as never);
    }
  });
  return () => offs.forEach((off) => off());
}
