/**
 * `npm run bench` (SPEC §8): runs every module in scripts/bench/ that exports `run`, prints one table and,
 * with `--json [FILE]`, writes the same rows as JSON (to FILE, or to stdout with the table on stderr).
 * A module whose environment is missing (no root for namespaces, no wrk, a driver not built yet) is
 * skipped with its reason in the table; the others still run. Each module is bounded in time.
 *
 *   npm run bench                          # everything
 *   npm run bench -- --quick               # shorter runs, smaller samples
 *   npm run bench -- --only http,ws        # some modules
 *   npm run bench -- --json bench.json     # table on stdout, rows in bench.json
 *   npm run bench -- --help                # this text; runs nothing
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchModule, BenchResult } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(name);
const value = (name: string) => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? argv[i + 1] : undefined;
  return v && !v.startsWith('--') ? v : undefined;
};

if (flag('--help') || flag('-h')) {
  process.stdout.write(
    [
      'npm run bench -- [--quick] [--only MODULE,…] [--json [FILE]] [--timeout SECONDS]',
      '  --quick          shorter runs, smaller samples',
      '  --only a,b       only these modules (file names in scripts/bench/, without .ts)',
      '  --json [FILE]    the rows as JSON, to FILE or to stdout (the table then goes to stderr)',
      '  --timeout S      bound per module (default 600, 240 with --quick)',
      'A module whose tools are missing is skipped with one line saying which.',
      '',
    ].join('\n'),
  );
  process.exit(0);
}

const quick = flag('--quick');
const json = flag('--json');
const jsonFile = value('--json');
const only = value('--only')?.split(',').map((s) => s.trim());
const moduleTimeoutMs = Number(value('--timeout') ?? (quick ? 240 : 600)) * 1000;
const out = (line: string) => (json && !jsonFile ? process.stderr : process.stdout).write(line + '\n');

interface Skipped {
  module: string;
  reason: string;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, fail) => (t = setTimeout(() => fail(new Error(`${what} took longer than ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(t));
}

const files = readdirSync(here)
  // Files starting with _ are scratch files, never benchmark modules (importing them could run anything).
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.test.ts') && f !== 'index.ts' && f !== 'types.ts')
  .sort();

const rows: (BenchResult & { module: string })[] = [];
const skipped: Skipped[] = [];
for (const file of files) {
  const name = basename(file, '.ts');
  if (only && !only.includes(name)) continue;
  let mod: Partial<BenchModule>;
  try {
    mod = (await import(pathToFileURL(join(here, file)).href)) as Partial<BenchModule>;
  } catch (err) {
    skipped.push({ module: name, reason: `cannot load: ${(err as Error).message.split('\n')[0]}` });
    continue;
  }
  if (typeof mod.run !== 'function') continue;
  out(`… ${name}`);
  const t0 = performance.now();
  try {
    const results = await withTimeout(mod.run({ quick }), moduleTimeoutMs, name);
    for (const r of results) rows.push({ module: name, ...r });
    out(`  ${name}: ${results.length} figures in ${Math.round((performance.now() - t0) / 1000)} s`);
  } catch (err) {
    skipped.push({ module: name, reason: (err as Error).message.split('\n')[0]! });
    out(`  ${name}: skipped — ${(err as Error).message.split('\n')[0]}`);
  }
}

const table = [['module', 'figure', 'value', 'target', 'ok']].concat(
  rows.map((r) => [r.module, r.label, `${r.value.toLocaleString('en-US')} ${r.unit}`, r.target, r.pass === null ? '—' : r.pass ? 'yes' : 'NO']),
);
const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
out('');
for (const [i, row] of table.entries()) {
  out(row.map((cell, j) => cell.padEnd(widths[j]!)).join('  '));
  if (i === 0) out(widths.map((w) => '-'.repeat(w)).join('  '));
}
for (const s of skipped) out(`skipped ${s.module}: ${s.reason}`);
out('');
for (const r of rows) if (r.note) out(`${r.id}: ${r.note}`);

const report = {
  at: new Date().toISOString(),
  quick,
  machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: (await import('node:os')).cpus().length },
  results: rows,
  skipped,
};
if (json) {
  const text = JSON.stringify(report, null, 2) + '\n';
  if (jsonFile) writeFileSync(jsonFile, text);
  else process.stdout.write(text);
}
