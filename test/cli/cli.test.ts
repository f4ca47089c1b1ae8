/**
 * The `portico` command line (SPEC §2): creating vouchers with --json and logging in with one, listing,
 * revoking, printing, operators, backup; bad arguments exit 2 with one line and write nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { runCli, type CliIo } from '../../src/cli/index.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/lib/log.js';
import { openRuntime } from '../../src/runtime.js';
import { openDatabase } from '../../src/store/db.js';

const run = promisify(execFile);

function io(dir: string, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
    env: { PORTICO_DATA_DIR: dir, PORTICO_PORTAL_URL: 'https://portal.example.net/' },
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: async () => stdin,
  };
  return { io: value, out, err };
}

describe('portico CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('vouchers list --json returns every row by default; --limit/--offset paginate and say so (attack report D12)', async () => {
    const c = io(dir);
    expect(await runCli(['vouchers', 'create', '--count', '1200', '--duration', '1h', '--json'], c.io)).toBe(0);
    const created = new Set((JSON.parse(c.out[0]!) as { code: string }[]).map((v) => v.code));
    const all = io(dir);
    expect(await runCli(['vouchers', 'list', '--json'], all.io)).toBe(0);
    const rows = JSON.parse(all.out[0]!) as { code: string }[];
    expect(rows).toHaveLength(1200);
    expect(new Set(rows.map((v) => v.code))).toEqual(created);
    expect(all.err).toEqual([]);

    const page = io(dir);
    expect(await runCli(['vouchers', 'list', '--json', '--limit', '500', '--offset', '1000'], page.io)).toBe(0);
    expect(JSON.parse(page.out[0]!)).toHaveLength(200);
    const first = io(dir);
    expect(await runCli(['vouchers', 'list', '--json', '--limit', '500'], first.io)).toBe(0);
    expect(JSON.parse(first.out[0]!)).toHaveLength(500);
    expect(first.err.join('\n')).toMatch(/500 of 1200 voucher\(s\); more with --offset 500/);
  });

  it('creates vouchers as JSON, and a resident logs in with one', async () => {
    const t = io(dir);
    expect(await runCli(['vouchers', 'create', '--count', '3', '--duration', '2d', '--data', '500MB', '--devices', '2', '--note', 'market day', '--price', '5', '--json'], t.io)).toBe(0);
    const created = JSON.parse(t.out[0]!) as { code: string; id: string; batch: string }[];
    expect(created).toHaveLength(3);
    for (const v of created) expect(v.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}$/);
    expect(new Set(created.map((v) => v.batch)).size).toBe(1);

    const config = parseConfig({ dataDir: dir, portalUrl: 'https://portal.example.net/' });
    const rt = await openRuntime(config, { log: silentLogger });
    await rt.driver.start();
    await rt.core.start({ timer: false });
    const app = createApp({ core: rt.core, config, log: silentLogger });
    const env = { incoming: { socket: { remoteAddress: '10.0.0.50', localAddress: '10.0.0.1' } } };
    const res = await app.request('/login', {
      method: 'POST', headers: { host: 'portal.example.net', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code: created[0]!.code.toLowerCase() }),
    }, env);
    expect(res.status).toBe(303);
    const status = await (await app.request('/api/session', { headers: { host: 'portal.example.net' } }, env)).json();
    expect(status).toMatchObject({ authorized: true, bytesRemaining: 500e6, plan: { words: '500 MB, 2 days from first use, 2 devices' } });
    expect(status.secondsRemaining).toBeGreaterThan(172_700); // real clock: started at first use, counting down
    await rt.core.stop();
    rt.close();

    const list = io(dir);
    expect(await runCli(['vouchers', 'list', '--status', 'active', '--json'], list.io)).toBe(0);
    expect(JSON.parse(list.out[0]!)).toEqual([expect.objectContaining({ code: created[0]!.code, status: 'active', note: 'market day' })]);
  });

  it('revokes a code and prints a sheet of the batch without the revoked code, saying one was left out', async () => {
    const t = io(dir);
    await runCli(['vouchers', 'create', '--count', '2', '--duration', '1h', '--json'], t.io);
    const [a, b] = JSON.parse(t.out[0]!) as { code: string; batch: string }[];
    const r = io(dir);
    expect(await runCli(['vouchers', 'revoke', a!.code, '--reason', 'lost sheet'], r.io)).toBe(0);
    const list = io(dir);
    await runCli(['vouchers', 'list', '--status', 'revoked', '--json'], list.io);
    expect(JSON.parse(list.out[0]!).map((v: { code: string }) => v.code)).toEqual([a!.code]);
    const again = io(dir);
    expect(await runCli(['vouchers', 'revoke', a!.code], again.io)).toBe(2);
    expect(again.err[0]).toMatch(/already revoked/);

    const sheet = join(dir, 'sheet.html');
    const p = io(dir);
    expect(await runCli(['vouchers', 'print', b!.batch, '--out', sheet, '--layout', 'receipt58'], p.io)).toBe(0);
    const html = readFileSync(sheet, 'utf8');
    expect(html).not.toContain(a!.code);
    expect(html).toContain(b!.code);
    expect(html).toContain('1 revoked code is left out.');
    expect(p.out[0]).toBe(`wrote 1 voucher(s) to ${sheet} (1 revoked code left out)`);
    expect(html).toContain('<svg');
    expect(html).toContain(`https://portal.example.net/?code=${b!.code}`);
  });

  it("prints with the console's Settings: SSID, Wi-Fi password and currency (issue 14 item 1)", async () => {
    const t = io(dir);
    await runCli(['vouchers', 'create', '--count', '1', '--duration', '1h', '--price', '2.5', '--json'], t.io);
    const [v] = JSON.parse(t.out[0]!) as { batch: string }[];
    const rt = await openRuntime(parseConfig({ dataDir: dir, portalUrl: 'https://portal.example.net/' }), { log: silentLogger });
    for (const [k, value] of [['ssid', 'barrio-free'], ['wifiPassword', 'barrio-2026!'], ['currency', 'EUR']] as const) rt.store.settings.set(k, value);
    rt.close();
    const sheet = join(dir, 'settings-sheet.html');
    expect(await runCli(['vouchers', 'print', v!.batch, '--out', sheet], io(dir).io)).toBe(0);
    const html = readFileSync(sheet, 'utf8');
    expect(html).toContain('Wi-Fi: barrio-free');
    expect(html).toContain('<div class="pw">Password: barrio-2026!</div>');
    expect(html).toContain(`Price ${new Intl.NumberFormat('en', { style: 'currency', currency: 'EUR' }).format(2.5)}`);
  });

  it('operators reset-password: a lost admin password gets a new one, old sessions end, audited; an unknown name is refused', async () => {
    expect(await runCli(['operators', 'add', 'boss', '--role', 'admin', '--password-stdin'], io(dir, 'the-old-password\n').io)).toBe(0);
    const rt = await openRuntime(parseConfig({ dataDir: dir }), { log: silentLogger });
    const old = await rt.core.loginOperator('boss', 'the-old-password', '127.0.0.1');
    rt.close();
    const reset = io(dir);
    expect(await runCli(['operators', 'reset-password', 'boss'], reset.io)).toBe(0);
    const password = /new password: (\S+);/.exec(reset.out[0]!)![1]!;
    const again = await openRuntime(parseConfig({ dataDir: dir }), { log: silentLogger });
    try {
      expect(again.core.operatorForToken(old.token)).toBeNull(); // signed out everywhere
      await expect(again.core.loginOperator('boss', 'the-old-password', '127.0.0.2')).rejects.toThrow('wrong name or password');
      const signedIn = await again.core.loginOperator('boss', password, '127.0.0.3');
      expect(signedIn.operator.name).toBe('boss');
      expect(again.store.events.list({ type: 'operator.password_reset' })).toHaveLength(1);
    } finally {
      again.close();
    }
    const unknown = io(dir);
    expect(await runCli(['operators', 'reset-password', 'nobody'], unknown.io)).toBe(2);
    expect(unknown.err.join('\n')).toMatch(/no operator named nobody/);
    expect(await runCli(['operators', 'reset-password', 'boss', '--password-stdin'], io(dir, 'short\n').io)).toBe(2);
  });

  it('adds operators from stdin and makes a consistent backup', async () => {
    const t = io(dir, 'a-long-password\n');
    expect(await runCli(['operators', 'add', 'maria', '--role', 'seller', '--password-stdin'], t.io)).toBe(0);
    const dup = io(dir, 'a-long-password\n');
    expect(await runCli(['operators', 'add', 'maria', '--role', 'seller', '--password-stdin'], dup.io)).toBe(2);
    const gen = io(dir);
    expect(await runCli(['operators', 'add', 'jo', '--role', 'admin'], gen.io)).toBe(0);
    expect(gen.out[0]).toMatch(/password: \S{12,}/);
    const file = join(dir, 'backup.db');
    expect(await runCli(['backup', file], io(dir).io)).toBe(0);
    const db = openDatabase(file, { readonly: true });
    expect(db.prepare('SELECT name FROM operators ORDER BY name').all()).toEqual([{ name: 'jo' }, { name: 'maria' }]);
    db.close();
  });

  it.each([
    [['vouchers', 'create', '--duration', '1h'], /--count is required/],
    [['vouchers', 'create', '--count', '0', '--duration', '1h'], /--count must be 1 to 10000/],
    [['vouchers', 'create', '--count', 'ten', '--duration', '1h'], /whole number/],
    [['vouchers', 'create', '--count', '2', '--duration', 'forever'], /--duration: "forever" is not a duration/],
    [['vouchers', 'create', '--count', '2', '--data', '2XB'], /--data/],
    [['vouchers', 'create', '--count', '2', '--down', 'fast', '--duration', '1h'], /--down/],
    [['vouchers', 'create', '--count', '2'], /--plan NAME, or at least --duration or --data/],
    [['vouchers', 'create', '--count', '2', '--plan', 'gold'], /no plan named "gold"/],
    [['vouchers', 'create', '--count', '2', '--duration', '1h', '--redeem-by', 'tomorrow'], /--redeem-by/],
    [['vouchers', 'create', '--count', '2', '--duration', '1h', '--redeem-by', '2001-01-01'], /redeem-by is in the past/],
    [['vouchers', 'create', '--count', '2', '--duration', '1h', '--reset', 'hourly'], /--reset/],
    [['vouchers', 'create', '--count', '2', '--duration', '1h', '--colour', 'red'], /Unknown option '--colour'/],
    [['vouchers', 'list', '--status', 'lost'], /--status must be one of/],
    [['vouchers', 'revoke', 'NOT-A-CODE'], /not a voucher code/],
    [['vouchers', 'print', 'bat_nope', '--out', 'x.html'], /no batch bat_nope/],
    [['operators', 'add', 'x', '--role', 'king'], /--role must be admin or seller/],
    [['frobnicate'], /unknown command/],
  ])('%j exits 2 with one line and writes nothing', async (argv, reason) => {
    const t = io(dir);
    expect(await runCli(argv as string[], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(reason);
    expect(t.err[0]!.startsWith('portico: ')).toBe(true);
    expect(t.out).toEqual([]);
    const dbFile = join(dir, 'portico.db');
    if (existsSync(dbFile)) {
      const db = openDatabase(dbFile, { readonly: true });
      expect(db.prepare('SELECT COUNT(*) AS n FROM vouchers').get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT COUNT(*) AS n FROM operators').get()).toEqual({ n: 0 });
      db.close();
    }
  });

  it('stops on a bad config with the key path and what is allowed', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ gateway: { driver: 'pfsense' }, listen: { prot: 80 } }));
    const t = io(dir);
    expect(await runCli(['vouchers', 'list', '--config', file], t.io)).toBe(2);
    const text = t.err.join('\n');
    expect(text).toMatch(/gateway\.driver/);
    expect(text).toMatch(/simulated/);
    expect(text).toMatch(/unknown key listen\.prot \(allowed: host, port, /);
    expect(existsSync(join(dir, 'portico.db'))).toBe(false);
  });

  it('runs as a real process', async () => {
    const { stdout } = await run('node_modules/.bin/tsx', ['src/main.ts', 'vouchers', 'create', '--count', '2', '--duration', '1h', '--json'], {
      env: { ...process.env, PORTICO_DATA_DIR: dir },
    });
    expect(JSON.parse(stdout)).toHaveLength(2);
    const bad = await run('node_modules/.bin/tsx', ['src/main.ts', 'vouchers', 'create'], { env: { ...process.env, PORTICO_DATA_DIR: dir } }).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
  });
});
