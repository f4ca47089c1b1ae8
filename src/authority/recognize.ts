/**
 * A central Portico rejects with its portal's own sentence as Reply-Message ("The data on this code is
 * used up.", in the network's first language: src/serve-radius.ts). Recognizing it gives the gateway the
 * refusal's code back, so the resident reads the sentence in their own language and gets the right
 * status (403, 409…). The sentences are passed in (authority/ must not import http/).
 *
 * @example
 *   const recognize = recognizer(t, hasMessage);
 *   recognize('El código ya no tiene datos.'); // 'VOUCHER_EXHAUSTED' when that is the Spanish sentence
 */
import type { ErrorCode } from '../domain/errors.js';
import { LANGS, type Lang } from '../domain/plan-words.js';

/** The refusals a server may answer a code with (TOO_MANY_ATTEMPTS carries seconds: matched by shape). */
const CODES: ErrorCode[] = ['VOUCHER_UNKNOWN', 'VOUCHER_REVOKED', 'VOUCHER_EXPIRED', 'VOUCHER_EXHAUSTED', 'DEVICE_LIMIT', 'CODE_CHECK_FAILED', 'CODE_MALFORMED'];

export function recognizer(
  t: (lang: Lang, key: never, vars?: Record<string, string | number>) => string,
  hasMessage: (key: string) => boolean,
): (text: string) => ErrorCode | null {
  const known = new Map<string, ErrorCode>();
  for (const lang of LANGS) for (const code of CODES) if (hasMessage(code)) known.set(t(lang, code as never).trim(), code);
  return (text) => known.get(text.trim()) ?? null;
}
