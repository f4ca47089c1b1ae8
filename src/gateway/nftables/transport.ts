/**
 * How commands reach the kernel. `CommandRunner` runs a program (optionally inside `ip netns exec` in
 * tests); `NftSession` keeps one `nft -i` process for writes and two `nft -j -i` for reads, because a
 * fresh `nft` costs 15–20 ms here (it loads the whole ruleset cache) while a line to a running one
 * costs ~0.3 ms (SPEC §8 login → online).
 *
 * Framing: `nft -i` prints no prompt on a pipe, so completion is detected from output we provoke.
 * - write: the batch line ends with `add set inet <t> _batch { …; elements = { N } }` (N counts
 *   batches; nft prints it as 0x%08x), so the marker is there only if the whole batch committed. The
 *   next line, `describe meta mark`, always prints (no kernel, no cache): seeing it means the batch was
 *   processed. nft says nothing about a batch that went in, and writes what it says to stderr before it
 *   reads the next line, so a silent stderr means success; when it did say something (an error, or a
 *   warning about a batch that went in all the same) the marker decides: `list set … _batch` shows
 *   whether `{ N }` is in. That list is off the common path because each command costs ~0.2–0.3 ms of
 *   nft (a login's batch with it was ~1.9 ms, ~1.3 ms without). The set keeps one element per batch
 *   and is emptied in the first batch of a session (a reused N must not be taken for this one) and
 *   every 256th.
 *   No `-e` (echo) and no `delete table`: both make nft 1.0.x load the whole ruleset cache for every
 *   line, which cost ~70 ms per batch with 1,000 devices online (vs ~8 ms without).
 * - read: the query line is followed by the same `describe meta mark`, whose text is never JSON, so the
 *   query's own `{"nftables": …}` line (or its absence, on error) is unambiguous. It used to be `list
 *   tables`, which made nft load the whole ruleset cache once more per read (~75 ms with 2,000 devices).
 * - `describe` may reach the pipe in two writes (`…datatype mark (packet mark)` and then ` (basetype
 *   integer), 32 bits`): completion is its whole line, otherwise the rest of it would lead the next
 *   command's output (a read then found no JSON and failed with "no output").
 *
 * @example
 *   const nft = createNftSession({ runner: nodeRunner(), nftPath: 'nft', table: 'portico' });
 *   await nft.apply(['add table inet portico']);
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { GatewayError } from '../driver.js';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  exec(argv: string[], input?: string): Promise<ExecResult>;
  /** Starts a long-lived program; `env` is added to this process's environment. */
  spawn(argv: string[], env?: Record<string, string>): ChildProcess;
}

/** Runs programs directly, or with a prefix such as `['ip', 'netns', 'exec', 'gw']`. */
export function nodeRunner(prefix: string[] = []): CommandRunner {
  const full = (argv: string[]) => [...prefix, ...argv];
  return {
    exec(argv, input) {
      const [file, ...args] = full(argv);
      return new Promise((resolve, reject) => {
        const child = execFile(file!, args, { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
          if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
            reject(new GatewayError(`cannot run ${file}: ${err.message}`, { cause: err }));
            return;
          }
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
        if (input !== undefined) {
          // A program that exits without reading all of it (or fails to start) must not become an
          // unhandled EPIPE that ends Portico: its exit status says what happened.
          child.stdin?.on('error', () => {});
          child.stdin?.end(input);
        }
      });
    },
    spawn(argv, env) {
      const [file, ...args] = full(argv);
      return spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) });
    },
  };
}

export interface NftSession {
  /** Applies the commands as one atomic batch (split into several only past `maxLine`). */
  apply(cmds: string[]): Promise<void>;
  /** Runs one `list …` command and returns the parsed `nftables` array. */
  list(what: string): Promise<unknown[]>;
  /**
   * Runs several `list …` commands, spread over the reader processes so that they run side by side
   * (each costs nft CPU time, not kernel time: a counter sweep takes the longest one, not the sum).
   * A read waits for the batch in flight and batches wait for it, so it sees one committed state;
   * `alongside` reads without waiting either way (the counter sweep: with 1,000 devices its ~40 ms
   * held every login behind it), and its caller must allow for batches landing meanwhile.
   */
  listAll(whats: string[], opts?: { missing?: 'empty'; alongside?: boolean }): Promise<unknown[][]>;
  /** Starts the writer's process now (start-up: it starts while the caller reads the table). */
  warm(): void;
  /** How many times a fresh writer process took over (WRITER_BYTES). */
  writerRotations(): number;
  close(): Promise<void>;
}

interface Line {
  child: ChildProcess;
  /** stdout since the last answer, in the pieces the pipe gave it (joined once, at the end). */
  out: string[];
  /** The end of stdout so far, where the terminator's line is looked for. */
  tail: string;
  /** Whether the terminator's whole line has arrived. */
  done: boolean;
  err: string;
  waiter: (() => void) | null;
  dead: Error | null;
}

