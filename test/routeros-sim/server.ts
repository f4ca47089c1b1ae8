/**
 * A RouterOS API server on 127.0.0.1 (port 0) speaking the real wire format (gateways.md Part 1): both
 * login flows, `.tag` echoed as the last word of every reply, `!re`/`!done`/`!trap`/`!fatal`, RouterOS
 * 7.18+ `!empty`, `/cancel`, `/quit`, and the Hotspot menus of `RouterState`. Fault modes let tests
 * drop sockets, stall replies, deliver replies one byte per TCP write, send `!fatal`, or take the router
 * down (refuse connections) and bring it back on the same port.
 *
 * @example
 *   const sim = await startSimulator({ users: { portico: 'secret' } });
 *   sim.state.addHost('10.5.50.10', '02:00:00:00:00:0a');
 *   await sim.close();
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { encodeSentence, SentenceDecoder } from './codec.js';
import { RouterState, type SimClock } from './hotspot.js';
import type { Item } from './query.js';
import { Trap } from './table.js';

export type LoginMode = 'plain' | 'legacy' | 'both' | 'reject';

export interface SimulatorOptions {
  /** API users and their passwords. */
  users?: Record<string, string>;
  login?: LoginMode;
  /** RouterOS ≥ 7.18 answers an empty print with `!empty` before `!done`. */
  emitEmpty?: boolean;
  clock?: SimClock;
  hotspot?: string;
  identity?: string;
  /** Sentences a connection may send before logging in; the next gets `!fatal`. */
  maxBeforeLogin?: number;
}

/** Legacy (pre-6.43) challenge response: "00" + md5(0x00 ‖ password ‖ challenge) (Part 1.6). */
export function challengeResponse(password: string, challengeHex: string): string {
  const md5 = createHash('md5');
  md5.update(Buffer.from([0]));
  md5.update(Buffer.from(password, 'latin1'));
  md5.update(Buffer.from(challengeHex, 'hex'));
  return '00' + md5.digest('hex');
}

interface Session {
  socket: Socket;
  decoder: SentenceDecoder;
  loggedIn: boolean;
  challenge?: string;
  before: number;
  /** Bytes still to send one at a time in split mode, in order. */
  trickle: Buffer[];
}

