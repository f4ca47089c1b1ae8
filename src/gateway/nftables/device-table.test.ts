/** The desired state without a kernel: the commands a login, a move, a rate change, a logout and a reconcile send (golden/). */
import { describe, expect, it } from 'vitest';
import { createDeviceTable, type ReadBytes } from './device-table.js';
import { parseTable, type ByteCounters } from './kernel-state.js';

const pool = { id: 'ent_1', downBps: 4_000_000, upBps: 1_000_000, bytesRemaining: 5e8 };
const grant = { deviceId: 'dev_1', poolId: 'ent_1', mac: '02:00:00:AA:BB:CC', ips: ['10.0.0.23', 'fd00::23'] };

/** `bytes`: what the kernel's elements counted, per address. */
function table(bytes: Record<string, ByteCounters> = {}) {
  const reads: string[][] = [];
  const read: ReadBytes = async (ips) => {
    reads.push([...ips]);
    return new Map(Object.entries(bytes).filter(([ip]) => ips.has(ip)));
  };
  return { t: createDeviceTable({ table: 'portico', ipv6: 'enforce' }, read), reads };
}

/** Command kinds; an element addition (`add map … { <decl> elements = { … } }`, ruleset.ts ELEMENT_SETS) is `add elements`. */
const isElementAdd = (c: string) => /^add (set|map) .* elements = /.test(c);
const kinds = (cmds: string[]) => [...new Set(cmds.map((c) => (isElementAdd(c) ? 'add elements' : c.split(' ').slice(0, 2).join(' '))))].sort();

