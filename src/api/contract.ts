/**
 * Wire types shared by the server and the UIs (portal-ui imports this file): REST bodies, the error
 * envelope, the RFC 8908 captive API, and the WebSocket topic → payload map (SPEC §6). Keep it free of
 * runtime imports so the browser bundles stay tiny.
 */

/** Every JSON error: a stable machine code and a localized sentence for people. */
export interface ErrorEnvelope {
  ok: false;
  code: string;
  message: string;
  /** Seconds to wait (429). */
  retryAfter?: number;
  /** The input field at fault (400 INVALID_INPUT), e.g. `count`, `price`, `durationSec`. */
  field?: string;
}

/** RFC 8908 §5 (application/captive+json). */
export interface CaptiveApiState {
  captive: boolean;
  'user-portal-url'?: string;
  'venue-info-url'?: string;
  'can-extend-session'?: boolean;
  'seconds-remaining'?: number;
  'bytes-remaining'?: number;
}

export interface DeviceSummary {
  id: string;
  /** The MAC's last digits (`1E:D1`). */
  label: string;
  /** The host name the gateway learned (DHCP lease, hotspot host list), or null: show `label`. */
  name: string | null;
  isCaller: boolean;
  attachedAt: number;
  downBps: number;
  upBps: number;
}

/** Why a device's session ended lately: the portal says so and offers "add a code". */
export type EndReason = 'exhausted' | 'expired' | 'revoked' | 'logout' | 'removed' | 'replaced';

/** GET /api/session and the `device` WebSocket topic. */
export type SessionState =
  | { authorized: false; ended?: { reason: EndReason; at: number } }
  | {
      authorized: true;
      online: boolean;
      /** The household's code (printed form), to type on another device. Only ever sent to a device of its pool. */
      code: string;
      status: 'active' | 'exhausted' | 'expired' | 'revoked';
      throttled: boolean;
      plan: { words: string; devices: number; dataBytes: number | null; durationSec: number | null };
      /** Server time (ms) of the accounting pass these figures come from (WebSocket usage updates). */
      at?: number;
      secondsRemaining: number | null;
      bytesRemaining: number | null;
      usedBytes: number;
      dataTotal: number | null;
      expiresAt: number | null;
      downBps: number;
      upBps: number;
      devices: DeviceSummary[];
    };

export interface LoginOk {
  ok: true;
  session: SessionState;
}

/** Public aggregates (the `network` topic and GET /network): no personal data. */
export interface NetworkState {
  name: string;
  devicesOnline: number;
  downBps: number;
  upBps: number;
  todayBytes: number;
  gateway: { ok: boolean; detail: string };
  at: number;
}

// ---------------------------------------------------------------------------------------------------
// Operator API (/api/admin/*). Every mutation carries the session's CSRF token in `X-CSRF-Token`.

export type OperatorRole = 'admin' | 'seller';

export interface OperatorSelf {
  id: string;
  name: string;
  role: OperatorRole;
}

/** POST /api/admin/login and GET /api/admin/me. */
export interface AdminSession {
  ok: true;
  operator: OperatorSelf;
  csrf: string;
  /**
   * The password was handed over (printed at first start or by `portico operators reset-password`):
   * every other route refuses (403) until POST /api/admin/password sets the operator's own.
   */
  mustChangePassword: boolean;
  /** The network's currency (ISO 4217, or '' for none): every price the console shows is formatted in it. */
  currency: string;
}

/** A plan as operators see and edit it; sizes in bytes, rates in bits/s, durations in seconds. */
export interface PlanSpec {
  durationSec: number | null;
  dataBytes: number | null;
  downBps: number | null;
  upBps: number | null;
  devices: number;
  redeemBy: number | null;
  reset: 'daily' | 'weekly' | 'monthly' | null;
  onExhausted: 'block' | 'throttle';
  throttleDownBps: number | null;
  throttleUpBps: number | null;
}

export interface PlanView {
  name: string;
  plan: PlanSpec;
  price: number | null;
  words: string;
}

/**
 * PUT /api/admin/plans/:name and the inline part of POST /api/admin/batches. Sizes, rates and durations
 * are what an operator types (`2GB`, `4Mbit`, `30d`); empty or absent means "no limit".
 */
export interface PlanInput {
  duration?: string;
  data?: string;
  down?: string;
  up?: string;
  devices?: number | string;
  redeemBy?: string;
  reset?: 'daily' | 'weekly' | 'monthly' | '';
  onExhausted?: 'block' | 'throttle';
  price?: number | string | null;
}

/** POST /api/admin/batches: a stored plan by name, inline limits, or both (inline wins). */
export interface BatchCreate extends PlanInput {
  count: number | string;
  plan?: string;
  note?: string;
}

