/**
 * Portico's RADIUS server behind a real FreeRADIUS 3.2.1 proxy (radius.md §e, "Portico as home server"):
 *
 *   radclient (the NAS) ──secret NAS──▶ freeradius (sites/front, 127.0.0.1) ──secret PORTICO──▶ createRadiusServer
 *
 * FreeRADIUS re-signs every hop: it checks the NAS's Message-Authenticator (the client requires one),
 * adds Proxy-State, signs the proxied Access-Request with its own Message-Authenticator and Portico's
 * secret, and re-signs Portico's reply for the NAS. Portico's NAS entry is the proxy's source address
 * (127.0.0.1, `src_ipaddr`) with requireMessageAuthenticator: true, so an Accept proves the proxy's
 * MA reached Portico (Portico also drops Proxy-State without MA). Portico's ports are ephemeral and
 * not adjacent, so proxy.conf has one auth and one acct home server instead of `auth+acct` (port+1).
 *
 * Runs `freeradius -X` (as whoever runs the tests; no user/group lines, so root stays root) from a
 * mkdtemp directory, waits for "Ready to process requests", and kills it by PID afterwards. Loopback
 * only. Skipped without freeradius or radclient.
 */
import { randomFillSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCode, generateCode } from '../../src/domain/code.js';
import { silentLogger } from '../../src/lib/log.js';
import { createRadiusServer, type RadiusServer } from '../../src/radius/server.js';
import { harness, type Harness } from '../helpers/harness.js';
import { freeradiusSkip, freeUdpPorts, startFreeradius, type Freeradius, type FreeradiusParts } from './freeradius.js';
import { classOf, MA, radclient } from './nas-peer.js';

const skipReason = freeradiusSkip;

const SECRET_NAS = 'nas-to-freeradius-secret-24';
const SECRET_PORTICO = 'freeradius-to-portico-sec24';
const GB = 1_000_000_000;

let h: Harness;
let server: RadiusServer;
let fr: Freeradius | undefined;
const frOut = () => fr?.output() ?? '';
let front = { auth: 0, acct: 0 };

/** The proxy's parts (test/radius/freeradius.ts writes the rest): every request, whatever its realm, goes to Portico. */
function proxyParts(portico: { auth: number; acct: number }): FreeradiusParts {
  return {
    modules: '',
    clients: `client nas {
  ipaddr = 127.0.0.1
  secret = ${SECRET_NAS}
  require_message_authenticator = yes
  shortname = nas
}
`,
    // Portico's auth and acct ports are not port/port+1, so one home server per type.
    proxy: `proxy server {
  default_fallback = no
}
home_server portico_auth {
  type = auth
  ipaddr = 127.0.0.1
  port = ${portico.auth}
  src_ipaddr = 127.0.0.1
  secret = ${SECRET_PORTICO}
  response_window = 3
  status_check = none
}
home_server portico_acct {
  type = acct
  ipaddr = 127.0.0.1
  port = ${portico.acct}
  src_ipaddr = 127.0.0.1
  secret = ${SECRET_PORTICO}
  response_window = 3
  status_check = none
}
home_server_pool portico_auth_pool {
  type = fail-over
  home_server = portico_auth
}
home_server_pool portico_acct_pool {
  type = fail-over
  home_server = portico_acct
}
realm portico {
  auth_pool = portico_auth_pool
  acct_pool = portico_acct_pool
  nostrip
}
`,
    sites: { front: `server front {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${front.auth}
  }
  listen {
    type = acct
    ipaddr = 127.0.0.1
    port = ${front.acct}
  }
  authorize {
    update control {
      &Proxy-To-Realm := "portico"
    }
  }
  authenticate {
  }
  preacct {
    update control {
      &Proxy-To-Realm := "portico"
    }
  }
  accounting {
  }
}
` },
  };
}

const auth = (input: string) => radclient(front.auth, 'auth', input, SECRET_NAS);
const acct = (input: string) => radclient(front.acct, 'acct', input, SECRET_NAS);
const pap = (code: string, mac: string) =>
  auth(`User-Name = "${code}", User-Password = "${code}", Calling-Station-Id = "${mac}", Framed-IP-Address = 10.5.0.9, ${MA}`);
