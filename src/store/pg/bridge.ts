/**
 * A synchronous bridge to PostgreSQL: the Store port is synchronous (core/ports/store.ts), so the
 * postgres.js driver runs in a worker thread (worker-source.ts) and the main thread posts each
 * statement and blocks on `Atomics.wait` until the worker's answer is on the port
 * (`receiveMessageOnPort`): synckit's pattern. One statement costs one loopback round trip plus a
 * thread hop (~0.1 ms).
 *
 * A dead or hung database never hangs Portico: every request waits at most `timeoutMs`, then fails with
 * PG_TIMEOUT; while that statement is still unanswered the bridge fails every new request at once
 * ("not answering") instead of queueing behind it, so the process is blocked for one timeout, not one
 * per request; a statement still unanswered after `restartAfterMs` has its worker and connection
 * replaced. Connection failures (refused, reset, the server shutting down) surface as STORAGE_FAILED,
 * which the HTTP layer answers with 503.
 *
 * @example
 *   const bridge = openPgBridge({ url, timeoutMs: 5000 });
 *   bridge.request({ op: 'query', sql: 'SELECT 1 AS one', params: [] }); // { rows: [{ one: 1 }], count: 1 }
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { WORKER_SOURCE } from './worker-source.js';

export interface PgResult {
  rows: Record<string, unknown>[];
  count: number;
}

export type PgRequest =
  | { op: 'query'; sql: string; params: unknown[]; simple?: boolean; begin?: boolean; read?: boolean; timeoutMs?: number }
  | { op: 'end'; sql: 'COMMIT' | 'ROLLBACK' }
  | { op: 'notify'; payload: string }
  | { op: 'listen' }
  | { op: 'close' };

/** An error from PostgreSQL or the connection: `code` is the SQLSTATE (40001) or the driver's code (ECONNREFUSED). */
export class PgError extends Error {
  override readonly name = 'PgError';
  constructor(message: string, readonly code: string, readonly detail: string | null = null) {
    super(message);
  }
}

export interface PgBridgeOptions {
  url: string;
  /** How long one statement may take before the bridge gives up on it (ms). */
  timeoutMs: number;
  /** The LISTEN/NOTIFY channel (live.ts). */
  channel?: string;
  applicationName?: string;
  onNotify?: (payload: string) => void;
  /** How long a statement may stay unanswered before its worker and connection are replaced (default max(30 s, 10 × timeoutMs)). */
  restartAfterMs?: number;
}

export interface PgBridge {
  request(req: PgRequest): PgResult;
  /**
   * Posts a statement without waiting for it (inside a transaction the worker pipelines it) and keeps
   * its answer for `answer(id)`; `forget(id)` drops one nobody will ask for.
   */
  send(req: PgRequest): number;
  answer(id: number): PgResult;
  forget(id: number): void;
  /** Posts without waiting for the answer (NOTIFY, the ROLLBACK of a transaction that already failed). */
  post(req: PgRequest): void;
  close(): void;
}

/** Answers kept for `answer(id)` at most (the oldest go first). */
const KEPT_MAX = 4096;

const driverUrl = () => pathToFileURL(createRequire(import.meta.url).resolve('postgres')).href;