export interface BatchView {
  id: string;
  planName: string | null;
  words: string;
  count: number;
  note: string | null;
  price: number | null;
  sellerId: string | null;
  seller: string | null;
  createdAt: number;
  /** Whether any of its codes was ever used; an unused batch can be deleted. */
  used: boolean;
}

export interface BatchCreated {
  ok: true;
  batch: BatchView;
  codes: string[];
}

export type VoucherStatusName = 'unused' | 'active' | 'exhausted' | 'expired' | 'revoked';

export interface VoucherView {
  id: string;
  /** Printed form, e.g. K7QM-4XPA-9TR. */
  code: string;
  batchId: string;
  status: VoucherStatusName;
  words: string;
  note: string | null;
  sellerId: string | null;
  createdAt: number;
  redeemedAt: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
}

/** A device a pool has had (gateway devices, and RADIUS sessions with their NAS), for the voucher page. */
export interface VoucherDevice {
  /** Gateway device id (for Disconnect), or null for a NAS session. */
  id: string | null;
  mac: string;
  /** The host name the gateway learned (DHCP), or null. */
  name: string | null;
  ip: string | null;
  /** The NAS a RADIUS session runs on; null for the gateway's own devices. */
  nas: string | null;
  online: boolean;
  attachedAt: number;
  endedAt: number | null;
  endReason: string | null;
  usedBytes: number;
  downBps: number;
  upBps: number;
}

/** GET /api/admin/vouchers/:id: one code, its pool (time and data left, top-ups, devices) and history. */
export interface VoucherDetail {
  voucher: VoucherView;
  batch: { id: string; note: string | null; price: number | null; seller: string | null; createdAt: number };
  /** null until the code is first used. */
  pool: null | {
    entitlementId: string;
    status: 'active' | 'exhausted' | 'expired' | 'revoked';
    throttled: boolean;
    /** The pool's plan in words, top-ups included. */
    words: string;
    activatedAt: number;
    expiresAt: number | null;
    secondsRemaining: number | null;
    bytesRemaining: number | null;
    usedBytes: number;
    dataTotal: number | null;
    /** Every code redeemed into the pool, first use first (the first one opened it; the rest are top-ups). */
    codes: { voucherId: string; code: string; words: string; redeemedAt: number | null }[];
    devices: VoucherDevice[];
  };
  /** Audit rows for the code, its pool and its top-ups, newest first, in words. */
  history: AuditEvent[];
}

/** POST /api/admin/vouchers/:id/extend: time and/or data added to the code's pool, typed like a plan. */
export interface PoolExtend {
  duration?: string;
  data?: string;
}

export interface VoucherList {
  total: number;
  items: VoucherView[];
}

export interface SaleRow {
  day: string;
  sellerId: string | null;
  seller: string | null;
  vouchers: number;
  amount: number;
}

/** GET /api/admin/radius: the live RADIUS sessions and each configured NAS's health (src/http/admin-radius.ts). */
export interface RadiusPage {
  enabled: boolean;
  /** Datagrams from addresses that are no configured NAS, dropped. */
  unknownSourceDrops: number;
  nas: { name: string; profile: string; address: string; disconnects: boolean; lastPacketAt: number | null; answered: number; refused: number; dropped: number }[];
  sessions: {
    id: string; nas: string; mac: string; ip: string | null; code: string | null; note: string | null; voucherId: string | null; entitlementId: string;
    since: number; lastSeen: number; bytesIn: number; bytesOut: number; secondsLeft: number | null; bytesLeft: number | null;
  }[];
}

/** Vouchers sold: made, less those revoked before anyone used them; per local day and seller. */
export interface SalesView {
  /** Newest day first. */
  rows: SaleRow[];
  totals: { vouchers: number; amount: number };
  perSeller: { sellerId: string | null; seller: string | null; vouchers: number; amount: number }[];
  /** Codes made in the range but revoked unused: not counted as sold. */
  revokedUnused: number;
  /** The range asked for (local days, YYYY-MM-DD), null when open. */
  from: string | null;
  to: string | null;
}

export interface AuditEvent {
  id?: number;
  at: number;
  type: string;
  actorType: 'device' | 'operator' | 'system';
  actorId: string | null;
  subject: string | null;
  data: unknown;
  /** The ids above in words (the operator API and `operator/events` fill it: core/admin-words.ts). */
  words?: AuditWords;
}

