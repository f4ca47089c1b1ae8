/**
 * RADIUS server figures (SPEC §8): Access-Request → Access-Accept per second and its latency against a
 * real `portico serve` (compiled, its own process, durable SQLite store), first use and
 * re-authorization, then Interim-Updates per second; and, in the same run, FreeRADIUS 3.2 answering
 * the same load from its `files` module as calibration (perf-anchors.md: `files` ≈ 3,000–15,000/s,
 * the daloRADIUS design on sqlite 400–450/s). The load generator is lib/radius-load.ts (node:dgram +
 * Portico's codec; radclient is too slow to load anything): 64 requests outstanding over 4 sockets,
 * PAP + Message-Authenticator, each code from its own MAC, unanswered requests retransmitted after 1 s,
 * 3 tries. Every code is valid, so any Reject is a false reject and any request unanswered after three
 * tries is a drop: the pass condition needs none of either.
 *
 *   npm run bench -- --only radius
 */
import type { Buffer } from 'node:buffer';
import { rmSync } from 'node:fs';
import { Code, get, type AttributeInput } from '../../src/radius/index.js';
import type { BenchResult } from './types.js';
import { hasFreeradius, startFreeradius } from './lib/freeradius.js';
import { freeUdpPort, radiusLoad, type LoadResult } from './lib/radius-load.js';
import { seed } from './lib/seed.js';
import { freePort, percentile, round, scratchDir, startServer } from './lib/server.js';

const SECRET = 'bench-radius-secret-24-chars';
const COMMAND = 'npm run bench -- --only radius';

const mac = (i: number) => `02-BE-${[(i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff].map((b) => b.toString(16).padStart(2, '0')).join('-')}`.toUpperCase();
const access = (code: string, i: number): AttributeInput[] => [
  ['User-Name', code], ['User-Password', code], ['Calling-Station-Id', mac(i)], ['NAS-Identifier', 'bench'], ['Framed-IP-Address', `10.${40 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}`],
];
const perSecond = (r: LoadResult, code: number) => ((r.replies[code] ?? 0) * 1000) / r.durationMs;
const describe = (r: LoadResult) =>
  `${r.replies[Code.AccessAccept] ?? r.replies[Code.AccountingResponse] ?? 0} answered in ${round(r.durationMs / 1000, 2)} s, p50 ${round(percentile(r.latenciesMs, 50), 2)} ms, p99 ${round(percentile(r.latenciesMs, 99), 2)} ms, ` +
  `${r.replies[Code.AccessReject] ?? 0} rejects, ${r.drops} drops, ${r.retransmits} retransmits`;