/**
 * `nft -i` keeps a line-editor history in $HOME/.nft.history: it reads the whole file when it starts
 * and rewrites it when it exits, and every batch line we send is in it (Debian's nft 1.0.6 with
 * libedit: a 7 MB file here, ~80 ms to read and ~280 ms to write per process, so each of the three
 * processes of a start-up waited ~250 ms before its first answer, and a restart's exiting processes
 * rewrote it on a router's flash). A HOME under which no file can exist turns both off.
 */
const NO_HISTORY = { HOME: '/dev/null' };

/** What every answer ends with: `describe meta mark` (no kernel, no cache) prints it, and nothing else nft prints contains it. */
const TERMINATOR = 'describe meta mark';
/** The whole line it prints. */
const TERMINATED = /datatype mark \(packet mark\)[^\n]*\n/;
/** Longer than that line, so the tail holds all of it however the pipe split it. */
const TAIL = 160;

/**
 * One queue per process: nft handles lines in order, and so do we. The terminator is looked for in the
 * tail only: a large answer (a map of 2,000 devices is ~340 KB) reaches us in many pipe reads, and
 * looking through the whole answer after each of them made reading it quadratic in its size.
 */
function openLine(runner: CommandRunner, argv: string[]): Line {
  const child = runner.spawn(argv, NO_HISTORY);
  const line: Line = { child, out: [], tail: '', done: false, err: '', waiter: null, dead: null };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    line.out.push(d);
    const look = line.tail + d;
    if (TERMINATED.test(look)) line.done = true;
    line.tail = look.slice(-TAIL);
    line.waiter?.();
  });
  child.stderr!.on('data', (d: string) => {
    line.err += d;
  });
  const die = (e: Error) => {
    line.dead ??= e;
    line.waiter?.();
  };
  child.on('error', (e) => die(new GatewayError(`${argv.join(' ')}: ${e.message}`, { cause: e })));
  child.on('exit', (code) => die(new GatewayError(`${argv.join(' ')} exited (${String(code)})`)));
  child.stdin!.on('error', () => {});
  return line;
}

export interface NftSessionOptions {
  runner: CommandRunner;
  nftPath: string;
  table: string;
  /** Longest batch line; longer command lists are split at command boundaries. */
  maxLine?: number;
  /** `nft -j -i` processes for reads (default 2: one per core of a small router). */
  readers?: number;
  /** Text sent to one writer process before a fresh one takes over (default 2 MiB: see WRITER_BYTES). */
  writerBytes?: number;
}

/**
 * nft's interactive mode keeps every line it was given in memory (its line editor's history, even with
 * no history file): measured with nft 1.0.6, the writer's RSS grew ~2.1 MB per 5,000 login-sized
 * batches and without end, so a gateway up for months would give a router's RAM to it. After this much
 * text the writer is replaced: the old process is told to end once its last batch is answered, and the
 * new one starts at once, so the next batch does not wait for a start. Reads send short lines and did
 * not grow (20,000 `list` lines: no change), so the readers are kept.
 */
const WRITER_BYTES = 2 * 1024 * 1024;

