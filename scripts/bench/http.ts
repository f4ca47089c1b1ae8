/**
 * HTTP figures of SPEC §8 on the simulated driver, with the server in its own process and the load in
 * another: intercepted probe answers per second (wrk), login latency and sustained logins per second (a
 * Node client sending each login from its own loopback address), login latency while a guessing flood
 * runs, and restart time with 1,000 devices online.
 *
 *   npm run bench -- --only http
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './types.js';
import { seed } from './lib/seed.js';
import { compiledEntry, percentile, probe, ROOT, round, scratchDir, startServer, freePort } from './lib/server.js';

const CMD = 'npm run bench -- --only http';

interface LoadOutput {
  statuses: Record<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
}

function runLoad(args: Record<string, unknown>, timeoutMs: number): Promise<LoadOutput> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/bench/lib/login-load.ts'), JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      if (code !== 0) return fail(new Error(`load client exited with ${code}`));
      ok(JSON.parse(out.trim().split('\n').pop()!) as LoadOutput);
    });
  });
}

function wrk(url: string, host: string, seconds: number, connections: number) {
  const r = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, url], { encoding: 'utf8', timeout: (seconds + 30) * 1000 });
  if (r.error || r.status !== 0) throw new Error(`wrk failed: ${r.error?.message ?? r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const unit = (v: string, u: string) => Number(v) * (u === 'us' ? 0.001 : u === 's' ? 1000 : 1);
  const lat = (p: string) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout);
    return m ? unit(m[1]!, m[2]!) : NaN;
  };
  const errors = /Socket errors: (.*)/.exec(r.stdout)?.[1] ?? 'none';
  return { rps, p50: lat('50'), p99: lat('99'), errors, raw: r.stdout };
}

/**
 * A bare node:http server in its own process, measured with the same wrk settings as the probes. It
 * stays up between rounds so that each round costs one wrk run.
 */
async function startCeiling(connection: 'close' | 'keep-alive'): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const src = `require('node:http').createServer((q, s) => { s.writeHead(302, { Location: 'http://127.0.0.1/', 'Content-Type': 'text/html', Connection: process.argv[1] }); s.end('<a href="/">Sign in</a>'); }).listen(${port}, '127.0.0.1', () => console.log('up'))`;
  const p = spawn(process.execPath, ['-e', src, connection], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((r) => p.stdout.once('data', () => r()));
  return {
    url: `http://127.0.0.1:${port}/`,
    async stop() {
      p.kill('SIGKILL');
      await new Promise<void>((r) => (p.exitCode !== null ? r() : p.once('exit', () => r())));
    },
  };
}

/**
 * Probes against Portico and the bare ceiling in alternating rounds (P C P C …), each figure the
 * median of its rounds: one ceiling run after one probe run drifted by up to a third between runs on
 * this machine kind (other work on its two cores), more than the difference being measured.
 */
