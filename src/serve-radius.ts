/**
 * Composition of the RADIUS server for `portico serve` (SPEC §9): off unless `radius.server.enabled`.
 * It lives beside main.ts, not in src/radius, because it hands the server the portal's localized
 * sentences (src/http/i18n.ts) and radius/ must not import http/ (STYLE: radius → core → domain).
 * It runs beside whichever gateway driver is configured, on the same core and ledger.
 *
 * @example
 *   const radius = await startRadius(rt, log);   // null when disabled
 *   await radius?.stop();
 */
import { hasMessage, t } from './http/i18n.js';
import type { Logger } from './lib/log.js';
import { createRadiusServer, type RadiusServer } from './radius/server.js';
import type { Runtime } from './runtime.js';

export async function startRadius(rt: Runtime, log: Logger): Promise<RadiusServer | null> {
  const config = rt.config.radius.server;
  if (!config.enabled) return null;
  // Reply-Message goes to a NAS, not a browser: no Accept-Language, so the network's first language.
  const lang = rt.config.network.languages[0] ?? 'en';
  const server = createRadiusServer({
    config,
    core: rt.core,
    clock: rt.core.ctx.clock,
    log,
    translate: (code, vars) => t(lang, hasMessage(code) ? code : 'VOUCHER_UNKNOWN', vars),
  });
  await server.start();
  return server;
}
