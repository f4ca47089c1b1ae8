/**
 * Operator use-cases besides vouchers: operators (list, add, change role, disable, passwords), the
 * operator-editable settings (saved values win over the config file), the audit log, and the live
 * figures behind the dashboard and the public network page. Every change is audited in the same
 * transaction as the change itself.
 *
 * @example
 *   const admin = createAdmin(ctx);
 *   admin.settings();                      // effective settings
 *   admin.saveSettings({ welcome: 'Hi' }, operator);
 *   admin.networkState();                  // public aggregates (no personal data)
 */
import type { AuditEvent, NetworkHistoryView, NetworkState, OperatorSessions, OperatorView, PoolLive, SettingsView } from '../api/contract.js';
import { DomainError } from '../domain/errors.js';
import { LANGS, type Lang } from '../domain/plan-words.js';
import { hashPassword, verifyPassword } from '../lib/password.js';
import type { EventRow, OperatorRow, Role } from './ports/model.js';
import { adminVouchers } from './admin-vouchers.js';
import { sellerPlans, setSellerPlans } from './admin-sellers.js';
import { describeEvents } from './admin-words.js';
import { deviceNames } from './device-names.js';
import { formatCode } from '../domain/code.js';
import type { CoreContext } from './context.js';
import { endings } from './endings.js';
import { createNetworkHistory } from './network-history.js';
import { parsePortalTexts, readPortalTexts } from './portal-texts.js';
import { localDay } from './ledger.js';
import { addOperator, mustChangePassword, requirePasswordChange } from './operators.js';
import { applyBypass, applyWalledGarden } from './pool.js';
import { normalizeMac } from '../lib/net.js';
import { transact } from './tx.js';
import { poolView } from './session.js';

/**
 * ISO 4217 codes the runtime can format (Intl), so a saved currency always prints. A Node built without
 * full ICU data (small routers) may list none: then any three capital letters pass, and formatting
 * falls back to the plain number (print/sheet.ts, admin/dom.js).
 */
const CURRENCIES = new Set(typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('currency') : []);
const isCurrency = (c: string) => (CURRENCIES.size ? CURRENCIES.has(c) : /^[A-Z]{3}$/.test(c));

const actorOf = (op: OperatorRow) => ({ type: 'operator' as const, id: op.id });

/** Host names, IPv4/IPv6 addresses or CIDRs. */
const GARDEN_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?|[0-9a-f:]+(?:\/\d{1,3})?)$/i;

