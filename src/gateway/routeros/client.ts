/**
 * `RouterOsClient`: the small port the driver talks to one router through. It cannot hang or crash
 * Portico: every call has a deadline; a dead connection (close, `!fatal`, socket error, time-out)
 * rejects every pending call at once and is replaced on the next call; failed connects back off
 * exponentially (calls fail fast meanwhile); a `!trap` becomes a `RouterOsTrap` carrying the message.
 *
 * @example
 *   const client = createRouterOsClient({ name: 'tower1', target, timeoutMs: 5000, open: openNodeRouterOs, clock });
 *   const rows = await client.exec(['/ip/hotspot/active/print', '=.proplist=user,bytes-in']);
 */
import type { Clock } from '../../lib/clock.js';
import { GatewayError } from '../driver.js';
import type { ApiSession, ApiTarget, OpenSession, Row } from './transport.js';

/** The router refused a command (`!trap`); `trapMessage` is RouterOS's own text. */
export class RouterOsTrap extends GatewayError {
  constructor(
    readonly router: string,
    readonly trapMessage: string,
  ) {
    super(`router ${router} refused: ${trapMessage}`);
  }
}

export interface RouterOsClient {
  readonly name: string;
  exec(words: readonly string[]): Promise<Row[]>;
  close(): Promise<void>;
  /** Whether the last call reached the router, and the last failure. */
  status(): { ok: boolean; detail: string };
}

export interface ClientOptions {
  name: string;
  target: ApiTarget;
  /** Deadline for each call (and for connecting). */
  timeoutMs: number;
  open: OpenSession;
  clock: Clock;
  /** Reconnect back-off bounds; defaults 500 ms → 30 s. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Runs once per new connection before any call (node-routeros defect #8: prove the login worked). */
  verify?: (exec: (words: readonly string[]) => Promise<Row[]>) => Promise<void>;
}

interface Live {
  session: ApiSession;
  pending: Set<(err: Error) => void>;
}

export function createRouterOsClient(opts: ClientOptions): RouterOsClient {
  const { name } = opts;
  const minMs = opts.backoffMinMs ?? 500;
  const maxMs = opts.backoffMaxMs ?? 30_000;
  let live: Live | undefined;
  let connecting: Promise<Live> | undefined;
  let failures = 0;
  let retryAt = 0;
  let lastError = 'not connected yet';
  let ok = false;
  let closed = false;

  const down = (l: Live, err: Error) => {
    if (live === l) live = undefined;
    ok = false;
    lastError = err.message;
    for (const reject of l.pending) reject(new GatewayError(`router ${name}: ${err.message}`, { cause: err }));
    l.pending.clear();
  };

  function call(l: Live, words: readonly string[]): Promise<Row[]> {
    return new Promise<Row[]>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        l.pending.delete(fail);
      };
      const fail = (err: Error) => {
        settle();
        reject(err);
      };
      const timer = setTimeout(() => {
        // A stalled session is suspect: drop it so late replies cannot be mistaken for new ones.
        l.session.destroy();
        down(l, new Error(`no answer within ${opts.timeoutMs} ms to ${words[0]}`));
      }, opts.timeoutMs);
      l.pending.add(fail);
      l.session.write(words).then(
        (rows) => {
          settle();
          resolve(rows);
        },
        (err: unknown) => {
          settle();
          reject(new RouterOsTrap(name, err instanceof Error ? err.message : String(err)));
        },
      );
    });
  }

  async function connect(): Promise<Live> {
    const now = opts.clock.now();
    if (now < retryAt) throw new GatewayError(`router ${name} is unreachable (${lastError}); retrying in ${Math.ceil((retryAt - now) / 1000)} s`);
    try {
      const holder: { l?: Live } = {};
      const session = await opts.open(opts.target, (err) => holder.l && down(holder.l, err));
      const l: Live = { session, pending: new Set() };
      holder.l = l;
      if (opts.verify) {
        try {
          await opts.verify((words) => call(l, words));
        } catch (err) {
          session.destroy();
          throw err;
        }
      }
      failures = 0;
      retryAt = 0;
      return l;
    } catch (err) {
      failures++;
      retryAt = opts.clock.now() + Math.min(maxMs, minMs * 2 ** (failures - 1));
      lastError = err instanceof Error ? err.message.replace(`router ${name}: `, '') : String(err);
      ok = false;
      throw err instanceof GatewayError ? err : new GatewayError(`router ${name} is unreachable: ${lastError}`, { cause: err });
    }
  }

  async function session(): Promise<Live> {
    if (closed) throw new GatewayError(`router ${name}: client closed`);
    if (live) return live;
    connecting ??= connect().finally(() => {
      connecting = undefined;
    });
    const l = await connecting;
    if (closed) {
      l.session.destroy();
      throw new GatewayError(`router ${name}: client closed`);
    }
    live = l;
    return l;
  }

  return {
    name,
    async exec(words) {
      const l = await session();
      try {
        const rows = await call(l, words);
        ok = true;
        return rows;
      } catch (err) {
        if (err instanceof RouterOsTrap) ok = true; // it answered
        throw err;
      }
    },
    async close() {
      closed = true;
      const l = live;
      live = undefined;
      if (l) {
        l.session.destroy();
        down(l, new Error('client closed'));
      }
      await connecting?.catch(() => undefined);
    },
    status() {
      return ok ? { ok, detail: `router ${name}: connected` } : { ok, detail: `router ${name}: ${lastError}` };
    },
  };
}
