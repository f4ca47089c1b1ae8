/** Golden tests: desired state → nft script (golden files under golden/), and kernel JSON → state. */
import { describe, expect, it } from 'vitest';
import { parseElements, parseTable } from './kernel-state.js';
import { deviceNames, elementComment, parseElementComment, parseObjectName, parseRateChain, quotaName, rateChain } from './names.js';
import { parseLeaseNames, parseLeases, parseProcArp, procArpMac } from './neighbours.js';
import {
  baseRuleset,
  classElementCommands,
  classRate,
  coalesceElementAdds,
  deviceAddressCommands,
  poolQuotaCommands,
  rateClassCommands,
  retiredCommands,
  retiredRemoveCommands,
} from './ruleset.js';
import { legacyMapCommands, migrationCommands } from './legacy-migration.js';
import { silentLogger } from '../../lib/log.js';

const base = {
  table: 'portico',
  interfaces: ['br-lan', 'wlan-guest'],
  interceptPort: 8080,
  dnsPort: 53,
  portalPorts: [8080, 8443],
  walledGarden: ['192.0.2.10', '198.51.100.0/24', '2001:db8::/64'],
  ipv6: 'enforce' as const,
};
const dev = { id: 'dev_A-1', mac: '02:00:00:aa:bb:cc', ips4: ['10.0.0.23'], ips6: ['fd00::23', 'fd00::1:23'], up: 125_000, down: 500_000, poolQuota: 'ent_1' };

