/**
 * Soak: a real server process with 1,000 simulated devices online (each logged in over HTTP from its own
 * loopback address, moving simulated traffic) and 500 of them subscribed over WebSocket, while a
 * guessing flood and a trickle of new logins run, for a bounded time: 30 s here, longer with
 * PORTICO_SOAK_SECONDS (e.g. 600). Asserts behaviour, not speed: memory flat, no subscriber dropped or
 * starved of an accounting pass, no login lost; latencies are printed for the record.
 */
import { describe, expect, it } from 'vitest';
import { client, fleet, type LoadOutput } from '../../scripts/bench/lib/fleet.js';
import { percentile, ROUTER_NODE_FLAGS, rssOf } from '../../scripts/bench/lib/server.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const seconds = Math.min(3600, Math.max(10, Number(process.env.PORTICO_SOAK_SECONDS ?? 30)));

interface WsOutput {
  connected: number;
  stillOpen: number;
  closedEarly: number;
  rounds: { deliveries: number; spreadMs: number }[];
  minPerClient: number;
}

describe('soak', () => {
  it(`1,000 devices, 500 WebSocket subscribers, ${seconds} s: memory flat, nothing lost`, { timeout: (seconds + 150) * 1000 }, async () => {
    const pollMs = 2000;
    // Compiled and with the router's V8 flags, as a gateway runs it: the heap is collected on the
    // router's schedule, so growth that stays is growth that leaks (not V8 warming up a large heap).
    const f = await fleet({ devices: 1000, extraVouchers: 5000, mode: 'dist', nodeFlags: ROUTER_NODE_FLAGS, config: { accounting: { pollMs } } });
    try {
      const wsUrl = `${f.server.url.replace('http', 'ws')}/ws`;
      const subscribers = client<WsOutput>('ws-load', { url: wsUrl, offset: 0, count: 500, durationMs: seconds * 1000 }, (seconds + 60) * 1000);
      const flood = client<LoadOutput>('login-load', { url: f.server.url, mode: 'guess', concurrency: 4, durationMs: seconds * 1000, ipOffset: 40_000, guessDevices: 50 }, (seconds + 60) * 1000);
      // New residents arriving throughout: a bounded trickle of logins from fresh addresses.
      const trickleFile = join(f.server.dir, 'trickle.json');
      writeFileSync(trickleFile, JSON.stringify(f.spare.slice(0, Math.min(f.spare.length, seconds * 20))));
      const trickle = client<LoadOutput>('login-load', { url: f.server.url, codesFile: trickleFile, concurrency: 1, ipOffset: 20_000 }, (seconds + 120) * 1000);

      const rss: number[] = [];
      const t0 = Date.now();
      while (Date.now() - t0 < seconds * 1000) {
        rss.push(rssOf(f.server.pid));
        await new Promise((r) => setTimeout(r, 1000));
      }
      const ws = await subscribers;
      const guesses = await flood;
      const logins = await trickle;
      await Promise.all([ws.end(), guesses.end(), logins.end()]);

      const third = Math.max(1, Math.floor(rss.length / 3));
      const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const early = avg(rss.slice(third, 2 * third));
      const late = avg(rss.slice(-third));
      const spreads = ws.result.rounds.map((r) => r.spreadMs).filter(Number.isFinite).sort((a, b) => a - b);
      const lat = [...logins.result.latenciesMs].sort((a, b) => a - b);
      console.log(
        `soak ${seconds} s: RSS ${Math.round(early / 2 ** 20)} → ${Math.round(late / 2 ** 20)} MB (max ${Math.round(Math.max(...rss) / 2 ** 20)} MB); ` +
          `WS fan-out to 500 p50 ${percentile(spreads, 50)} ms, p99 ${percentile(spreads, 99)} ms over ${spreads.length} passes; ` +
          `logins ${logins.result.statuses['200'] ?? 0} p50 ${percentile(lat, 50).toFixed(1)} ms p99 ${percentile(lat, 99).toFixed(1)} ms; guesses ${JSON.stringify(guesses.result.statuses)}`,
      );

      // Memory flat: the last third of the run is within 15 % of the middle third.
      expect(late).toBeLessThan(early * 1.15);
      // No subscriber dropped, none starved: each got its snapshot plus an update for (nearly) every pass.
      expect(ws.result.connected).toBe(500);
      expect(ws.result.stillOpen).toBe(500);
      expect(ws.result.closedEarly).toBe(0);
      const passes = Math.floor((seconds * 1000) / pollMs);
      expect(ws.result.minPerClient).toBeGreaterThanOrEqual(passes - 3);
      // No login lost, no guess succeeded.
      expect(logins.result.statuses).toEqual({ 200: logins.result.latenciesMs.length });
      expect(guesses.result.statuses['200'] ?? 0).toBe(0);
      expect(await (await fetch(`${f.server.url}/healthz`)).json()).toMatchObject({ ok: true });
    } finally {
      await f.stop();
    }
  });
});
