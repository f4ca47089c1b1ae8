/**
 * Status-Server (RFC 5997): a NAS or proxy asks "are you alive?". The request has a random authenticator
 * like an Access-Request and MUST carry Message-Authenticator (RFC 5997 §3; `decodeRequest` already flags
 * one without it as MISSING_MESSAGE_AUTHENTICATOR, so it is dropped). The answer is an Access-Accept on
 * the authentication port and an Accounting-Response on the accounting port (RFC 5997 §3), and is
 * answered without touching the ledger — it must not log anyone in or count anything.
 *
 * @example
 *   if (isStatusServer(packet)) return send(statusServerResponse(packet, 'auth', secret));
 */
import type { Buffer } from 'node:buffer';
import type { AttributeInput } from './attributes.js';
import type { Secret } from './auth.js';
import { encodeResponse } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';

export type ListenerKind = 'auth' | 'acct';

export function isStatusServer(packet: RadiusPacket): boolean {
  return packet.code === Code.StatusServer;
}

/** The reply code for a Status-Server on this listener (RFC 5997 §3). */
export function statusServerReplyCode(listener: ListenerKind): number {
  return listener === 'auth' ? Code.AccessAccept : Code.AccountingResponse;
}

/**
 * A signed reply to a Status-Server (Message-Authenticator first, like every reply). `attrs` may carry a
 * Reply-Message for humans; no session attributes belong here.
 */
export function statusServerResponse(
  request: RadiusPacket,
  listener: ListenerKind,
  secret: Secret,
  attrs: readonly AttributeInput[] = [],
): Buffer {
  return encodeResponse(request, statusServerReplyCode(listener), attrs, secret);
}