async function probesAgainstCeiling(probeUrl: string, host: string, rounds: number, seconds: number) {
  const ceiling = await startCeiling('close');
  const probes: Array<ReturnType<typeof wrk>> = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      probes.push(wrk(probeUrl, host, seconds, 50));
      bare.push(wrk(ceiling.url, ceiling.url.slice(7, -1), seconds, 50).rps);
    }
  } finally {
    await ceiling.stop();
  }
  const keep = await startCeiling('keep-alive');
  let keepAlive: number;
  try {
    keepAlive = wrk(keep.url, keep.url.slice(7, -1), Math.min(3, seconds), 50).rps;
  } finally {
    await keep.stop();
  }
  const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const mid = median(probes.map((w) => w.rps));
  return { probe: probes.find((w) => w.rps === mid)!, probeRounds: probes.map((w) => Math.round(w.rps)), close: median(bare), closeRounds: bare.map(Math.round), keepAlive };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult[]> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed (apt-get install wrk)');
  const rows: BenchResult[] = [];

  // --- probes and logins against one server ---
  const dir = scratchDir('http');
  const port = await freePort();
  const sequential = quick ? 200 : 500;
  const sustained = quick ? 1000 : 3000;
  const underAttack = quick ? 200 : 400;
  const codes = await seed(dir, port, { vouchers: sequential + sustained + underAttack });
  const codesFile = (name: string, list: string[]) => {
    const f = join(dir, `${name}.json`);
    writeFileSync(f, JSON.stringify(list));
    return f;
  };
  const server = await startServer({ dir, port, config: { security: { networkAttemptsPerMinute: 100_000 } } });
  try {
    const probeUrl = `${server.url}/generate_204`;
    const check = await probe(probeUrl, 1000, { host: 'connectivitycheck.gstatic.com' });
    if (check !== 302) throw new Error(`a probe got ${check}, expected 302`);
    // Host decides interception; wrk sends it as a real phone would for Android's probe.
    // Calibration: the same wrk runs against a bare node:http server answering 302, so a reader can
    // tell what this machine allows (Portico closes every intercepted connection by design). SPEC §8's
    // target is a share of it, measured in the same run, round for round.
    const rounds = quick ? 3 : 5;
    const m = await probesAgainstCeiling(probeUrl, 'connectivitycheck.gstatic.com', rounds, quick ? 3 : 5);
    const w = m.probe;
    const ceiling = { close: m.close, keepAlive: m.keepAlive };
    const share = ceiling.close > 0 ? w.rps / ceiling.close : 0;
    rows.push({
      id: 'probe_answers_per_s', label: 'intercepted probe answers (302)', value: Math.round(w.rps), unit: 'req/s', target: '≥ 90 % of the bare node:http ceiling', pass: share >= 0.9,
      command: `${CMD}   # or: wrk -t1 -c50 -d15s -H 'Host: connectivitycheck.gstatic.com' http://127.0.0.1:PORT/generate_204`,
      note: `${Math.round(share * 100)} % of the same run's bare node:http 302-with-close ceiling (medians of ${rounds} alternating rounds each: probes ${m.probeRounds.join(', ')}; bare ${m.closeRounds.join(', ')}); wrk, 50 connections, Connection: close on every answer (new TCP connection per probe); p50 ${round(w.p50, 2)} ms, p99 ${round(w.p99, 2)} ms; socket errors: ${w.errors}`,
    });
    rows.push({
      id: 'node_http_302_ceiling_per_s', label: 'calibration: bare node:http 302 with Connection: close', value: Math.round(ceiling.close), unit: 'req/s', target: '—', pass: null, command: CMD,
      note: `same wrk settings; keep-alive hello-world on this machine: ${Math.round(ceiling.keepAlive)} req/s`,
    });
    rows.push({ id: 'probe_p99_ms', label: 'probe answer p99 under that load', value: round(w.p99, 2), unit: 'ms', target: '—', pass: null, command: CMD });

    const seq = await runLoad({ url: server.url, codesFile: codesFile('seq', codes.slice(0, sequential)), concurrency: 1, ipOffset: 0 }, 120_000);
    const lat = [...seq.latenciesMs].sort((a, b) => a - b);
    const ok = (o: LoadOutput) => o.statuses['200'] ?? 0;
    if (ok(seq) !== sequential) throw new Error(`sequential logins: ${JSON.stringify(seq.statuses)}`);
    const note = `simulated driver: the 200 is sent after the gateway authorized the device, so this is login → online; ${sequential} logins one at a time, each from a new address on a new connection`;
    rows.push({ id: 'login_p50_ms', label: 'login → online p50 (simulated, HTTP)', value: round(percentile(lat, 50), 2), unit: 'ms', target: '≤ 5 ms', pass: percentile(lat, 50) <= 5, command: CMD, note });
    rows.push({ id: 'login_p99_ms', label: 'login → online p99 (simulated, HTTP)', value: round(percentile(lat, 99), 2), unit: 'ms', target: '≤ 20 ms', pass: percentile(lat, 99) <= 20, command: CMD, note });

    const sus = await runLoad({ url: server.url, codesFile: codesFile('sus', codes.slice(sequential, sequential + sustained)), concurrency: 16, ipOffset: 10_000 }, 180_000);
    if (ok(sus) !== sustained) throw new Error(`sustained logins: ${JSON.stringify(sus.statuses)}`);
    const lps = (sustained / sus.elapsedMs) * 1000;
    const susLat = [...sus.latenciesMs].sort((a, b) => a - b);
    rows.push({
      id: 'logins_per_s', label: 'sustained logins (simulated, HTTP)', value: Math.round(lps), unit: 'logins/s', target: '≥ 300', pass: lps >= 300, command: CMD,
      note: `${sustained} first-use logins, 16 concurrent clients, each a new device; p99 ${round(percentile(susLat, 99), 1)} ms; every login is durable (on disk) before its answer`,
    });

    // A guessing flood from 50 addresses at full speed while residents log in one at a time.
    const flood = runLoad({ url: server.url, mode: 'guess', concurrency: 16, durationMs: quick ? 4000 : 10_000, ipOffset: 40_000, guessDevices: 50 }, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    const legit = await runLoad({ url: server.url, codesFile: codesFile('att', codes.slice(sequential + sustained)), concurrency: 1, ipOffset: 20_000 }, 120_000);
    const guesses = await flood;
    const attLat = [...legit.latenciesMs].sort((a, b) => a - b);
    const guessTotal = Object.values(guesses.statuses).reduce((a, b) => a + b, 0);
    rows.push({
      id: 'login_p99_under_guessing_ms', label: 'login p99 during a guessing flood', value: round(percentile(attLat, 99), 2), unit: 'ms', target: '—', pass: null, command: CMD,
      note: `${ok(legit)}/${underAttack} residents in, p50 ${round(percentile(attLat, 50), 2)} ms, while ${guessTotal} guesses (${Math.round((guessTotal / guesses.elapsedMs) * 1000)}/s, statuses ${JSON.stringify(guesses.statuses)}) hit the same server; successes by guessing: ${guesses.statuses['200'] ?? 0}`,
    });
  } finally {
    await server.stop({ keepDir: true });
    rmSync(dir, { recursive: true, force: true });
  }

  // --- restart with 1,000 devices online (compiled JS, as installed) ---
  const rdir = scratchDir('restart');
  try {
    const rport = await freePort();
    await seed(rdir, rport, { online: 1000 });
    compiledEntry();
    const graceful: number[] = [];
    const crash: number[] = [];
    for (let i = 0; i < (quick ? 3 : 7); i++) {
      const s = await startServer({ dir: rdir, port: rport, mode: 'dist' });
      if (i > 0) graceful.push(s.readyMs);
      await s.stop({ keepDir: true });
    }
    for (let i = 0; i < (quick ? 2 : 5); i++) {
      const s = await startServer({ dir: rdir, port: rport, mode: 'dist' });
      process.kill(s.pid, 'SIGKILL');
      await new Promise<void>((r) => s.proc.once('exit', () => r()));
      const again = await startServer({ dir: rdir, port: rport, mode: 'dist' });
      crash.push(again.readyMs);
      await again.stop({ keepDir: true });
    }
    graceful.sort((a, b) => a - b);
    crash.sort((a, b) => a - b);
    const med = percentile(graceful, 50);
    rows.push({
      id: 'restart_ms', label: 'restart: process start → serving (1,000 online)', value: Math.round(med), unit: 'ms', target: '≤ 1 s', pass: med <= 1000, command: CMD,
      note: `median of ${graceful.length}, compiled JS (npm run build), from spawn until /healthz answers 200, start-up reconciles 1,000 devices with the gateway; worst ${Math.round(graceful.at(-1)!)} ms`,
    });
    rows.push({
      id: 'restart_after_kill9_ms', label: 'restart after kill -9 (1,000 online)', value: Math.round(percentile(crash, 50)), unit: 'ms', target: '≤ 1 s', pass: percentile(crash, 50) <= 1000, command: CMD,
      note: `median of ${crash.length}; WAL recovery included`,
    });
  } finally {
    rmSync(rdir, { recursive: true, force: true });
  }
  return rows;
}