describe('device table', () => {
  it('writes a new pool with its first device: a first login is one batch (quota, rate classes, elements)', async () => {
    const { t, reads } = table();
    t.begin();
    expect(await t.setPool(pool)).toEqual([]);
    const { cmds, fresh } = await t.grant(grant);
    expect(fresh).toEqual(['10.0.0.23', 'fd00::23']);
    expect(reads).toEqual([]); // nothing read from the kernel on the login path
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/first-login.nft');
  });

  it('a login into rates already in use adds elements only: nothing per device but elements', async () => {
    const { t, reads } = table();
    await t.setPool(pool);
    await t.grant(grant);
    await t.setPool({ ...pool, id: 'ent_2' });
    const { cmds } = await t.grant({ deviceId: 'dev_2', poolId: 'ent_2', mac: '02:00:00:aa:bb:dd', ips: ['10.0.0.24'] });
    // The new pool's quota (add quota loads no nft cache), then only elements: no chain, no counter.
    expect(kinds(cmds)).toEqual(['add elements', 'add quota']);
    expect(cmds.filter(isElementAdd).join('\n')).not.toMatch(/dev_1|ent_1|656e745f31\b/);
    expect(reads).toEqual([]);
    expect(t.classes().sort()).toEqual(['rc_dn4_500000', 'rc_dn6_500000', 'rc_up4_125000', 'rc_up6_125000']);
  });

  it('refuses a grant into a pool that was never set, changing nothing', async () => {
    const { t } = table();
    await expect(t.grant(grant)).rejects.toThrow(/call setPool first/);
    expect(t.devices()).toEqual([]);
  });

  it('a quota change is add quota + reset quota only, never a reset of a quota created in the same batch', async () => {
    const { t } = table();
    t.begin();
    await t.setPool(pool);
    await t.grant(grant);
    const same = await t.setPool({ ...pool, bytesRemaining: 1e8 });
    expect(same.some((c) => c.startsWith('reset quota'))).toBe(false);
    t.begin();
    expect(await t.setPool({ ...pool, bytesRemaining: 2e8 })).toEqual(['add quota inet portico q_656e745f31 { over 200000000 bytes }', 'reset quota inet portico q_656e745f31']);
  });

  it('a rate change moves the devices to another class, carrying what their elements counted', async () => {
    const { t, reads } = table({ '10.0.0.23': { up: 100, down: 900 }, 'fd00::23': { up: 5, down: 7 } });
    await t.setPool(pool);
    await t.grant(grant);
    t.begin();
    // Throttled: a lower rate on the way down, the same on the way up.
    const cmds = await t.setPool({ ...pool, downBps: 256_000 });
    expect(reads).toEqual([['10.0.0.23', 'fd00::23']]);
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/rate-change.nft');
    expect(cmds.some((c) => /element inet portico up[46]/.test(c))).toBe(false);
    expect(t.device('dev_1')!.down).toBe(32_000);
    // Back to a rate in use: the class exists, only elements move.
    const back = await t.setPool(pool);
    expect(kinds(back)).toEqual(['add elements', 'add quota', 'delete element', 'reset quota']);
  });

  it('a pool that loses its data limit drops its quota elements before the quota; one that gains one adds them', async () => {
    const { t } = table();
    await t.setPool(pool);
    await t.grant(grant);
    t.begin();
    const off = await t.setPool({ ...pool, bytesRemaining: null });
    expect(off).toEqual([
      'delete element inet portico uq4 { 10.0.0.23 . 02:00:00:aa:bb:cc }',
      'delete element inet portico dq4 { 10.0.0.23 }',
      'delete element inet portico uq6 { fd00::23 . 02:00:00:aa:bb:cc }',
      'delete element inet portico dq6 { fd00::23 }',
      'delete quota inet portico q_656e745f31',
    ]);
    t.begin();
    const on = await t.setPool(pool);
    expect(on[0]).toBe('add quota inet portico q_656e745f31 { over 500000000 bytes }');
    expect(on).toContain('add map inet portico uq4 { type ipv4_addr . ether_addr : quota; elements = { 10.0.0.23 . 02:00:00:aa:bb:cc : "q_656e745f31" } }');
  });

  it('moves an address to another device, retiring what its element counted into counters made on demand', async () => {
    const { t, reads } = table({ '10.0.0.23': { up: 100, down: 900 } });
    await t.setPool(pool);
    await t.grant(grant);
    const { cmds } = await t.grant({ deviceId: 'dev_2', poolId: 'ent_1', mac: '02:00:00:aa:bb:dd', ips: ['10.0.0.23'] });
    expect(reads).toEqual([['10.0.0.23']]);
    await expect(cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/address-move.nft');
    expect([...t.device('dev_1')!.ips4]).toEqual([]);
    expect(t.device('dev_1')!.retired).toEqual({ up: 100, down: 900 });
    // A device that never retired an address has no named counters at all.
    expect(t.remove('dev_2')!.cmds.some((c) => c.includes('counter'))).toBe(false);
    expect(t.remove('dev_1')!.cmds).toContain('delete counter inet portico cu_6465765f31');
  });

  it('fences off, for a counter reading taken alongside batches, the devices those batches create, move or re-key', async () => {
    const { t } = table({ '10.0.0.23': { up: 100, down: 900 } });
    const batch = async (f: () => Promise<unknown> | unknown) => {
      t.snapshot();
      t.begin();
      await f();
      t.release();
    };
    const counted = (fence: number) => t.devices().filter((d) => d.epoch < fence).map((d) => d.id).sort();
    await batch(async () => {
      await t.setPool(pool);
      await t.grant(grant);
      await t.grant({ deviceId: 'dev_3', poolId: 'ent_1', mac: '02:00:00:aa:bb:ee', ips: ['10.0.0.30'] });
    });
    // Nothing on its way: every device's elements stand as the kernel has them.
    expect(counted(t.fence())).toEqual(['dev_1', 'dev_3']);

    // A reading starts; meanwhile dev_1 logs out and in again, and dev_2 takes dev_3's address.
    const fence = t.fence();
    await batch(() => t.remove('dev_1'));
    await batch(() => t.grant(grant));
    await batch(() => t.grant({ deviceId: 'dev_2', poolId: 'ent_1', mac: '02:00:00:aa:bb:dd', ips: ['10.0.0.30'] }));
    expect(counted(fence)).toEqual([]);
    // The next reading counts them all again.
    expect(counted(t.fence())).toEqual(['dev_1', 'dev_2', 'dev_3']);

    // A batch in flight is fenced off from a reading that starts while it is on its way …
    const snap = t.snapshot();
    t.begin();
    await t.grant({ deviceId: 'dev_4', poolId: 'ent_1', mac: '02:00:00:aa:bb:44', ips: ['10.0.0.44'] });
    expect(counted(t.fence())).not.toContain('dev_4');
    // … and one the kernel refused leaves the table, stamps included, as it was.
    const before = t.fence();
    t.restore(snap);
    expect(t.device('dev_4')).toBeUndefined();
    expect(t.fence()).toBe(before + 1);
    expect(counted(t.fence())).toEqual(['dev_1', 'dev_2', 'dev_3']);
  });

  it('puts a snapshot back exactly (a refused batch leaves the table as the kernel is)', async () => {
    const { t } = table();
    await t.setPool(pool);
    await t.grant(grant);
    const snap = t.snapshot();
    t.remove('dev_1');
    await t.setPool({ ...pool, id: 'ent_9', upBps: 64_000 });
    await t.grant({ ...grant, deviceId: 'dev_9', poolId: 'ent_9', ips: ['10.0.0.99'] });
    t.restore(snap);
    expect(t.devices().map((d) => [d.id, [...d.ips4]])).toEqual([['dev_1', ['10.0.0.23']]]);
    expect(t.classes()).not.toContain('rc_up4_8000');
    expect((await t.grant({ ...grant, deviceId: 'dev_9', ips: ['10.0.0.23'] })).cmds.some((c) => c.startsWith('delete element inet portico auth4'))).toBe(true);
  });

  it('adopts what the kernel holds at a restart: the same grant again sends nothing', async () => {
    const { t } = table();
    await t.setPool(pool);
    const first = await t.grant(grant);
    // What the kernel would list after that batch, as far as the table reads it back.
    const kernel = parseTable([
      { quota: { name: 'q_656e745f31', bytes: 5e8, used: 1e6 } },
      { map: { name: 'up4', stmt: [{ counter: null }], elem: [[{ elem: { val: { concat: ['10.0.0.23', '02:00:00:aa:bb:cc'] }, comment: 'dev_1', counter: { bytes: 10 } } }, { goto: { target: 'rc_up4_125000' } }]] } },
      { map: { name: 'up6', stmt: [{ counter: null }], elem: [[{ elem: { val: { concat: ['fd00::23', '02:00:00:aa:bb:cc'] }, comment: 'dev_1', counter: { bytes: 10 } } }, { goto: { target: 'rc_up6_125000' } }]] } },
      { map: { name: 'down4', stmt: [{ counter: null }], elem: [[{ elem: { val: '10.0.0.23', comment: 'dev_1', counter: { bytes: 10 } } }, { goto: { target: 'rc_dn4_500000' } }]] } },
      { map: { name: 'down6', stmt: [{ counter: null }], elem: [[{ elem: { val: 'fd00::23', comment: 'dev_1', counter: { bytes: 10 } } }, { goto: { target: 'rc_dn6_500000' } }]] } },
      { map: { name: 'uq4', elem: [[{ concat: ['10.0.0.23', '02:00:00:aa:bb:cc'] }, 'q_656e745f31']] } },
      ...['rc_up4_125000', 'rc_up6_125000', 'rc_dn4_500000', 'rc_dn6_500000'].map((name) => ({ chain: { name } })),
    ]);
    expect(first.cmds.length).toBeGreaterThan(0);
    const { t: fresh } = table();
    fresh.load(kernel);
    expect(fresh.owner('10.0.0.23', '02:00:00:aa:bb:cc')?.id).toBe('dev_1');
    expect(await fresh.reconcilePools([{ ...pool, bytesRemaining: 499e6 }], kernel.quotas)).toEqual([]);
    expect((await fresh.grant(grant)).cmds).toEqual([]);
  });

  it('reconciles a pool the kernel already holds as it should without a command', async () => {
    const { t } = table();
    t.load({ devices: new Map(), quotas: new Map([['ent_1', { bytes: 5e8, used: 1e8 }]]), classes: new Set(), legacyMaps: [] });
    await t.setPool({ ...pool, bytesRemaining: 4e8 });
    expect(await t.reconcilePools([{ ...pool, bytesRemaining: 4e8 }], new Map([['ent_1', { bytes: 5e8, used: 1e8 }]]))).toEqual([]);
    // The database thinks more is left than the kernel counted: the kernel's figure stands, no command.
    expect(await t.reconcilePools([{ ...pool, bytesRemaining: 9e8 }], new Map([['ent_1', { bytes: 5e8, used: 2e8 }]]))).toEqual([]);
    // The database knows less is left (a reset, a shorter plan): the kernel gets the database's figure.
    expect((await t.reconcilePools([{ ...pool, bytesRemaining: 1e8 }], new Map([['ent_1', { bytes: 5e8, used: 2e8 }]]))).slice(0, 2)).toEqual([
      'add quota inet portico q_656e745f31 { over 100000000 bytes }',
      'reset quota inet portico q_656e745f31',
    ]);
    expect(t.dropPools(new Set(), new Map([['ent_1', { bytes: 1, used: 0 }]]))).toEqual(['delete quota inet portico q_656e745f31']);
  });

  it('removes a device and reports its addresses for the conntrack flush; the rate classes stay', async () => {
    const { t } = table();
    await t.setPool(pool);
    await t.grant(grant);
    const r = t.remove('dev_1')!;
    expect(r.ips).toEqual(['10.0.0.23', 'fd00::23']);
    await expect(r.cmds.join('\n') + '\n').toMatchFileSnapshot('./golden/device-logout.nft');
    expect(kinds(r.cmds)).toEqual(['delete element']);
    expect(t.remove('dev_1')).toBeNull();
    expect(t.classes()).toHaveLength(4);
  });

  it('lists the rate classes nobody points to (for a start-up), chain before meter set', async () => {
    const { t } = table();
    await t.setPool(pool);
    await t.grant(grant);
    expect(t.unusedClasses().cmds).toEqual([]);
    await t.setPool({ ...pool, id: 'ent_2', upBps: null });
    await t.grant({ ...grant, poolId: 'ent_2' });
    const u = t.unusedClasses();
    expect(u.cmds).toEqual([
      'flush chain inet portico rc_up4_125000',
      'delete chain inet portico rc_up4_125000',
      'delete set inet portico rl_up4_125000',
      'flush chain inet portico rc_up6_125000',
      'delete chain inet portico rc_up6_125000',
      'delete set inet portico rl_up6_125000',
    ]);
    u.done();
    expect(t.classes().sort()).toEqual(['rc_dn4_500000', 'rc_dn6_500000', 'rc_up4_none', 'rc_up6_none']);
  });
});
