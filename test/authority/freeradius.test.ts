/**
 * Issue 12 item 6 with a real central server: FreeRADIUS 3.2.1 (Debian) runs from a temporary config
 * (test/radius/freeradius.ts) with
 * - a users file: an Accept with Session-Timeout, ChilliSpot-Max-Total-Octets, WISPr rates and Class,
 *   and a Reject with a Reply-Message of its own;
 * - rlm_sql (sqlite driver) storing accounting in radacct, and rlm_sqlcounter answering each
 *   Access-Request with what is left of a byte allowance (ChilliSpot-Max-Total-Octets), rejecting once
 *   it is used: the gateway's Stop reaches radacct and the next login gets the rest;
 * and radclient as the server's Dynamic Authorization Client sending Disconnect- and CoA-Requests to the
 * gateway's DAS (ACK and NAK cases). Debian's 3.2.1 puts no Message-Authenticator in its Accepts
 * (radius.md §c), so this server is opted out of requiring it.
 */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode, generateCode } from '../../src/domain/code.js';
import { isDomainError } from '../../src/domain/errors.js';
import { fakeClock } from '../../src/lib/clock.js';
import { MA, radclientRun } from '../radius/nas-peer.js';
import { freeradiusSkip, freeUdpPorts, startFreeradius, type Freeradius } from '../radius/freeradius.js';
import { startGateway, type Gateway } from './gateway.js';
import { randomFillSync } from 'node:crypto';

const SECRET = 'gateway-to-freeradius-sec24';
const random = (n: number) => randomFillSync(new Uint8Array(n));
const ACCEPTED = generateCode(random);
const REJECTED = generateCode(random);
const COUNTED = generateCode(random);
const TYPED = generateCode(random);
/** How a resident may type TYPED: lower case with dashes. FreeRADIUS compares User-Name byte for byte. */
const TYPED_AS = formatCode(TYPED).toLowerCase();
const REPLY = 'Ce code a été annulé par le vendeur';

const clock = fakeClock(Date.now());
let fr: Freeradius | undefined;
let gw: Gateway | undefined;
let ports: number[] = [];

function site(auth: number, acct: number): string {
  return `server central {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${auth}
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${acct}
  }
  authorize {
    files
    sql
    datacounter
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  preacct {
    update request {
      &Acct-Unique-Session-Id := "%{md5:%{User-Name},%{Acct-Session-Id},%{NAS-Identifier}}"
    }
  }
  accounting {
    sql
    acct_log
  }
}
`;
}

function modules(dir: string): string {
  return `  pap {
  }
  expr {
  }
  files {
    filename = \${raddbdir}/users
  }
  linelog acct_log {
    filename = \${logdir}/acct.log
    format = "%{Acct-Status-Type} %{User-Name} %{Acct-Session-Id} in=%{%{Acct-Input-Octets}:-0} out=%{%{Acct-Output-Octets}:-0} class=%{Class} nas=%{NAS-Identifier} csi=%{Calling-Station-Id}"
  }
  sql {
    driver = "rlm_sql_sqlite"
    dialect = "sqlite"
    sqlite {
      filename = "${dir}/radius.db"
    }
    radius_db = "radius"
    acct_table1 = "radacct"
    acct_table2 = "radacct"
    postauth_table = "radpostauth"
    authcheck_table = "radcheck"
    groupcheck_table = "radgroupcheck"
    authreply_table = "radreply"
    groupreply_table = "radgroupreply"
    usergroup_table = "radusergroup"
    read_groups = yes
    delete_stale_sessions = yes
    pool {
      start = 1
      min = 1
      max = 2
      spare = 1
      uses = 0
      lifetime = 0
      idle_timeout = 60
    }
    client_table = "nas"
    group_attribute = "SQL-Group"
    $INCLUDE \${modconfdir}/sql/main/sqlite/queries.conf
  }
  sqlcounter datacounter {
    sql_module_instance = sql
    dialect = sqlite
    counter_name = Portico-Total-Octets-Used
    check_name = Portico-Max-Total-Octets
    reply_name = ChilliSpot-Max-Total-Octets
    key = User-Name
    reset = never
    query = "SELECT IFNULL(SUM(acctinputoctets + acctoutputoctets), 0) FROM radacct WHERE username = '%{\${key}}'"
  }`;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (isDomainError(err)) return { code: err.code, details: err.details };
    throw err;
  }
  return { code: 'OK', details: {} };
}

