/**
 * Load generator for the login benchmarks, run as its own process so client and server do not share an
 * event loop. Each login comes from its own loopback source address (127.a.b.c) on a fresh connection,
 * the way a new phone would arrive, so the server sees a distinct device every time.
 *
 *   node --import tsx scripts/bench/lib/login-load.ts '{"url":"http://127.0.0.1:8080","codesFile":"codes.json","concurrency":16}'
 *
 * Modes: `login` POSTs each code once from a new address and records the latency of every request;
 * `guess` POSTs well-formed wrong codes from `guessDevices` addresses until `durationMs` has passed.
 * Prints one JSON line: { statuses, latenciesMs, elapsedMs }.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { ALPHABET, checkChar } from '../../../src/domain/code.js';
import { sourceAddress } from './addresses.js';

interface Args {
  url: string;
  mode?: 'login' | 'guess';
  codesFile?: string;
  concurrency: number;
  /** First source address index (keeps login and guess runs on different addresses). */
  ipOffset?: number;
  durationMs?: number;
  guessDevices?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;

function post(path: string, body: string, localAddress: string): Promise<number> {
  const u = new URL(path, args.url);
  return new Promise((ok) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress, agent: false, timeout: 10_000,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), accept: 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => ok(res.statusCode ?? 0));
      },
    );
    req.on('error', () => ok(0));
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}

async function main() {
  const statuses: Record<number, number> = {};
  const latencies: number[] = [];
  const offset = args.ipOffset ?? 0;
  const t0 = performance.now();
  if ((args.mode ?? 'login') === 'login') {
    const codes = JSON.parse(readFileSync(args.codesFile!, 'utf8')) as string[];
    let next = 0;
    await Promise.all(
      Array.from({ length: args.concurrency }, async () => {
        while (next < codes.length) {
          const k = next++;
          const s = performance.now();
          const status = await post('/login', `code=${codes[k]}`, sourceAddress(offset + k));
          latencies.push(performance.now() - s);
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
  } else {
    let x = 12345;
    const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % 32;
    const end = t0 + (args.durationMs ?? 5000);
    let n = 0;
    await Promise.all(
      Array.from({ length: args.concurrency }, async () => {
        while (performance.now() < end) {
          let data = '';
          for (let i = 0; i < 10; i++) data += ALPHABET[rnd()];
          const status = await post('/login', `code=${data}${checkChar(data)}`, sourceAddress(offset + (n++ % (args.guessDevices ?? 50))));
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      }),
    );
  }
  process.stdout.write(JSON.stringify({ statuses, latenciesMs: latencies, elapsedMs: performance.now() - t0 }) + '\n');
}

await main();
