/**
 * What each WebSocket topic carries (SPEC §6), fed by the core's event bus, which publishes only after
 * commits. Many bus events in one tick become one message per connection (coalesced on `setImmediate`);
 * `network` and `operator/sessions` are aggregates sent at most once per `aggregateEveryMs`.
 *
 * - `device`: the caller's own pool; a sweep's `usage` patches the last payload with no query and no
 *   gateway lookup per connection; pool events look the status up afresh (core/identity.ts answers a
 *   device online from the store, so that is no gateway call either).
 * - `operator/events`: the audit rows the bus just published (`audit.recorded`), never a re-read of
 *   the table.
 * - `operator/sales`, `network`, `operator/sessions`: recomputed when something they show changed.
 *
 * @example
 *   const topics = createTopics({ core, broker, log, aggregateEveryMs: 1000, eventsSnapshot: 25 });
 *   topics.start();             // subscribes to the bus
 *   await topics.snapshot(conn);
 */
import type { AuditEvent } from '../../api/contract.js';
import type { Core } from '../../core/index.js';
import type { AuditRecord, PorticoEvents } from '../../core/events.js';
import { normalizeIp } from '../../lib/net.js';
import type { Logger } from '../../lib/log.js';
import { sessionState } from '../context.js';
import type { Broker, Conn } from './broker.js';
import { usageFrame, usageTemplate, type UsageTemplate } from './usage-frame.js';

export interface TopicsOptions {
  core: Core;
  broker: Broker;
  log: Logger;
  aggregateEveryMs: number;
  eventsSnapshot: number;
}

/** Most audit rows one `operator/events` delta carries. */
const EVENTS_PER_DELTA = 100;

