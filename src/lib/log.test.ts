/**
 * The logger's levels and streams: info and debug on stdout, warn and error on stderr (what procd
 * turns into daemon.info / daemon.err), in a real child process so the file descriptors are the real ones.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, streamWriter } from './log.js';

const LOG = join(import.meta.dirname, 'log.ts');

describe('createLogger', () => {
  it('drops lines below the level and formats the rest with their data', () => {
    const lines: string[] = [];
    const log = createLogger('info', (line, level) => lines.push(`${level}|${line}`));
    log.debug('a', 'hidden');
    log.info('storage', 'restored', { rows: 3 });
    log.error('gateway', 'failed', { err: new Error('boom') });
    expect(lines).toEqual(['info|info storage: restored {"rows":3}', 'error|error gateway: failed {"err":{"message":"boom"}}']);
  });

  it('a one-argument writer (the CLI passes io.stderr) still gets every line', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    log.info('x', 'one');
    log.warn('x', 'two');
    expect(lines).toEqual(['info x: one', 'warn x: two']);
  });

  it('streamWriter sends debug/info to the first stream and warn/error to the second', () => {
    const out: string[] = [];
    const err: string[] = [];
    const log = createLogger('debug', streamWriter({ write: (s) => out.push(s) }, { write: (s) => err.push(s) }));
    log.debug('d', '1');
    log.info('i', '2');
    log.warn('w', '3');
    log.error('e', '4');
    expect(out).toEqual(['debug d: 1\n', 'info i: 2\n']);
    expect(err).toEqual(['warn w: 3\n', 'error e: 4\n']);
  });

  it('by default, in a real process: an info line on stdout (procd: daemon.info), a warning on stderr (daemon.err)', () => {
    const script = `import { createLogger } from ${JSON.stringify(LOG)}; const l = createLogger('info'); l.info('storage', 'restored the RAM database'); l.warn('gateway', 'slow');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('info storage: restored the RAM database\n');
    expect(r.stderr).toBe('warn gateway: slow\n');
  });
});
