/**
 * The console's RADIUS page in real Chromium (SPEC §9, issue 18 item 6): a code accepted over RADIUS
 * from a NAS shows as a live session with its NAS, MAC, address and what is left; the NAS shows when it
 * was last heard; Disconnect sends the NAS a Disconnect-Request (a Node UDP stand-in for its DAS, which
 * checks the request with the codec and ACKs) and the session leaves the page, confirmed on screen.
 */
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Code, decodeRequest, encodeResponse, get } from '../../src/radius/index.js';
import { freePort } from '../helpers/free-port.js';
import { burst } from '../radius/nas-peer.js';
import { launchChromium, consoleSignIn } from './browser.js';
import { liveServer, type LiveServer } from './live-server.js';

const SECRET = 'console-radius-ui-secret';
let s: LiveServer;
let b: Awaited<ReturnType<typeof launchChromium>>;
let page: Page;
let authPort: number;
let acctPort: number;
const das = createSocket('udp4');
let disconnects = 0;

beforeAll(async () => {
  await new Promise<void>((r) => das.bind(0, '127.0.0.1', () => r()));
  das.on('message', (msg, from) => {
    const d = decodeRequest(msg, SECRET);
    if (!d.ok || d.packet.code !== Code.DisconnectRequest) return;
    disconnects++;
    das.send(encodeResponse(d.packet, Code.DisconnectACK, [], SECRET), from.port, from.address);
  });
  authPort = await freePort();
  acctPort = await freePort();
  [s, b] = await Promise.all([
    liveServer({
      downBps: 0,
      config: {
        radius: {
          server: {
            enabled: true, host: '127.0.0.1', authPort, acctPort,
            nas: [{ name: 'tower-mikrotik', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: das.address().port }],
          },
        },
      },
    }),
    launchChromium(),
  ]);
  page = await b.desktop();
  page.context().setDefaultTimeout(6000);
  await consoleSignIn(page, s.url, 'admin', s.adminPassword);
}, 60_000);
afterAll(async () => {
  await b?.close();
  await s?.close();
  das.close();
});

describe('RADIUS page in Chromium', () => {
  it('lists a NAS session with its code, device and time left; Disconnect ends it on the NAS and on the page', async () => {
    const { codes } = s.vouchers(1, { durationSec: 7200, dataBytes: 2e9, devices: 1 }, { note: 'tower shop' });
    const code = codes[0]!;
    const [accept] = await burst(authPort, SECRET, [[['User-Name', code], ['User-Password', code], ['Calling-Station-Id', 'AA:BB:CC:10:20:30']]]);
    expect(accept?.code).toBe(Code.AccessAccept);
    const [resp] = await burst(acctPort, SECRET, [[
      ['Acct-Status-Type', 1], ['Acct-Session-Id', '80f00001'], ['Class', get(accept!, 'Class')!.toString()], ['Calling-Station-Id', 'AA:BB:CC:10:20:30'],
      ['Framed-IP-Address', '10.5.50.7'], ['User-Name', code],
    ]], 1500, '127.0.0.1', Code.AccountingRequest);
    expect(resp?.code).toBe(Code.AccountingResponse);

    await page.getByRole('link', { name: 'RADIUS' }).click();
    await page.locator('h1', { hasText: 'RADIUS' }).waitFor();
    const nasRow = page.locator('tr', { hasText: 'tower-mikrotik' }).first();
    await expect(nasRow.innerText()).resolves.toMatch(/mikrotik\s+127\.0\.0\.1/);
    await expect(nasRow.innerText()).resolves.not.toContain('never');
    await expect(page.locator('h2', { hasText: '1 session on a NAS' }).count()).resolves.toBe(1);
    const row = page.locator('tr', { hasText: 'aa:bb:cc:10:20:30' });
    const text = await row.innerText();
    expect(text).toContain(code);
    expect(text).toContain('tower shop');
    expect(text).toContain('10.5.50.7');
    expect(text).toMatch(/1h 59m|2h/);
    expect(text).toContain('2 GB');

    await row.getByRole('button', { name: 'Disconnect' }).click();
    await expect.poll(() => page.locator('[role=status]').textContent(), { timeout: 6000 }).toBe('The NAS tower-mikrotik disconnected aa:bb:cc:10:20:30.');
    expect(disconnects).toBe(1);
    await page.locator('p', { hasText: 'No device is online through a NAS.' }).waitFor();

  });

  it('says the RADIUS server is off when it is', async () => {
    const off = await liveServer({ downBps: 0 });
    try {
      const p = await b.desktop();
      await consoleSignIn(p, off.url, 'admin', off.adminPassword);
      await p.goto(off.url + 'admin#/radius');
      await p.locator('p', { hasText: 'The RADIUS server is off' }).waitFor();
    } finally {
      await off.close();
    }
  });
});
