/**
 * Portico as the login page of a UAM NAS (src/http/uam.ts): the browser arrives with CoovaChilli's /
 * uspot's signed redirect or MikroTik's login-radius.html parameters, the code is checked in the
 * resident's language, and the browser is sent to the NAS's logon URL. The test then plays the NAS:
 * it decodes the hand-off exactly as CoovaChilli's redir.c / RouterOS do and sends the resulting
 * Access-Request to Portico's real RADIUS server on loopback, which must accept it.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/log.js';
import { chilliChapResponse, chilliPassword, isPrivateHost, mikrotikChapPassword, unescapeOctal, verifyUamSignature } from '../../src/http/uam.js';
import { t } from '../../src/http/i18n.js';
import { Code } from '../../src/radius/index.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { burst } from './nas-peer.js';

const SECRET = 'uam-radius-secret-24-chars';
const UAM_SECRET = 'uam-shared-secret';
const CHALLENGE = '0123456789abcdef0123456789abcdef';
const md5 = (...p: (Buffer | string)[]) => p.reduce((h, x) => h.update(x), createHash('md5')).digest();

let h: Harness;
let server: RadiusServer;

/** The redirect CoovaChilli builds (redir_buildurl): `md` = MD5(url up to &md= ‖ uamsecret), upper-case hex. */
function chilliRedirect(params: Record<string, string>, secret = UAM_SECRET): string {
  const url = `http://portal.example.net/uam?${new URLSearchParams({ res: 'notyet', uamip: '10.1.0.1', uamport: '3990', challenge: CHALLENGE, mac: '02-AA-00-00-00-01', ip: '10.1.0.5', nasid: 'school', ...params })}`;
  return `${url}&md=${md5(url, secret).toString('hex').toUpperCase()}`;
}

const pathOf = (url: string) => url.slice('http://portal.example.net'.length);