/** What an audit row's ids stand for, resolved server-side so the console never shows `op_…` or `vch_…`. */
export interface AuditWords {
  /** Who did it: an operator's name, a device's MAC, or null (Portico itself, the command line). */
  actor: string | null;
  /** The voucher it concerns, printed form (K7QM-4XPA-9TR), and its id for the voucher page. */
  code: string | null;
  voucherId: string | null;
  /** What else it names: an operator's name, a plan's name, a batch's note. */
  target: string | null;
  /** Facts for the sentence (ip, mac, reason, count, nas, role…): strings and numbers, never objects. */
  facts: Record<string, string | number>;
}

export interface OperatorView extends OperatorSelf {
  disabled: boolean;
  createdAt: number;
  /** The plans a seller may sell, or null for every plan (admins: always null). */
  plans: string[] | null;
}

/** Operator-editable settings; saved values override the config file's. */
export interface SettingsView {
  networkName: string;
  ssid: string;
  languages: ('en' | 'es' | 'pt' | 'fr')[];
  /** Welcome text for every language; `welcomeByLang` holds the per-language ones, which win. */
  welcome: string;
  welcomeByLang: Partial<Record<'en' | 'es' | 'pt' | 'fr', string>>;
  /** Terms of use (empty: none). When set, the login form requires ticking "I accept". */
  terms: string;
  termsByLang: Partial<Record<'en' | 'es' | 'pt' | 'fr', string>>;
  /** Operator notice on the portal and /network, e.g. "outage tonight 22:00–23:00" (empty: none). */
  notice: string;
  noticeByLang: Partial<Record<'en' | 'es' | 'pt' | 'fr', string>>;
  /** Hosts or CIDRs reachable before login. */
  walledGarden: string[];
  /** MAC addresses that pass without a code (lower-case, colon-separated). */
  bypass: string[];
  /** ISO 4217 code prices are in (`COP`, `USD`, `EUR`), or '' for plain numbers. */
  currency: string;
  /** The Wi-Fi password printed on sheets (in letters and in the join QR); '' for an open network. */
  wifiPassword: string;
}

/** GET /api/network/history: the last 24 hours in buckets (no personal data). */
export interface NetworkHistoryView {
  bucketMs: number;
  /** Oldest first; `devices` is the most online at once in the bucket, `bytes` the traffic in it. */
  points: { at: number; devices: number; bytes: number }[];
}

/** A device online in a pool, as the dashboard names it. */
export interface DeviceLive {
  mac: string;
  /** The host name the gateway learned (DHCP), or null. */
  name: string | null;
  ip: string;
}

/** One pool on the live dashboard (admins only): its code and note, who sold it, its devices and figures. */
export interface PoolLive {
  entitlementId: string;
  /** The code that opened the pool (printed form) and its id, for the voucher page. */
  code: string;
  voucherId: string;
  note: string | null;
  seller: string | null;
  online: DeviceLive[];
  status: 'active' | 'exhausted' | 'expired' | 'revoked';
  throttled: boolean;
  secondsRemaining: number | null;
  bytesRemaining: number | null;
  usedBytes: number;
  downBps: number;
  upBps: number;
  devices: number;
}

/** GET /api/admin/dashboard and the `operator/sessions` topic. */
export interface OperatorSessions {
  devicesOnline: number;
  downBps: number;
  upBps: number;
  todayBytes: number;
  vouchers: Record<VoucherStatusName, number>;
  gateway: { ok: boolean; detail: string };
  pools: PoolLive[];
  at: number;
}

// ---------------------------------------------------------------------------------------------------
// WebSocket (GET /ws?topics=device,network,operator/sessions,…)

/** `{ topic, payload }` messages on GET /ws. */
export interface WsTopics {
  device: SessionState;
  network: NetworkState;
  /** Admin only. */
  'operator/sessions': OperatorSessions;
  /** Admin only. Snapshot: the latest events, newest first; delta: events since, newest first. */
  'operator/events': AuditEvent[];
  /** Admins see every seller; a seller sees only their own sales. */
  'operator/sales': SalesView;
}

export type WsTopic = keyof WsTopics;
export const WS_TOPICS = ['device', 'network', 'operator/sessions', 'operator/events', 'operator/sales'] as const satisfies readonly WsTopic[];

/**
 * A snapshot comes first on every topic; then deltas. For `operator/events` a delta is only the new
 * events (prepend them); for every other topic a delta is the whole new state (it is small).
 */
export type WsMessage = { [K in WsTopic]: { topic: K; kind: 'snapshot' | 'delta'; payload: WsTopics[K] } }[WsTopic];

/** Close codes: 4401 bad/missing operator session, 4403 role may not read the topic, 4408 too slow. */
export const WS_CLOSE = { unauthenticated: 4401, forbidden: 4403, tooSlow: 4408, badRequest: 4400 } as const;
