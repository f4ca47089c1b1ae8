/**
 * A full disk on every route (attack report D9): with the RAM-mode journal on a "flash" that answers
 * ENOSPC (a fake JournalFs passed to journaled(), so it runs anywhere and always the same way), every
 * write answers 503 STORAGE_FAILED with the reason — an operator creating a batch or signing in, too,
 * not 500 INTERNAL — and /healthz says storage is failing until a write succeeds again. Nothing is
 * half-applied: reads keep working and the refused writes leave no rows.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/core/index.js';
import type { SqliteStore as Store } from '../../src/store/index.js';
import { JournalWriteError, journaled, type JournalFs } from '../../src/store/journal.js';
import type { AttributeInput } from '../../src/radius/attributes.js';
import { Code } from '../../src/radius/index.js';
import { createTestPortico } from '../helpers/portico.js';
import { burst, startTestRadius } from '../radius/nas-peer.js';

const PASS = 'correct horse battery';
const LAN = '10.0.0.40';
const RADIUS_SECRET = 'disk-full-radius-secret';

/** A flash that takes journal lines until `full` is set, then fails every append as write(2) would. */
function fakeFlash() {
  const flash = { full: false, lines: [] as string[] };
  const fs: JournalFs = {
    appendDurable(path, text) {
      if (flash.full) throw new JournalWriteError(path, Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
      flash.lines.push(text);
      return 0;
    },
    truncate() {},
    read: () => null,
  };
  return { flash, fs };
}

let core: Core;
let store: Store;
let flash: { full: boolean; lines: string[] };
let request: (path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }) => Promise<Response>;

beforeEach(async () => {
  const f = fakeFlash();
  flash = f.flash;
  const p = await createTestPortico({ autoClients: true, wrapDb: (db) => journaled(db, { path: '/flash/portico.journal', fs: f.fs }) });
  ({ store, core } = p);
  await core.addOperator({ name: 'root', role: 'admin', password: PASS }, { type: 'system' });
  const app = p.app;
  const env = { incoming: { socket: { remoteAddress: LAN, localAddress: '10.0.0.1' } } };
  request = async (path, init = {}) =>
    app.request(
      `http://10.0.0.1:8080${path}`,
      {
        method: init.method ?? 'GET',
        headers: { host: '10.0.0.1:8080', accept: 'application/json', 'content-type': 'application/json', ...init.headers },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      },
      env,
    );
});
afterEach(async () => {
  await core.stop();
  store.close();
});

async function signIn(password = PASS) {
  return request('/api/admin/login', { method: 'POST', body: { name: 'root', password } });
}

async function session() {
  const res = await signIn();
  expect(res.status).toBe(200);
  const csrf = ((await res.json()) as { csrf: string }).csrf;
  return { cookie: res.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrf };
}

const createBatch = (headers: Record<string, string>) =>
  request('/api/admin/batches', { method: 'POST', headers, body: { count: 5, duration: '1h' } });

async function storageFailed(res: Response) {
  const body = (await res.json()) as { code: string; message: string };
  expect(res.status, JSON.stringify(body)).toBe(503);
  expect(body.code).toBe('STORAGE_FAILED');
  expect(body.message).toMatch(/full/);
}

describe('flash full (RAM mode journal answers ENOSPC)', () => {
  it('operator writes answer 503 STORAGE_FAILED with the reason, reads still work, nothing is stored', async () => {
    const s = await session();
    const rows = () => store.db.prepare('SELECT (SELECT COUNT(*) FROM vouchers) AS v, (SELECT COUNT(*) FROM batches) AS b').get();
    const before = rows();
    flash.full = true;
    await storageFailed(await createBatch(s));
    await storageFailed(await signIn());
    await storageFailed(await signIn('wrong password')); // its audit entry cannot be written either
    expect((await request('/api/admin/batches', { headers: s })).status).toBe(200);
    expect(rows()).toEqual(before);
  });

  it('/healthz reports storage failing while writes fail, and 200 again once one succeeds', async () => {
    const s = await session();
    expect((await request('/healthz')).status).toBe(200);
    flash.full = true;
    await storageFailed(await createBatch(s));
    const sick = await request('/healthz');
    expect(sick.status).toBe(503);
    expect(await sick.json()).toMatchObject({ ok: false, storage: 'failing', reason: expect.stringMatching(/full/) });

    flash.full = false;
    expect((await createBatch(s)).status).toBe(201);
    const well = await request('/healthz');
    expect(well.status).toBe(200);
    expect(await well.json()).toMatchObject({ ok: true, storage: 'ok' });
  });
});

describe('flash full under the RADIUS server', () => {
  it('an Access-Request is not answered (the NAS retries or fails over to its secondary), not rejected; once the flash takes writes the same code is accepted', async () => {
    const { codes } = (() => {
      const r = core.createBatch({ count: 1, plan: { durationSec: 3600, dataBytes: 1e9 } }, { type: 'system' });
      return { codes: r.vouchers.map((v) => v.code) };
    })();
    const server = await startTestRadius({ core, clock: { now: () => Date.now() }, nas: [{ name: 'mt', secret: RADIUS_SECRET, profile: 'mikrotik' }], sliceMinBytes: 1e6, sliceMaxBytes: 1e8 });
    try {
      const request = [['User-Name', codes[0]!], ['User-Password', codes[0]!], ['Calling-Station-Id', 'AA:BB:CC:00:00:09']] as AttributeInput[];
      flash.full = true;
      const [none] = await burst(server.ports().auth, RADIUS_SECRET, [request], 800);
      expect(none).toBeUndefined();
      expect(server.stats().outcomes.STORAGE_FAILED).toBeUndefined();
      expect(server.stats().dropped.HANDLER_FAILED).toBe(1);
      expect(store.vouchers.findByCode(codes[0]!)?.status).toBe('unused');
      flash.full = false;
      const [accept] = await burst(server.ports().auth, RADIUS_SECRET, [request]);
      expect(accept?.code).toBe(Code.AccessAccept);
    } finally {
      await server.stop();
    }
  });
});

