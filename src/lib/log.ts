/**
 * A tiny levelled logger writing one line per entry: `level owner: message {json}`. Each module takes a
 * `Logger` in its deps, so tests pass `silentLogger` or a recorder.
 *
 * By default debug and info lines go to stdout and warn and error lines to stderr. Under procd
 * (`procd_set_param stdout 1` / `stderr 1`) that is what gives them their syslog severity: procd logs a
 * service's stdout at LOG_INFO and its stderr at LOG_ERR, so `logread` and remote syslog show
 * `daemon.info` for routine lines and `daemon.err` only for problems (openwrt/files/etc/init.d/portico).
 *
 * @example
 *   const log = createLogger('info');
 *   log.warn('accounting', 'sweep failed', { err: String(err) }); // → stderr
 *   const lines: string[] = [];
 *   const rec = createLogger('debug', (line, level) => lines.push(`${level}|${line}`));
 */
export type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LineLevel = Exclude<Level, 'silent'>;
/** Receives each formatted line and its level; a one-argument function may ignore the level. */
export type LogWriter = (line: string, level: LineLevel) => void;

export interface Logger {
  debug(owner: string, msg: string, data?: Record<string, unknown>): void;
  info(owner: string, msg: string, data?: Record<string, unknown>): void;
  warn(owner: string, msg: string, data?: Record<string, unknown>): void;
  error(owner: string, msg: string, data?: Record<string, unknown>): void;
}

/** The default writer: debug/info → stdout, warn/error → stderr. */
export function streamWriter(out: { write(s: string): unknown } = process.stdout, err: { write(s: string): unknown } = process.stderr): LogWriter {
  return (line, level) => (level === 'warn' || level === 'error' ? err : out).write(line + '\n');
}

export function createLogger(level: Level, write: LogWriter = streamWriter()): Logger {
  const min = ORDER[level];
  const at = (lvl: LineLevel) => (owner: string, msg: string, data?: Record<string, unknown>) => {
    if (ORDER[lvl] < min) return;
    write(`${lvl} ${owner}: ${msg}${data ? ' ' + safeJson(data) : ''}`, lvl);
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
