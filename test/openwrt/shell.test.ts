/**
 * Every shell file of the package, the scripts and these tests' stand-ins passes `sh -n` and
 * `shellcheck` (the init script and the stand-in rc.common are checked as the rc.common-sourced
 * scripts they are: shellcheck follows their `shell=` directive).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

function shellFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...shellFiles(p));
    else if (/^#!\s*\/bin\/(ba)?sh\b/.test(readFileSync(p, 'utf8').slice(0, 40)) || name.endsWith('.sh')) out.push(p);
  }
  return out;
}

const files = [...shellFiles(join(REPO, 'openwrt')), ...shellFiles(join(REPO, 'scripts')), ...shellFiles(join(import.meta.dirname, 'standin'))];

describe('shell files', () => {
  it('finds the package scripts', () => {
    const names = files.map((f) => relative(REPO, f));
    for (const f of ['openwrt/files/etc/init.d/portico', 'openwrt/files/etc/uci-defaults/90-portico', 'openwrt/files/usr/share/portico/fw4-include.sh', 'openwrt/files/usr/share/portico/table-watch.sh', 'openwrt/files/usr/bin/portico']) {
      expect(names).toContain(f);
    }
  });

  it.each(files.map((f) => [relative(REPO, f), f]))('%s passes sh -n and shellcheck', (_name, file) => {
    const syntax = spawnSync('sh', ['-n', file], { encoding: 'utf8', timeout: 10_000 });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    const lint = spawnSync('shellcheck', ['--shell=sh', '--severity=style', file], { encoding: 'utf8', timeout: 20_000 });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  });
});