export function createAdmin(ctx: CoreContext, deps: { gatewayOk: () => boolean }) {
  const { store } = ctx;
  const operatorView = (o: OperatorRow): OperatorView => ({
    id: o.id, name: o.name, role: o.role, disabled: o.disabled, createdAt: o.createdAt, plans: o.role === 'seller' ? sellerPlans(ctx, o.id) : null,
  });
  // Why sessions end, for the resident portal: subscribed now so no ending is missed (core/endings.ts).
  endings(ctx);
  // The 24-hour chart on /network, fed by the sweep's usage events (core/network-history.ts).
  const history = createNetworkHistory(ctx.bus);

  function settings(): SettingsView {
    const s = store.settings.all();
    const langs = Array.isArray(s.languages) ? (s.languages as string[]).filter((l): l is Lang => (LANGS as readonly string[]).includes(l)) : [];
    return {
      networkName: typeof s.networkName === 'string' && s.networkName ? s.networkName : ctx.config.network.name,
      ssid: typeof s.ssid === 'string' ? s.ssid : ctx.config.network.ssid,
      languages: langs.length ? langs : [...ctx.config.network.languages],
      ...readPortalTexts(s),
      walledGarden: Array.isArray(s.walledGarden) ? (s.walledGarden as string[]) : [...ctx.config.gateway.nftables.walledGarden],
      bypass: Array.isArray(s.bypass) ? (s.bypass as string[]) : ctx.config.gateway.bypass.map((m) => normalizeMac(m)!).filter(Boolean),
      currency: typeof s.currency === 'string' ? s.currency : '',
      wifiPassword: typeof s.wifiPassword === 'string' ? s.wifiPassword : ctx.config.network.wifiPassword,
    };
  }

  function gateway(): { ok: boolean; detail: string } {
    const h = ctx.driver.health();
    return deps.gatewayOk() ? h : { ok: false, detail: h.ok ? 'counters cannot be read' : h.detail };
  }

  function todayBytes(pending: number): number {
    const t = store.entitlements.trafficOn(localDay(ctx.clock.now()));
    return t.up + t.down + pending;
  }

  /**
   * /network's totals, from the ledger alone: no pool is read (a pool view each cost ~60 ms of the
   * event loop per accounting pass with 1,000 online, delaying every resident's update).
   */
  function totals(): { devicesOnline: number; downBps: number; upBps: number; pending: number } {
    const devices = store.entitlements.allActiveDevices();
    let down = 0;
    let up = 0;
    const ids = new Set<string>();
    for (const d of devices) {
      const r = ctx.ledger.rate(d.id);
      down += r.downBps;
      up += r.upBps;
      ids.add(d.entitlementId);
    }
    let pending = 0;
    for (const id of ids) pending += ctx.ledger.pendingBytes(id);
    return { devicesOnline: devices.length, downBps: down, upBps: up, pending };
  }

  /** Live pools with each one's code, note, seller and devices, and the totals (the dashboard). */
  function pools(): { pools: PoolLive[]; devicesOnline: number; downBps: number; upBps: number; pending: number } {
    const devices = store.entitlements.allActiveDevices();
    const byPool = new Map<string, typeof devices>();
    for (const d of devices) byPool.set(d.entitlementId, [...(byPool.get(d.entitlementId) ?? []), d]);
    const ids = [...byPool.keys()];
    const names = deviceNames(ctx);
    const out: PoolLive[] = [];
    let down = 0;
    let up = 0;
    let pending = 0;
    for (const id of ids) {
      const stored = store.entitlements.get(id);
      const v = poolView(ctx, id, null);
      if (!v.authorized || !stored) continue;
      pending += v.usedBytes - stored.usedBytes;
      down += v.downBps;
      up += v.upBps;
      const voucher = store.vouchers.get(stored.voucherId);
      const batch = voucher ? store.vouchers.getBatch(voucher.batchId) : undefined;
      out.push({
        entitlementId: id, code: voucher ? formatCode(voucher.code) : '', voucherId: stored.voucherId, note: batch?.note ?? null,
        seller: batch?.sellerId ? store.operators.get(batch.sellerId)?.name ?? null : null,
        online: (byPool.get(id) ?? []).map((d) => ({ mac: d.mac, name: names.of(d.mac), ip: d.ip })),
        status: v.status, throttled: v.throttled, secondsRemaining: v.secondsRemaining, bytesRemaining: v.bytesRemaining,
        usedBytes: v.usedBytes, downBps: v.downBps, upBps: v.upBps, devices: v.devices.length,
      });
    }
    return { pools: out, devicesOnline: devices.length, downBps: down, upBps: up, pending };
  }

  return {
    vouchers: adminVouchers(ctx),
    settings,
    async saveSettings(input: Partial<Record<keyof SettingsView, unknown>>, op: OperatorRow): Promise<SettingsView> {
      const next: Partial<SettingsView> = {};
      const text = (k: 'networkName' | 'ssid' | 'welcome', max: number, min = 0) => {
        const v = input[k];
        if (v === undefined) return;
        if (typeof v !== 'string' || v.trim().length < min || v.length > max) throw new DomainError('INVALID_INPUT', `${k} must be text of ${min} to ${max} characters`, { field: k });
        next[k] = v.trim();
      };
      text('networkName', 80, 1);
      text('ssid', 32);
      Object.assign(next, parsePortalTexts(input));
      if (input.languages !== undefined) {
        const l = input.languages;
        if (!Array.isArray(l) || l.length === 0 || !l.every((x) => (LANGS as readonly unknown[]).includes(x))) {
          throw new DomainError('INVALID_INPUT', `languages: one or more of ${LANGS.join(', ')}`, { field: 'languages' });
        }
        next.languages = [...new Set(l as Lang[])];
      }
      if (input.walledGarden !== undefined) {
        const g = input.walledGarden;
        if (!Array.isArray(g) || g.length > 200) throw new DomainError('INVALID_INPUT', 'walled garden: up to 200 host names, addresses or CIDRs', { field: 'walledGarden' });
        // Name the line at fault, like the bypass list (newcomer report: "not a host!!" got a generic error).
        const bad = g.findIndex((x) => typeof x !== 'string' || x.length > 253 || !GARDEN_ENTRY.test(x));
        if (bad >= 0) {
          throw new DomainError('INVALID_INPUT', `walled garden line ${bad + 1}: "${String(g[bad]).slice(0, 40)}" is not a host name, address or network like 10.0.0.0/8`, { field: 'walledGarden' });
        }
        next.walledGarden = [...new Set(g as string[])];
      }
      if (input.wifiPassword !== undefined) {
        const p = input.wifiPassword;
        // WPA2/3 passphrases are 8 to 63 printable ASCII characters (IEEE 802.11i); empty: an open network.
        if (typeof p !== 'string' || (p !== '' && !/^[\x20-\x7e]{8,63}$/.test(p))) {
          throw new DomainError('INVALID_INPUT', 'wifiPassword: 8 to 63 letters, digits or symbols (a WPA passphrase), or empty for an open network', { field: 'wifiPassword' });
        }
        next.wifiPassword = p;
      }
      if (input.currency !== undefined) {
        const c = typeof input.currency === 'string' ? input.currency.trim().toUpperCase() : null;
        if (c === null || (c !== '' && !isCurrency(c))) {
          throw new DomainError('INVALID_INPUT', `currency: "${String(input.currency).slice(0, 12)}" is not an ISO 4217 code like USD, EUR or COP (or leave it empty)`, { field: 'currency' });
        }
        next.currency = c;
      }
      if (input.bypass !== undefined) {
        const b = input.bypass;
        const macs = Array.isArray(b) && b.length <= 200 ? b.map((x) => (typeof x === 'string' ? normalizeMac(x) : null)) : null;
        const bad = macs ? macs.findIndex((m) => m === null) : 0;
        if (!macs || bad >= 0) {
          throw new DomainError('INVALID_INPUT', macs ? `bypass line ${bad + 1}: "${String((b as unknown[])[bad]).slice(0, 40)}" is not a MAC address like 02:00:00:aa:bb:cc` : 'bypass: up to 200 MAC addresses', { field: 'bypass' });
        }
        next.bypass = [...new Set(macs as string[])];
      }
      transact(ctx, 'the settings', (t) => {
        for (const [k, v] of Object.entries(next)) store.settings.set(k, v);
        // The audit row says the Wi-Fi password changed, not what it is.
        t.record({ type: 'settings.saved', actor: actorOf(op), subject: null, data: next.wifiPassword === undefined ? next : { ...next, wifiPassword: '(changed)' } });
      });
      // Saved first; a gateway that is down gets the garden again at the next start.
      if (next.walledGarden) await applyWalledGarden(ctx, next.walledGarden as string[]);
      if (next.bypass) await applyBypass(ctx, next.bypass);
      return settings();
    },

    /** Whether the operator must choose their own password before anything else (core/operators.ts). */
    mustChangePassword: (operatorId: string): boolean => mustChangePassword(ctx, operatorId),
    listOperators: (): OperatorView[] => store.operators.list().map(operatorView),
    async addOperator(input: { name: unknown; role: unknown; password: unknown }, op: OperatorRow): Promise<OperatorView> {
      const str = (v: unknown) => (typeof v === 'string' ? v : '');
      return operatorView(await addOperator(ctx, { name: str(input.name), role: str(input.role) as Role, password: str(input.password) }, actorOf(op)));
    },
    async updateOperator(id: string, input: { role?: unknown; disabled?: unknown; password?: unknown; plans?: unknown }, op: OperatorRow): Promise<OperatorView> {
      const target = store.operators.get(id);
      if (!target) throw new DomainError('NOT_FOUND', 'no such operator');
      const role = input.role === undefined ? target.role : input.role;
      if (role !== 'admin' && role !== 'seller') throw new DomainError('INVALID_INPUT', 'role must be admin or seller', { field: 'role' });
      const disabled = input.disabled === undefined ? target.disabled : input.disabled === true;
      if (target.id === op.id && (disabled || role !== 'admin')) throw new DomainError('CONFLICT', 'you cannot disable yourself or drop your own admin role');
      let passwordHash = target.passwordHash;
      if (input.password !== undefined) {
        if (typeof input.password !== 'string' || input.password.length < 8 || input.password.length > 200) throw new DomainError('INVALID_INPUT', 'password must be 8 to 200 characters', { field: 'password' });
        passwordHash = await hashPassword(input.password);
      }
      transact(ctx, 'the operator', (t) => {
        store.operators.update({ id, role, disabled, passwordHash });
        // A disabled operator, a new role or a reset password ends their sessions everywhere.
        if (disabled || role !== target.role || passwordHash !== target.passwordHash) store.operators.deleteSessionsOf(id);
        // Which plans a seller may sell (null: all); checked against the stored plans.
        const plans = input.plans !== undefined ? { plans: setSellerPlans(ctx, id, input.plans) } : {};
        t.record({ type: 'operator.updated', actor: actorOf(op), subject: id, data: { role, disabled, passwordReset: passwordHash !== target.passwordHash, ...plans } });
      });
      return operatorView(store.operators.get(id)!);
    },
    /** An operator changes their own password (the one printed on first start, say); other sessions end. */
    async changePassword(op: OperatorRow, current: unknown, next: unknown, keepTokenHash: string): Promise<void> {
      if (typeof current !== 'string' || !(await verifyPassword(current, op.passwordHash))) throw new DomainError('FORBIDDEN', 'the current password is wrong');
      if (typeof next !== 'string' || next.length < 8 || next.length > 200) throw new DomainError('INVALID_INPUT', 'password must be 8 to 200 characters', { field: 'password' });
      const passwordHash = await hashPassword(next);
      const keep = store.operators.findSession(keepTokenHash);
      transact(ctx, 'the new password', (t) => {
        store.operators.update({ id: op.id, role: op.role, disabled: op.disabled, passwordHash });
        store.operators.deleteSessionsOf(op.id);
        if (keep) store.operators.insertSession(keep);
        requirePasswordChange(ctx, op.id, false);
        t.record({ type: 'operator.password_changed', actor: actorOf(op), subject: op.id });
      });
    },

    /** Audit rows, newest first, with their ids in words (core/admin-words.ts). */
    audit(f: { type?: string; before?: number; limit?: number } = {}): AuditEvent[] {
      return describeEvents(ctx, store.events.list({ ...(f.type ? { type: f.type.slice(0, 64) } : {}), ...(f.before ? { before: f.before } : {}), limit: f.limit ?? 100 }));
    },
    /** Rows the bus just published (the live `operator/events` topic), in words like `audit()`. */
    describeEvents: (rows: readonly EventRow[]): AuditEvent[] => describeEvents(ctx, rows),

    /** The live dashboard: devices online, throughput, today's traffic, vouchers by status, pools. */
    dashboard(): OperatorSessions {
      const p = pools();
      return {
        devicesOnline: p.devicesOnline, downBps: p.downBps, upBps: p.upBps, todayBytes: todayBytes(p.pending),
        vouchers: store.vouchers.countByStatus(), gateway: gateway(), pools: p.pools, at: ctx.clock.now(),
      };
    },

    /** The last 24 hours for the /network chart: devices online and traffic per 5 minutes. */
    networkHistory: (): NetworkHistoryView => ({ bucketMs: history.bucketMs, points: history.points(ctx.clock.now()) }),

    /** Public aggregates for /network: counts and rates only, nothing that identifies a person. */
    networkState(): NetworkState {
      const p = totals();
      return {
        name: settings().networkName, devicesOnline: p.devicesOnline, downBps: p.downBps, upBps: p.upBps,
        todayBytes: todayBytes(p.pending), gateway: gateway(), at: ctx.clock.now(),
      };
    },
  };
}

export type Admin = ReturnType<typeof createAdmin>;
