/**
 * WebSocket load client for the fan-out and memory figures, in its own process. Opens `count`
 * subscribers to the `device` topic, each from the loopback address its device logged in from (the hub
 * knows a device by its TCP peer), plus one `network` subscriber. Each `device` update carries the server
 * timestamp of its accounting pass; for every pass it records when the last update arrived.
 *
 *   node --import tsx scripts/bench/lib/ws-load.ts '{"url":"ws://127.0.0.1:8080/ws","offset":0,"count":1000,"durationMs":20000}'
 *
 * Prints one JSON line: { connected, failed, stillOpen, closedEarly, rounds: [{ deliveries, spreadMs }], messages,
 * minPerClient } (minPerClient: the fewest messages any one subscriber got, snapshot included).
 */
import WebSocket from 'ws';
import { sourceAddress } from './addresses.js';

interface Args {
  url: string;
  offset: number;
  count: number;
  durationMs: number;
  /** Also hold the connections open this long after the rounds, for memory readings (ms). */
  holdMs?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;

function open(topics: string, localAddress: string, onMessage: (data: string) => void): Promise<WebSocket | null> {
  return new Promise((ok) => {
    const ws = new WebSocket(`${args.url}?topics=${topics}`, { localAddress, perMessageDeflate: false, handshakeTimeout: 10_000 });
    ws.on('open', () => ok(ws));
    ws.on('message', (d) => onMessage(d.toString()));
    ws.on('error', () => ok(null));
  });
}

async function main() {
  let closedEarly = 0;
  let messages = 0;
  // One round per accounting pass, keyed by the pass's server timestamp carried in each update.
  const passes = new Map<number, { deliveries: number; lastArrival: number }>();

  // The `network` subscriber fills the hub's connection cap like a status-page viewer would.
  const reference = await open('network', '127.0.0.1', () => {});
  const clients: WebSocket[] = [];
  const perClient: number[] = [];
  let failed = 0;
  // Connect in slices so the handshake burst does not look like an attack to the server's caps.
  for (let k = 0; k < args.count; k += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, args.count - k) }, (_, j) =>
        open('device', sourceAddress(args.offset + k + j), (data) => {
          messages++;
          perClient[k + j] = (perClient[k + j] ?? 0) + 1;
          const arrival = Date.now();
          if (!data.includes('"kind":"delta"')) return;
          // The pass's timestamp by a pattern, not JSON.parse: this one process reads for all 1,000
          // subscribers on the server's two cores, and parsing every message held back its reading of
          // the later ones by ~15 ms, time the server's delivery did not take.
          const m = /"at":(\d+)/.exec(data);
          if (!m) return;
          const at = Number(m[1]);
          const pass = passes.get(at) ?? { deliveries: 0, lastArrival: 0 };
          pass.deliveries++;
          pass.lastArrival = Math.max(pass.lastArrival, arrival);
          passes.set(at, pass);
        }),
      ),
    );
    for (const ws of batch) {
      if (ws) {
        clients.push(ws);
        ws.on('close', () => closedEarly++);
      } else failed++;
    }
  }
  const allConnected = Date.now();
  await new Promise((r) => setTimeout(r, args.durationMs));
  // Passes that began before every subscriber was connected are left out: their counts are partial, or
  // this process was still opening connections (1,000 handshakes) while their updates came in, and
  // read them late. The last pass may be cut off by the end of the run.
  const rounds = [...passes.entries()]
    .filter(([at]) => at >= allConnected)
    .sort((a, b) => a[0] - b[0])
    .map(([at, p]) => ({ deliveries: p.deliveries, spreadMs: p.lastArrival - at }));
  const connected = clients.length;
  const stillOpen = clients.filter((c) => c.readyState === WebSocket.OPEN).length;
  process.stdout.write(JSON.stringify({ connected, failed, stillOpen, closedEarly, rounds: rounds.slice(0, -1), messages, minPerClient: Math.min(...Array.from({ length: args.count }, (_, i) => perClient[i] ?? 0)) }) + '\n');
  if (args.holdMs) await new Promise((r) => setTimeout(r, args.holdMs));
  reference?.terminate();
  for (const c of clients) c.terminate();
}

await main();
