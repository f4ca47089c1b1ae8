/**
 * The `portico` command (SPEC §2): `serve`, `vouchers …`, `operators add|reset-password`, `backup`. Every command reads
 * the same config as `serve`. Bad arguments exit 2 with a one-line reason and write nothing; a bad
 * config exits 2 with the key's path and what is allowed.
 *
 * @example
 *   const code = await runCli(['vouchers', 'create', '--count', '5', '--duration', '1d', '--json'], io);
 */
import { ConfigError, loadConfig } from '../config/load.js';
import { DomainError } from '../domain/errors.js';
import { createLogger } from '../lib/log.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { parse, UsageError } from './args.js';
import type { CliIo } from './io.js';
import { operatorsCommand } from './operators.js';
import { vouchersCommand } from './vouchers.js';

export type { CliIo } from './io.js';

const USAGE = `usage: portico <command>
  serve [--config FILE]
  vouchers create --count N [--plan NAME] [--duration 1h] [--data 2GB] [--down 4Mbit] [--up 1Mbit]
                  [--devices N] [--redeem-by 2026-12-31] [--reset daily|weekly|monthly] [--note TEXT] [--price 5] [--json]
  vouchers list [--status unused|active|exhausted|expired|revoked] [--search TEXT] [--batch ID] [--json]
                [--limit N --offset M]   every matching row unless you page; says "N of TOTAL; more with --offset"
  vouchers revoke CODE [--reason TEXT]
  vouchers print BATCH_ID --out sheet.html [--layout a4|letter|receipt58|receipt80]
  operators add NAME --role admin|seller [--password-stdin]
  operators reset-password NAME [--password-stdin]   a lost password: prints a new one unless given on stdin
  backup FILE`;

function configPath(argv: string[]): string | undefined {
  const i = argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (i < 0) return undefined;
  const a = argv[i]!;
  return a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[i + 1];
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '--help' || cmd === 'help') {
      io.stdout(USAGE);
      return cmd ? 0 : 2;
    }
    const config = loadConfig({ file: configPath(argv), env: io.env, readFile: io.readFile });
    const log = createLogger(cmd === 'serve' ? config.log.level : 'warn', io.stderr);
    const open = (): Promise<Runtime> => openRuntime(config, { log });
    switch (cmd) {
      case 'serve':
        parse(rest, {});
        if (!io.serve) throw new UsageError('serve is not available here');
        await io.serve(config);
        return 0;
      case 'vouchers': {
        const [sub, ...args] = rest;
        return await vouchersCommand(sub, args, open, io);
      }
      case 'operators': {
        const [sub, ...args] = rest;
        return await operatorsCommand(sub, args, open, io);
      }
      case 'backup': {
        const { positionals } = parse(rest, {}, 1);
        const file = positionals[0];
        if (!file) throw new UsageError('usage: portico backup FILE');
        const rt = await open();
        try {
          await rt.store.backup(file);
        } finally {
          rt.close();
        }
        io.stdout(`backup written to ${file}`);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"\n${USAGE}`);
    }
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      io.stderr(`portico: ${err.message}`);
      return 2;
    }
    if (err instanceof DomainError && err.code === 'INVALID_INPUT') {
      io.stderr(`portico: ${err.message}`);
      return 2;
    }
    io.stderr(`portico: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