describe('nftables ruleset', () => {
  it('base ruleset (ipv6 enforce)', async () => {
    await expect(baseRuleset(base).join('\n') + '\n').toMatchFileSnapshot('./golden/base-enforce.nft');
  });
  it('base ruleset (ipv6 refuse)', async () => {
    await expect(baseRuleset({ ...base, ipv6: 'refuse' }).join('\n') + '\n').toMatchFileSnapshot('./golden/base-refuse.nft');
  });
  it('device grant: its rate classes (first use), the pool quota, and elements only', async () => {
    const cmds = [
      ...poolQuotaCommands('portico', quotaName('ent_1'), 5e8, false),
      ...rateClassCommands('portico', 'up', 4, classRate(1_000_000)),
      ...rateClassCommands('portico', 'dn', 6, classRate(4_000_000)),
      ...rateClassCommands('portico', 'up', 4, classRate(null)),
      ...deviceAddressCommands('portico', 'add', dev),
    ];
    // Nothing per device but elements: no chain, no counter, no rule names the device.
    const perDevice = deviceAddressCommands('portico', 'add', dev);
    expect(perDevice.every((c) => /^add (set|map) inet portico \w+ \{ type [^{}]+ elements = \{ /.test(c))).toBe(true);
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-grant.nft');
  });
  it('a rate change moves elements with their counters; retired bytes are created on demand', async () => {
    const moved = { ...dev, up: 12_500 };
    const bytes = new Map([['10.0.0.23', 1000], ['fd00::23', 0], ['fd00::1:23', 77]]);
    const cmds = [
      ...classElementCommands('portico', 'delete', 'up', dev),
      ...classElementCommands('portico', 'add', 'up', moved, bytes),
      ...retiredCommands('portico', 'dev_A-1', 1234, 5678, false),
      ...retiredCommands('portico', 'dev_A-1', 2234, 5678, true),
      ...legacyMapCommands('portico', ['up4', 'down4']),
    ];
    expect(cmds[2]).toBe('add map inet portico up4 { type ipv4_addr . ether_addr : verdict; counter; elements = { 10.0.0.23 . 02:00:00:aa:bb:cc counter packets 0 bytes 1000 comment "dev_A-1" : goto rc_up4_12500 } }');
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-retire.nft');
  });
  it('device removal and quota top-up', async () => {
    const cmds = [...deviceAddressCommands('portico', 'delete', dev), ...retiredRemoveCommands('portico', 'dev_A-1'), ...poolQuotaCommands('portico', quotaName('ent_1'), 1000, true)];
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-remove.nft');
  });
  it('a pool without a data limit has no quota elements', () => {
    expect(deviceAddressCommands('portico', 'add', { ...dev, poolQuota: null }).some((c) => /[ud]q[46] /.test(c))).toBe(false);
  });
  it('refuses tokens that could inject nft syntax', () => {
    expect(() => baseRuleset({ ...base, interfaces: ['lan"; flush ruleset'] })).toThrow(/unsafe/);
    expect(() => baseRuleset({ ...base, walledGarden: ['example.com'] })).toThrow(/not an IP/);
    expect(() => deviceAddressCommands('portico', 'add', { ...dev, mac: '02:00:00:aa:bb:cc }; flush ruleset' })).toThrow(/bad MAC/);
    expect(() => deviceAddressCommands('portico', 'add', { ...dev, ips4: ['fd00::1'] })).toThrow(/bad IPv4/);
  });
  it('names round-trip', () => {
    expect(parseObjectName(deviceNames('dev_A-1').counterUp)).toEqual({ kind: 'cu', id: 'dev_A-1' });
    expect(parseObjectName('garden4')).toBeNull();
    expect(parseRateChain(rateChain('dn', 6, 500_000))).toEqual({ dir: 'dn', fam: 6, rate: 500_000 });
    expect(parseRateChain(rateChain('up', 4, null))).toEqual({ dir: 'up', fam: 4, rate: null });
    expect(parseRateChain('rc_up4_0')).toBeNull();
    expect(parseElementComment(elementComment('dev_A-1'))).toBe('dev_A-1');
    expect(elementComment('dév "x"')).toMatch(/^%[0-9a-f]+$/);
    expect(parseElementComment(elementComment('dév "x"'))).toBe('dév "x"');
  });
});

describe('element adds of a group commit', () => {
  const spec = (i: number) => ({ id: `dev${i}`, mac: `02:00:00:00:00:0${i}`, ips4: [`10.0.0.${i}`], ips6: [], up: classRate(2e6), down: classRate(8e6), poolQuota: `pool${i}` });
  it('become one add per set, at the last add of that set', () => {
    const a = deviceAddressCommands('t', 'add', spec(1));
    const b = deviceAddressCommands('t', 'add', spec(2));
    const merged = coalesceElementAdds([...a, ...b]);
    expect(merged).toHaveLength(a.length);
    for (const c of merged) expect(c).toMatch(/10\.0\.0\.1\b.*10\.0\.0\.2\b/);
    // Same sets, same declarations: what one device's batch writes, with both devices' elements.
    expect(merged.map((c) => c.replace(/elements = .*/, ''))).toEqual(b.map((c) => c.replace(/elements = .*/, '')));
    expect(merged[0]).toBe(a[0]!.replace(/ \} \}$/, `, ${/elements = \{ (.*) \} \}$/.exec(b[0]!)![1]} } }`));
  });

  it('move only later, and never across a command that is not an add', () => {
    const [auth1] = deviceAddressCommands('t', 'add', spec(1));
    const [auth2] = deviceAddressCommands('t', 'add', spec(2));
    const [del1] = deviceAddressCommands('t', 'delete', spec(1));
    const chain = 'add chain inet t rc_up4_1';
    // An add chain in between is crossed (the add moves after it: what it needed is still before it).
    expect(coalesceElementAdds([auth1!, chain, auth2!])).toEqual([chain, expect.stringContaining('10.0.0.1 . 02:00:00:00:00:01, 10.0.0.2 . 02:00:00:00:00:02')]);
    // A delete is not: the add before it stays before it.
    expect(coalesceElementAdds([auth1!, del1!, auth2!])).toEqual([auth1, del1, auth2]);
    // Commands it does not know pass through in place.
    expect(coalesceElementAdds(['flush set inet t auth4', auth1!])).toEqual(['flush set inet t auth4', auth1]);
  });
});