export function createNftSession(opts: NftSessionOptions): NftSession {
  const maxLine = opts.maxLine ?? 256 * 1024;
  const t = `inet ${opts.table}`;
  let writer: Line | null = null;
  /** Text the current writer process has been sent. */
  let writerSent = 0;
  let rotations = 0;
  const writerBytes = opts.writerBytes ?? WRITER_BYTES;
  const readers: Array<Line | null> = Array.from({ length: Math.max(1, opts.readers ?? 2) }, () => null);
  let seq = 0;

  /** A queue: tasks run one after another, in the order they were given. */
  const queue = () => {
    let tail: Promise<unknown> = Promise.resolve();
    return <T>(task: () => Promise<T>): Promise<T> => {
      const next = tail.then(task, task);
      tail = next.catch(() => undefined);
      return next;
    };
  };
  /** Batches and the reads that must see a committed state. */
  const serial = queue();
  /** Every read: the reader processes answer one question at a time. */
  const reading = queue();

  const live = (l: Line | null, argv: string[]): Line => (l && !l.dead ? l : openLine(opts.runner, argv));

  /** Waits for the terminator (or the process's end), then hands back and clears the buffers. */
  const waitFor = async (l: Line): Promise<{ out: string; err: string }> => {
    while (!l.done) {
      if (l.dead) throw l.dead;
      await new Promise<void>((r) => (l.waiter = r));
      l.waiter = null;
    }
    // stderr travels on its own pipe; give it one turn of the loop to arrive.
    await new Promise((r) => setImmediate(r));
    const res = { out: l.out.join(''), err: l.err };
    l.out = [];
    l.tail = '';
    l.done = false;
    l.err = '';
    return res;
  };

  const currentWriter = (): Line => {
    if (!writer || writer.dead) writerSent = 0;
    return (writer = live(writer, [opts.nftPath, '-i']));
  };

  /** After a batch: a writer sent `writerBytes` is told to end, and its successor starts (see WRITER_BYTES). */
  const rotate = (): void => {
    if (!writer || writer.dead || writerSent < writerBytes) return;
    writer.child.stdin!.end();
    writer = openLine(opts.runner, [opts.nftPath, '-i']);
    writerSent = 0;
    rotations++;
  };

  const writeBatch = async (line: string): Promise<void> => {
    const w = currentWriter();
    writerSent += line.length;
    try {
      await sendBatch(w, line);
    } finally {
      rotate();
    }
  };

  const sendBatch = async (w: Line, line: string): Promise<void> => {
    const n = (seq = (seq % 0xfffffff0) + 1);
    // `add set … elements`, not `add element`: the latter makes nft load every chain and stateful object
    // first (ruleset.ts, ELEMENT_SETS), which every batch would then pay.
    const add = `add set ${t} _batch { type mark; elements = { ${n} } }`;
    const marker = n === 1 || n % 256 === 0 ? `add set ${t} _batch { type mark; }; flush set ${t} _batch; ${add}` : add;
    w.child.stdin!.write(`${line}; ${marker}\n${TERMINATOR}\n`);
    const { err } = await waitFor(w);
    if (!err.trim()) return;
    w.child.stdin!.write(`list set ${t} _batch\n${TERMINATOR}\n`);
    const { out } = await waitFor(w);
    // nft prints mark elements in hex (`elements = { 0x00000011, … }`).
    if (!new RegExp(`[{\\s]0x${n.toString(16).padStart(8, '0')}[\\s,}]`).test(out)) throw new GatewayError(`nft refused the batch: ${firstError(err) || 'no detail'}`);
  };

  const readOne = async (r: Line, what: string, missing: 'empty' | undefined): Promise<unknown[]> => {
    if (what.includes('\n')) throw new GatewayError('nft command with a newline');
    r.child.stdin!.write(`${what}\n${TERMINATOR}\n`);
    const { out, err: first } = await waitFor(r);
    const json = out.split('\n').find((l) => l.startsWith('{"nftables"'));
    let err = first;
    // A refusal's text may still be on its way (its own pipe): wait for it, briefly, before judging.
    for (let i = 0; !json && !err && i < 50; i++) {
      await new Promise((res) => setTimeout(res, 1));
      err = r.err;
      r.err = '';
    }
    if (!json && missing === 'empty' && /No such file or directory/.test(err)) return [];
    if (!json) throw new GatewayError(`nft ${what}: ${firstError(err) || 'no output'}`);
    const parsed = JSON.parse(json) as { nftables?: unknown[] };
    return parsed.nftables ?? [];
  };

  const readAll = async (whats: string[], o: { missing?: 'empty' }): Promise<unknown[][]> => {
    const results = new Array<unknown[]>(whats.length);
    // allSettled: a reader still busy when the slot ends would share its pipe with the next read.
    const settled = await Promise.allSettled(
      readers.map(async (_, i) => {
        for (let k = i; k < whats.length; k += readers.length) {
          const r = (readers[i] = live(readers[i]!, [opts.nftPath, '-j', '-i']));
          results[k] = await readOne(r, whats[k]!, o.missing);
        }
      }),
    );
    const failed = settled.find((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed) throw failed.reason;
    return results;
  };

  const listAll = (whats: string[], o: { missing?: 'empty'; alongside?: boolean } = {}): Promise<unknown[][]> =>
    o.alongside ? reading(() => readAll(whats, o)) : serial(() => reading(() => readAll(whats, o)));

  return {
    apply(cmds) {
      return serial(async () => {
        let line = '';
        for (const c of cmds) {
          if (c.includes('\n')) throw new GatewayError('nft command with a newline');
          if (line && line.length + c.length + 2 > maxLine) {
            await writeBatch(line);
            line = '';
          }
          line = line ? `${line}; ${c}` : c;
        }
        if (line) await writeBatch(line);
      });
    },
    async list(what) {
      return (await listAll([what]))[0]!;
    },
    listAll,
    warm() {
      currentWriter();
    },
    writerRotations: () => rotations,
    async close() {
      await serial(async () => {});
      await reading(async () => {});
      for (const l of [writer, ...readers]) {
        if (l && !l.dead) {
          l.child.stdin!.end();
          l.child.kill();
        }
      }
      writer = null;
      readers.fill(null);
    },
  };
}

function firstError(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim())
    .slice(0, 3)
    .join(' | ');
}
