/**
 * Operator authentication for /api/admin/* and the operator WebSocket topics: the session cookie
 * (`HttpOnly; SameSite=Strict; Path=/`, plus `Secure` over HTTPS), the per-session CSRF token that every
 * mutation must echo in `X-CSRF-Token`, and role checks. The token itself is only ever stored hashed
 * (src/core/operators.ts).
 *
 * @example
 *   const auth = operatorAuth(core);
 *   const s = auth.session(c.req.header('cookie'));   // null when absent, expired or disabled
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { Core } from '../core/index.js';
import { DomainError } from '../domain/errors.js';
import type { OperatorRow, Role } from '../core/ports/model.js';

export const OPERATOR_COOKIE = 'portico_op';
export const CSRF_HEADER = 'x-csrf-token';

export interface OperatorSession {
  operator: OperatorRow;
  csrf: string;
  tokenHash: string;
}

/** The value of one cookie from a Cookie header (first match; names are case-sensitive). */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Set-Cookie for a new session (or, with token '' and maxAge 0, for clearing it). */
export function sessionCookie(token: string, maxAgeSec: number, secure: boolean): string {
  return `${OPERATOR_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}

/**
 * A request that says where it comes from must come from here: blocks login CSRF and cross-site
 * WebSocket hijacking even in browsers that ignore SameSite. Requests without Origin (curl) pass.
 */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host.toLowerCase() === (host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

export function operatorAuth(core: Core) {
  return {
    session(cookieHeader: string | undefined): OperatorSession | null {
      return core.operatorForToken(cookieValue(cookieHeader, OPERATOR_COOKIE));
    },
    /** The session of a request, checked for CSRF on mutations and for role; throws DomainErrors. */
    require(c: Context, roles: readonly Role[]): OperatorSession {
      const s = this.session(c.req.header('cookie'));
      if (!s) throw new DomainError('UNAUTHENTICATED', 'sign in first');
      const method = c.req.method.toUpperCase();
      if (method !== 'GET' && method !== 'HEAD') {
        const sent = c.req.header(CSRF_HEADER) ?? '';
        if (!sent || !sameSecret(sent, s.csrf)) throw new DomainError('FORBIDDEN', 'missing or wrong CSRF token (reload the console)');
      }
      if (!roles.includes(s.operator.role)) throw new DomainError('FORBIDDEN', `this needs the ${roles.join(' or ')} role`);
      return s;
    },
  };
}

export type OperatorAuth = ReturnType<typeof operatorAuth>;