describe('kernel state', () => {
  // Recorded from `nft -j list table inet portico` (nft 1.0.6), a table of the release before per-element
  // counters: one device on a quota, its chains ending in named counters.
  const recorded = JSON.parse(
    '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "portico", "handle": 3}}, {"counter": {"family": "inet", "name": "cu_6431", "table": "portico", "handle": 20, "packets": 12, "bytes": 823}}, {"counter": {"family": "inet", "name": "cd_6431", "table": "portico", "handle": 21, "packets": 8, "bytes": 794}}, {"quota": {"family": "inet", "name": "q_7031", "table": "portico", "handle": 22, "bytes": 1000000, "used": 4096, "inv": true}}, {"map": {"family": "inet", "name": "up4", "table": "portico", "type": ["ipv4_addr", "ether_addr"], "handle": 4, "map": "verdict", "elem": [[{"concat": ["10.99.77.11", "02:99:4d:00:00:0b"]}, {"goto": {"target": "up_6431"}}]]}}, {"map": {"family": "inet", "name": "up6", "table": "portico", "type": ["ipv6_addr", "ether_addr"], "handle": 5, "map": "verdict", "elem": [[{"concat": ["fd99:77::b", "02:99:4d:00:00:0b"]}, {"goto": {"target": "up_6431"}}]]}}, {"chain": {"family": "inet", "table": "portico", "name": "up_6431", "handle": 30}}, {"rule": {"family": "inet", "table": "portico", "chain": "up_6431", "handle": 32, "expr": [{"limit": {"rate": 128, "burst": 0, "per": "second", "inv": true, "rate_unit": "kbytes", "burst_unit": "bytes"}}, {"drop": null}]}}, {"rule": {"family": "inet", "table": "portico", "chain": "up_6431", "handle": 33, "expr": [{"quota": "q_7031"}, {"goto": {"target": "over_quota"}}]}}, {"rule": {"family": "inet", "table": "portico", "chain": "up_6431", "handle": 34, "expr": [{"counter": "cu_6431"}, {"accept": null}]}}]}',
  ).nftables as unknown[];

  it('reads a table with per-device chains back: devices, their rates, pools and retired bytes', () => {
    const s = parseTable(recorded);
    expect(s.devices.get('d1')).toEqual({
      mac: '02:99:4d:00:00:0b',
      ips4: ['10.99.77.11'],
      ips6: ['fd99:77::b'],
      poolId: 'p1',
      up: 131_072,
      down: null,
      retired: { up: 823, down: 794 },
      hasRetired: true,
      bytes: new Map([['10.99.77.11', { up: 0, down: 0 }], ['fd99:77::b', { up: 0, down: 0 }]]),
      legacyChains: true,
    });
    expect(s.quotas.get('p1')).toEqual({ bytes: 1_000_000, used: 4096 });
    expect(s.legacyMaps).toEqual(['up4', 'up6']);
  });

  it('moves a table with per-device chains onto rate classes in the start-up batch, and says what the kernel then holds', () => {
    const s = parseTable(recorded);
    const m = migrationCommands(s, { table: 'portico', ipv6: 'enforce' }, silentLogger);
    // Its maps had no counter flag: dropped before the base ruleset re-creates them, elements re-added after.
    expect(m.before).toEqual(['flush chain inet portico from_lan', 'flush chain inet portico to_lan', 'delete map inet portico up4', 'delete map inet portico up6']);
    expect(m.after).toContain('add map inet portico up4 { type ipv4_addr . ether_addr : verdict; counter; elements = { 10.99.77.11 . 02:99:4d:00:00:0b comment "d1" : goto rc_up4_131072 } }');
    expect(m.after).toContain('add map inet portico uq6 { type ipv6_addr . ether_addr : quota; elements = { fd99:77::b . 02:99:4d:00:00:0b : "q_7031" } }');
    expect(m.after.slice(-2)).toEqual(['delete chain inet portico up_6431', 'delete chain inet portico dn_6431']);
    // Its named counters hold bytes: they stay, as its retired bytes.
    expect(m.after.some((c) => c.includes('counter inet'))).toBe(false);
    expect([s.devices.get('d1')!.legacyChains, s.legacyMaps, [...s.classes].sort()]).toEqual([false, [], ['rc_dn4_none', 'rc_dn6_none', 'rc_up4_131072', 'rc_up6_131072']]);
    // A table already in the rate-class shape needs nothing.
    expect(migrationCommands(parseTable(current), { table: 'portico', ipv6: 'enforce' }, silentLogger)).toEqual({ before: [], after: [] });
  });

  // Recorded from `nft -j list table inet portico` (nft 1.0.6) in the rate-class shape: two devices, one
  // with a quota (object map element) and a rate class, one without either.
  const current = JSON.parse(
    '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"quota": {"family": "inet", "name": "q_7031", "table": "portico", "handle": 22, "bytes": 1000000, "used": 4096, "inv": true}}, {"map": {"family": "inet", "name": "up4", "table": "portico", "type": ["ipv4_addr", "ether_addr"], "handle": 4, "map": "verdict", "elem": [[{"elem": {"val": {"concat": ["10.99.77.11", "02:99:4d:00:00:0b"]}, "comment": "d1", "counter": {"packets": 12, "bytes": 823}}}, {"goto": {"target": "rc_up4_125000"}}], [{"elem": {"val": {"concat": ["10.99.77.12", "02:99:4d:00:00:0b"]}, "comment": "d1", "counter": {"packets": 2, "bytes": 100}}}, {"goto": {"target": "rc_up4_125000"}}], [{"elem": {"val": {"concat": ["10.99.77.13", "02:99:4d:00:00:0c"]}, "comment": "d2", "counter": {"packets": 1, "bytes": 60}}}, {"goto": {"target": "rc_up4_none"}}]], "stmt": [{"counter": null}]}}, {"map": {"family": "inet", "name": "down4", "table": "portico", "type": "ipv4_addr", "handle": 6, "map": "verdict", "elem": [[{"elem": {"val": "10.99.77.11", "comment": "d1", "counter": {"packets": 8, "bytes": 794}}}, {"goto": {"target": "rc_dn4_500000"}}]], "stmt": [{"counter": null}]}}, {"map": {"family": "inet", "name": "uq4", "table": "portico", "type": ["ipv4_addr", "ether_addr"], "handle": 3, "map": "quota", "elem": [[{"concat": ["10.99.77.11", "02:99:4d:00:00:0b"]}, "q_7031"]]}}, {"chain": {"family": "inet", "table": "portico", "name": "rc_up4_125000", "handle": 8}}, {"chain": {"family": "inet", "table": "portico", "name": "rc_up4_none", "handle": 9}}, {"chain": {"family": "inet", "table": "portico", "name": "rc_dn4_500000", "handle": 10}}]}',
  ).nftables as unknown[];

  it('reads the rate-class shape back: devices by their elements\' comments, classes, quota by object map', () => {
    const s = parseTable(current);
    const d1 = s.devices.get('d1')!;
    expect([d1.mac, d1.ips4, d1.poolId, d1.up, d1.down, d1.hasRetired, d1.legacyChains]).toEqual(['02:99:4d:00:00:0b', ['10.99.77.11', '10.99.77.12'], 'p1', 125_000, 500_000, false, false]);
    expect(d1.bytes.get('10.99.77.11')).toEqual({ up: 823, down: 794 });
    expect([s.devices.get('d2')!.poolId, s.devices.get('d2')!.up]).toEqual([null, null]);
    expect([...s.classes].sort()).toEqual(['rc_dn4_500000', 'rc_up4_125000', 'rc_up4_none']);
    expect(s.legacyMaps).toEqual([]);
    expect(parseElements(current).map((e) => [e.map, e.ip, e.bytes])).toEqual([
      ['up4', '10.99.77.11', 823],
      ['up4', '10.99.77.12', 100],
      ['up4', '10.99.77.13', 60],
      ['down4', '10.99.77.11', 794],
    ]);
  });

  it('parses /proc/net/arp and dnsmasq leases', () => {
    const arp = 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.2 0x1 0x2 02:00:00:00:00:02 * br-lan\n10.0.0.3 0x1 0x0 00:00:00:00:00:00 * br-lan\n';
    expect(parseProcArp(arp)).toEqual(new Map([['10.0.0.2', '02:00:00:00:00:02']]));
    // One address, looked up without parsing the table: incomplete entries and prefixes of it do not count.
    const big = `${arp}10.0.0.20 0x1 0x2 02:00:00:00:00:20 * br-lan\n10.0.0.2 0x1 0x2 02:00:00:00:00:99 * br-lan`;
    expect(procArpMac(arp, '10.0.0.2')).toBe('02:00:00:00:00:02');
    expect(procArpMac(arp, '10.0.0.3')).toBeUndefined();
    expect(procArpMac(big, '10.0.0.20')).toBe('02:00:00:00:00:20');
    expect(procArpMac(big.replace('10.0.0.2 0x1 0x2 02:00:00:00:00:02', '10.0.0.2 0x1 0x0 00:00:00:00:00:00'), '10.0.0.2')).toBe('02:00:00:00:00:99');
    expect(procArpMac(arp, '10.0.0.')).toBeUndefined();
    const leases = '1767225600 02:00:00:00:00:05 10.0.0.5 phone 01:02:00:00:00:00:05\nduid 00:01:00:01\n1767225600 1234 fd00::5 * 00:01\n';
    expect(parseLeases(leases)).toEqual(new Map([['10.0.0.5', '02:00:00:00:00:05']]));
    expect(parseLeaseNames(leases)).toEqual(new Map([['02:00:00:00:00:05', 'phone']]));
  });
});