export function createTopics(o: TopicsOptions) {
  const { core, broker, log } = o;
  const unsubscribe: (() => void)[] = [];
  const dirtyDevices = new Set<Conn>();
  const dirtyUsage = new Set<Conn>();
  /** Each subscriber's usage-delta template, for its last full payload (ws/usage-frame.ts). */
  const templates = new WeakMap<Conn, UsageTemplate>();
  let lastUsage: PorticoEvents['usage'] | null = null;
  let freshEvents: AuditRecord[] = [];
  let dirtySales = false;
  let scheduled = false;
  let lastAggregate = 0;
  let aggregateTimer: NodeJS.Timeout | undefined;

  async function sendDevice(c: Conn, kind: 'snapshot' | 'delta'): Promise<void> {
    const status = await core.deviceStatus(c.ip);
    c.entitlementId = status.authorized ? status.entitlementId : null;
    c.deviceId = status.authorized ? status.deviceId : null;
    c.last = sessionState(status, c.lang);
    broker.send(c, 'device', kind, c.last);
  }

  /**
   * Usage ticks change numbers, not membership (logins and logouts arrive as pool events): each online
   * subscriber's last payload is patched with its pool's figures from the sweep. A device whose pool no
   * longer lists it is looked up afresh.
   */
  async function sendUsage(list: Conn[], usage: PorticoEvents['usage']): Promise<void> {
    const pools = new Map(usage.pools.map((p) => [p.entitlementId, p]));
    // Per pool, once (a pool's devices share it): its devices' rates by id.
    const byPool = new Map<string, Map<string, { downBps: number; upBps: number }>>();
    const ratesOf = (p: PorticoEvents['usage']['pools'][number]) => {
      let r = byPool.get(p.entitlementId);
      if (!r) byPool.set(p.entitlementId, (r = new Map(p.devices.map((d) => [d.deviceId, d]))));
      return r;
    };
    for (const c of list) {
      const p = c.entitlementId ? pools.get(c.entitlementId) : undefined;
      const last = c.last;
      const rates = p && ratesOf(p);
      if (!p || !rates || !last?.authorized || last.devices.length !== p.devices.length || !rates.has(c.deviceId ?? '')) {
        await sendDevice(c, 'delta');
        continue;
      }
      // Patched in place: the payload is this connection's own (sendDevice builds it afresh), and a copy
      // per subscriber per pass was a fifth of the fan-out's time with 1,000 online. It goes out through
      // a template of its fixed fields: serializing the whole payload was another fifth.
      last.at = usage.at;
      last.status = p.status;
      last.throttled = p.throttled;
      last.online = p.status === 'active' || p.throttled;
      last.secondsRemaining = p.secondsRemaining;
      last.bytesRemaining = p.bytesRemaining;
      last.usedBytes = p.usedBytes;
      last.downBps = p.downBps;
      last.upBps = p.upBps;
      for (const d of last.devices) {
        const r = rates.get(d.id);
        d.downBps = r?.downBps ?? 0;
        d.upBps = r?.upBps ?? 0;
      }
      let t = templates.get(c);
      if (t?.of !== last) templates.set(c, (t = usageTemplate(last)));
      broker.sendSerialized(c, usageFrame(t, last));
    }
  }

  function salesFor(c: Conn) {
    const op = c.operator && core.sessionOperator(c.operator.tokenHash);
    return op ? core.admin.vouchers.sales(op) : { rows: [], totals: { vouchers: 0, amount: 0 }, perSeller: [], perMonth: [], revokedUnused: 0, from: null, to: null };
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush().catch((err) => log.error('ws/flush', 'update failed', { err }));
    });
  }

  async function flush(): Promise<void> {
    const devices = [...dirtyDevices];
    dirtyDevices.clear();
    for (const c of devices) dirtyUsage.delete(c);
    const usage = [...dirtyUsage].filter((c) => broker.conns.has(c));
    dirtyUsage.clear();
    for (const c of devices) if (broker.conns.has(c)) await sendDevice(c, 'delta');
    if (lastUsage) await sendUsage(usage, lastUsage);
    if (freshEvents.length) {
      // Newest first, like the audit list and the snapshot.
      const fresh: AuditEvent[] = core.admin.describeEvents(freshEvents.slice(-EVENTS_PER_DELTA).reverse());
      freshEvents = [];
      for (const c of broker.withTopic('operator/events')) broker.send(c, 'operator/events', 'delta', fresh);
    }
    if (dirtySales) {
      dirtySales = false;
      for (const c of broker.withTopic('operator/sales')) broker.send(c, 'operator/sales', 'delta', salesFor(c));
    }
  }

  function markPool(entitlementId: string | null, ip?: string): void {
    for (const c of broker.conns) {
      if (c.topics.has('device') && ((entitlementId && c.entitlementId === entitlementId) || (ip && c.ip === ip))) dirtyDevices.add(c);
    }
    schedule();
  }

  function aggregates(): void {
    const now = Date.now();
    if (now - lastAggregate < o.aggregateEveryMs) {
      aggregateTimer ??= setTimeout(() => {
        aggregateTimer = undefined;
        aggregates();
      }, o.aggregateEveryMs - (now - lastAggregate));
      return;
    }
    lastAggregate = now;
    const net = broker.withTopic('network');
    if (net.length) {
      const state = core.admin.networkState();
      for (const c of net) broker.send(c, 'network', 'delta', state);
    }
    const ops = broker.withTopic('operator/sessions');
    if (ops.length) {
      const state = core.admin.dashboard();
      for (const c of ops) broker.send(c, 'operator/sessions', 'delta', state);
    }
  }

  return {
    /** The first message of every topic a new connection asked for. */
    async snapshot(c: Conn): Promise<void> {
      if (c.topics.has('device')) await sendDevice(c, 'snapshot');
      if (c.topics.has('network')) broker.send(c, 'network', 'snapshot', core.admin.networkState());
      if (c.topics.has('operator/sessions')) broker.send(c, 'operator/sessions', 'snapshot', core.admin.dashboard());
      if (c.topics.has('operator/events')) broker.send(c, 'operator/events', 'snapshot', core.admin.audit({ limit: o.eventsSnapshot }));
      if (c.topics.has('operator/sales')) broker.send(c, 'operator/sales', 'snapshot', salesFor(c));
    },
    /** A connection went away: nothing more is queued for it. */
    forget(c: Conn): void {
      dirtyDevices.delete(c);
      dirtyUsage.delete(c);
    },
    start(): void {
      const bus = core.bus;
      unsubscribe.push(
        bus.on('usage', 'ws', (u) => {
          lastUsage = u;
          // Only devices that are online have numbers that move; logins and logouts arrive as pool events.
          for (const c of broker.conns) if (c.topics.has('device') && c.entitlementId) dirtyUsage.add(c);
          schedule();
          aggregates();
        }),
        bus.on('voucher.redeemed', 'ws', (e) => (markPool(e.entitlementId, normalizeIp(e.ip)), aggregates())),
        bus.on('device.attached', 'ws', (e) => markPool(e.entitlementId, normalizeIp(e.ip))),
        bus.on('device.detached', 'ws', (e) => (markPool(e.entitlementId), aggregates())),
        bus.on('entitlement.changed', 'ws', (e) => markPool(e.entitlementId)),
        bus.on('voucher.revoked', 'ws', (e) => (markPool(e.entitlementId), (dirtySales = true), aggregates())),
        bus.on('batch.created', 'ws', () => ((dirtySales = true), schedule())),
        bus.on('batch.deleted', 'ws', () => ((dirtySales = true), schedule())),
        bus.on('audit.recorded', 'ws', (row) => {
          // Kept only while someone is watching; bounded by what one delta carries.
          if (!broker.hasTopic('operator/events')) return;
          freshEvents.push(row);
          if (freshEvents.length > EVENTS_PER_DELTA) freshEvents.shift();
          schedule();
        }),
      );
    },
    stop(): void {
      for (const u of unsubscribe.splice(0)) u();
      if (aggregateTimer) clearTimeout(aggregateTimer);
      aggregateTimer = undefined;
    },
  };
}

export type Topics = ReturnType<typeof createTopics>;