export async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  const n = quick ? 4000 : 20_000;
  const warm = Math.min(500, n / 10);
  // Latency at a steady offered rate (the anchors' "p99 at a fixed rate"), on codes of their own.
  const rate = 500;
  const paced = quick ? 2000 : 5000;
  const dir = scratchDir('radius');
  const port = await freePort();
  const [authPort, acctPort] = [await freeUdpPort(), await freeUdpPort()];
  const radius = {
    radius: {
      server: {
        enabled: true, host: '127.0.0.1', authPort, acctPort, interimIntervalSec: 300,
        nas: [{ name: 'bench', address: '127.0.0.1', secret: SECRET, profile: 'mikrotik', coaPort: 0 }],
      },
    },
  };
  const codes = await seed(dir, port, { vouchers: n + warm + paced, config: radius });
  const server = await startServer({ dir, port, config: radius, mode: 'dist' });
  const rows: BenchResult[] = [];
  try {
    const load = (count: number, offset: number, extra: Partial<Parameters<typeof radiusLoad>[0]> = {}) =>
      radiusLoad({ port: authPort, secret: SECRET, requests: count, attrs: (i) => access(codes[offset + i]!, offset + i), ...extra });
    await load(warm, n);
    const classes: Buffer[] = [];
    const refusals: Record<string, number> = {};
    const first = await load(n, 0, {
      onReply: (i, p) => {
        if (p.code === Code.AccessAccept) classes.push(get(p, 'Class')!);
        else refusals[get(p, 'Reply-Message') ?? '?'] = (refusals[get(p, 'Reply-Message') ?? '?'] ?? 0) + 1;
        void i;
      },
    });
    const again = await load(n, 0);
    const steady = await load(paced, n + warm, { ratePerSec: rate });
    const interims = await radiusLoad({
      port: acctPort, secret: SECRET, code: Code.AccountingRequest, requests: classes.length,
      attrs: (i): AttributeInput[] => [
        ['Acct-Status-Type', 3], ['Acct-Session-Id', `b${i}`], ['Class', classes[i]!], ['Calling-Station-Id', mac(i)],
        ['Acct-Input-Octets', 1000 + i], ['Acct-Output-Octets', 50_000 + i], ['Acct-Session-Time', 300],
      ],
    });

    const accepts = perSecond(first, Code.AccessAccept);
    const p99 = percentile(steady.latenciesMs, 99);
    const clean = (r: LoadResult) => (r.replies[Code.AccessReject] ?? 0) === 0 && r.drops === 0 && r.bad === 0;
    rows.push(
      {
        id: 'radius_accepts_per_s', label: 'RADIUS Access-Accept/s, first use (portico serve)', value: Math.round(accepts), unit: '/s', target: '≥ 1,000/s, 0 false rejects, 0 drops',
        pass: accepts >= 1000 && clean(first), command: COMMAND,
        note: `${n} distinct valid codes, 64 outstanding: ${describe(first)}${Object.keys(refusals).length ? `; refusals: ${JSON.stringify(refusals)}` : ''}`,
      },
      {
        id: 'radius_accept_p99_ms', label: `RADIUS Access-Accept p99 at a steady ${rate}/s (first use)`, value: round(p99, 2), unit: 'ms', target: '≤ 50 ms',
        pass: p99 <= 50 && clean(steady), command: COMMAND,
        note: `${paced} codes offered at ${rate}/s: ${describe(steady)}; saturated (64 outstanding) p99 was ${round(percentile(first.latenciesMs, 99), 2)} ms`,
      },
      {
        id: 'radius_reauth_accepts_per_s', label: 'RADIUS Access-Accept/s, re-authorization', value: Math.round(perSecond(again, Code.AccessAccept)), unit: '/s', target: '≥ 1,000/s, 0 false rejects',
        pass: perSecond(again, Code.AccessAccept) >= 1000 && clean(again), command: COMMAND, note: `the same codes and MACs again: ${describe(again)}`,
      },
      {
        id: 'radius_interims_per_s', label: 'RADIUS Interim-Update → Response/s', value: Math.round(perSecond(interims, Code.AccountingResponse)), unit: '/s', target: '≥ 5,000/s',
        pass: perSecond(interims, Code.AccountingResponse) >= 5000 && interims.drops === 0, command: COMMAND, note: `one Interim per session, written to the pool at once: ${describe(interims)}`,
      },
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  if (!hasFreeradius()) {
    rows.push({ id: 'freeradius_files_accepts_per_s', label: 'FreeRADIUS files calibration', value: 0, unit: '/s', target: 'calibration', pass: null, command: COMMAND, note: 'skipped: freeradius (Debian package freeradius) is not installed' });
    return rows;
  }
  const frPort = await freeUdpPort();
  const fr = await startFreeradius({
    port: frPort, secret: SECRET, codes,
    ready: async () => ((await radiusLoad({ port: frPort, secret: SECRET, requests: 1, attrs: () => access(codes[0]!, 0), tries: 1, timeoutMs: 300 })).replies[Code.AccessAccept] ?? 0) === 1,
  });
  try {
    await radiusLoad({ port: frPort, secret: SECRET, requests: warm, attrs: (i) => access(codes[n + i]!, n + i) });
    const r = await radiusLoad({ port: frPort, secret: SECRET, requests: n, attrs: (i) => access(codes[i]!, i) });
    const frRate = perSecond(r, Code.AccessAccept);
    const ours = rows[0]!.value;
    rows.push({
      id: 'freeradius_files_accepts_per_s', label: 'FreeRADIUS 3.2 files module, same load (calibration)', value: Math.round(frRate), unit: '/s', target: 'calibration', pass: null, command: COMMAND,
      note: `${describe(r)}; Portico first use = ${round(ours / frRate, 2)}× files, ${round(ours / 450, 1)}× the 450/s of FreeRADIUS+sqlite+sqlcounter (perf-anchors.md)`,
    });
  } finally {
    await fr.stop();
  }
  return rows;
}
