/**
 * The simulated router's state and the Hotspot menus Portico uses (gateways.md Part 1b): servers,
 * user profiles, users, active sessions (with `login` and `remove`), hosts, walled garden, IP bindings
 * and the dynamic simple queues a profile's `rate-limit` creates at login. Time comes from an injected
 * clock; traffic is moved by tests with `transfer`, which counts bytes the way the menus report them
 * (router's view: `bytes-in` = received from the client = upload) and enforces `limit-bytes-total` and
 * the queue rate like RouterOS: packets of up to 1500 bytes, the packet that crosses the limit still
 * passes, then every session of the user is logged out.
 *
 * Assumption flagged [I] in gateways.md: a user's counters and `limit-bytes-total` are checked live
 * against the accumulated user counters, including changes made while a session is active.
 *
 * @example
 *   const r = new RouterState({ clock, hotspot: 'hotspot1' });
 *   r.addHost('10.5.50.10', '02:00:00:00:00:0a');
 */
import type { Item } from './query.js';
import { Table, Trap } from './table.js';

export interface SimClock {
  now(): number;
}

export const PACKET = 1500;

export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const parts: Array<[number, string]> = [
    [604800, 'w'],
    [86400, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ];
  let out = '';
  for (const [size, unit] of parts) {
    if (s >= size) {
      out += `${Math.floor(s / size)}${unit}`;
      s %= size;
    }
  }
  return out + (s > 0 || out === '' ? `${s}s` : '');
}

/** `rate-limit` rx[/tx] with k/M/G suffixes (1000-based) → bits/s; 0 = unlimited. */
export function parseRate(word: string | undefined): { rx: number; tx: number } {
  if (!word) return { rx: 0, tx: 0 };
  const one = (v: string): number => {
    const m = /^(\d+)([kMG]?)$/.exec(v);
    if (!m) throw new Trap(`invalid value for argument rate-limit`, 1);
    return Number(m[1]) * ({ '': 1, k: 1e3, M: 1e6, G: 1e9 } as Record<string, number>)[m[2]!]!;
  };
  const [first = '', ...rest] = word.split(' ');
  void rest;
  const [rx, tx] = first.split('/');
  const r = one(rx!);
  return { rx: r, tx: tx === undefined ? r : one(tx) };
}

const num = (v: string | undefined): number => (v && /^\d+$/.test(v) ? Number(v) : 0);

export class RouterState {
  readonly identity: string;
  readonly servers = new Table({ unique: 'name' });
  readonly profiles = new Table({
    unique: 'name',
    defaults: { 'shared-users': '1' },
    writable: ['name', 'rate-limit', 'shared-users', 'session-timeout', 'idle-timeout', 'keepalive-timeout', 'address-list', 'comment'],
  });
  readonly users: Table;
  readonly active: Table;
  readonly hosts: Table;
  readonly walledGarden = new Table({ writable: ['action', 'server', 'src-address', 'method', 'dst-host', 'dst-port', 'path', 'comment', 'disabled'], defaults: { action: 'allow', disabled: 'false' } });
  readonly walledGardenIp = new Table({ writable: ['action', 'server', 'src-address', 'dst-address', 'src-address-list', 'dst-address-list', 'dst-host', 'dst-port', 'protocol', 'comment', 'disabled'], defaults: { action: 'accept', disabled: 'false' } });
  readonly bindings = new Table({ writable: ['address', 'mac-address', 'server', 'to-address', 'type', 'comment', 'disabled'], defaults: { type: 'regular', disabled: 'false' } });
  readonly queues = new Table({ unique: 'name' });
  /** `/ip/dhcp-server/lease`: what each client called itself in DHCP (`host-name`), as RouterOS reports it. */
  readonly leases = new Table({ writable: ['address', 'mac-address', 'host-name', 'server', 'comment', 'disabled'], defaults: { disabled: 'false' } });
  private readonly loginAt = new Map<string, number>();

  constructor(
    readonly opts: { clock: SimClock; hotspot?: string; identity?: string },
  ) {
    this.identity = opts.identity ?? 'MikroTik';
    this.servers.insert({ name: opts.hotspot ?? 'hotspot1', interface: 'bridge-hotspot', profile: 'hsprof1', disabled: 'false' });
    this.profiles.insert({ name: 'default', 'shared-users': '1' });
    this.users = new Table({
      unique: 'name',
      defaults: { profile: 'default', server: 'all', 'mac-address': '00:00:00:00:00:00', 'limit-bytes-total': '0', disabled: 'false', 'bytes-in': '0', 'bytes-out': '0', 'packets-in': '0', 'packets-out': '0' },
      writable: ['name', 'password', 'profile', 'server', 'address', 'mac-address', 'limit-uptime', 'limit-bytes-in', 'limit-bytes-out', 'limit-bytes-total', 'email', 'comment', 'disabled'],
    });
    this.active = new Table({
      view: (id, row) => ({ ...row, uptime: formatDuration(this.opts.clock.now() - (this.loginAt.get(id) ?? this.opts.clock.now())) }),
    });
    this.hosts = new Table({});
  }

