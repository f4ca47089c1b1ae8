/**
 * Records real RADIUS requests from FreeRADIUS's `radclient` (Debian freeradius-utils 3.2.1) as golden
 * fixtures for the codec: a UDP listener on 127.0.0.1 stores each datagram's bytes as hex, never answers,
 * and radclient gives up after one try. Re-run with `npx tsx test/radius/capture-radclient.ts` when a
 * fixture must change; the output goes to src/radius/golden/radclient.json. Only loopback is used.
 */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

interface Case {
  name: string;
  kind: 'auth' | 'acct' | 'coa' | 'disconnect' | 'status';
  secret: string;
  input: string;
  /** What the test expects to find, written down beside the bytes so a reader sees the intent. */
  expect: Record<string, unknown>;
}

const SECRET = 'golden-secret-0123456789';
const CASES: Case[] = [
  { name: 'pap', kind: 'auth', secret: SECRET, input: 'User-Name = "alice", User-Password = "correct horse"', expect: { password: 'correct horse' } },
  {
    name: 'pap-long-password-ma', kind: 'auth', secret: SECRET,
    input: 'User-Name = "bob", User-Password = "a-forty-byte-password-spanning-3-blocks!", Message-Authenticator = 0x00, NAS-Identifier = "nas1", Calling-Station-Id = "00-10-A4-23-19-C0"',
    expect: { password: 'a-forty-byte-password-spanning-3-blocks!', messageAuthenticator: true },
  },
  { name: 'chap-authenticator', kind: 'auth', secret: SECRET, input: 'User-Name = "carol", CHAP-Password = "ABCD-EFGH", Message-Authenticator = 0x00', expect: { chapPassword: 'ABCD-EFGH', messageAuthenticator: true } },
  {
    name: 'chap-challenge', kind: 'auth', secret: SECRET,
    input: 'User-Name = "dave", CHAP-Password = "KX7P-Q2MZ", CHAP-Challenge = 0x0102030405060708090a0b0c0d0e0f10',
    expect: { chapPassword: 'KX7P-Q2MZ' },
  },
  {
    name: 'acct-interim-gigawords', kind: 'acct', secret: SECRET,
    input: 'Acct-Status-Type = Interim-Update, User-Name = "alice", Acct-Session-Id = "5f3a2b1c00000001", Acct-Input-Octets = 123456, Acct-Input-Gigawords = 2, Acct-Output-Octets = 4294967295, Acct-Output-Gigawords = 1, Class = 0x706f727469636f2d6772616e74, Framed-IP-Address = 10.1.2.3, Event-Timestamp = 1767225600, Mikrotik-Rate-Limit = "512k/2M", WISPr-Bandwidth-Max-Down = 2000000',
    expect: { inputOctets: '8590058048', outputOctets: '8589934591' },
  },
  { name: 'acct-start-ma', kind: 'acct', secret: SECRET, input: 'Acct-Status-Type = Start, User-Name = "bob", Acct-Session-Id = "s2", Message-Authenticator = 0x00', expect: { messageAuthenticator: true } },
  { name: 'coa', kind: 'coa', secret: SECRET, input: 'User-Name = "alice", Acct-Session-Id = "5f3a2b1c00000001", Session-Timeout = 600, Mikrotik-Total-Limit = 1000000, Mikrotik-Total-Limit-Gigawords = 1', expect: {} },
  { name: 'disconnect', kind: 'disconnect', secret: SECRET, input: 'User-Name = "alice", Acct-Session-Id = "5f3a2b1c00000001", Event-Timestamp = 1767225600', expect: {} },
  { name: 'status-server', kind: 'status', secret: SECRET, input: 'Message-Authenticator = 0x00', expect: { messageAuthenticator: true } },
];

async function capture(c: Case): Promise<{ hex: string; radclientLog: string }> {
  const sock = createSocket('udp4');
  const got = new Promise<Buffer>((resolve) => sock.once('message', (m) => resolve(m)));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const port = sock.address().port;
  // -r 1 -t 1: one try, no retransmission noise; the listener never answers.
  const child = spawnSync('radclient', ['-x', '-r', '1', '-t', '1', `127.0.0.1:${port}`, c.kind, c.secret], {
    input: c.input + '\n',
    encoding: 'utf8',
  });
  const msg = await got;
  sock.close();
  return { hex: msg.toString('hex'), radclientLog: (child.stdout + child.stderr).split('\n').slice(0, 40).join('\n') };
}

const out: unknown[] = [];
for (const c of CASES) {
  const { hex, radclientLog } = await capture(c);
  out.push({ ...c, hex, radclientLog });
  process.stdout.write(`${c.name}: ${hex.length / 2} bytes\n`);
}
const target = fileURLToPath(new URL('../../src/radius/golden/radclient.json', import.meta.url));
writeFileSync(target, JSON.stringify({ source: 'radclient 3.2.1 (Debian freeradius-utils), captured by test/radius/capture-radclient.ts', cases: out }, null, 2) + '\n');
