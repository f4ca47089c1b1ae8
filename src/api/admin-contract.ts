/**
 * Wire types of the operator API (/api/admin/*) and the operator WebSocket topics: sessions, plans,
 * batches, vouchers and the voucher page, sales, the audit log in words, operators, settings and the
 * live dashboard. Split from contract.ts, which re-exports every type here, so the UIs keep importing
 * one file. Types only: nothing here exists at run time.
 */

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
  /** Per calendar month (YYYY-MM), newest first: Mikhmon's monthly selling report. */
  perMonth: { month: string; vouchers: number; amount: number }[];
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