const unknownCode = () => formatCode(generateCode((n) => randomFillSync(new Uint8Array(n))));
/** On failure, show both sides: what radclient printed and the end of freeradius's debug log. */
const why = (out: string) => `radclient:\n${out}\n--- freeradius -X (tail):\n${frOut().slice(-4000)}`;

describe.skipIf(!!skipReason)(`Portico behind a FreeRADIUS 3.2 proxy${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    h = await harness({ network: { languages: ['en'] } });
    server = createRadiusServer({
      config: {
        enabled: true, host: '127.0.0.1', authPort: 0, acctPort: 0, interimIntervalSec: 300, sliceMinBytes: 10_000_000, sliceMaxBytes: 1_000_000_000,
        // The proxy is the NAS as far as Portico can see: its src_ipaddr, its secret.
        nas: [{ name: 'fr-proxy', address: '127.0.0.1', secret: SECRET_PORTICO, profile: 'mikrotik', coaPort: 3799, requireMessageAuthenticator: true }],
      },
      core: h.core,
      clock: h.clock,
      log: silentLogger,
      translate: (code) => ({ VOUCHER_UNKNOWN: 'This code does not exist.' })[code] ?? code,
    });
    await server.start();
    const [a, b] = await freeUdpPorts(2);
    front = { auth: a!, acct: b! };
    fr = await startFreeradius(proxyParts(server.ports()));
  }, 15_000);

  afterAll(async () => {
    await fr?.stop();
    await server?.stop();
  });

  const plan = { durationSec: 3600, dataBytes: 5 * GB, downBps: 2_000_000, upBps: 512_000, devices: 2 };

  it('a valid code (PAP) is accepted by Portico and the Accept is relayed with Session-Timeout and the MikroTik slice', async () => {
    const { codes } = h.vouchers(1, plan);
    const out = await pap(codes[0]!, 'AA:BB:CC:10:00:01');
    expect(out, why(out)).toMatch(/Received Access-Accept Id \d+/);
    expect(out).toContain('Session-Timeout = 3600');
    expect(out).toContain('Mikrotik-Total-Limit = 1000000000');
    expect(out).toContain('Mikrotik-Rate-Limit = "512k/2M"');
    expect(classOf(out)).toBeDefined();
    // Portico saw the proxy's request (with Proxy-State and the proxy's MA) and dropped nothing.
    expect(server.stats().dropped.MISSING_MESSAGE_AUTHENTICATOR ?? 0).toBe(0);
    expect(server.stats().dropped.BAD_MESSAGE_AUTHENTICATOR ?? 0).toBe(0);
    expect(frOut()).toMatch(/Proxying request to home server 127\.0\.0\.1 port \d+/);
  });

  it('an unknown code is rejected with Portico\'s Reply-Message, relayed by FreeRADIUS', async () => {
    const out = await pap(unknownCode(), 'AA:BB:CC:10:00:02');
    expect(out, why(out)).toMatch(/Received Access-Reject/);
    expect(out).toContain('Reply-Message = "This code does not exist."');
  });

  it('Accounting Start and Stop through the proxy land in Portico\'s pool', async () => {
    const { codes } = h.vouchers(1, plan);
    const accept = await pap(codes[0]!, 'AA:BB:CC:10:00:03');
    expect(accept, why(accept)).toMatch(/Received Access-Accept/);
    const sessionId = classOf(accept)!;
    const cls = Buffer.from(sessionId, 'utf8').toString('hex');
    const session = () => h.store.radiusSessions.get(sessionId)!;
    const used = () => h.store.entitlements.get(session().entitlementId)!.usedBytes;
    const send = (type: string, extra: string) =>
      acct(`Acct-Status-Type = ${type}, User-Name = "${codes[0]}", Acct-Session-Id = "fr000001", Class = 0x${cls}, Calling-Station-Id = "AA:BB:CC:10:00:03"${extra}`);

    const start = await send('Start', '');
    expect(start, why(start)).toMatch(/Received Accounting-Response/);
    expect(session().acctSessionId).toBe('fr000001');
    expect(session().active).toBe(true);

    const stop = await send('Stop', ', Acct-Input-Octets = 7000, Acct-Output-Octets = 300000, Acct-Session-Time = 120, Acct-Terminate-Cause = User-Request');
    expect(stop, why(stop)).toMatch(/Received Accounting-Response/);
    expect(used()).toBe(307_000);
    expect(session().active).toBe(false);
  });
});
