/**
 * The router bundle, built and started for real: one archive (scripts/bundle.ts), unpacked, run by node
 * without the repository's node_modules, serving the portal UI over HTTP and the RFC 8908 API over the
 * HTTPS listener (tls.port/cert/key) with a self-signed certificate made by openssl for the test.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle } from '../../scripts/bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'portico-bundle-test-'));
let child: ChildProcess | undefined;
afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const fetchTls = (port: number, path: string) =>
  new Promise<{ status: number; type: string; body: string; cn: string }>((resolve, reject) => {
    const req = httpsGet({ host: '127.0.0.1', port, path, rejectUnauthorized: false, servername: 'portal.test', timeout: 5000 }, (res) => {
      let body = '';
      const cn = String((res.socket as import('node:tls').TLSSocket).getPeerCertificate().subject?.CN ?? '');
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body, cn }));
    });
    req.on('error', reject);
  });

describe('router bundle with HTTPS', () => {
  it('unpacks, starts, serves the UI over HTTP and the RFC 8908 API over TLS', async () => {
    const b = await bundle({ outDir: join(dir, 'out') });
    const app = join(dir, 'app');
    mkdirSync(app);
    execFileSync('tar', ['-C', app, '-xzf', b.archive.startsWith('/') ? b.archive : join(import.meta.dirname, '..', '..', b.archive)]);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', '/CN=portal.test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore', timeout: 10_000 });
    const [port, tlsPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, 'portico.json'), JSON.stringify({
      dataDir: join(dir, 'data'), listen: { host: '127.0.0.1', port }, portalUrl: `https://portal.test:${tlsPort}/`,
      tls: { port: tlsPort, cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') }, log: { level: 'warn' },
    }));
    child = spawn(process.execPath, [join(app, 'portico/app/server/portico.mjs'), 'serve', '--config', join(dir, 'portico.json')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error('bundle did not start')), 15_000);
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Portico is serving')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    const ui = await fetch(`http://127.0.0.1:${port}/ui/portal.js`);
    expect(ui.status).toBe(200);
    const api = await fetchTls(tlsPort, '/api/captive');
    expect(api.status).toBe(200);
    expect(api.cn).toBe('portal.test');
    expect(api.type).toMatch(/^application\/captive\+json/);
    expect(JSON.parse(api.body)).toMatchObject({ captive: true, 'user-portal-url': `https://portal.test:${tlsPort}/` });
  }, 40_000);
});
