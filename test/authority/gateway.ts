/**
 * A gateway Portico in authority mode for a test: createTestPortico (simulated driver, the production
 * core wiring) with `authority.kind: radius` and the remote authority of src/authority/index.ts over a
 * temporary dataDir (its accounting spool and sessions file), started. `stop()` closes its sockets.
 *
 * @example
 *   const gw = await startGateway({ clock, servers: [{ host: '127.0.0.1', authPort, acctPort, secret }] });
 *   gw.network.setMac('10.0.0.5', '02:00:00:00:00:05');
 *   await gw.core.login({ ip: '10.0.0.5', code });
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteAuthority } from '../../src/authority/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { hasMessage, t } from '../../src/http/i18n.js';
import type { Clock } from '../../src/lib/clock.js';
import { silentLogger } from '../../src/lib/log.js';
import type { SimulatedNetwork } from '../../src/gateway/simulated/network.js';
import type { GatewayDriver } from '../../src/gateway/driver.js';
import { createTestPortico } from '../helpers/portico.js';
import { recognizer } from '../../src/authority/recognize.js';

type RadiusInput = NonNullable<NonNullable<ConfigInput['authority']>['radius']>;

export async function startGateway(o: {
  clock: Clock;
  servers: RadiusInput['servers'];
  radius?: Omit<RadiusInput, 'servers'>;
  /** A restart test passes the same dataDir, database file and network again. */
  dataDir?: string;
  dbFile?: string;
  network?: SimulatedNetwork;
  /** Another gateway driver than the simulated one (the nftables driver in a netns). */
  driver?: GatewayDriver;
}) {
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'portico-gw-'));
  const input: ConfigInput = {
    dataDir, log: { level: 'silent' },
    authority: { kind: 'radius', radius: { nasIdentifier: 'gw', timeoutMs: 800, ...o.radius, servers: o.servers } },
  };
  const config = parseConfig(input);
  const remote = createRemoteAuthority(config, { clock: o.clock, log: silentLogger, recognize: recognizer(t, hasMessage), accountingRetryMs: 200 });
  const p = await createTestPortico({ config: input, clock: o.clock, authority: (ctx) => remote.createAuthority(ctx), ...(o.dbFile ? { dbFile: o.dbFile } : {}), ...(o.network ? { network: o.network } : {}), ...(o.driver ? { driver: o.driver } : {}) });
  await remote.start();
  return {
    ...p, remote, dataDir,
    /** One sweep, then what it started: re-authorizations and the accounting it queued. */
    async sweep(): Promise<void> {
      await p.core.accounting.sweep();
      await remote.radius!.grants.settle();
      await new Promise((r) => setImmediate(r));
      await remote.accounting!.flush();
    },
    /** A crash: sockets and files closed, nothing recorded on the way out. */
    async crash(): Promise<void> {
      await remote.stop();
    },
    async stop(opts: { keep?: boolean } = {}): Promise<void> {
      await p.core.stop();
      await remote.stop();
      if (!opts.keep && !o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Gateway = Awaited<ReturnType<typeof startGateway>>;
