/**
 * The simulator's own wire tests: a raw TCP client built on the codec talks to it, so these check the
 * bytes RouterOS would send (tags last, `!trap` then `!done`, `!empty`, untagged `!fatal`), both login
 * flows, and the Hotspot menus' state and counters.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../src/lib/clock.js';
import { encodeSentence, SentenceDecoder } from './codec.js';
import { challengeResponse, startSimulator, type RouterOsSimulator, type SimulatorOptions } from './server.js';

class RawClient {
  private readonly decoder = new SentenceDecoder();
  private readonly got: string[][] = [];
  private waiters: Array<() => void> = [];
  closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.got.push(...this.decoder.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }
  send(words: string[]): void {
    this.socket.write(encodeSentence(words));
  }
  /** Waits for sentences until one starts with `!done` or `!fatal`, or the socket closes. */
  async reply(): Promise<string[][]> {
    const end = () => this.got.findIndex((s) => s[0] === '!done' || s[0] === '!fatal');
    while (end() < 0 && !this.closed) await new Promise<void>((r) => this.waiters.push(r));
    const i = end();
    return this.got.splice(0, i < 0 ? this.got.length : i + 1);
  }
  async call(words: string[]): Promise<string[][]> {
    this.send(words);
    return this.reply();
  }
}

let sim: RouterOsSimulator | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const s of clients.splice(0)) s.destroy();
  await sim?.close();
  sim = undefined;
});

async function open(opts: SimulatorOptions = {}): Promise<RawClient> {
  sim ??= await startSimulator({ users: { portico: 's3cret' }, ...opts });
  const socket = connect(sim.port, '127.0.0.1');
  clients.push(socket);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return new RawClient(socket);
}

async function loggedIn(opts: SimulatorOptions = {}): Promise<RawClient> {
  const c = await open(opts);
  expect(await c.call(['/login', '=name=portico', '=password=s3cret'])).toEqual([['!done']]);
  return c;
}

describe('RouterOS API simulator: session', () => {
  it('accepts the plain (6.43+) login and echoes .tag as the last word', async () => {
    const c = await open({ login: 'plain' });
    expect(await c.call(['/login', '=name=portico', '=password=s3cret', '.tag=7'])).toEqual([['!done', '.tag=7']]);
  });

  it('refuses a wrong password with !trap then !done', async () => {
    const c = await open({ login: 'plain' });
    expect(await c.call(['/login', '=name=portico', '=password=nope', '.tag=a'])).toEqual([
      ['!trap', '=message=invalid user name or password (6)', '.tag=a'],
      ['!done', '.tag=a'],
    ]);
  });

  it('runs the legacy MD5 challenge flow', async () => {
    const c = await open({ login: 'legacy' });
    const [[done, ret]] = (await c.call(['/login', '=name=portico', '=password=s3cret'])) as [[string, string]];
    expect(done).toBe('!done');
    const challenge = ret.replace('=ret=', '');
    expect(challenge).toMatch(/^[0-9a-f]{32}$/);
    expect(await c.call(['/login', '=name=portico', `=response=${challengeResponse('s3cret', challenge)}`])).toEqual([['!done']]);
    expect(await c.call(['/system/identity/print'])).toEqual([['!re', '=name=MikroTik'], ['!done']]);
  });

  it('matches the manual example of the challenge response', () => {
    expect(challengeResponse('', '93b438ec9b80057c06dd9fe67d56aa9a')).toBe('00e134102a9d330dd7b1849fedfea3cb57');
  });

  it('refuses commands before login and sends an untagged !fatal past the limit', async () => {
    const c = await open({ maxBeforeLogin: 1 });
    expect((await c.call(['/ip/hotspot/print', '.tag=1']))[0]).toEqual(['!trap', '=category=5', '=message=not logged in', '.tag=1']);
    expect(await c.call(['/ip/hotspot/print', '.tag=2'])).toEqual([['!fatal', 'not logged in']]);
    await c.reply();
    expect(c.closed).toBe(true);
  });

  it('answers an empty print with !empty then !done (7.18+), or only !done before 7.18', async () => {
    const c = await loggedIn();
    expect(await c.call(['/ip/hotspot/active/print', '.tag=e'])).toEqual([['!empty', '.tag=e'], ['!done', '.tag=e']]);
    sim!.emitEmpty = false;
    expect(await c.call(['/ip/hotspot/active/print', '.tag=f'])).toEqual([['!done', '.tag=f']]);
  });

  it('answers unknown commands with a category-0 trap, and /quit with !fatal', async () => {
    const c = await loggedIn();
    expect((await c.call(['/nope/print']))[0]).toEqual(['!trap', '=category=0', '=message=no such command prefix']);
    expect(await c.call(['/quit', '.tag=q'])).toEqual([['!fatal', 'session terminated on request']]);
  });

  it('delivers replies one byte per write in split mode', async () => {
    const c = await loggedIn();
    sim!.splitFrames = true;
    let reads = 0;
    c.socket.on('data', () => reads++);
    expect(await c.call(['/system/identity/print', '.tag=s'])).toEqual([['!re', '=name=MikroTik', '.tag=s'], ['!done', '.tag=s']]);
    expect(reads).toBeGreaterThan(20);
  });

  it('holds replies while stalled', async () => {
    const c = await loggedIn();
    sim!.stall();
    c.send(['/system/identity/print']);
    await new Promise((r) => setTimeout(r, 50));
    const pending = c.reply();
    sim!.resume();
    expect(await pending).toEqual([['!re', '=name=MikroTik'], ['!done']]);
  });
});

