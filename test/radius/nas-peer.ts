/**
 * Test peers for the RADIUS server: radclient (FreeRADIUS 3.2.1) as the NAS, and a raw UDP NAS built on
 * the codec for what radclient cannot do (many requests at the same instant). Loopback only.
 */
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { NasConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/lib/log.js';
import { Code, decodeResponse, encodeRequest, type AttributeInput, type RadiusPacket } from '../../src/radius/index.js';
import { createRadiusServer, type RadiusServer, type RadiusServerDeps } from '../../src/radius/server.js';

export const hasRadclient = spawnSync('sh', ['-c', 'command -v radclient']).status === 0;
export const MA = 'Message-Authenticator = 0x00';

export type RadclientKind = 'auth' | 'acct' | 'status' | 'coa' | 'disconnect';

/** One radclient exchange with its exit status; `-r 3 -t 1`: three tries a second apart, so a loaded machine does not fake a drop. */
export function radclientRun(port: number, kind: RadclientKind, input: string, secret: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('radclient', ['-x', '-r', '3', '-t', '1', `127.0.0.1:${port}`, kind, secret]);
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('close', (code) => resolve({ code, out }));
    child.stdin.end(input + '\n');
  });
}

/** One radclient exchange: what it printed. */
export async function radclient(port: number, kind: RadclientKind, input: string, secret: string): Promise<string> {
  return (await radclientRun(port, kind, input, secret)).out;
}

/** Mikrotik-Total-Limit(+Gigawords) of a radclient-printed Accept, or null. */
export function grantedBytes(out: string): number | null {
  const low = /Mikrotik-Total-Limit = (\d+)/.exec(out);
  if (!low) return null;
  const high = /Mikrotik-Total-Limit-Gigawords = (\d+)/.exec(out);
  return Number(low[1]) + (high ? Number(high[1]) * 2 ** 32 : 0);
}

export const classOf = (out: string): string | undefined => {
  const hex = /Class = 0x([0-9a-f]+)/.exec(out)?.[1];
  return hex ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
};

/**
 * Sends every request at once, each from its own socket (distinct source ports, as distinct NAS
 * processes would), and resolves with each authenticated reply (undefined after `waitMs`).
 */
export async function burst(port: number, secret: string, requests: AttributeInput[][], waitMs = 1500, from = '127.0.0.1', code: number = Code.AccessRequest): Promise<(RadiusPacket | undefined)[]> {
  return Promise.all(
    requests.map(async (attrs, i) => {
      const socket = createSocket('udp4');
      await new Promise<void>((r) => socket.bind(0, from, () => r()));
      const { bytes, packet } = encodeRequest(code, attrs, secret, { identifier: i & 0xff, randomBytes });
      const reply = await new Promise<RadiusPacket | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), waitMs);
        socket.on('message', (msg) => {
          clearTimeout(timer);
          const d = decodeResponse(msg, packet, secret);
          resolve(d.ok ? d.packet : undefined);
        });
        socket.send(bytes, port, '127.0.0.1');
      });
      socket.close();
      return reply;
    }),
  );
}

/**
 * Portico's RADIUS server on loopback ephemeral ports over a test's core, started: each NAS at
 * 127.0.0.1 with no CoA port and Message-Authenticator required unless it says otherwise, refusals
 * answered with their code as Reply-Message. `core` may be the group-committing batcher.
 */
export async function startTestRadius(o: {
  core: RadiusServerDeps['core'];
  clock: RadiusServerDeps['clock'];
  nas: (Pick<NasConfig, 'name' | 'secret' | 'profile'> & Partial<NasConfig>)[];
  sliceMinBytes: number;
  sliceMaxBytes: number;
  interimIntervalSec?: number;
  /** Fixed ports (a test that stops the server and starts it again where its clients expect it); ephemeral by default. */
  authPort?: number;
  acctPort?: number;
}): Promise<RadiusServer> {
  const server = createRadiusServer({
    config: {
      enabled: true, host: '127.0.0.1', authPort: o.authPort ?? 0, acctPort: o.acctPort ?? 0, interimIntervalSec: o.interimIntervalSec ?? 60,
      sliceMinBytes: o.sliceMinBytes, sliceMaxBytes: o.sliceMaxBytes,
      nas: o.nas.map((n) => ({ address: '127.0.0.1', coaPort: 0, requireMessageAuthenticator: true, uamHosts: [], ...n })),
    },
    core: o.core, clock: o.clock, log: silentLogger, translate: (c) => c,
  });
  await server.start();
  return server;
}
