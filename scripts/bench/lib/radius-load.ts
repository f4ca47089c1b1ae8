/**
 * A RADIUS load generator on node:dgram and Portico's codec (encodeRequest / decodeResponse): radclient
 * needs a full core for ~3,000 requests/s and cannot keep a steady window (perf-anchors.md), so the
 * bench drives both Portico and the FreeRADIUS calibration with this instead. It keeps `window`
 * requests outstanding across `sockets` sockets (distinct source ports, one Identifier space each, an
 * Identifier never reused while outstanding: RFC 2865 §2.5), retransmits a request unchanged (same
 * Identifier, authenticator and source port, RFC 5080 §2.2.2) after `timeoutMs`, gives up after
 * `tries`, and verifies every reply's Response Authenticator with the shared secret.
 *
 * @example
 *   const r = await radiusLoad({ port: 1812, secret, requests: codes.map((c) => [['User-Name', c], ['User-Password', c]]) });
 *   r.replies[Code.AccessAccept]; r.latenciesMs; r.drops;
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Code, decodeResponse, encodeRequest, type AttributeInput, type RadiusPacket } from '../../../src/radius/index.js';

export interface LoadOptions {
  host?: string;
  port: number;
  secret: string;
  code?: number;
  /** Built lazily, in order: request i's attributes. */
  requests: number;
  attrs: (i: number) => AttributeInput[];
  window?: number;
  sockets?: number;
  timeoutMs?: number;
  tries?: number;
  /** Open loop: start at most this many requests per second (the window still caps what is outstanding). */
  ratePerSec?: number;
  /** Called with every authenticated reply (e.g. to keep each Accept's Class). */
  onReply?: (i: number, reply: RadiusPacket) => void;
}

export interface LoadResult {
  /** Replies by code (2 Accept, 3 Reject, 5 Accounting-Response…). */
  replies: Record<number, number>;
  /** First transmission → authenticated reply, per answered request, sorted. */
  latenciesMs: number[];
  /** Requests with no authenticated reply after every try. */
  drops: number;
  retransmits: number;
  /** Replies that failed authentication or matched nothing outstanding. */
  bad: number;
  durationMs: number;
}

interface Pending {
  i: number;
  bytes: Buffer;
  packet: RadiusPacket;
  sent: number;
  tries: number;
  timer: NodeJS.Timeout;
}

export async function radiusLoad(o: LoadOptions): Promise<LoadResult> {
  const host = o.host ?? '127.0.0.1';
  const code = o.code ?? Code.AccessRequest;
  const window = o.window ?? 64;
  const nSockets = o.sockets ?? 4;
  const timeoutMs = o.timeoutMs ?? 1000;
  const tries = o.tries ?? 3;
  const result: LoadResult = { replies: {}, latenciesMs: [], drops: 0, retransmits: 0, bad: 0, durationMs: 0 };
  const sockets: Socket[] = [];
  const pending: Map<number, Pending>[] = [];
  const freeIds: number[][] = [];
  for (let s = 0; s < nSockets; s++) {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, host, () => r()));
    // A 2-core machine under load: a deep receive buffer so a burst of replies is not lost in the kernel.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
    } catch {
      /* capped by net.core.rmem_max: the default is fine */
    }
    sockets.push(socket);
    pending.push(new Map());
    freeIds.push(Array.from({ length: 256 }, (_, k) => k));
  }

  let next = 0;
  let outstanding = 0;
  const t0 = performance.now();
  let done: () => void;
  const finished = new Promise<void>((r) => (done = r));

  const complete = (s: number, id: number, p: Pending) => {
    clearTimeout(p.timer);
    pending[s]!.delete(id);
    freeIds[s]!.push(id);
    outstanding--;
    pump();
  };

  const transmit = (s: number, id: number, p: Pending) => {
    sockets[s]!.send(p.bytes, o.port, host);
    p.timer = setTimeout(() => {
      if (++p.tries >= tries) {
        result.drops++;
        complete(s, id, p);
      } else {
        result.retransmits++;
        transmit(s, id, p);
      }
    }, timeoutMs);
  };

  let pacer: NodeJS.Timeout | undefined;
  const allowed = () => (o.ratePerSec ? Math.floor(((performance.now() - t0) * o.ratePerSec) / 1000) + 1 : Infinity);
  if (o.ratePerSec) pacer = setInterval(() => pump(), 2);

  function pump(): void {
    while (outstanding < window && next < o.requests && next < allowed()) {
      const s = next % nSockets;
      const id = freeIds[s]!.shift();
      if (id === undefined) break;
      const i = next++;
      const { bytes, packet } = encodeRequest(code, o.attrs(i), o.secret, { identifier: id, randomBytes });
      const p: Pending = { i, bytes, packet, sent: performance.now(), tries: 0, timer: undefined as unknown as NodeJS.Timeout };
      pending[s]!.set(id, p);
      outstanding++;
      transmit(s, id, p);
    }
    if (outstanding === 0 && next >= o.requests) {
      clearInterval(pacer);
      done();
    }
  }

  sockets.forEach((socket, s) =>
    socket.on('message', (msg) => {
      const p = pending[s]!.get(msg[1]!);
      if (!p) return void result.bad++;
      let d;
      try {
        d = decodeResponse(msg, p.packet, o.secret, { requireMessageAuthenticator: false });
      } catch {
        return void result.bad++;
      }
      if (!d.ok) return void result.bad++;
      result.replies[d.packet.code] = (result.replies[d.packet.code] ?? 0) + 1;
      result.latenciesMs.push(performance.now() - p.sent);
      o.onReply?.(p.i, d.packet);
      complete(s, msg[1]!, p);
    }),
  );

  pump();
  await finished;
  result.durationMs = performance.now() - t0;
  result.latenciesMs.sort((a, b) => a - b);
  await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return result;
}

/** A free UDP port on loopback (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