describe.skipIf(freeradiusSkip !== '')('FreeRADIUS 3.2 as the central server', () => {
  beforeAll(async () => {
    ports = await freeUdpPorts(3);
    const [auth, acct, das] = ports as [number, number, number];
    // The database first (the sqlite schema FreeRADIUS ships), with one counted code in radcheck.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dbDir = mkdtempSync(join(tmpdir(), 'portico-frdb-'));
    const db = new Database(join(dbDir, 'radius.db'));
    db.exec(readFileSync('/etc/freeradius/3.0/mods-config/sql/main/sqlite/schema.sql', 'utf8'));
    const check = db.prepare('INSERT INTO radcheck (username, attribute, op, value) VALUES (?, ?, ?, ?)');
    check.run(COUNTED, 'Cleartext-Password', ':=', COUNTED);
    check.run(COUNTED, 'Portico-Max-Total-Octets', ':=', '3000000');
    db.prepare('INSERT INTO radreply (username, attribute, op, value) VALUES (?, ?, ?, ?)').run(COUNTED, 'Acct-Interim-Interval', '=', '60');
    db.close();
    fr = await startFreeradius({
      clients: `client gateway {\n  ipaddr = 127.0.0.1\n  secret = ${SECRET}\n  require_message_authenticator = yes\n  shortname = gw\n}\n`,
      modules: modules(dbDir),
      sites: { central: site(auth, acct) },
      users: `${ACCEPTED} Cleartext-Password := "${ACCEPTED}"
        Session-Timeout = 3600, Acct-Interim-Interval = 60, WISPr-Bandwidth-Max-Down = 2000000, WISPr-Bandwidth-Max-Up = 500000,
        ChilliSpot-Max-Total-Octets = 5000000, Class = "fr:grant=7"
${TYPED_AS} Cleartext-Password := "${TYPED_AS}"
        Session-Timeout = 600
${REJECTED} Auth-Type := Reject
        Reply-Message = "${REPLY}"
`,
      dictionary: 'ATTRIBUTE Portico-Max-Total-Octets 3100 integer64\n',
      modsConfig: true,
    });
    gw = await startGateway({
      clock,
      servers: [{ host: '127.0.0.1', authPort: auth, acctPort: acct, secret: SECRET, requireMessageAuthenticator: false }],
      radius: { nasIdentifier: 'tower-3', timeoutMs: 1500, das: { host: '127.0.0.1', port: das, requireMessageAuthenticator: true } },
    });
  }, 30_000);

  afterAll(async () => {
    await gw?.stop();
    await fr?.stop();
  });

  it('an Accept from the users file: time, data, rates enforced by the gateway; Class echoed in accounting', async () => {
    gw!.network.setMac('10.0.0.5', '02:00:00:00:0a:05');
    const r = await gw!.core.login({ ip: '10.0.0.5', code: formatCode(ACCEPTED) });
    const s = r.status;
    expect(s.authorized && [s.secondsRemaining, s.bytesRemaining, s.plan.downBps, s.plan.upBps]).toEqual([3600, 5_000_000, 2_000_000, 500_000]);
    expect(gw!.network.allowed('10.0.0.5')).toBe(true);
    // The kernel-side quota (simulated here) holds the grant: 5 MB pass, no more.
    expect(gw!.network.transfer('10.0.0.5', 6_000_000, 0).down).toBe(5_000_000);
    clock.advance(5_000);
    await gw!.sweep(); // the grant is used up and the server asked for no re-authorization: the session ends
    expect(gw!.network.allowed('10.0.0.5')).toBe(false);
    await new Promise((r) => setImmediate(r));
    await gw!.remote.accounting!.flush();
    const log = readFileSync(join(fr!.dir, 'log', 'acct.log'), 'utf8');
    const hex = Buffer.from('fr:grant=7').toString('hex');
    expect(log).toMatch(new RegExp(`Start ${ACCEPTED} \\S+ in=0 out=0 class=0x${hex} nas=tower-3 csi=02-00-00-00-0A-05`));
    expect(log).toMatch(new RegExp(`Stop ${ACCEPTED} \\S+ in=0 out=5000000 class=0x${hex}`));
  });

  it("a Reject shows the server's Reply-Message; nothing is stored", async () => {
    gw!.network.setMac('10.0.0.6', '02:00:00:00:0a:06');
    const f = await failure(gw!.core.login({ ip: '10.0.0.6', code: formatCode(REJECTED) }));
    expect(f.code).toBe('VOUCHER_UNKNOWN');
    expect(f.details.serverMessage).toBe(REPLY);
    expect(gw!.network.allowed('10.0.0.6')).toBe(false);
    expect(gw!.store.vouchers.findByCode(REJECTED)).toBeUndefined();
  });

  it('sqlcounter: each login gets what radacct says is left; used up → refused', async () => {
    gw!.network.setMac('10.0.0.7', '02:00:00:00:0a:07');
    const first = (await gw!.core.login({ ip: '10.0.0.7', code: formatCode(COUNTED) })).status;
    expect(first.authorized && first.bytesRemaining).toBe(3_000_000);
    expect(gw!.network.transfer('10.0.0.7', 2_000_000, 0).down).toBe(2_000_000);
    await gw!.sweep();
    await gw!.core.logout({ ip: '10.0.0.7' });
    await new Promise((r) => setImmediate(r));
    await gw!.remote.accounting!.flush();

    const second = (await gw!.core.login({ ip: '10.0.0.7', code: formatCode(COUNTED) })).status;
    expect(second.authorized && second.bytesRemaining).toBe(1_000_000);
    expect(gw!.network.transfer('10.0.0.7', 2_000_000, 0).down).toBe(1_000_000);
    clock.advance(5_000);
    await gw!.sweep(); // the local grant is used up: the pool ends, the Stop goes out
    expect(gw!.network.allowed('10.0.0.7')).toBe(false);
    await new Promise((r) => setImmediate(r));
    await gw!.remote.accounting!.flush();
    const again = await failure(gw!.core.login({ ip: '10.0.0.7', code: formatCode(COUNTED) }));
    expect(again.code).toBe('VOUCHER_UNKNOWN');
    expect(again.details.serverMessage).toMatch(/maximum/i);
  });

  it('normalizeCode: false sends the code as the resident typed it', async () => {
    const [auth, acct] = ports as [number, number];
    const servers = [{ host: '127.0.0.1', authPort: auth, acctPort: acct, secret: SECRET, requireMessageAuthenticator: false }];
    const asTyped = await startGateway({ clock, servers, radius: { nasIdentifier: 'tower-4', normalizeCode: false } });
    try {
      asTyped.network.setMac('10.0.4.5', '02:00:00:00:04:05');
      const s = (await asTyped.core.login({ ip: '10.0.4.5', code: ` ${TYPED_AS} ` })).status;
      expect(s.authorized && s.secondsRemaining).toBe(600);
      // The default (normalized) spelling is not the user FreeRADIUS knows.
      gw!.network.setMac('10.0.0.8', '02:00:00:00:0a:08');
      expect((await failure(gw!.core.login({ ip: '10.0.0.8', code: TYPED_AS }))).code).toBe('VOUCHER_UNKNOWN');
    } finally {
      await asTyped.stop();
    }
  });

  describe('radclient as the Dynamic Authorization Client', () => {
    const das = () => ports[2]!;
    let deviceId = '';

    beforeAll(async () => {
      clock.set(Date.now());
      gw!.network.setMac('10.0.0.9', '02:00:00:00:0a:09');
      const r = await gw!.core.login({ ip: '10.0.0.9', code: formatCode(ACCEPTED) });
      deviceId = r.deviceId;
    });

    it('CoA-Request changes the grant at once: ACK', async () => {
      const r = await radclientRun(das(), 'coa', `Acct-Session-Id = "${deviceId}"\nWISPr-Bandwidth-Max-Down = 1000000\nChilliSpot-Max-Total-Octets = 9000000\n${MA}`, SECRET);
      expect(r.out).toContain('CoA-ACK');
      const poolId = gw!.store.entitlements.getDevice(deviceId)!.entitlementId;
      const s = gw!.core.poolView(poolId);
      expect(s.authorized && s.bytesRemaining).toBe(9_000_000);
      expect(gw!.network.pools.get(poolId)!.limits).toMatchObject({ downBps: 1_000_000, bytesRemaining: 9_000_000 });
    });

    it('NAKs: an attribute it cannot honour (401), a CoA that changes nothing (404), no such session (503), nothing to identify it (402), another NAS (403)', async () => {
      const filter = await radclientRun(das(), 'coa', `Acct-Session-Id = "${deviceId}"\nFilter-Id = "slow"\n${MA}`, SECRET);
      expect(filter.out).toContain('CoA-NAK');
      expect(filter.out).toMatch(/Error-Cause = Unsupported-Attribute/);
      const empty = await radclientRun(das(), 'coa', `Acct-Session-Id = "${deviceId}"\n${MA}`, SECRET);
      expect(empty.out).toMatch(/CoA-NAK[\s\S]*Error-Cause = Invalid-Request/);
      const gone = await radclientRun(das(), 'disconnect', `Acct-Session-Id = "dev_nobody"\n${MA}`, SECRET);
      expect(gone.out).toMatch(/Disconnect-NAK[\s\S]*Error-Cause = Session-Context-Not-Found/);
      const none = await radclientRun(das(), 'disconnect', `Event-Timestamp = "${Math.floor(Date.now() / 1000)}"\n${MA}`, SECRET);
      expect(none.out).toMatch(/Disconnect-NAK[\s\S]*Error-Cause = Missing-Attribute/);
      const other = await radclientRun(das(), 'disconnect', `Acct-Session-Id = "${deviceId}"\nNAS-Identifier = "tower-9"\n${MA}`, SECRET);
      expect(other.out).toMatch(/Disconnect-NAK[\s\S]*Error-Cause = NAS-Identification-Mismatch/);
      expect(gw!.network.allowed('10.0.0.9')).toBe(true);
    });

    it('dropped without an answer: a wrong secret, no Message-Authenticator, a stale Event-Timestamp', async () => {
      const wrong = await radclientRun(das(), 'disconnect', `Acct-Session-Id = "${deviceId}"\n${MA}`, 'not-the-secret-at-all-24');
      expect(wrong.code).not.toBe(0);
      const unsigned = await radclientRun(das(), 'disconnect', `Acct-Session-Id = "${deviceId}"`, SECRET);
      expect(unsigned.code).not.toBe(0);
      const stale = await radclientRun(das(), 'disconnect', `Acct-Session-Id = "${deviceId}"\nEvent-Timestamp = "${Math.floor(Date.now() / 1000) - 3600}"\n${MA}`, SECRET);
      expect(stale.code).not.toBe(0);
      expect(gw!.network.allowed('10.0.0.9')).toBe(true);
      expect(gw!.remote.das!.stats().dropped).toMatchObject({ badAuthenticator: 6, stale: 3 });
    }, 30_000);

    it('Disconnect-Request cuts the device at once: ACK, and the Stop goes to the server', async () => {
      const r = await radclientRun(das(), 'disconnect', `User-Name = "${ACCEPTED}"\nCalling-Station-Id = "02-00-00-00-0A-09"\nEvent-Timestamp = "${Math.floor(Date.now() / 1000)}"\n${MA}`, SECRET);
      expect(r.out).toContain('Disconnect-ACK');
      expect(gw!.network.allowed('10.0.0.9')).toBe(false);
      expect(gw!.store.entitlements.getDevice(deviceId)!.endReason).toBe('disconnect');
      await new Promise((res) => setImmediate(res));
      await gw!.remote.accounting!.flush();
      expect(readFileSync(join(fr!.dir, 'log', 'acct.log'), 'utf8')).toContain(`Stop ${ACCEPTED} ${deviceId}`);
    });
  });
});
