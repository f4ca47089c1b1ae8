/** The desired state without a kernel: the commands a login, a move, a logout and a reconcile send (golden/). */
import { describe, expect, it } from 'vitest';
import { createDeviceTable, type ReadBytes } from './device-table.js';
import type { ByteCounters } from './kernel-state.js';

const pool = { id: 'ent_1', downBps: 4_000_000, upBps: 1_000_000, bytesRemaining: 5e8 };
const grant = { deviceId: 'dev_1', poolId: 'ent_1', mac: '02:00:00:AA:BB:CC', ips: ['10.0.0.23', 'fd00::23'] };

function table(bytes: Record<string, ByteCounters> = {}) {
  const reads: Array<Map<string, Set<string>>> = [];
  const read: ReadBytes = async (picked) => {
    reads.push(picked);
    return new Map(Object.entries(bytes).filter(([id]) => picked.has(id)));
  };
  return { t: createDeviceTable({ table: 'portico', ipv6: 'enforce' }, read), reads };
}

describe('device table', () => {
  it('writes a new pool with its first device: a first login is one batch (quota, chains, elements)', async () => {
    const { t, reads } = table();
    t.begin();
    expect(t.setPool(pool)).toEqual([]);
    const { cmds, fresh } = await t.grant(grant);
    expect(fresh).toEqual(['10.0.0.23', 'fd00::23']);
    expect(reads).toEqual([]); // nothing read from the kernel on the login path
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/first-login.nft');
  });

  it('refuses a grant into a pool that was never set, changing nothing', async () => {
    const { t } = table();
    await expect(t.grant(grant)).rejects.toThrow(/call setPool first/);
    expect(t.devices()).toEqual([]);
  });

  it('rewrites a pool with devices at once, and never resets a quota created in the same batch', async () => {
    const { t } = table();
    t.begin();
    t.setPool(pool);
    await t.grant(grant);
    const same = t.setPool({ ...pool, bytesRemaining: 1e8 });
    expect(same.some((c) => c.startsWith('reset quota'))).toBe(false);
    t.begin();
    const next = t.setPool({ ...pool, bytesRemaining: 2e8 });
    expect(next.slice(0, 2)).toEqual(['add quota inet portico q_656e745f31 { over 200000000 bytes }', 'reset quota inet portico q_656e745f31']);
    expect(next.some((c) => c.startsWith('flush chain inet portico up_6465765f31'))).toBe(true);
  });

  it('moves an address to another device, retiring what its element counted', async () => {
    const { t, reads } = table({ dev_1: { up: 100, down: 900 } });
    t.setPool(pool);
    await t.grant(grant);
    const { cmds } = await t.grant({ deviceId: 'dev_2', poolId: 'ent_1', mac: '02:00:00:aa:bb:dd', ips: ['10.0.0.23'] });
    expect(reads.map((m) => [...m].map(([id, ips]) => [id, [...ips]]))).toEqual([[['dev_1', ['10.0.0.23']]]]);
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/address-move.nft');
    expect([...t.device('dev_1')!.ips4]).toEqual([]);
    expect(t.device('dev_1')!.retired).toEqual({ up: 100, down: 900 });
  });

  it('puts a snapshot back exactly (a refused batch leaves the table as the kernel is)', async () => {
    const { t } = table();
    t.setPool(pool);
    await t.grant(grant);
    const snap = t.snapshot();
    t.remove('dev_1');
    await t.grant({ ...grant, deviceId: 'dev_9', ips: ['10.0.0.99'] });
    t.restore(snap);
    expect(t.devices().map((d) => [d.id, [...d.ips4]])).toEqual([['dev_1', ['10.0.0.23']]]);
    expect((await t.grant({ ...grant, deviceId: 'dev_9', ips: ['10.0.0.23'] })).cmds.some((c) => c.startsWith('delete element inet portico auth4'))).toBe(true);
  });

  it('reconciles a pool the kernel already holds as it should without a command', async () => {
    const { t } = table();
    t.load({ devices: new Map(), quotas: new Map([['ent_1', { bytes: 5e8, used: 1e8 }]]), legacyMaps: [] });
    t.setPool({ ...pool, bytesRemaining: 4e8 });
    expect(t.reconcilePools([{ ...pool, bytesRemaining: 4e8 }], new Map([['ent_1', { bytes: 5e8, used: 1e8 }]]))).toEqual([]);
    // The database thinks more is left than the kernel counted: the kernel's figure stands, no command.
    expect(t.reconcilePools([{ ...pool, bytesRemaining: 9e8 }], new Map([['ent_1', { bytes: 5e8, used: 2e8 }]]))).toEqual([]);
    // The database knows less is left (a reset, a shorter plan): the kernel gets the database's figure.
    expect(t.reconcilePools([{ ...pool, bytesRemaining: 1e8 }], new Map([['ent_1', { bytes: 5e8, used: 2e8 }]])).slice(0, 2)).toEqual([
      'add quota inet portico q_656e745f31 { over 100000000 bytes }',
      'reset quota inet portico q_656e745f31',
    ]);
    expect(t.dropPools(new Set(), new Map([['ent_1', { bytes: 1, used: 0 }]]))).toEqual(['delete quota inet portico q_656e745f31']);
  });

  it('removes a device and reports its addresses for the conntrack flush', async () => {
    const { t } = table();
    t.setPool(pool);
    await t.grant(grant);
    const r = t.remove('dev_1')!;
    expect(r.ips).toEqual(['10.0.0.23', 'fd00::23']);
    await expect(r.cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-logout.nft');
    expect(t.remove('dev_1')).toBeNull();
  });
});
