/**
 * The router bundle: one self-contained archive per target, which the OpenWrt package (openwrt/Makefile)
 * or a volunteer unpacks into /usr/lib/portico. It holds
 *
 *   portico/app/server/portico.mjs           all of Portico's JS and its pure-JS dependencies (esbuild)
 *   portico/portal-ui/                       the static UI (found at ../../portal-ui from the bundle)
 *   portico/node_modules/better-sqlite3/     the native addon for the target, with its loader (bindings)
 *   portico/package.json                     name, version, "type": "module"
 *
 * better-sqlite3 stays external because it is a native addon: its `.node` file is per CPU, per libc and
 * (for 12.x) per Node ABI. By default the addon built on this machine is packed (target linux-x64 here);
 * for a router pass the cross-built one (docs/openwrt.md "Cross-building better-sqlite3"):
 *
 *   tsx scripts/bundle.ts --target linuxmusl-arm64 --addon /path/to/better_sqlite3.node
 *
 * Prints the archive's size, the unpacked size and the bundle's start-up time (until "Portico is
 * serving" on an empty database), also as JSON with --json.
 */
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { freePort } from '../test/helpers/free-port.js';

const ROOT = join(import.meta.dirname, '..');
const UI_FILE = /^[a-z0-9][a-z0-9-]{0,60}\.(js|css|html|svg|png|ico)$/;
const UI_DIR = /^[a-z0-9][a-z0-9-]{0,60}$/;

export interface BundleResult {
  archive: string;
  target: string;
  archiveBytes: number;
  unpackedBytes: number;
  bundleJsBytes: number;
  addonBytes: number;
}

export interface BundleOptions {
  target?: string;
  addon?: string;
  outDir?: string;
}

/** Builds the archive; returns where it is and how big. */
export async function bundle(opts: BundleOptions = {}): Promise<BundleResult & { stage: string }> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
  const target = opts.target ?? `linux-${process.arch}`;
  const outDir = opts.outDir ?? join(ROOT, 'dist', 'bundle');
  const stage = join(outDir, 'stage');
  const app = join(stage, 'portico');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(app, 'app', 'server'), { recursive: true });

  await build({
    entryPoints: [join(ROOT, 'src', 'main.ts')],
    outfile: join(app, 'app', 'server', 'portico.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    legalComments: 'linked',
    // source-map-support: node-routeros requires it only when ENV=testing.
    external: ['better-sqlite3', 'source-map-support'],
    // CommonJS dependencies (ws, qrcode, node-routeros) call require() for Node built-ins.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'warning',
  });

  // The UI files and the console's module folders (admin/, admin/views/): what src/http/static.ts serves.
  const ui = join(ROOT, 'portal-ui');
  cpSync(ui, join(app, 'portal-ui'), { recursive: true, filter: (src) => src === ui || (statSync(src).isDirectory() ? UI_DIR : UI_FILE).test(basename(src)) });

  // The addon and the two tiny packages its loader needs at run time (prebuild-install is install-time only).
  const nm = join(ROOT, 'node_modules');
  const bs = join(app, 'node_modules', 'better-sqlite3');
  mkdirSync(join(bs, 'build', 'Release'), { recursive: true });
  cpSync(join(nm, 'better-sqlite3', 'package.json'), join(bs, 'package.json'));
  cpSync(join(nm, 'better-sqlite3', 'LICENSE'), join(bs, 'LICENSE'));
  cpSync(join(nm, 'better-sqlite3', 'lib'), join(bs, 'lib'), { recursive: true });
  const addon = opts.addon ?? join(nm, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  cpSync(addon, join(bs, 'build', 'Release', 'better_sqlite3.node'));
  for (const dep of ['bindings', 'file-uri-to-path']) cpSync(join(nm, dep), join(app, 'node_modules', dep), { recursive: true });

  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'portico', version: pkg.version, type: 'module', private: true, target, dependencies: { 'better-sqlite3': pkg.dependencies['better-sqlite3'] } }, null, 2) + '\n',
  );

  const archive = join(outDir, `portico-${pkg.version}-${target}.tar.gz`);
  execFileSync('tar', ['-C', stage, '--owner=0', '--group=0', '--sort=name', '-czf', archive, 'portico']);
  return {
    stage,
    archive: relative(ROOT, archive),
    target,
    archiveBytes: statSync(archive).size,
    unpackedBytes: du(app),
    bundleJsBytes: statSync(join(app, 'app', 'server', 'portico.mjs')).size,
    addonBytes: statSync(addon).size,
  };
}

function du(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? du(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}


/**
 * Start-up time of the unpacked bundle: from spawning `node portico.mjs serve` to its "Portico is
 * serving" line, on a fresh database (first run: migrations, operator bootstrap) and again on the same
 * database (a restart). The process is stopped with SIGTERM each time.
 */
export async function measureStartup(appDir: string, runs = 3): Promise<{ firstMs: number; restartMs: number[] }> {
  const tmp = mkdtempSync(join(tmpdir(), 'portico-bundle-start-'));
  try {
    const port = await freePort();
    const config = join(tmp, 'portico.json');
    writeFileSync(config, JSON.stringify({ dataDir: join(tmp, 'data'), listen: { host: '127.0.0.1', port }, log: { level: 'warn' } }));
    const once = () =>
      new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const child = spawn(process.execPath, [join(appDir, 'app', 'server', 'portico.mjs'), 'serve', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('Portico is serving')) {
            const ms = performance.now() - started;
            child.once('exit', () => resolve(ms));
            child.kill('SIGTERM');
          }
        });
        child.once('exit', () => {
          clearTimeout(timer);
          if (!out.includes('Portico is serving')) reject(new Error(`the bundle did not start: ${err}`));
        });
      });
    const firstMs = await once();
    const restartMs: number[] = [];
    for (let i = 0; i < runs; i++) restartMs.push(await once());
    return { firstMs, restartMs };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, addon: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, 'no-start': { type: 'boolean' } },
  });
  const r = await bundle({ ...(values.target ? { target: values.target } : {}), ...(values.addon ? { addon: values.addon } : {}), ...(values.out ? { outDir: values.out } : {}) });
  // A cross-built addon cannot load here: only time start-up for this machine's own target.
  const startup = values.addon || values['no-start'] ? null : await measureStartup(join(r.stage, 'portico'));
  const { stage: _stage, ...result } = r;
  const out = { ...result, startup };
  if (values.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  process.stdout.write(`archive      ${r.archive}\n`);
  process.stdout.write(`size         ${kb(r.archiveBytes)} compressed, ${kb(r.unpackedBytes)} unpacked (JS ${kb(r.bundleJsBytes)}, addon ${kb(r.addonBytes)})\n`);
  if (startup) {
    const med = [...startup.restartMs].sort((a, b) => a - b)[Math.floor(startup.restartMs.length / 2)]!;
    process.stdout.write(`start-up     ${startup.firstMs.toFixed(0)} ms first run (empty database), ${med.toFixed(0)} ms restart (median of ${startup.restartMs.length})\n`);
  }
}

if (process.argv[1] && relative(process.argv[1], import.meta.filename) === '') await main();

