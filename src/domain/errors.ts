/**
 * DomainError: the one error type the rules and use-cases throw. Each carries a stable `code` that the
 * HTTP layer maps to a status and a localized message (src/http/errors.ts); the `cause` is for logs only.
 *
 * @example
 *   throw new DomainError('VOUCHER_REVOKED', 'voucher was revoked');
 */
export type ErrorCode =
  | 'CODE_MALFORMED' // not Crockford base32 / wrong length
  | 'CODE_CHECK_FAILED' // check character does not match (a typo)
  | 'VOUCHER_UNKNOWN'
  | 'VOUCHER_REVOKED'
  | 'VOUCHER_EXPIRED'
  | 'VOUCHER_EXHAUSTED'
  | 'DEVICE_LIMIT'
  | 'TOO_MANY_ATTEMPTS'
  | 'NOT_AUTHORIZED' // the caller has no active session
  | 'CLIENT_UNKNOWN' // the gateway cannot map the caller's address to a device
  | 'GATEWAY_UNAVAILABLE'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'STORAGE_FAILED';

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}
