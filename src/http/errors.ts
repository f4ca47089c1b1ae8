/**
 * One mapping from DomainError codes to HTTP statuses (SPEC §5). The cause is logged, never sent.
 * Storage errors that reach app.onError without a DomainError around them (a SqliteError SQLITE_FULL
 * from creating a batch or an operator session, a JournalWriteError ENOSPC in RAM mode) become
 * 503 STORAGE_FAILED here, in one place, instead of each use-case having to wrap its writes (D9).
 *
 * @example
 *   statusFor('DEVICE_LIMIT'); // 409
 *   storageFailed(sqliteFullError, 'the disk is full'); // DomainError STORAGE_FAILED → 503
 */
import type { ErrorEnvelope } from '../api/contract.js';
import { DomainError, isDomainError, type ErrorCode } from '../domain/errors.js';

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

/**
 * `err`, a storage failure for `reason`, as the DomainError to answer with: a bare storage error becomes
 * STORAGE_FAILED, and a STORAGE_FAILED from a use-case gets the reason in its message, so an operator
 * reads "… (the disk is full)" instead of guessing. Other DomainErrors are returned as they are.
 */
export function storageFailed(err: unknown, reason: string): DomainError | null {
  if (!isDomainError(err)) return new DomainError('STORAGE_FAILED', `could not save: ${reason}; nothing was changed`, { reason }, { cause: err });
  if (err.code !== 'STORAGE_FAILED' || err.message.includes(reason)) return err;
  return new DomainError('STORAGE_FAILED', `${err.message} (${reason})`, { ...err.details, reason }, { cause: err.cause });
}
