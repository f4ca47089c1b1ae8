/**
 * Takes over a table made by an older Portico, in the batch that applies the base ruleset, without
 * cutting anyone off (a restart must keep devices online):
 * - per-device chains (`up_<hex>`/`dn_<hex>`: rate limit → quota → accept, before rate classes): each
 *   device's elements move to the rate classes its chains' limits name, carrying the bytes they counted
 *   (read by the start-up `list table`), its addresses are charged to the quota its chains named, and
 *   its chains go. Retired-bytes counters that hold nothing go too (they are created on demand now).
 * - device maps without the `counter` flag (and chains ending in `counter name "cu_<hex>" accept`):
 *   nft refuses to add the flag to an existing map ("File exists"), so the maps are dropped before the
 *   base ruleset re-creates them, and every device's elements go back in the same batch; the named
 *   counters keep what they counted as the devices' retired bytes (kernel-state.ts reads them).
 * The state is updated to what the kernel holds once the batch commits (device-table.ts load()).
 *
 * Removal: once no supported release can have written such a table (the first release after 0.2), this
 * file and `legacyChains`/`legacyMaps` in kernel-state.ts go.
 *
 * @example
 *   const m = migrationCommands(state, { table: 'portico', ipv6: 'enforce' }, log);
 *   await apply([...m.before, ...baseRuleset(o), ...m.after]);
 */
import type { Logger } from '../../lib/log.js';
import type { KernelState } from './kernel-state.js';
import { deviceNames, rateChain } from './names.js';
import { classElementCommands, quotaElementCommands, rateClassCommands, retiredRemoveCommands, type DeviceSpec } from './ruleset.js';

export function migrationCommands(state: KernelState | null, o: { table: string; ipv6: 'enforce' | 'refuse' }, log: Logger): { before: string[]; after: string[] } {
  if (!state) return { before: [], after: [] };
  const legacy = [...state.devices].filter(([, k]) => k.legacyChains);
  if (legacy.length === 0 && state.legacyMaps.length === 0) return { before: [], after: [] };
  const t = o.table;
  const families: Array<4 | 6> = o.ipv6 === 'enforce' ? [4, 6] : [4];
  const dropped = new Set(state.legacyMaps);
  const after: string[] = [];
  for (const [id, k] of legacy) {
    const up = k.up ?? null;
    const down = k.down ?? null;
    for (const [dir, rate] of [['up', up], ['dn', down]] as const) {
      for (const fam of families) {
        if (state.classes.has(rateChain(dir, fam, rate))) continue;
        state.classes.add(rateChain(dir, fam, rate));
        after.push(...rateClassCommands(t, dir, fam, rate));
      }
    }
    if (k.mac) {
      const all: DeviceSpec = { id, mac: k.mac, ips4: k.ips4, ips6: k.ips6, up, down, poolQuota: null };
      // Out of the maps that were not dropped (every element naming the old chains must go before them).
      for (const dir of ['up', 'dn'] as const) {
        after.push(...classElementCommands(t, 'delete', dir, all).filter((c) => !dropped.has(c.split(' ')[4]!)));
      }
      const kept: DeviceSpec = { ...all, ips6: o.ipv6 === 'enforce' ? k.ips6 : [], poolQuota: k.poolId !== null && state.quotas.has(k.poolId) ? k.poolId : null };
      for (const dir of ['up', 'dn'] as const) {
        const key = dir === 'up' ? 'up' : 'down';
        after.push(...classElementCommands(t, 'add', dir, kept, new Map([...k.bytes].map(([ip, b]) => [ip, b[key]]))));
      }
      after.push(...quotaElementCommands(t, 'add', kept));
      if (o.ipv6 !== 'enforce') k.ips6 = [];
    }
    const n = deviceNames(id);
    after.push(`flush chain inet ${t} ${n.up}`, `flush chain inet ${t} ${n.down}`, `delete chain inet ${t} ${n.up}`, `delete chain inet ${t} ${n.down}`);
    if (k.hasRetired && k.retired.up === 0 && k.retired.down === 0) {
      after.push(...retiredRemoveCommands(t, id));
      k.hasRetired = false;
    }
    k.up = up;
    k.down = down;
    if (k.poolId !== null && !state.quotas.has(k.poolId)) k.poolId = null;
    k.legacyChains = false;
  }
  state.legacyMaps = [];
  log.info('gateway/nftables', 'moving devices onto rate classes (table from an older Portico)', { devices: legacy.length, maps: [...dropped] });
  return { before: legacyMapCommands(t, [...dropped]), after };
}

/**
 * Commands run before baseRuleset() on a table whose device maps have no `counter` flag: the maps are
 * dropped here (after the base rules that reference them) and re-created by baseRuleset().
 */
export function legacyMapCommands(table: string, maps: string[]): string[] {
  if (maps.length === 0) return [];
  const t = `inet ${table}`;
  return [`flush chain ${t} from_lan`, `flush chain ${t} to_lan`, ...maps.map((m) => `delete map ${t} ${m}`)];
}
