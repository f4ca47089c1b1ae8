/**
 * Composition of the RADIUS server for `portico serve` (SPEC §9): off unless `radius.server.enabled`.
 * It lives beside main.ts, not in src/radius, because it hands the server the portal's localized
 * sentences (src/http/i18n.ts) and radius/ must not import http/ (STYLE: radius → core → domain).
 * It runs beside whichever gateway driver is configured, on the same core and ledger. When a pool ends,
 * its live sessions on NASes with a coaPort get a Disconnect-Request (radius/pool-disconnect.ts); when it
 * grows (a top-up, a reset, an extension) they get a CoA-Request with the new grant (radius/pool-coa.ts).
 *
 * @example
 *   const radius = await startRadius(rt, log);   // null when disabled
 *   await radius?.stop();
 */
import { randomBytes } from 'node:crypto';
import { hasMessage, t } from './http/i18n.js';
import type { Logger } from './lib/log.js';
import { createDasClient } from './radius/das-client.js';
import { watchPoolTopUps } from './radius/pool-coa.js';
import { disconnectSession, watchPoolEnds } from './radius/pool-disconnect.js';
import { createRadiusServer, type RadiusServer } from './radius/server.js';
import type { Runtime } from './runtime.js';

/** What an operator's "Disconnect" on a RADIUS session got from its NAS. */
export type DisconnectOutcome = 'disconnected' | 'gone' | 'refused' | 'no-answer' | 'no-das' | 'not-live';

export type RadiusService = RadiusServer & {
  /** Sends the session's NAS a Disconnect-Request (the console's Disconnect button). */
  disconnect(sessionId: string, operatorId: string): Promise<DisconnectOutcome>;
};

export async function startRadius(rt: Runtime, log: Logger): Promise<RadiusService | null> {
  const config = rt.config.radius.server;
  if (!config.enabled) return null;
  // Reply-Message goes to a NAS, not a browser: no Accept-Language, so the network's first language.
  const lang = rt.config.network.languages[0] ?? 'en';
  const server = createRadiusServer({
    config,
    // Group commit: one durable transaction per event-loop turn of requests (core/radius-batch.ts).
    core: { radius: { ...rt.core.radius.batcher(), isBypassed: rt.core.radius.isBypassed } },
    clock: rt.core.clock,
    log,
    translate: (code, vars) => t(lang, hasMessage(code) ? code : 'VOUCHER_UNKNOWN', vars),
  });
  await server.start();
  const das = createDasClient({ clock: rt.core.clock, log, randomBytes });
  const watcher = watchPoolEnds({ events: rt.core.bus, core: rt.core, nas: config.nas, das, log });
  const topUps = watchPoolTopUps({
    events: rt.core.bus, core: rt.core, nas: config.nas, das, log,
    slice: { minBytes: config.sliceMinBytes, maxBytes: config.sliceMaxBytes }, interimSec: config.interimIntervalSec,
  });
  return {
    ...server,
    async disconnect(sessionId, operatorId) {
      const s = rt.core.radius.session(sessionId);
      if (!s || !s.active) return 'not-live';
      const nas = config.nas.find((n) => n.name === s.nas);
      if (!nas || nas.coaPort === 0 || !s.nasIp) return 'no-das';
      return disconnectSession({ core: rt.core, das, log }, s, nas, 'operator', { type: 'operator', id: operatorId });
    },
    async stop() {
      watcher.off();
      topUps.off();
      await das.stop();
      await server.stop();
    },
  };
}