  get hotspot(): string {
    return [...this.servers.rows.values()][0]!.name!;
  }

  /** A device the hotspot has seen (DHCP/ARP), not yet logged in. */
  addHost(address: string, mac: string, server = this.hotspot): void {
    this.hosts.insert({ 'mac-address': mac.toUpperCase(), address, 'to-address': address, server, authorized: 'false', bypassed: 'false', 'bytes-in': '0', 'bytes-out': '0' });
  }

  hostByIp(ip: string): [string, Item] | undefined {
    return this.hosts.find((h) => h.address === ip)[0];
  }

  private checkProfile(attrs: Item): void {
    if (attrs.profile !== undefined && !this.profiles.find((p) => p.name === attrs.profile).length)
      throw new Trap('input does not match any value of profile', 1);
    for (const k of ['limit-bytes-total', 'limit-bytes-in', 'limit-bytes-out', 'shared-users'])
      if (attrs[k] !== undefined && !/^\d+$/.test(attrs[k]!)) throw new Trap(`invalid value for argument ${k}`, 1);
    if (attrs['rate-limit'] !== undefined) parseRate(attrs['rate-limit']);
  }

  /** The simple queue a profile's rate-limit creates at login; max-limit is target upload/download. */
  private addQueue(user: Item, address: string): void {
    const profile = this.profiles.find((p) => p.name === user.profile)[0]?.[1];
    const rate = parseRate(profile?.['rate-limit']);
    if (!rate.rx && !rate.tx) return;
    this.queues.insert({ name: `<hotspot-${user.name}-${address}>`, target: `${address}/32`, 'max-limit': `${rate.rx}/${rate.tx}`, dynamic: 'true' });
  }

  login(attrs: Item): void {
    const ip = attrs.ip;
    const hostEntry = ip ? this.hostByIp(ip) : undefined;
    if (!hostEntry) throw new Trap('no such host', 0); // wording [I]
    const [, host] = hostEntry;
    const mac = attrs['mac-address']?.toUpperCase();
    if (mac && mac !== host['mac-address']) throw new Trap('mac address does not match host', 1);
    const user = this.users.find((u) => u.name === attrs.user)[0]?.[1];
    if (!user || user.password !== (attrs.password ?? '')) throw new Trap('invalid username or password', 1);
    if (user.disabled === 'true' || user.disabled === 'yes') throw new Trap('user is disabled', 1);
    if (user.server !== 'all' && user.server !== host.server) throw new Trap('not allowed on this server', 1);
    if (user['mac-address'] !== '00:00:00:00:00:00' && user['mac-address']!.toUpperCase() !== host['mac-address'])
      throw new Trap('not allowed from this mac address', 1);
    if (this.active.find((a) => a.address === ip).length) throw new Trap('already authorized', 1);
    const profile = this.profiles.find((p) => p.name === user.profile)[0]?.[1];
    if (this.active.find((a) => a.user === user.name).length >= num(profile?.['shared-users'] ?? '1'))
      throw new Trap(`no more sessions are allowed for user`, 1);
    const limit = num(user['limit-bytes-total']);
    if (limit > 0 && num(user['bytes-in']) + num(user['bytes-out']) >= limit) throw new Trap('traffic limit reached', 1);
    const session: Item = { server: host.server!, user: user.name!, address: ip!, 'mac-address': host['mac-address']!, 'login-by': 'api', 'bytes-in': '0', 'bytes-out': '0', 'packets-in': '0', 'packets-out': '0' };
    if (limit > 0) session['limit-bytes-total'] = String(limit);
    const id = this.active.insert(session);
    this.loginAt.set(id, this.opts.clock.now());
    host.authorized = 'true';
    this.addQueue(user, ip!);
  }

  logout(ids: string[]): void {
    for (const row of this.active.remove(ids)) {
      const host = this.hostByIp(row.address!)?.[1];
      if (host) host.authorized = 'false';
      for (const [qid] of this.queues.find((q) => q.target === `${row.address}/32`)) this.queues.remove([qid]);
    }
    for (const id of ids) this.loginAt.delete(id);
  }

  private binding(ip: string, mac: string): string | undefined {
    const b = this.bindings.find((x) => x.disabled !== 'true' && (x.address === ip || (x['mac-address'] ?? '').toUpperCase() === mac))[0];
    return b?.[1].type;
  }

  /** Whether traffic from `ip` passes the hotspot now. */
  canReach(ip: string): boolean {
    const host = this.hostByIp(ip)?.[1];
    if (!host) return false;
    const type = this.binding(ip, host['mac-address']!);
    if (type === 'blocked') return false;
    if (type === 'bypassed') return true;
    return this.active.find((a) => a.address === ip).length > 0;
  }