describe('UAM hand-off: CoovaChilli, uspot and MikroTik send residents to Portico', () => {
  beforeAll(async () => {
    h = await harness({
      network: { languages: ['en', 'es'] },
      radius: {
        server: {
          enabled: true, host: '127.0.0.1',
          nas: [
            { name: 'school', address: '127.0.0.1', secret: SECRET, profile: 'coovachilli', coaPort: 0, uamSecret: UAM_SECRET },
            { name: 'tower', address: '127.0.0.2', secret: SECRET, profile: 'mikrotik', coaPort: 0, uamHosts: ['login.tower.lan'] },
          ],
        },
      },
    });
    server = createRadiusServer({ config: { ...h.config.radius.server, authPort: 0, acctPort: 0 }, core: h.core, clock: h.clock, log: silentLogger, translate: (c) => t('en', c as 'VOUCHER_UNKNOWN') });
    await server.start();
  });
  afterAll(async () => server.stop());

  it('hides the password as CoovaChilli undoes it, and builds CHAP and MikroTik responses', () => {
    const hex = chilliPassword('K7QM4XPA9TR', CHALLENGE, UAM_SECRET);
    const key = md5(Buffer.from(CHALLENGE, 'hex'), UAM_SECRET);
    const clear = Buffer.from(hex, 'hex').map((b, i) => b ^ key[i]!);
    expect(Buffer.from(clear).toString('utf8').replace(/\0+$/, '')).toBe('K7QM4XPA9TR');
    expect(chilliChapResponse('pw', CHALLENGE, UAM_SECRET)).toBe(md5(Buffer.from([0]), 'pw', key).toString('hex'));
    expect([...unescapeOctal('\\357\\033a')]).toEqual([0o357, 0o33, 0x61]);
    expect(mikrotikChapPassword('pw', '\\001', '\\377\\000')).toBe(md5(Buffer.from([1]), 'pw', Buffer.from([255, 0])).toString('hex'));
    expect(isPrivateHost('10.5.50.1') && isPrivateHost('192.168.88.1') && isPrivateHost('fe80::1')).toBe(true);
    expect(isPrivateHost('203.0.113.9') || isPrivateHost('evil.example')).toBe(false);
  });

  it('checks md: a forged or unsigned redirect gets no login form, so a code never goes to a foreign host', async () => {
    const phone = h.device();
    const good = chilliRedirect({});
    expect(verifyUamSignature(pathOf(good), ['http://portal.example.net'], UAM_SECRET)).toBe(true);
    const forged = good.replace('uamip=10.1.0.1', 'uamip=203.0.113.66');
    expect((await phone.get(pathOf(forged))).status).toBe(403);
    expect((await phone.get(pathOf(chilliRedirect({}, 'wrong-secret')))).status).toBe(403);
    const res = await phone.get(pathOf(good));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('name="nasq"');
  });

  it('CoovaChilli: a good code goes to uamip:uamport/logon as PAP, and the NAS’s Access-Request is accepted', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600, dataBytes: 500_000_000, devices: 1 });
    const phone = h.device();
    const redirect = chilliRedirect({ userurl: 'http://example.com/news' });
    const nasq = redirect.slice(redirect.indexOf('?') + 1);
    const res = await phone.post('/uam', { nasq, code: codes[0]!.toLowerCase().replace(/-/g, ' ') });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('http://10.1.0.1:3990/logon');
    expect(to.searchParams.get('userurl')).toBe('http://example.com/news');
    const username = to.searchParams.get('username')!;
    expect(username).toBe(codes[0]!.replace(/-/g, ''));
    // What redir.c does with it: password[n] ^ MD5(challenge ‖ uamsecret)[n] → User-Password.
    const key = md5(Buffer.from(CHALLENGE, 'hex'), UAM_SECRET);
    const userPassword = Buffer.from(Buffer.from(to.searchParams.get('password')!, 'hex').map((b, i) => b ^ key[i]!));
    const [reply] = await burst(server.ports().auth, SECRET, [[['User-Name', username], ['User-Password', userPassword], ['Calling-Station-Id', '02-AA-00-00-00-01']]]);
    expect(reply?.code).toBe(Code.AccessAccept);
    // Nothing was redeemed by the check itself: the NAS's request did it.
    expect(h.store.vouchers.findByCode(username)?.status).toBe('active');
  });

  it('CoovaChilli CHAP (response=) verifies on Portico’s RADIUS server too', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const code = codes[0]!.replace(/-/g, '');
    const challenge = md5(Buffer.from(CHALLENGE, 'hex'), UAM_SECRET);
    const response = Buffer.from(chilliChapResponse(code, CHALLENGE, UAM_SECRET), 'hex');
    const [reply] = await burst(server.ports().auth, SECRET, [[['User-Name', code], ['CHAP-Challenge', challenge], ['CHAP-Password', Buffer.concat([Buffer.from([0]), response])]]]);
    expect(reply?.code).toBe(Code.AccessAccept);
  });

  it('refusals are shown in the resident’s language before any hand-off; the NAS’s reply is translated back', async () => {
    const phone = h.device();
    const redirect = chilliRedirect({});
    const nasq = redirect.slice(redirect.indexOf('?') + 1);
    const unknown = await phone.post('/uam', { nasq, code: 'K7QM-4XPA-9TR' }, { 'accept-language': 'es' });
    expect([400, 404]).toContain(unknown.status);
    expect(await unknown.text()).toMatch(/Este código no existe|Hay un error de escritura/);
    // The NAS came back with res=failed and our English Reply-Message: the page shows it in Spanish.
    const failed = chilliRedirect({ res: 'failed', reply: t('en', 'VOUCHER_EXHAUSTED') });
    const page = await (await phone.get(pathOf(failed), { 'accept-language': 'es' })).text();
    expect(page).toContain(t('es', 'VOUCHER_EXHAUSTED'));
    const ok = await (await phone.get(pathOf(chilliRedirect({ res: 'success', userurl: 'http://example.com/' })))).text();
    expect(ok).toContain(t('en', 'connected'));
    expect(ok).toContain('href="http://example.com/"');
  });

  it('MikroTik: link-login-only on a private address gets the CHAP password RouterOS expects; a public one is refused', async () => {
    const { codes } = h.vouchers(1, { durationSec: 3600 });
    const phone = h.device();
    const q = new URLSearchParams({ 'link-login-only': 'http://10.5.50.1/login', mac: '02:BB:00:00:00:01', ip: '10.5.50.7', 'chap-id': '\\011', 'chap-challenge': '\\123\\377\\000abc', dst: 'http://example.org/', nasid: 'tower' });
    expect((await phone.get(`/uam?${q}`)).status).toBe(200);
    const res = await phone.post('/uam', { nasq: q.toString(), code: codes[0]! });
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe('http://10.5.50.1/login');
    expect(to.searchParams.get('dst')).toBe('http://example.org/');
    // RouterOS's Access-Request: CHAP-Password = chap-id ‖ the hex the page sent, CHAP-Challenge = chap-challenge.
    const chap = Buffer.concat([unescapeOctal('\\011'), Buffer.from(to.searchParams.get('password')!, 'hex')]);
    const [reply] = await burst(server.ports().auth, SECRET, [[['User-Name', to.searchParams.get('username')!], ['CHAP-Password', chap], ['CHAP-Challenge', unescapeOctal('\\123\\377\\000abc')], ['Calling-Station-Id', '02:BB:00:00:00:01']]], 1500, '127.0.0.2');
    expect(reply?.code).toBe(Code.AccessAccept);

    const evil = new URLSearchParams({ 'link-login-only': 'http://evil.example/login', nasid: 'tower' });
    expect((await phone.get(`/uam?${evil}`)).status).toBe(403);
    expect((await phone.post('/uam', { nasq: evil.toString(), code: codes[0]! })).status).toBe(403);
    const named = new URLSearchParams({ 'link-login-only': 'http://login.tower.lan/login', nasid: 'tower' });
    expect((await phone.get(`/uam?${named}`)).status).toBe(200);
  });
});
