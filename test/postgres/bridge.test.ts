/**
 * The synchronous bridge against a connection into a black hole (a TCP proxy in the test that stops
 * forwarding without closing anything, as a dead link or a firewall dropping packets would): the
 * statement fails with "not answering" after storage.postgres.timeoutMs, every request meanwhile fails
 * at once instead of waiting its turn, and after restartAfterMs the bridge replaces its connection and
 * serves again, LISTEN included, with no restart of the process.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgStore } from '../../src/store/pg/index.js';
import { freePort } from '../helpers/free-port.js';
import { hasPostgres, startPostgres, type TestPostgres } from '../helpers/postgres.js';

/**
 * Forwards 127.0.0.1:port → PostgreSQL in a child process (the store blocks this thread while it waits,
 * so the proxy cannot live here); SIGUSR2 freezes every connection open at that moment: kept open,
 * nothing forwarded. New connections are forwarded normally.
 */
const PROXY = `
const net = require('node:net');
const [listen, target] = process.argv.slice(1).map(Number);
const open = [];
net.createServer((client) => {
  const state = { frozen: false };
  open.push(state);
  const upstream = net.createConnection(target, '127.0.0.1');
  client.on('data', (d) => state.frozen || upstream.write(d));
  upstream.on('data', (d) => state.frozen || client.write(d));
  for (const [a, b] of [[client, upstream], [upstream, client]]) { a.on('error', () => b.destroy()); a.on('close', () => b.destroy()); }
}).listen(listen, '127.0.0.1', () => console.log('up'));
process.on('SIGUSR2', () => { open.forEach((s) => (s.frozen = true)); console.log('frozen'); });
`;

async function freezingProxy(target: number) {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', PROXY, String(port), String(target)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const until = async (line: string) => {
    const deadline = Date.now() + 5000;
    while (!lines.includes(line)) {
      if (Date.now() > deadline) throw new Error(`proxy: no "${line}"`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await until('up');
  return {
    port,
    async freeze() {
      child.kill('SIGUSR2');
      await until('frozen');
    },
    close: () => void child.kill('SIGKILL'),
  };
}

describe.skipIf(!hasPostgres)('PostgreSQL bridge: a connection into a black hole', () => {
  let pg: TestPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => pg?.close());

  it('fails within the timeout, fails fast meanwhile, then replaces the connection and serves', async () => {
    const url = new URL(await pg.createDatabase());
    const proxy = await freezingProxy(pg.port);
    url.port = String(proxy.port);
    const store = openPgStore({ url: url.toString(), timeoutMs: 500, restartAfterMs: 1500 });
    try {
      const heard: string[] = [];
      store.subscribe((p) => heard.push(p));
      store.settings.set('welcome', 'hello');
      await proxy.freeze();
      let t0 = Date.now();
      expect(() => store.settings.get('welcome')).toThrow(/not available \(PostgreSQL is not answering\)/);
      expect(Date.now() - t0).toBeLessThan(1500);
      t0 = Date.now();
      for (let i = 0; i < 20; i++) expect(() => store.operators.count()).toThrow(/STORAGE_FAILED|not available/);
      expect(Date.now() - t0).toBeLessThan(200);
      expect(store.health.state()).toMatchObject({ ok: false, reason: 'PostgreSQL is not answering' });
      await new Promise((r) => setTimeout(r, 1600));
      // A new worker, a new connection through the proxy (new connections are forwarded).
      expect(store.settings.get('welcome')).toBe('hello');
      expect(store.health.state().ok).toBe(true);
      store.notify('after-restart');
      const deadline = Date.now() + 5000;
      while (!heard.includes('after-restart') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(heard).toContain('after-restart');
    } finally {
      store.close();
      proxy.close();
    }
  });
});