export function openPgBridge(opts: PgBridgeOptions): PgBridge {
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const restartAfterMs = opts.restartAfterMs ?? Math.max(30_000, 10 * opts.timeoutMs);
  let seq = 0;
  let stuck: { id: number; since: number } | null = null;
  let closed = false;
  let listening = false;
  let current: { worker: Worker; port: MessagePort; notify: MessagePort };
  /** Answers of sent statements, kept until asked for (undefined: not arrived yet). */
  const kept = new Map<number, { ok: boolean } | undefined>();

  /** A worker with its own connection; answers id 0 once the driver is loaded (postgres.js connects lazily). */
  function spawnWorker(): void {
    const { port1, port2 } = new MessageChannel();
    const notify = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        url: opts.url,
        driverUrl: driverUrl(),
        signal: signal.buffer,
        port: port2,
        notifyPort: notify.port2,
        channel: opts.channel ?? 'portico',
        connectTimeoutSec: Math.max(1, Math.ceil(opts.timeoutMs / 1000)),
        statementTimeoutMs: opts.timeoutMs,
        applicationName: opts.applicationName ?? 'portico',
      },
      transferList: [port2, notify.port2],
    });
    worker.unref();
    port1.unref();
    notify.port1.on('message', (payload: string) => opts.onNotify?.(payload));
    notify.port1.unref();
    current = { worker, port: port1, notify: notify.port1 };
    wait(0, Math.max(opts.timeoutMs, 10_000));
  }

  /**
   * A statement unanswered for `restartAfterMs` (a connection into a black hole: no RST, TCP keepalive
   * would take minutes) gives up its worker and connection; a new one connects afresh. Whatever the old
   * connection had open the server rolls back when it notices the socket gone.
   */
  function replaceWorker(): void {
    const old = current;
    old.notify.close();
    void old.worker.terminate();
    stuck = null;
    kept.clear();
    spawnWorker();
    if (listening) current.port.postMessage({ op: 'listen' });
  }

  function settle(m: { ok: boolean; result?: PgResult; error?: { message: string; code: string; detail: string | null } }): PgResult {
    if (m.ok) return m.result ?? { rows: [], count: 0 };
    throw new PgError(m.error!.message, m.error!.code, m.error!.detail);
  }

  /** Drains answers that arrived late; returns the one for `id` if it is among them. */
  function drain(id: number | null): { ok: boolean } | undefined {
    for (let m = receiveMessageOnPort(current.port); m; m = receiveMessageOnPort(current.port)) {
      const msg = m.message as { id: number; ok: boolean };
      if (stuck && msg.id === stuck.id) stuck = null;
      if (id !== null && msg.id === id) return msg;
      if (kept.has(msg.id)) kept.set(msg.id, msg);
    }
    return undefined;
  }

  function wait(id: number, timeoutMs: number): PgResult {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(signal, 0);
      const m = drain(id);
      if (m) return settle(m);
      const left = deadline - Date.now();
      if (left <= 0) {
        stuck = { id, since: Date.now() };
        throw new PgError(`PostgreSQL did not answer within ${timeoutMs} ms`, 'PG_TIMEOUT');
      }
      Atomics.wait(signal, 0, seen, left);
    }
  }

  const bridge: PgBridge = {
    request(req) {
      if (closed) throw new PgError('the PostgreSQL store is closed', 'CONNECTION_ENDED');
      drain(null);
      if (stuck && Date.now() - stuck.since >= restartAfterMs) replaceWorker();
      if (stuck) {
        const s = Math.round((Date.now() - stuck.since) / 1000);
        throw new PgError(`PostgreSQL is not answering (a statement has been waiting ${s} s)`, 'PG_TIMEOUT');
      }
      if (req.op === 'listen') listening = true;
      const id = ++seq;
      current.port.postMessage({ ...req, id });
      return wait(id, ('timeoutMs' in req && req.timeoutMs) || opts.timeoutMs);
    },
    post(req) {
      if (!closed) current.port.postMessage(req);
    },
    send(req) {
      if (closed) throw new PgError('the PostgreSQL store is closed', 'CONNECTION_ENDED');
      const id = ++seq;
      // A reading nobody asked for after all (a login refused in between) is not kept for ever.
      if (kept.size >= KEPT_MAX) kept.delete(kept.keys().next().value!);
      kept.set(id, undefined);
      current.port.postMessage({ ...req, id, kept: true });
      return id;
    },
    answer(id) {
      if (!kept.has(id)) throw new PgError('no answer is kept for that statement (its connection was replaced)', 'CONNECTION_LOST_IN_TRANSACTION');
      const m = kept.get(id);
      kept.delete(id);
      if (m) return settle(m);
      // Behind a statement that is not answering, as request() would be.
      if (stuck) throw new PgError('PostgreSQL is not answering', 'PG_TIMEOUT');
      return wait(id, opts.timeoutMs);
    },
    forget(id) {
      kept.delete(id);
    },
    close() {
      if (closed) return;
      try {
        if (!stuck) bridge.request({ op: 'close' });
      } catch {
        // closing a connection that is already gone
      }
      closed = true;
      current.notify.close();
      void current.worker.terminate();
    },
  };
  spawnWorker();
  return bridge;
}