describe('RouterOS API simulator: hotspot menus', () => {
  it('adds, queries, sets and removes users; .proplist and ?queries apply', async () => {
    const c = await loggedIn();
    expect(await c.call(['/ip/hotspot/user/profile/add', '=name=p1', '=rate-limit=1000000/2000000', '=shared-users=2'])).toEqual([['!done', '=ret=*2']]);
    const [[, ret]] = (await c.call(['/ip/hotspot/user/add', '=name=v1', '=password=x', '=profile=p1', '=limit-bytes-total=5000'])) as [[string, string]];
    expect(ret).toBe('=ret=*1');
    expect(await c.call(['/ip/hotspot/user/add', '=name=v1'])).toEqual([['!trap', '=category=1', '=message=failure: already have such name'], ['!done']]);
    expect(await c.call(['/ip/hotspot/user/add', '=name=v2', '=profile=nope'])).toContainEqual(['!trap', '=category=1', '=message=input does not match any value of profile']);
    expect(await c.call(['/ip/hotspot/user/print', '?name=v1', '=.proplist=name,limit-bytes-total'])).toEqual([['!re', '=name=v1', '=limit-bytes-total=5000'], ['!done']]);
    expect(await c.call(['/ip/hotspot/user/set', '=.id=*1', '=limit-bytes-total=9000'])).toEqual([['!done']]);
    expect(await c.call(['/ip/hotspot/user/print', '=.proplist=limit-bytes-total'])).toEqual([['!re', '=limit-bytes-total=9000'], ['!done']]);
    expect(await c.call(['/ip/hotspot/user/remove', '=.id=*9'])).toEqual([['!trap', '=category=0', '=message=no such item'], ['!done']]);
    expect(await c.call(['/ip/hotspot/user/remove', '=numbers=v1'])).toEqual([['!done']]);
  });

  it('logs a host in through /ip/hotspot/active/login, counts bytes in the router view and kicks on remove', async () => {
    const clock = fakeClock();
    const c = await loggedIn({ clock });
    const state = sim!.state;
    state.addHost('10.5.50.10', '02:00:00:00:00:0a');
    await c.call(['/ip/hotspot/user/profile/add', '=name=p1', '=rate-limit=1000000/2000000']);
    await c.call(['/ip/hotspot/user/add', '=name=v1', '=password=x', '=profile=p1']);
    expect(state.canReach('10.5.50.10')).toBe(false);
    expect((await c.call(['/ip/hotspot/active/login', '=user=v1', '=password=bad', '=ip=10.5.50.10']))[0]![0]).toBe('!trap');
    expect(await c.call(['/ip/hotspot/active/login', '=user=v1', '=password=x', '=ip=10.5.50.10', '=mac-address=02:00:00:00:00:0A'])).toEqual([['!done']]);
    expect(state.canReach('10.5.50.10')).toBe(true);
    expect(state.transfer('10.5.50.10', 3000, 1000)).toEqual({ down: 3000, up: 1000 });
    // The queue is rx/tx = upload/download: 2 Mbit/s down over one second is 250 000 bytes.
    expect(state.transfer('10.5.50.10', 10_000_000, 0, 1000).down).toBe(250_000);
    clock.advance(65_000);
    const rows = await c.call(['/ip/hotspot/active/print', '=.proplist=.id,user,mac-address,bytes-in,bytes-out,uptime']);
    expect(rows).toEqual([['!re', '=.id=*1', '=user=v1', '=mac-address=02:00:00:00:00:0A', '=bytes-in=1000', '=bytes-out=253000', '=uptime=1m5s'], ['!done']]);
    expect(await c.call(['/ip/hotspot/host/print', '?address=10.5.50.10', '=.proplist=mac-address,authorized'])).toEqual([['!re', '=mac-address=02:00:00:00:00:0A', '=authorized=true'], ['!done']]);
    expect(await c.call(['/ip/hotspot/active/remove', '=.id=*1'])).toEqual([['!done']]);
    expect(state.canReach('10.5.50.10')).toBe(false);
    expect(await c.call(['/ip/hotspot/user/print', '=.proplist=bytes-in,bytes-out'])).toEqual([['!re', '=bytes-in=1000', '=bytes-out=253000'], ['!done']]);
  });

  it('enforces limit-bytes-total across the sessions of a user and shared-users', async () => {
    const c = await loggedIn();
    const state = sim!.state;
    state.addHost('10.5.50.10', '02:00:00:00:00:0a');
    state.addHost('10.5.50.11', '02:00:00:00:00:0b');
    await c.call(['/ip/hotspot/user/add', '=name=v1', '=password=x', '=limit-bytes-total=10000']);
    await c.call(['/ip/hotspot/active/login', '=user=v1', '=password=x', '=ip=10.5.50.10']);
    expect(await c.call(['/ip/hotspot/active/login', '=user=v1', '=password=x', '=ip=10.5.50.11'])).toContainEqual(['!trap', '=category=1', '=message=no more sessions are allowed for user']);
    const passed = state.transfer('10.5.50.10', 20_000, 0).down;
    expect(passed).toBeGreaterThanOrEqual(10_000);
    expect(passed).toBeLessThan(10_000 + 1500);
    expect(state.canReach('10.5.50.10')).toBe(false);
    expect(await c.call(['/ip/hotspot/active/login', '=user=v1', '=password=x', '=ip=10.5.50.10'])).toContainEqual(['!trap', '=category=1', '=message=traffic limit reached']);
  });

  it('keeps walled-garden and ip-binding entries; a bypassed binding passes and a blocked one does not', async () => {
    const c = await loggedIn();
    sim!.state.addHost('10.5.50.20', '02:00:00:00:00:14');
    await c.call(['/ip/hotspot/walled-garden/add', '=dst-host=portal.example.net', '=comment=portico']);
    await c.call(['/ip/hotspot/walled-garden/ip/add', '=dst-address=192.0.2.10', '=protocol=tcp', '=dst-port=8080']);
    expect(await c.call(['/ip/hotspot/walled-garden/print', '=.proplist=dst-host,action'])).toEqual([['!re', '=dst-host=portal.example.net', '=action=allow'], ['!done']]);
    await c.call(['/ip/hotspot/ip-binding/add', '=mac-address=02:00:00:00:00:14', '=type=bypassed']);
    expect(sim!.state.canReach('10.5.50.20')).toBe(true);
    await c.call(['/ip/hotspot/ip-binding/set', '=.id=*1', '=type=blocked']);
    expect(sim!.state.canReach('10.5.50.20')).toBe(false);
  });
});