  /**
   * Moves up to `down` bytes to and `up` bytes from the client; returns what passed. With `ms`, the
   * session's queue caps each direction at its max-limit over that much time.
   */
  transfer(ip: string, down: number, up: number, ms?: number): { down: number; up: number } {
    const host = this.hostByIp(ip)?.[1];
    if (!host || !this.canReach(ip)) return { down: 0, up: 0 };
    const session = this.active.find((a) => a.address === ip)[0];
    if (!session) return { down, up }; // bypassed: not accounted to any user
    const [, s] = session;
    if (ms !== undefined) {
      const q = this.queues.find((x) => x.target === `${ip}/32`)[0]?.[1];
      if (q) {
        const [rx, tx] = q['max-limit']!.split('/').map(Number) as [number, number];
        if (tx) down = Math.min(down, Math.floor((tx * ms) / 8000));
        if (rx) up = Math.min(up, Math.floor((rx * ms) / 8000));
      }
    }
    const userEntry = this.users.find((u) => u.name === s.user)[0];
    const user = userEntry?.[1];
    const limit = num(user?.['limit-bytes-total']);
    const used = () => num(user?.['bytes-in']) + num(user?.['bytes-out']);
    const pass = (want: number): number => {
      if (!limit) return want;
      const left = limit - used();
      if (left <= 0) return 0;
      return Math.min(want, Math.ceil(left / PACKET) * PACKET);
    };
    const add = (row: Item | undefined, key: string, n: number) => {
      if (row) row[key] = String(num(row[key]) + n);
    };
    const d = pass(down);
    for (const row of [s, user]) {
      add(row, 'bytes-out', d);
      add(row, 'packets-out', Math.ceil(d / PACKET));
    }
    const u = pass(up);
    for (const row of [s, user]) {
      add(row, 'bytes-in', u);
      add(row, 'packets-in', Math.ceil(u / PACKET));
    }
    if (limit && used() >= limit) this.logout(this.active.find((a) => a.user === s.user).map(([id]) => id));
    return { down: d, up: u };
  }

  /** Runs one menu command; returns the `!re` rows and the `!done` `ret`. Throws `Trap`. */
  exec(command: string, attrs: Item, queries: string[]): { rows: Item[]; ret?: string } {
    const slash = command.lastIndexOf('/');
    const menu = command.slice(0, slash);
    const verb = command.slice(slash + 1);
    const ref = attrs['.id'] ?? attrs.numbers;
    const { '.id': _id, numbers: _n, '.proplist': proplist, ...fields } = attrs;
    const tables: Record<string, Table> = {
      '/ip/hotspot': this.servers,
      '/ip/hotspot/user/profile': this.profiles,
      '/ip/hotspot/user': this.users,
      '/ip/hotspot/active': this.active,
      '/ip/hotspot/host': this.hosts,
      '/ip/hotspot/walled-garden': this.walledGarden,
      '/ip/hotspot/walled-garden/ip': this.walledGardenIp,
      '/ip/hotspot/ip-binding': this.bindings,
      '/queue/simple': this.queues,
      '/ip/dhcp-server/lease': this.leases,
    };
    if (menu === '/system/identity' && (verb === 'print' || verb === 'getall')) return { rows: [{ name: this.identity }] };
    const table = tables[menu];
    if (!table) throw new Trap('no such command prefix', 0);
    if (verb === 'print' || verb === 'getall') {
      const rows = table.print(queries, proplist);
      return attrs['count-only'] !== undefined ? { rows: [], ret: String(rows.length) } : { rows };
    }
    const readOnly = table === this.servers || table === this.hosts || table === this.queues || table === this.active;
    if (table === this.active && verb === 'login') {
      this.login(fields);
      return { rows: [] };
    }
    if (table === this.active && verb === 'remove') {
      this.logout(table.resolve(ref));
      return { rows: [] };
    }
    if (table === this.hosts && verb === 'remove') {
      const ids = table.resolve(ref);
      for (const id of ids) {
        const ip = table.get(id).address!;
        this.logout(this.active.find((a) => a.address === ip).map(([aid]) => aid));
      }
      table.remove(ids);
      return { rows: [] };
    }
    if (readOnly) throw new Trap('no such command', 0);
    if (table === this.users || table === this.profiles) this.checkProfile(fields);
    switch (verb) {
      case 'add':
        return { rows: [], ret: table.add(fields) };
      case 'set':
        table.set(table.resolve(ref), fields);
        return { rows: [] };
      case 'remove': {
        const ids = table.resolve(ref);
        if (table === this.profiles)
          for (const id of ids) {
            const name = table.get(id).name;
            if (name === 'default' || this.users.find((u) => u.profile === name).length) throw new Trap('failure: profile is in use', 4);
          }
        if (table === this.users)
          for (const id of ids) {
            const name = table.get(id).name;
            this.logout(this.active.find((a) => a.user === name).map(([aid]) => aid));
          }
        table.remove(ids);
        return { rows: [] };
      }
      case 'enable':
      case 'disable':
        table.set(table.resolve(ref), { disabled: verb === 'disable' ? 'true' : 'false' });
        return { rows: [] };
      case 'reset-counters':
        if (table !== this.users) break;
        for (const id of table.resolve(ref)) Object.assign(table.get(id), { 'bytes-in': '0', 'bytes-out': '0', 'packets-in': '0', 'packets-out': '0' });
        return { rows: [] };
    }
    throw new Trap('no such command', 0);
  }
}
