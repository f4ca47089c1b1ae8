/**
 * FreeRADIUS 3.2 (Debian `freeradius`) answering from its `files` module, for the RADIUS bench's
 * calibration row (SPEC §8 `freeradius_files_accepts_per_s`): a private raddb in a temp directory
 * (reference/radius.md §e, the `central` site without proxying), one client on 127.0.0.1, one users
 * entry per code with the attributes a NAS would get. Run in the foreground without -X (debug mode
 * serializes every request and would understate it), stopped by its own pid, directory removed.
 *
 * @example
 *   const fr = await startFreeradius({ port, secret, codes });
 *   …load 127.0.0.1:port…
 *   await fr.stop();
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { writeRaddb } from '../../../test/radius/freeradius.js';
import { scratchDir } from './server.js';

export const hasFreeradius = () => spawnSync('sh', ['-c', 'command -v freeradius']).status === 0;

function raddb(d: string, port: number, secret: string, codes: readonly string[]): void {
  writeRaddb(d, {
    maxRequests: 16384,
    logAuth: false,
    modules: `  pap {
  }
  chap {
  }
  files {
    filename = \${raddbdir}/users
  }`,
    clients: `client nas {
  ipaddr = 127.0.0.1
  secret = ${secret}
  require_message_authenticator = yes
  shortname = nas
}
`,
    sites: { central: `server central {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
    chap
    files
    pap
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
    Auth-Type CHAP {
      chap
    }
  }
}
` },
    // The same reply a MikroTik gets from Portico: time, a data grant with rates, interim, Class.
    users: codes.map((c) => `${c}  Cleartext-Password := "${c}"
    Session-Timeout = 86400, Acct-Interim-Interval = 300, Mikrotik-Total-Limit = 1000000000, Mikrotik-Rate-Limit = "2M/10M", Class = "bench"
`).join(''),
  });
}

export interface FreeradiusHandle {
  pid: number;
  stop(): Promise<void>;
  output: () => string;
}

/** Writes the raddb, starts `freeradius -f`, resolves once `ready()` says it answers; rejects after `ms`. */
export async function startFreeradius(o: { port: number; secret: string; codes: readonly string[]; ready: () => Promise<boolean>; ms?: number }): Promise<FreeradiusHandle> {
  const d = scratchDir('freeradius');
  raddb(d, o.port, o.secret, o.codes);
  const child = spawn('freeradius', ['-f', '-l', 'stdout', '-d', d], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  child.stdout.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.stderr.on('data', (b: Buffer) => (out = (out + b.toString()).slice(-20_000)));
  child.once('exit', () => (exited = true));
  const stop = async () => {
    if (!exited && child.pid) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(t);
    }
    rmSync(d, { recursive: true, force: true });
  };
  const t0 = performance.now();
  while (performance.now() - t0 < (o.ms ?? 20_000)) {
    if (exited) break;
    if (await o.ready()) return { pid: child.pid!, stop, output: () => out };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`freeradius did not answer: ${out.split('\n').slice(-5).join(' | ')}`);
}
