/**
 * `portico operators add|reset-password`: operators from the command line. `reset-password` is the way
 * back in for a lost admin password (the console cannot help someone who cannot sign in): it sets a new
 * password, ends that operator's sessions everywhere, and is audited.
 */
import { DomainError } from '../domain/errors.js';
import type { Runtime } from '../runtime.js';
import { parse, UsageError } from './args.js';
import type { CliIo } from './io.js';

const USAGE = 'usage: portico operators add NAME --role admin|seller [--password-stdin] | operators reset-password NAME [--password-stdin]';
const CLI_ACTOR = { type: 'operator' as const, id: 'cli' };

/** The password from stdin (one line), or a new random one that is printed once. */
async function passwordOf(stdin: boolean | undefined, io: CliIo): Promise<{ password: string; generated: boolean }> {
  if (stdin) return { password: (await io.readStdin()).replace(/\r?\n$/, ''), generated: false };
  const { randomBytes } = await import('../runtime.js');
  return { password: Buffer.from(randomBytes(12)).toString('base64url'), generated: true };
}

/** Refusals a person can act on are usage errors (exit 2, one line); anything else is a failure. */
function asUsage(err: unknown): never {
  if (err instanceof DomainError && ['INVALID_INPUT', 'CONFLICT', 'NOT_FOUND'].includes(err.code)) throw new UsageError(err.message);
  throw err;
}

export async function operatorsCommand(sub: string | undefined, args: string[], open: () => Promise<Runtime>, io: CliIo): Promise<number> {
  if (sub !== 'add' && sub !== 'reset-password') throw new UsageError(USAGE);
  const { values, positionals } = parse(args, { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } }, 1);
  const name = positionals[0];
  if (!name) throw new UsageError(`operators ${sub} needs a NAME`);
  if (sub === 'add' && values.role !== 'admin' && values.role !== 'seller') throw new UsageError('--role must be admin or seller');
  if (sub === 'reset-password' && values.role !== undefined) throw new UsageError('reset-password takes no --role');
  const { password, generated } = await passwordOf(values['password-stdin'], io);
  const rt = await open();
  try {
    if (sub === 'add') {
      const role = values.role as 'admin' | 'seller';
      await rt.core.addOperator({ name, role, password }, CLI_ACTOR).catch(asUsage);
      io.stdout(generated ? `operator ${name} (${role}) created; password: ${password}` : `operator ${name} (${role}) created`);
    } else {
      const op = await rt.core.resetOperatorPassword(name, password, CLI_ACTOR).catch(asUsage);
      const note = op.disabled ? ' (the operator is disabled: an admin enables it in Operators)' : '';
      io.stdout(generated ? `operator ${name}: new password: ${password}; signed out everywhere${note}` : `operator ${name}: password changed; signed out everywhere${note}`);
    }
  } finally {
    rt.close();
  }
  return 0;
}
