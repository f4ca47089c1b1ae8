/**
 * Bad input (SPEC §7): seeded generators throw garbage at the code parser, the config loader, the HTTP
 * bodies and — over a real socket, where nothing normalizes the bytes first — request lines, paths and
 * headers. Every case must end in a clear 4xx (or a ConfigError), never a crash or a 5xx, and write
 * nothing: vouchers, pools and devices stay exactly as they were.
 */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { ALPHABET, checkChar, formatCode, parseCode } from '../../src/domain/code.js';
import { harness, seeded, type Harness } from './harness.js';

let h: Harness;
let server: ServerType;
let port: number;
let real: string;

beforeAll(async () => {
  h = await harness({ config: { security: { networkAttemptsPerMinute: 100_000, freeAttempts: 100 } } });
  real = h.vouchers(1)[0]!;
  server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await h.close();
});

/** What must never change under bad input (the audit log may grow: failed guesses are audited). */
const state = () => {
  const { events: _e, ...rest } = h.counts();
  return { ...rest, unused: h.store.vouchers.get(h.store.vouchers.findByCode(real)!.id)!.status };
};

const junkChars = ['a', 'Z', '0', '9', '-', ' ', '\t', 'O', 'I', 'L', 'U', 'é', '💥', '\u0000', '<', '"', "'", '%', '&', '=', '\\', '/', '\r', '\n', '\u202e'];

describe('code parser (property)', () => {
  it('never throws; accepts exactly the well-formed codes with a right check character', () => {
    const rnd = seeded(11);
    for (let i = 0; i < 20_000; i++) {
      const len = rnd.int(i % 50 === 0 ? 200 : 20);
      let s = '';
      for (let j = 0; j < len; j++) s += rnd.int(3) === 0 ? rnd.pick(junkChars) : ALPHABET[rnd.int(32)]!;
      const r = parseCode(s);
      if (r.ok) {
        expect(r.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{11}$/);
        expect(checkChar(r.code.slice(0, 10))).toBe(r.code[10]);
      }
    }
    for (const v of [null, undefined, 42, {}, [], true, Symbol.iterator, 'x'.repeat(1e6)]) expect(parseCode(v).ok).toBe(false);
  });

  it('reads every valid code however it is typed, and catches every single-character typo', () => {
    const rnd = seeded(12);
    for (let i = 0; i < 2_000; i++) {
      let data = '';
      for (let j = 0; j < 10; j++) data += ALPHABET[rnd.int(32)];
      const code = data + checkChar(data);
      for (const typed of [code, formatCode(code), formatCode(code).toLowerCase(), ` ${code.slice(0, 4)} ${code.slice(4)} `]) expect(parseCode(typed)).toEqual({ ok: true, code });
      const at = rnd.int(11);
      const wrong = ALPHABET[(ALPHABET.indexOf(code[at]!) + 1 + rnd.int(31)) % 32]!;
      expect(parseCode(code.slice(0, at) + wrong + code.slice(at + 1))).toEqual({ ok: false, reason: 'check' });
    }
  });
});

