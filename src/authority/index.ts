/**
 * The remote authority's composition (SPEC §10): the RADIUS client, the accounting spool and the
 * sessions file under `dataDir/radius/`, the authority itself for core (`createAuthority`), and the DAS
 * listener. Nothing opens or binds until core asks for the authority (files) and `start()` (sockets);
 * `stop()` closes them in reverse order. runtime.ts and server.ts wire it when `authority.kind` is
 * `radius`.
 *
 * @example
 *   const remote = createRemoteAuthority(config, { clock, log });
 *   const core = composeCore({ …, createAuthority: remote.createAuthority });
 *   await remote.start(); … await remote.stop();
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { CoreContext } from '../core/context.js';
import type { EntitlementAuthority } from '../core/ports/authority.js';
import type { ErrorCode } from '../domain/errors.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import { createRadiusClient, type RadiusClient } from '../radius/client.js';
import { createDasServer, type DasServer } from '../radius/das-server.js';
import { createAccountingSender, type AccountingSender } from './accounting.js';
import { dasHandler } from './das.js';
import { radiusAuthority, type RadiusAuthority } from './radius.js';
import { openSessions } from './sessions.js';
import { openSpool } from './spool.js';

export interface RemoteAuthorityDeps {
  clock: Clock;
  log: Logger;
  /** Reply-Message → the portal's refusal code (the composition builds it from the portal's sentences). */
  recognize?: (text: string) => ErrorCode | null;
  /** Tests: wait after an unanswered accounting round, ms. */
  accountingRetryMs?: number;
}

export function createRemoteAuthority(config: Config, deps: RemoteAuthorityDeps) {
  const rc = config.authority.radius;
  const dir = join(config.dataDir, 'radius');
  const client: RadiusClient = createRadiusClient({
    servers: rc.servers, timeoutMs: rc.timeoutMs, deadTimeMs: rc.deadTimeMs, clock: deps.clock, log: deps.log, randomBytes,
    ...(rc.bindAddress ? { bindAddress: rc.bindAddress } : {}),
  });
  let accounting: AccountingSender | null = null;
  let ra: RadiusAuthority | null = null;
  let das: DasServer | null = null;
  const off: (() => void)[] = [];

  return {
    client,
    /** For core (CoreDeps.createAuthority): opens the spool and the sessions file. */
    createAuthority(ctx: CoreContext): EntitlementAuthority {
      accounting = createAccountingSender({
        spool: openSpool(join(dir, 'accounting.spool')), client, clock: deps.clock, log: deps.log,
        nas: { nasIdentifier: rc.nasIdentifier, ...(rc.bindAddress ? { nasIp: rc.bindAddress } : {}) },
        ...(deps.accountingRetryMs ? { retryMs: deps.accountingRetryMs } : {}),
      });
      ra = radiusAuthority(ctx, { config: rc, client, sessions: openSessions(join(dir, 'sessions.json')), accounting, ...(deps.recognize ? { recognize: deps.recognize } : {}) });
      off.push(ra.grants.watchUsage(), ra.grants.watchEnds());
      return ra.authority;
    },
    /** The client's socket, the DAS listener (when `das.port` > 0), and the replay of spooled accounting. */
    async start(): Promise<void> {
      await client.start();
      if (rc.das.port > 0 && ra) {
        das = createDasServer({
          host: rc.das.host, port: rc.das.port, peers: rc.servers, requireMessageAuthenticator: rc.das.requireMessageAuthenticator,
          clock: deps.clock, log: deps.log, handle: dasHandler({ sessions: ra.sessions, grants: ra.grants, nasIdentifier: rc.nasIdentifier }),
        });
        try {
          await das.start();
        } catch (err) {
          das = null;
          throw new Error(`cannot listen for Disconnect/CoA-Requests on ${rc.das.host}:${rc.das.port}: ${(err as Error).message}`, { cause: err });
        }
      }
      void accounting?.drain();
    },
    /** Counters for GET /metrics (http/context.ts AuthorityCounters). */
    stats() {
      const c = client.stats();
      const d = das?.stats();
      return {
        sent: c.sent, retried: c.retried, unanswered: c.unreachable, dropped: c.dropped,
        servers: Object.fromEntries(rc.servers.map((s, i) => [`${s.host}:${s.authPort}`, client.isDead(i) ? 0 : 1])),
        accountingWaiting: accounting?.pending() ?? 0,
        das: d ? { acked: d.acked, naked: d.naked, dropped: d.dropped } : null,
      };
    },
    get das(): DasServer | null {
      return das;
    },
    get accounting(): AccountingSender | null {
      return accounting;
    },
    /** The authority's parts once core created it (tests wait on `grants.settle()`). */
    get radius(): RadiusAuthority | null {
      return ra;
    },
    async stop(): Promise<void> {
      for (const f of off.splice(0)) f();
      await ra?.grants.settle();
      await das?.stop();
      das = null;
      await accounting?.stop();
      await client.stop();
    },
  };
}

export type RemoteAuthority = ReturnType<typeof createRemoteAuthority>;
