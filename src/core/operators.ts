/**
 * Operators (admins and sellers): creation, password login with session tokens, and the first-run
 * bootstrap that creates `admin` with a random password printed once.
 *
 * Session tokens are 32 random bytes sent as an HttpOnly cookie and stored only as SHA-256 hashes; a
 * per-session CSRF token must accompany every mutation (src/http/admin-auth.ts).
 *
 * @example
 *   const op = await addOperator(ctx, { name: 'maria', role: 'seller', password: '…' }, actor);
 *   const s = await loginOperator(ctx, 'maria', '…', '10.0.0.5');   // { token, csrf, operator }
 */
import { createHash } from 'node:crypto';
import { DomainError } from '../domain/errors.js';
import { hashPassword, verifyPassword } from '../lib/password.js';
import type { OperatorRow, Role } from './ports/model.js';
import type { Actor, CoreContext } from './context.js';
import { sourcePrefix } from './throttle.js';
import { transact } from './tx.js';

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const randomToken = (ctx: CoreContext, n = 32) => Buffer.from(ctx.randomBytes(n)).toString('base64url');

export async function addOperator(ctx: CoreContext, input: { name: string; role: Role; password: string }, actor: Actor): Promise<OperatorRow> {
  if (!/^[A-Za-z0-9_.\-@]{2,40}$/.test(input.name)) throw new DomainError('INVALID_INPUT', 'operator name: 2 to 40 letters, digits, _ . - @', { field: 'name' });
  if (input.role !== 'admin' && input.role !== 'seller') throw new DomainError('INVALID_INPUT', 'role must be admin or seller', { field: 'role' });
  if (input.password.length < 8 || input.password.length > 200) throw new DomainError('INVALID_INPUT', 'password must be 8 to 200 characters', { field: 'password' });
  if (ctx.store.operators.findByName(input.name)) throw new DomainError('CONFLICT', `operator ${input.name} already exists`);
  const row: OperatorRow = {
    id: ctx.newId('op'), name: input.name, role: input.role, passwordHash: await hashPassword(input.password),
    createdAt: ctx.clock.now(), disabled: false,
  };
  transact(ctx, 'the new operator', (t) => {
    ctx.store.operators.insert(row);
    t.record({ type: 'operator.added', actor, subject: row.id, data: { name: row.name, role: row.role } });
  });
  return row;
}

/**
 * Operators whose password was handed to them (printed at first start, or by `portico operators
 * reset-password`) and must choose their own before anything else (newcomer report: the one-time
 * password led straight to the dashboard). Kept in the settings store (no new column): operator ids.
 */
const MUST_CHANGE = 'passwordChangeRequired';

