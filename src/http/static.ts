/**
 * Serves the static UI in portal-ui/: `/ui/<file>` and the operator console shell at `/admin`. Only
 * plain file names inside portal-ui/ or its sub-folders up to two deep (letters, digits, dashes, one
 * extension from a short list) are ever served: the request names a key in that list, never a path, so
 * `..`, encoded slashes or symlinks elsewhere cannot reach another file. Files are read once, on first use, and answered with an
 * ETag so a phone revalidates instead of downloading again.
 *
 * @example
 *   app.route('/', staticRoutes({ dir: uiDir() }));
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  html: 'text/html; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
};
const NAME = /^[a-z0-9][a-z0-9-]{0,60}\.(js|css|html|svg|png|ico)$/;
/** Sub-folders (the console's `admin/`, `admin/views/`) are walked too, two levels deep, same name rule. */
const DIR = /^[a-z0-9][a-z0-9-]{0,60}$/;

/** The console may talk only to this origin; nothing is framed, nothing is loaded from elsewhere. */
export const CONSOLE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** portal-ui/ beside src/ (or dist/): the same relative place from either. */
export function uiDir(): string {
  return fileURLToPath(new URL('../../portal-ui/', import.meta.url));
}

interface Asset {
  body: Uint8Array;
  type: string;
  etag: string;
}

export function staticRoutes(opts: { dir: string }) {
  let assets: Map<string, Asset> | null = null;
  function load(): Map<string, Asset> {
    if (assets) return assets;
    const m = new Map<string, Asset>();
    const walk = (prefix: string, depth: number) => {
      for (const e of readdirSync(join(opts.dir, prefix), { withFileTypes: true })) {
        if (e.isDirectory() && depth < 2 && DIR.test(e.name)) walk(`${prefix}${e.name}/`, depth + 1);
        const ext = NAME.exec(e.name)?.[1];
        if (!e.isFile() || !ext) continue;
        const body = readFileSync(join(opts.dir, prefix, e.name));
        m.set(prefix + e.name, { body, type: TYPES[ext]!, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
      }
    };
    walk('', 0);
    return (assets = m);
  }

  function answer(c: Context, name: string, extra: Record<string, string> = {}): Response {
    const a = load().get(name);
    if (!a) return c.json({ ok: false, code: 'NOT_FOUND', message: 'no such file' }, 404);
    const headers: Record<string, string> = { 'Content-Type': a.type, ETag: a.etag, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', ...extra };
    if (c.req.header('if-none-match') === a.etag) return c.body(null, 304, headers);
    return c.body(a.body as Uint8Array<ArrayBuffer>, 200, headers);
  }

  const app = new Hono();
  app.get('/ui/*', (c) => {
    // The rest of the path is only ever a key of the asset list built above, never joined to a directory.
    const name = c.req.path.slice('/ui/'.length);
    return !name.endsWith('.html') ? answer(c, name) : c.json({ ok: false, code: 'NOT_FOUND', message: 'no such file' }, 404);
  });
  app.get('/admin', (c) => answer(c, 'admin.html', { 'Content-Security-Policy': CONSOLE_CSP, 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer' }));
  app.get('/admin/', (c) => c.redirect('/admin', 301));
  return app;
}
