/**
 * Takes over a table made by a Portico whose device maps had no `counter` flag and whose device chains
 * ended in `counter name "cu_<hex>" accept` (releases before per-element counters). nft refuses to add
 * the flag to an existing map ("File exists"), so the maps are dropped and re-created in the batch that
 * applies the base ruleset, and every device's elements go back in that same batch: nobody is cut off,
 * and the named counters keep their bytes as the devices' retired bytes (kernel-state.ts reads them).
 *
 * Removal: once no supported release can have written such a table (the first release after 0.2), this
 * file, `legacyRules`/`legacyMaps` in kernel-state.ts and the two legacy functions below go.
 *
 * @example
 *   const m = migrationCommands(state, { table: 'portico', ipv6: 'enforce' }, log);
 *   await apply([...m.before, ...baseRuleset(o), ...m.after]);
 */
import type { Logger } from '../../lib/log.js';
import type { KernelState } from './kernel-state.js';
import { deviceNames } from './names.js';
import { deviceAddressCommands, type DeviceSpec } from './ruleset.js';

export function migrationCommands(state: KernelState | null, o: { table: string; ipv6: 'enforce' | 'refuse' }, log: Logger): { before: string[]; after: string[] } {
  if (!state || state.legacyMaps.length === 0) return { before: [], after: [] };
  const after: string[] = [];
  for (const [id, k] of state.devices) {
    if (!k.mac) continue;
    const spec = { names: deviceNames(id), mac: k.mac, ips4: k.ips4, ips6: o.ipv6 === 'enforce' ? k.ips6 : [] };
    after.push(...legacyDeviceCommands(o.table, spec, k.legacyRules));
  }
  log.info('gateway/nftables', 'moving counters onto the device maps (table from an older Portico)', { devices: state.devices.size });
  return { before: legacyMapCommands(o.table, state.legacyMaps), after };
}

/**
 * Commands run before baseRuleset() on a table made by a Portico whose maps had no `counter` flag and
 * whose device chains ended in `counter name "cu_<hex>" accept` (nft refuses to add the flag to an
 * existing map: "File exists"). The maps are dropped here and re-created by baseRuleset(); append
 * legacyDeviceCommands() for every device in the same batch, so no device is cut off.
 */
export function legacyMapCommands(table: string, maps: string[]): string[] {
  const t = `inet ${table}`;
  return [`flush chain ${t} from_lan`, `flush chain ${t} to_lan`, ...maps.map((m) => `delete map ${t} ${m}`)];
}

/**
 * A legacy device's chains stop feeding its named counters (which keep what they counted so far, as
 * the bytes of its retired addresses) and its addresses go back into the re-created maps. `handles`
 * are the rules `counter name … accept` found in its chains.
 */
export function legacyDeviceCommands(table: string, d: DeviceSpec, handles: { up: number[]; down: number[] }): string[] {
  const t = `inet ${table}`;
  const n = d.names;
  return [
    ...handles.up.map((h) => `delete rule ${t} ${n.up} handle ${h}`),
    ...handles.down.map((h) => `delete rule ${t} ${n.down} handle ${h}`),
    `add rule ${t} ${n.up} accept`,
    `add rule ${t} ${n.down} accept`,
    ...deviceAddressCommands(table, 'add', d).filter((c) => !c.includes(' auth')),
  ];
}