describe('config loader (property)', () => {
  const base = { dataDir: '/tmp/x', listen: { host: '127.0.0.1', port: 8080 }, gateway: { driver: 'simulated' }, accounting: { intervalMs: 60_000 } };
  const values: unknown[] = [null, -1, 0, 1.5, 1e309, 'x', '', [], {}, [1, 'a'], { a: 1 }, true, '../../etc/passwd', 'x'.repeat(5000), 65536];

  it('either loads or fails with a ConfigError naming the path; never anything else', () => {
    const rnd = seeded(21);
    const paths = [['dataDir'], ['listen', 'port'], ['listen', 'host'], ['listen'], ['gateway', 'driver'], ['gateway'], ['accounting', 'intervalMs'], ['security', 'freeAttempts'], ['network', 'languages'], ['bogus'], ['listen', 'bogus'], ['tls', 'port'], ['portalUrl']];
    let refused = 0;
    for (let i = 0; i < 3_000; i++) {
      const cfg = structuredClone(base) as Record<string, unknown>;
      const path = rnd.pick(paths);
      let node = cfg;
      for (const k of path.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
      node[path.at(-1)!] = rnd.pick(values);
      try {
        parseConfig(cfg);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/^config: /);
        expect((err as Error).message).toContain(path[0]!);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });

  it('rejects unreadable files, broken JSON, non-objects and bad environment values with the key', () => {
    const load = (text: string | Error, env: Record<string, string> = {}) => () =>
      loadConfig({ file: 'p.json', env, readFile: () => { if (text instanceof Error) throw text; return text; } });
    expect(load(new Error('ENOENT'))).toThrow(/cannot read config file p\.json/);
    for (const t of ['{', '', 'null', '[]', '"x"', '1', '{"listen":', '\u0000']) expect(load(t)).toThrow(ConfigError);
    expect(load('{}', { PORTICO_LISTEN_PORT: 'eighty' })).toThrow(/listen\.port/);
    expect(load('{}', { PORTICO_GATEWAY_DRIVER: 'pfsense' })).toThrow(/gateway\.driver/);
    expect(load('{}', { PORTICO_ACCOUNTING_INTERVAL_MS: '-5' })).toThrow(/accounting\.intervalMs/);
  });
});

describe('HTTP bodies (fuzz)', () => {
  it('random bodies and content types on every resident POST: 4xx, never 5xx, nothing written', async () => {
    const before = state();
    const rnd = seeded(31);
    const types = ['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=zz', 'multipart/form-data', '', 'application/json; charset=utf-16', 'x/y'];
    const bodies = [
      () => '{', () => '[]', () => 'null', () => '1e999', () => JSON.stringify({ code: { $ne: null } }), () => JSON.stringify({ code: [real, real] }),
      () => 'code=' + '%'.repeat(rnd.int(50)), () => 'code=%E0%A4%A', () => '--zz\r\nContent-Disposition: form-data; name="code"; filename="a"\r\n\r\nxx\r\n--zz--',
      () => `code=${real}`.slice(0, 5 + rnd.int(11)), // never the whole code
      () => Array.from({ length: rnd.int(300) }, () => String.fromCharCode(rnd.int(0xffff))).join(''),
      () => 'replace=1&code=' + 'A'.repeat(rnd.int(100)), () => JSON.stringify({ code: 12345678901 }), () => '\u0000\u0001',
    ];
    const seen = new Map<number, number>();
    for (let i = 0; i < 3_000; i++) {
      const path = rnd.pick(['/login', '/topup', '/logout', '/login']);
      const ct = rnd.pick(types);
      const res = await h.request(`10.3.${rnd.int(200)}.${rnd.int(250) + 2}`, path, {
        method: 'POST', body: rnd.pick(bodies)(), headers: { ...(ct ? { 'content-type': ct } : {}), ...(rnd.int(2) ? { accept: 'application/json' } : {}) },
      });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      expect(res.status, `${path} ${ct}`).toBeGreaterThanOrEqual(300);
      expect(res.status, `${path} ${ct}`).toBeLessThan(500);
    }
    expect(state()).toEqual(before);
    expect([...seen.keys()].every((s) => [303, 400, 403, 404, 413, 429].includes(s))).toBe(true);
  });

  it('an oversized body is refused with 413 before it is read', async () => {
    const before = state();
    for (const size of [16 * 1024 + 1, 100_000, 2_000_000]) {
      const res = await h.request('10.0.0.5', '/login', { method: 'POST', body: 'code=' + 'A'.repeat(size), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(413);
    }
    expect(state()).toEqual(before);
  });
});

/** One raw HTTP/1.1 exchange; resolves with what the server sent before closing. */
function raw(request: string | Buffer): Promise<string> {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => ok(out));
    s.on('close', () => ok(out));
    s.on('error', (e) => (out ? ok(out) : fail(e)));
    s.end(request);
  });
}
const status = (resp: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(resp)?.[1] ?? 0);

describe('request lines and headers over a real socket', () => {
  it('path traversal never leaves the asset list', async () => {
    for (const p of ['/../../../../etc/passwd', '/ui/..%2f..%2fpackage.json', '/ui/%2e%2e%2f%2e%2e%2fsrc%2fmain.ts', '/ui/..\\..\\package.json', '/ui/....//....//etc/passwd', '/admin/../package.json', '/ui/admin.js%00.png', '/ui/%c0%ae%c0%ae/etc/passwd', '//etc/passwd']) {
      const resp = await raw(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      expect(status(resp), p).toBeGreaterThanOrEqual(300);
      expect(status(resp), p).toBeLessThan(500);
      expect(resp).not.toMatch(/root:|"name": "portico"|runCli/);
    }
  });

  it('CR/LF smuggled into the path, query or Host never reaches a response header', async () => {
    for (const [path, host] of [
      ['/x%0d%0aSet-Cookie:%20pwn=1', 'example.com'],
      ['/?orig=%0d%0aSet-Cookie:%20pwn=1', 'example.com'],
      ['/generate_204', 'a.example%0d%0aSet-Cookie: pwn=1'],
      ['/?code=%0d%0aX-Evil:%201&lang=%0d%0aSet-Cookie:%20pwn=1', '127.0.0.1'],
    ]) {
      const resp = await raw(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      const head = resp.split('\r\n\r\n')[0]!;
      expect(status(resp), `${path} ${host}`).toBeGreaterThan(0);
      expect(head).not.toMatch(/^set-cookie: pwn/im);
      expect(head).not.toMatch(/^x-evil/im);
    }
  });

  it('reflected input is escaped in HTML', async () => {
    const resp = await raw(`GET /?code=%22%3E%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    expect(status(resp)).toBe(200);
    expect(resp).not.toContain('<script>alert(1)');
  });

  it('malformed requests get 4xx and the server keeps answering', async () => {
    const rnd = seeded(41);
    const cases: (string | Buffer)[] = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil\r\n\r\n',
      'GET / HTTP/1.1\r\nHo st: x\r\n\r\n',
      Buffer.from(Array.from({ length: 400 }, () => rnd.int(256))),
    ];
    for (let i = 0; i < 40; i++) cases.push(Buffer.from(Array.from({ length: 50 + rnd.int(500) }, () => rnd.int(256))));
    for (const c of cases) {
      const resp = await raw(c);
      if (resp) {
        expect(status(resp)).toBeGreaterThanOrEqual(300);
        expect(status(resp)).toBeLessThan(500);
      }
    }
    const ok = await raw('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(status(ok)).toBe(200);
  });
});