function mustChangeList(ctx: Pick<CoreContext, 'store'>): string[] {
  const v = ctx.store.settings.get(MUST_CHANGE);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether this operator still signs in with a password someone else saw and must change it first. */
export function mustChangePassword(ctx: Pick<CoreContext, 'store'>, operatorId: string): boolean {
  return mustChangeList(ctx).includes(operatorId);
}

/** Marks (`required`) or clears the operator's duty to choose a password; call inside the transaction of the change. */
export function requirePasswordChange(ctx: Pick<CoreContext, 'store'>, operatorId: string, required: boolean): void {
  const list = mustChangeList(ctx).filter((id) => id !== operatorId);
  if (required) list.push(operatorId);
  ctx.store.settings.set(MUST_CHANGE, list);
}

/** Sets a new password for `name` (the CLI's way back in for a lost one): ends its sessions, audited. */
export async function resetOperatorPassword(ctx: CoreContext, name: string, password: string, actor: Actor): Promise<OperatorRow> {
  const op = ctx.store.operators.findByName(name);
  if (!op) throw new DomainError('NOT_FOUND', `no operator named ${name}`);
  if (password.length < 8 || password.length > 200) throw new DomainError('INVALID_INPUT', 'password must be 8 to 200 characters', { field: 'password' });
  const passwordHash = await hashPassword(password);
  transact(ctx, 'the new password', (t) => {
    ctx.store.operators.update({ id: op.id, role: op.role, disabled: op.disabled, passwordHash });
    ctx.store.operators.deleteSessionsOf(op.id);
    // Printed on a terminal: like the first start's, a password to replace at the next sign-in.
    requirePasswordChange(ctx, op.id, true);
    t.record({ type: 'operator.password_reset', actor, subject: op.id, data: { name: op.name } });
  });
  return { ...op, passwordHash };
}

/** First start with no operators: creates `admin` with a random password, returned once for printing. */
export async function bootstrapAdmin(ctx: CoreContext): Promise<{ name: string; password: string } | null> {
  if (ctx.store.operators.count() > 0) return null;
  const password = randomToken(ctx, 12);
  let op: OperatorRow;
  try {
    op = await addOperator(ctx, { name: 'admin', role: 'admin', password }, { type: 'system' });
  } catch (err) {
    // Two instances starting together on one empty PostgreSQL database (SPEC §11): the other one made
    // the admin between our count and our insert (the name's unique index refused ours); it prints the password.
    if (ctx.store.operators.findByName('admin')) return null;
    throw err;
  }
  transact(ctx, 'the first-run flag', () => requirePasswordChange(ctx, op.id, true));
  return { name: 'admin', password };
}

/**
 * Password guessing is throttled with the voucher back-off (5 free failures, then 2 s, 4 s … up to
 * security.maxLockoutSec), checked before the costly scrypt so a flood of guesses cannot also burn the
 * CPU. Two keys, both per source, so an attacker elsewhere cannot lock the operator out (attack report
 * D6: the old per-name key answered the real admin 429 for 226 s):
 *
 * - `name|address`: guessing one operator's password from one place;
 * - `*|address`: every failure from that place whatever the name, so a spray with a fresh name each
 *   time (report §7: scrypt on every request, 1,434 audit rows) is held after the free attempts too.
 *
 * The throttle's network-wide limit (ctx.signInThrottle has its own, apart from residents') holds only
 * sources that have failed. Its prefix bucket is not used here: it holds *fresh* sources of a swarming
 * /24, and the operator's laptop is usually on the same /24 as any attacker on the LAN; so a clean
 * source with the right password is always let in while a name is under attack from elsewhere. The
 * price: a spray from many fresh addresses runs scrypt for each address's free attempts.
 * Failures are audited through the summary (per source prefix per window); the first few of a window
 * are written as they happen.
 */
export async function loginOperator(ctx: CoreContext, name: string, password: string, source = 'unknown'): Promise<{ token: string; csrf: string; operator: OperatorRow }> {
  const throttle = ctx.signInThrottle;
  const prefix = sourcePrefix(source);
  const key = `${name.slice(0, 40).toLowerCase()}|${source}`;
  const anyName = `*|${source}`;
  throttle.check(key);
  throttle.check(anyName);
  const op = ctx.store.operators.findByName(name);
  // Same work whether or not the name exists, so timing does not reveal operator names.
  const ok = await verifyPassword(password, op?.passwordHash ?? DUMMY_HASH);
  if (!op || !ok || op.disabled) {
    const t = throttle.fail(key);
    const all = throttle.fail(anyName);
    const locked = t.locked || all.locked;
    const retryAfter = Math.max(t.retryAfter, all.retryAfter);
    ctx.auditSummary.note('operator.login_failed', prefix, { type: 'system' }, { name: name.slice(0, 40), source, failures: t.failures, ...(locked ? { retryAfter } : {}) }, ctx.config.security.freeAttempts + 1);
    throw new DomainError('UNAUTHENTICATED', 'wrong name or password');
  }
  throttle.succeed(key);
  throttle.succeed(anyName);
  const now = ctx.clock.now();
  const token = randomToken(ctx);
  const csrf = randomToken(ctx, 18);
  transact(ctx, 'the sign-in', (t) => {
    ctx.store.operators.pruneSessions(now);
    ctx.store.operators.insertSession({
      tokenHash: hashToken(token), operatorId: op.id, csrf, createdAt: now,
      expiresAt: now + ctx.config.security.operatorSessionHours * 3_600_000,
    });
    t.record({ type: 'operator.login', actor: { type: 'operator', id: op.id }, subject: op.id });
  });
  return { token, csrf, operator: op };
}

/** The operator behind a session cookie, or null (unknown, expired, or disabled). */
export function operatorForToken(ctx: CoreContext, token: string | undefined): { operator: OperatorRow; csrf: string; tokenHash: string } | null {
  if (!token || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const found = sessionOf(ctx, tokenHash);
  return found && { ...found, tokenHash };
}

/** The operator of a live session by its token hash, or null (signed out, expired, disabled). */
export function sessionOperator(ctx: CoreContext, tokenHash: string): OperatorRow | null {
  return sessionOf(ctx, tokenHash)?.operator ?? null;
}

function sessionOf(ctx: CoreContext, tokenHash: string): { operator: OperatorRow; csrf: string } | null {
  const s = ctx.store.operators.findSession(tokenHash);
  if (!s || s.expiresAt <= ctx.clock.now()) return null;
  const operator = ctx.store.operators.get(s.operatorId);
  if (!operator || operator.disabled) return null;
  return { operator, csrf: s.csrf };
}

export function logoutOperator(ctx: CoreContext, tokenHash: string, operatorId: string): void {
  transact(ctx, 'the sign-out', (t) => {
    ctx.store.operators.deleteSession(tokenHash);
    t.record({ type: 'operator.logout', actor: { type: 'operator', id: operatorId }, subject: operatorId });
  });
}
