/**
 * WebSocket fan-out (SPEC §8: "resident status updates to 1,000 WebSocket subscribers, all delivered
 * within 100 ms"): 1,000 devices online, each subscribed to its own `device` topic from its own
 * address, in a client process. For every accounting pass the figure is the time from the server's
 * timestamp of the pass (the moment its counters were read, carried in each update as `at`) to the
 * arrival of the last of the 1,000 updates.
 *
 *   npm run bench -- --only ws
 */
import type { BenchResult } from './types.js';
import { client, fleet } from './lib/fleet.js';
import { percentile, round } from './lib/server.js';

interface WsOutput {
  connected: number;
  failed: number;
  stillOpen: number;
  rounds: { deliveries: number; spreadMs: number }[];
  messages: number;
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  // 999 `device` subscribers + the `network` reference = the hub's default cap of 1,000 connections.
  const subscribers = 999;
  const f = await fleet({ devices: subscribers, config: { accounting: { pollMs: 1000 } } });
  try {
    const { result: r, end } = await client<WsOutput>('ws-load', { url: `${f.server.url.replace('http', 'ws')}/ws`, offset: 0, count: subscribers, durationMs: quick ? 8000 : 20_000 }, 120_000);
    await end();
    if (r.connected !== subscribers) throw new Error(`only ${r.connected} of ${subscribers} subscribers connected (${r.failed} failed)`);
    const complete = r.rounds.filter((x) => x.deliveries >= subscribers);
    const spreads = complete.map((x) => x.spreadMs).sort((a, b) => a - b);
    const worst = spreads.at(-1) ?? NaN;
    const cmd = 'npm run bench -- --only ws';
    return [
      {
        id: 'ws_fanout_1000_p50_ms', label: 'status update to 1,000 WS subscribers, p50 of passes', value: round(percentile(spreads, 50), 1), unit: 'ms', target: '≤ 100 ms', pass: percentile(spreads, 50) <= 100, command: cmd,
        note: `${complete.length}/${r.rounds.length} accounting passes delivered to all ${subscribers} device subscribers (+1 network subscriber; still open at the end: ${r.stillOpen}); time from the pass's server timestamp to the last subscriber's update, client in another process`,
      },
      { id: 'ws_fanout_1000_max_ms', label: 'status update to 1,000 WS subscribers, worst pass', value: round(worst, 1), unit: 'ms', target: '≤ 100 ms', pass: worst <= 100, command: cmd },
    ];
  } finally {
    await f.stop();
  }
}