export class RouterOsSimulator {
  readonly state: RouterState;
  readonly log: string[][] = [];
  login: LoginMode;
  emitEmpty: boolean;
  /** Replies one byte per TCP write (robustness of readers against split length prefixes). */
  splitFrames = false;
  private stalled = false;
  private held: Array<() => void> = [];
  private fatalOn: string | undefined;
  private readonly sessions = new Set<Session>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly opts: SimulatorOptions = {}) {
    const clock = opts.clock ?? { now: () => Date.now() };
    this.state = new RouterState({ clock, hotspot: opts.hotspot, identity: opts.identity });
    this.login = opts.login ?? 'both';
    this.emitEmpty = opts.emitEmpty ?? true;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.port;
  }

  /** Live API connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /** Resets every connection (a reboot, a cable pulled). */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
    this.sessions.clear();
  }

  /** The router goes away: connections reset and new ones refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** The router comes back on the same port. */
  async up(): Promise<void> {
    if (!this.server) await this.listen(this.port);
  }

  /** Commands are read but not answered until `resume()`. */
  stall(): void {
    this.stalled = true;
  }

  resume(): void {
    this.stalled = false;
    const held = this.held;
    this.held = [];
    for (const send of held) send();
  }

  /** The next command starting with `prefix` gets `!fatal` and its connection closes. */
  fatalOnNext(prefix: string): void {
    this.fatalOn = prefix;
  }

  /** Sends `!fatal` to every connection and closes them (Part 1.4: not tagged, plain reason word). */
  fatalAll(reason = 'session terminated on request'): void {
    for (const s of this.sessions) this.fatal(s, reason);
  }

  async close(): Promise<void> {
    this.resume();
    await this.down();
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const session: Session = { socket, decoder: new SentenceDecoder(), loggedIn: false, before: 0, trickle: [] };
    this.sessions.add(session);
    socket.on('data', (chunk) => {
      let sentences: string[][];
      try {
        sentences = session.decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const words of sentences) this.handle(session, words);
    });
    socket.on('error', () => {});
    socket.on('close', () => this.sessions.delete(session));
  }

  private write(session: Session, words: string[]): void {
    const bytes = encodeSentence(words);
    const send = () => {
      if (session.socket.destroyed) return;
      if (!this.splitFrames) {
        // One reply sentence per write: node-routeros detects sentence ends by TCP chunk (Part 1.8).
        session.socket.write(bytes);
        return;
      }
      for (let i = 0; i < bytes.length; i++) session.trickle.push(bytes.subarray(i, i + 1));
      if (session.trickle.length === bytes.length) this.drip(session);
    };
    if (this.stalled) this.held.push(send);
    else send();
  }

  /** Sends queued bytes one per write with a timer between, so each lands in its own TCP read. */
  private drip(session: Session): void {
    const byte = session.trickle.shift();
    if (!byte || session.socket.destroyed) return;
    session.socket.write(byte);
    setTimeout(() => this.drip(session), 1);
  }

  private reply(session: Session, tag: string | undefined, words: string[]): void {
    this.write(session, tag ? [...words, `.tag=${tag}`] : words);
  }

  private fatal(session: Session, reason: string): void {
    session.socket.end(encodeSentence(['!fatal', reason]));
    this.sessions.delete(session);
  }

  private handle(session: Session, words: string[]): void {
    this.log.push(words);
    const [command = '', ...rest] = words;
    const attrs: Item = {};
    const queries: string[] = [];
    let tag: string | undefined;
    for (const w of rest) {
      if (w.startsWith('=')) {
        const eq = w.indexOf('=', 1);
        if (eq < 0) attrs[w.slice(1)] = '';
        else attrs[w.slice(1, eq)] = w.slice(eq + 1);
      } else if (w.startsWith('.tag=')) tag = w.slice(5) || undefined;
      else if (w.startsWith('?')) queries.push(w);
    }
    const trap = (message: string, category?: number) => {
      this.reply(session, tag, category === undefined ? ['!trap', `=message=${message}`] : ['!trap', `=category=${category}`, `=message=${message}`]);
      this.reply(session, tag, ['!done']);
    };
    if (this.fatalOn !== undefined && command.startsWith(this.fatalOn)) {
      this.fatalOn = undefined;
      this.fatal(session, 'simulated fatal error');
      return;
    }
    if (command === '/quit') return this.fatal(session, 'session terminated on request');
    if (!session.loggedIn) {
      if (command !== '/login') {
        if (++session.before > (this.opts.maxBeforeLogin ?? 8)) return this.fatal(session, 'not logged in');
        return trap('not logged in', 5);
      }
      return this.handleLogin(session, tag, attrs, trap);
    }
    if (command === '/cancel') {
      // Replies are immediate here, so nothing is ever still running to interrupt.
      this.reply(session, tag, ['!done']);
      return;
    }
    try {
      const { rows, ret } = this.state.exec(command, attrs, queries);
      for (const row of rows) this.reply(session, tag, ['!re', ...Object.entries(row).map(([k, v]) => `=${k}=${v}`)]);
      if (rows.length === 0 && ret === undefined && this.emitEmpty && /\/(print|getall)$/.test(command)) this.reply(session, tag, ['!empty']);
      this.reply(session, tag, ret === undefined ? ['!done'] : ['!done', `=ret=${ret}`]);
    } catch (err) {
      if (err instanceof Trap) return trap(err.message, err.category);
      trap(`failure: ${(err as Error).message}`, 4);
    }
  }

  private handleLogin(session: Session, tag: string | undefined, attrs: Item, trap: (m: string, c?: number) => void): void {
    const users = this.opts.users ?? { admin: '' };
    const name = attrs.name ?? '';
    const known = Object.hasOwn(users, name);
    const ok = () => {
      session.loggedIn = true;
      this.reply(session, tag, ['!done']);
    };
    const fail = () => trap('invalid user name or password (6)');
    if (this.login === 'reject') return fail();
    if (attrs.response !== undefined) {
      if (this.login === 'plain' || !session.challenge) return fail();
      const expected = challengeResponse(users[name] ?? '', session.challenge);
      session.challenge = undefined;
      return known && attrs.response === expected ? ok() : fail();
    }
    if (this.login === 'legacy' || (this.login === 'both' && attrs.password === undefined)) {
      // Pre-6.43 routers ignore the password and answer with a challenge (Part 1.6).
      session.challenge = randomBytes(16).toString('hex');
      this.reply(session, tag, ['!done', `=ret=${session.challenge}`]);
      return;
    }
    return known && users[name] === attrs.password ? ok() : fail();
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RouterOsSimulator> {
  const sim = new RouterOsSimulator(opts);
  await sim.listen();
  return sim;
}
