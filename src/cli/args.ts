/**
 * Argument parsing for the `portico` command (node:util parseArgs) and the UsageError every bad
 * argument becomes: exit status 2 with a one-line reason, nothing written (SPEC §2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = Record<string, { type: 'string' | 'boolean' }>;
type Values<O extends Options> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export function parse<O extends Options>(args: string[], options: O, positionals = 0): { values: Values<O>; positionals: string[] } {
  try {
    const spec = { config: { type: 'string' }, ...options } as NonNullable<ParseArgsConfig['options']>;
    const out = parseArgs({ args, options: spec, allowPositionals: positionals > 0, strict: true });
    if (out.positionals.length > positionals) throw new UsageError(`unexpected argument: ${out.positionals[positionals]}`);
    return { values: out.values as Values<O>, positionals: out.positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.split('\n')[0]!);
  }
}

export function intArg(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`--${name} must be ${min} to ${max}`);
  return n;
}

/** Wraps a unit parser so its RangeError becomes a usage error naming the option. */
export function unitArg<T>(value: string | undefined, name: string, parseUnit: (s: string) => T): T | undefined {
  if (value === undefined) return undefined;
  try {
    return parseUnit(value);
  } catch (err) {
    throw new UsageError(`--${name}: ${(err as Error).message}`);
  }
}
