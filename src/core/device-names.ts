/**
 * Device names for the resident status page: the host name the gateway learned for a MAC (a DHCP lease,
 * the hotspot host list), so a household can tell "maria-phone" from "the-tablet" instead of reading MAC
 * digits (newcomer report, Confusing: "1E:D1 (this device)"). Drivers that know one return it as
 * `ClientInfo.hostName` from `lookupClient`; the others leave it out and the page falls back to the
 * MAC's last digits.
 *
 * Asked lazily and cached per MAC (also "no name") for TTL_MS, bounded to MAX entries, so a status page
 * or WebSocket refresh costs at most one gateway question per device every ten minutes. A name is taken
 * only when the gateway's answer is for the same MAC the device was stored with.
 *
 * @example
 *   await deviceNames(ctx).learn(devices);   // asks the gateway for the ones not known lately
 *   deviceNames(ctx).of('02:00:00:aa:bb:cc'); // 'maria-phone' | null
 */
import type { CoreContext } from './context.js';

const TTL_MS = 10 * 60_000;
const MAX = 4096;
/** Host names are what a device says about itself (DHCP option 12): short, printable, nothing else. */
export function cleanHostName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const s = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim().slice(0, 40);
  return s || null;
}

type Ctx = Pick<CoreContext, 'bus' | 'driver' | 'clock'>;
const caches = new WeakMap<Ctx['bus'], ReturnType<typeof createNames>>();

export function deviceNames(ctx: Ctx) {
  let c = caches.get(ctx.bus);
  if (!c) caches.set(ctx.bus, (c = createNames(ctx)));
  return c;
}

function createNames(ctx: Ctx) {
  const byMac = new Map<string, { name: string | null; at: number }>();
  const put = (mac: string, name: string | null) => {
    byMac.delete(mac);
    byMac.set(mac, { name, at: ctx.clock.now() });
    while (byMac.size > MAX) byMac.delete(byMac.keys().next().value!);
  };
  return {
    /** Records what a lookup already returned (no gateway question). */
    note(mac: string, hostName: unknown): void {
      const name = cleanHostName(hostName);
      if (name) put(mac, name);
    },
    /** Asks the gateway about the devices whose name is not known lately; failures leave them unnamed. */
    async learn(devices: readonly { mac: string; ip: string }[]): Promise<void> {
      const now = ctx.clock.now();
      for (const d of devices) {
        const known = byMac.get(d.mac);
        if (known && now - known.at < TTL_MS) continue;
        try {
          const info = await ctx.driver.lookupClient(d.ip);
          put(d.mac, info && info.mac === d.mac ? cleanHostName(info.hostName) : null);
        } catch {
          put(d.mac, known?.name ?? null); // the gateway is down: keep what we had, ask again later
        }
      }
    },
    of(mac: string): string | null {
      return byMac.get(mac)?.name ?? null;
    },
  };
}
