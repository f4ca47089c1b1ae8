/**
 * The socket transport: one RouterOS API session over node-routeros 1.6.9, with its known defects
 * (gateways.md Part 2.3) fenced off so none of them can throw out of a socket handler and crash Portico:
 *
 * - #5 and the sentence-boundary heuristic (Part 1.8): its receiver is fed one complete sentence per
 *   call by `SentenceFramer`, so split length prefixes and coalesced replies cannot confuse it.
 * - #1 RouterOS ≥ 7.18 `!empty` makes its Channel throw UNKNOWNREPLY inside the `data` handler: packets
 *   starting with `!empty` are dropped before they reach the channel (the `!done` that follows ends the
 *   call), and anything else its receiver throws tears the session down instead of escaping.
 * - #2 idle socket time-outs and socket errors are emitted as `'error'`: always listened to.
 * - #3 `!fatal` / close leave `write()` promises pending forever: `onDown` fires so the client rejects them.
 * - #4 `tls` without a port would still use 8728: the port is always passed explicitly.
 * - #7 `write(array)` mutates its argument: a fresh copy is passed.
 * - #8 a login with an unexpected answer can resolve: the client verifies with a real command after.
 * - It leaves Nagle on while writing one word per `socket.write`: turned off (each call ~40 ms faster).
 * - Its connection-hold timer writes `#` on a dead socket, whose write error would be re-emitted with
 *   no listener: timers are cleared and listeners parked when a session is destroyed.
 *
 * @example
 *   const s = await openNodeRouterOs({ host, port: 8728, user, password, connectTimeoutMs: 5000 }, (e) => log(e));
 *   await s.write(['/system/identity/print']);
 */
import type { ConnectionOptions } from 'node:tls';
import { RouterOSAPI } from 'node-routeros';
import { SentenceFramer } from './framing.js';

export type Row = Record<string, string>;

export interface ApiTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  /** TLS options for api-ssl; absent = plain api. */
  tls?: ConnectionOptions;
  connectTimeoutMs: number;
}

export interface ApiSession {
  /** Sends one command; resolves with its `!re` rows (and `ret` of `!done`), rejects with the `!trap` message. */
  write(words: readonly string[]): Promise<Row[]>;
  /** Drops the connection at once; `onDown` is not called for it. */
  destroy(): void;
}

/** Opens a session; `onDown` fires once if the connection dies afterwards (close, `!fatal`, error). */
export type OpenSession = (target: ApiTarget, onDown: (err: Error) => void) => Promise<ApiSession>;

/** node-routeros internals we touch, typed by what we use (STYLE rule 2). */
interface ReceiverInternals {
  processRawData(data: Buffer): void;
  read(tag: string, cb: (packet: string[]) => void): void;
}
interface ConnectorInternals {
  receiver?: ReceiverInternals;
  socket?: { setNoDelay?(on: boolean): unknown };
  destroy(): void;
  on(event: string, cb: (...args: unknown[]) => void): unknown;
}
interface ApiInternals {
  connector?: ConnectorInternals;
  connectionHoldInterval?: NodeJS.Timeout;
  keptaliveby?: NodeJS.Timeout;
}

const noop = () => {};

export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const errno = (err as { errno?: unknown }).errno;
    return typeof errno === 'string' && errno && !err.message.includes(errno) ? `${errno} ${err.message}`.trim() : err.message || String(errno ?? 'error');
  }
  return String(err);
}

export const openNodeRouterOs: OpenSession = (target, onDown) => {
  const api = new RouterOSAPI({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    // Seconds of socket silence before node-routeros gives up on the connection (defect #2); long,
    // because the client's own per-call deadline is what bounds each call.
    timeout: 60,
    ...(target.tls ? { tls: target.tls as never } : {}),
  });
  const internals = api as unknown as ApiInternals;
  let dead = false;
  let connected = false;
  let rejectConnect: (err: Error) => void = noop;

  const teardown = () => {
    dead = true;
    clearTimeout(internals.connectionHoldInterval);
    clearTimeout(internals.keptaliveby);
    const c = internals.connector;
    if (c) {
      c.destroy(); // socket.destroy() + removeAllListeners()
      c.on('error', noop);
      c.on('timeout', noop);
      c.on('close', noop);
    }
    api.removeAllListeners();
    api.on('error', noop);
  };
  const fail = (err: Error) => {
    if (dead) return;
    teardown();
    if (connected) onDown(err);
    else rejectConnect(err);
  };

  api.on('error', (e: unknown) => fail(new Error(`connection error: ${describeError(e)}`)));
  api.on('close', () => fail(new Error('connection closed by the router')));

  const connecting = api.connect();
  // connect() built the connector and its receiver synchronously; patch them before any byte arrives.
  // node-routeros writes every word with its own socket.write; with Nagle on, each sentence's tail waits
  // for the router's delayed ACK (~40 ms per call).
  internals.connector?.socket?.setNoDelay?.(true);
  const receiver = internals.connector?.receiver;
  if (receiver) {
    const raw = receiver.processRawData.bind(receiver);
    const framer = new SentenceFramer();
    receiver.processRawData = (data: Buffer) => {
      try {
        for (const sentence of framer.push(data)) raw(sentence);
      } catch (err) {
        fail(new Error(`unreadable reply from the router: ${describeError(err)}`));
      }
    };
    const read = receiver.read.bind(receiver);
    receiver.read = (tag, cb) => read(tag, (packet) => (packet[0] === '!empty' ? undefined : cb(packet)));
  }

  return new Promise<ApiSession>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no API answer within ${target.connectTimeoutMs} ms`)), target.connectTimeoutMs);
    rejectConnect = (err) => {
      clearTimeout(timer);
      reject(err);
    };
    connecting.then(
      () => {
        clearTimeout(timer);
        if (dead) return;
        connected = true;
        resolve({
          write: (words) => api.write([...words]) as Promise<Row[]>,
          destroy: teardown,
        });
      },
      (err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        const cantLogin = (err as { errno?: string })?.errno === 'CANTLOGIN';
        fail(cantLogin ? new Error(`login refused for user "${target.user}" (check the API user and password)`) : new Error(describeError(e)));
      },
    );
  });
};
