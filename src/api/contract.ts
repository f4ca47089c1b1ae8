/**
 * Wire types shared by the server and the UIs (portal-ui imports this file): REST bodies, the error
 * envelope, the RFC 8908 captive API, and the WebSocket topic → payload map (SPEC §6). Keep it free of
 * runtime imports so the browser bundles stay tiny.
 */
import type { AuditEvent, OperatorSessions, SalesView } from './admin-contract.js';

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
// Operator API (/api/admin/*): the types are in admin-contract.ts, re-exported here.

export type * from './admin-contract.js';

/** GET /api/network/history: the last 24 hours in buckets (no personal data). */
export interface NetworkHistoryView {
  bucketMs: number;
  /** Oldest first; `devices` is the most online at once in the bucket, `bytes` the traffic in it. */
  points: { at: number; devices: number; bytes: number }[];
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
