/** Golden tests: desired state → nft script (golden files under golden/), and kernel JSON → state. */
import { describe, expect, it } from 'vitest';
import { parseElementCounters, parseTable } from './kernel-state.js';
import { deviceNames, parseObjectName, quotaName } from './names.js';
import { parseLeaseNames, parseLeases, parseProcArp } from './neighbours.js';
import {
  baseRuleset,
  deviceAddressCommands,
  deviceChainCommands,
  deviceRemoveCommands,
  poolQuotaCommands,
  retiredCommands,
} from './ruleset.js';
import { legacyDeviceCommands, legacyMapCommands } from './legacy-migration.js';

const base = {
  table: 'portico',
  interfaces: ['br-lan', 'wlan-guest'],
  interceptPort: 8080,
  dnsPort: 53,
  portalPorts: [8080, 8443],
  walledGarden: ['192.0.2.10', '198.51.100.0/24', '2001:db8::/64'],
  ipv6: 'enforce' as const,
};
const dev = { names: deviceNames('dev_A-1'), mac: '02:00:00:aa:bb:cc', ips4: ['10.0.0.23'], ips6: ['fd00::23', 'fd00::1:23'] };

describe('nftables ruleset', () => {
  it('base ruleset (ipv6 enforce)', async () => {
    await expect(baseRuleset(base).join('\n') + '\n').toMatchFileSnapshot('./golden/base-enforce.nft');
  });
  it('base ruleset (ipv6 refuse)', async () => {
    await expect(baseRuleset({ ...base, ipv6: 'refuse' }).join('\n') + '\n').toMatchFileSnapshot('./golden/base-refuse.nft');
  });
  it('device grant with limits and quota', async () => {
    const cmds = [
      ...poolQuotaCommands('portico', quotaName('ent_1'), 5e8, false),
      ...deviceChainCommands('portico', dev, { id: 'ent_1', quota: quotaName('ent_1'), downBps: 4_000_000, upBps: 1_000_000 }),
      ...deviceAddressCommands('portico', 'add', dev),
    ];
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-grant.nft');
  });
  it('retired bytes and the move from a table without per-element counters', async () => {
    const cmds = [...retiredCommands('portico', dev, 1234, 5678), ...legacyMapCommands('portico', ['up4', 'down4']), ...legacyDeviceCommands('portico', dev, { up: [34], down: [35] })];
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-retire.nft');
  });
  it('device removal and quota top-up', async () => {
    const cmds = [...deviceAddressCommands('portico', 'delete', dev), ...deviceRemoveCommands('portico', dev), ...poolQuotaCommands('portico', quotaName('ent_1'), 1000, true)];
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-remove.nft');
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
  });
});

