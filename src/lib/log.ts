/**
 * A tiny levelled logger writing one line per entry to stderr: `level owner: message {json}`. Each
 * module takes a `Logger` in its deps, so tests pass `silentLogger` or a recorder.
 *
 * @example
 *   const log = createLogger('info');
 *   log.warn('accounting', 'sweep failed', { err: String(err) });
 */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(owner: string, msg: string, data?: Record<string, unknown>): void;
  info(owner: string, msg: string, data?: Record<string, unknown>): void;
  warn(owner: string, msg: string, data?: Record<string, unknown>): void;
  error(owner: string, msg: string, data?: Record<string, unknown>): void;
}

export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  const min = ORDER[level];
  const at = (lvl: Exclude<Level, 'silent'>) => (owner: string, msg: string, data?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(`${lvl} ${owner}: ${msg}${data ? ' ' + safeJson(data) : ''}`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent', () => {});

function safeJson(data: Record<string, unknown>): string {
  try {
    return JSON.stringify(data, (_k, v: unknown) => (v instanceof Error ? { message: v.message } : v));
  } catch {
    return '{}';
  }
}
