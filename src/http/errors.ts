/**
 * One mapping from DomainError codes to HTTP statuses (SPEC §5). The cause is logged by app.onError
 * (`causeOf`), never sent. Storage failures become STORAGE_FAILED in core (core/tx.ts), not here.
 *
 * @example
 *   statusFor('DEVICE_LIMIT'); // 409
 */
import type { ErrorEnvelope } from '../api/contract.js';
import type { DomainError, ErrorCode } from '../domain/errors.js';

const STATUS: Record<ErrorCode, number> = {
  CODE_MALFORMED: 400,
  CODE_CHECK_FAILED: 400,
  INVALID_INPUT: 400,
  VOUCHER_UNKNOWN: 404,
  NOT_FOUND: 404,
  VOUCHER_REVOKED: 403,
  VOUCHER_EXPIRED: 403,
  VOUCHER_EXHAUSTED: 403,
  NOT_AUTHORIZED: 403,
  CLIENT_UNKNOWN: 403,
  FORBIDDEN: 403,
  UNAUTHENTICATED: 401,
  DEVICE_LIMIT: 409,
  CONFLICT: 409,
  TOO_MANY_ATTEMPTS: 429,
  GATEWAY_UNAVAILABLE: 503,
  STORAGE_FAILED: 503,
};

export function statusFor(code: ErrorCode): 400 | 401 | 403 | 404 | 409 | 429 | 503 {
  return STATUS[code] as 400 | 401 | 403 | 404 | 409 | 429 | 503;
}

/** The JSON error body for a DomainError: its code, a message (localized by the caller if it likes),
 * and the seconds to wait or the field at fault when the error knows them. */
export function errorEnvelope(err: DomainError, message: string = err.message): ErrorEnvelope {
  const retryAfter = typeof err.details.retryAfter === 'number' ? err.details.retryAfter : undefined;
  const field = typeof err.details.field === 'string' ? err.details.field : undefined;
  return { ok: false, code: err.code, message, ...(retryAfter !== undefined ? { retryAfter } : {}), ...(field ? { field } : {}) };
}

/** A DomainError's cause in words for the log: the message of each error in the chain. */
export function causeOf(cause: unknown): string {
  const parts: string[] = [];
  for (let e = cause, depth = 0; e !== undefined && depth < 4; depth++) {
    parts.push(e instanceof Error ? `${(e as { code?: string }).code ? `${(e as { code?: string }).code}: ` : ''}${e.message}` : String(e));
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(' ← ');
}