describe('kernel state', () => {
  // Recorded from `nft -j list table inet portico` (nft 1.0.6) with one device on a quota.
  const recorded = JSON.parse(
    '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "portico", "handle": 3}}, {"counter": {"family": "inet", "name": "cu_6431", "table": "portico", "handle": 20, "packets": 12, "bytes": 823}}, {"counter": {"family": "inet", "name": "cd_6431", "table": "portico", "handle": 21, "packets": 8, "bytes": 794}}, {"quota": {"family": "inet", "name": "q_7031", "table": "portico", "handle": 22, "bytes": 1000000, "used": 4096, "inv": true}}, {"map": {"family": "inet", "name": "up4", "table": "portico", "type": ["ipv4_addr", "ether_addr"], "handle": 4, "map": "verdict", "elem": [[{"concat": ["10.99.77.11", "02:99:4d:00:00:0b"]}, {"goto": {"target": "up_6431"}}]]}}, {"map": {"family": "inet", "name": "up6", "table": "portico", "type": ["ipv6_addr", "ether_addr"], "handle": 5, "map": "verdict", "elem": [[{"concat": ["fd99:77::b", "02:99:4d:00:00:0b"]}, {"goto": {"target": "up_6431"}}]]}}, {"chain": {"family": "inet", "table": "portico", "name": "up_6431", "handle": 30}}, {"rule": {"family": "inet", "table": "portico", "chain": "up_6431", "handle": 33, "expr": [{"quota": "q_7031"}, {"goto": {"target": "over_quota"}}]}}, {"rule": {"family": "inet", "table": "portico", "chain": "up_6431", "handle": 34, "expr": [{"counter": "cu_6431"}, {"accept": null}]}}]}',
  ).nftables as unknown[];

  it('reads devices, addresses, pools and counters back (a table from before per-element counters)', () => {
    const s = parseTable(recorded);
    expect(s.devices.get('d1')).toEqual({
      mac: '02:99:4d:00:00:0b',
      ips4: ['10.99.77.11'],
      ips6: ['fd99:77::b'],
      poolId: 'p1',
      retired: { up: 823, down: 794 },
      legacyRules: { up: [34], down: [] },
    });
    expect(s.quotas.get('p1')).toEqual({ bytes: 1_000_000, used: 4096 });
    expect(s.legacyMaps).toEqual(['up4', 'up6']);
  });

  // Recorded from `nft -j list map inet portico up4` / `down4` (nft 1.0.6, maps with the counter flag).
  const up4 = JSON.parse(
    '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"map": {"family": "inet", "name": "up4", "table": "portico", "type": ["ipv4_addr", "ether_addr"], "handle": 4, "map": "verdict", "elem": [[{"elem": {"val": {"concat": ["10.99.77.11", "02:99:4d:00:00:0b"]}, "counter": {"packets": 12, "bytes": 823}}}, {"goto": {"target": "up_6431"}}], [{"elem": {"val": {"concat": ["10.99.77.12", "02:99:4d:00:00:0b"]}, "counter": {"packets": 2, "bytes": 100}}}, {"goto": {"target": "up_6431"}}], [{"elem": {"val": {"concat": ["10.99.77.13", "02:99:4d:00:00:0c"]}, "counter": {"packets": 1, "bytes": 60}}}, {"goto": {"target": "up_6432"}}]], "stmt": [{"counter": null}]}}]}',
  ).nftables as unknown[];
  const down4 = JSON.parse(
    '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"map": {"family": "inet", "name": "down4", "table": "portico", "type": "ipv4_addr", "handle": 6, "map": "verdict", "elem": [[{"elem": {"val": "10.99.77.11", "counter": {"packets": 8, "bytes": 794}}}, {"goto": {"target": "dn_6431"}}]], "stmt": [{"counter": null}]}}]}',
  ).nftables as unknown[];

  it('sums the element counters of every address of a device', () => {
    const sums = parseElementCounters(down4, parseElementCounters(up4, new Map()));
    expect(sums).toEqual(new Map([['d1', { up: 923, down: 794 }], ['d2', { up: 60, down: 0 }]]));
    expect(parseElementCounters(up4, new Map(), (id, ip) => id === 'd1' && ip === '10.99.77.12')).toEqual(new Map([['d1', { up: 100, down: 0 }]]));
    expect(parseTable(up4).legacyMaps).toEqual([]);
    expect(parseTable(up4).devices.get('d1')?.ips4).toEqual(['10.99.77.11', '10.99.77.12']);
  });

  it('parses /proc/net/arp and dnsmasq leases', () => {
    const arp = 'IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.2 0x1 0x2 02:00:00:00:00:02 * br-lan\n10.0.0.3 0x1 0x0 00:00:00:00:00:00 * br-lan\n';
    expect(parseProcArp(arp)).toEqual(new Map([['10.0.0.2', '02:00:00:00:00:02']]));
    const leases = '1767225600 02:00:00:00:00:05 10.0.0.5 phone 01:02:00:00:00:00:05\nduid 00:01:00:01\n1767225600 1234 fd00::5 * 00:01\n';
    expect(parseLeases(leases)).toEqual(new Map([['10.0.0.5', '02:00:00:00:00:05']]));
    expect(parseLeaseNames(leases)).toEqual(new Map([['02:00:00:00:00:05', 'phone']]));
  });
});
