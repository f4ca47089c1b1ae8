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
  label: string;
  isCaller: boolean;
  attachedAt: number;
  downBps: number;
  upBps: number;
}

/** GET /api/session and the `device` WebSocket topic. */
export type SessionState =
  | { authorized: false }
  | {
      authorized: true;
      online: boolean;
      status: 'active' | 'exhausted' | 'expired' | 'revoked';
      throttled: boolean;
      plan: { words: string; devices: number; dataBytes: number | null; durationSec: number | null };
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

/** `{ topic, payload }` messages on GET /ws. */
export interface WsTopics {
  device: SessionState;
  network: NetworkState;
  'operator/sessions': { devicesOnline: number; pools: unknown[] };
  'operator/events': { id?: number; at: number; type: string; actorType: string; actorId: string | null; subject: string | null; data: unknown }[];
  'operator/sales': unknown;
}

export type WsMessage = { [K in keyof WsTopics]: { topic: K; payload: WsTopics[K] } }[keyof WsTopics];
