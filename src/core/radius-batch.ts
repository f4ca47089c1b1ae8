/**
 * Group commit for the RADIUS server (SPEC §8: ≥ 1,000 Accepts/s durable, ≥ 5,000 Interim-Updates/s).
 * With `synchronous=FULL` every transaction is one fsync of the WAL, ~0.7–2 ms on this kind of disk, so
 * one transaction per Access-Request caps a server near 400–1,000/s — FreeRADIUS + sqlite's ceiling
 * (perf-anchors.md: "serialized fsync'd sqlite writes"). Here every request that arrives in one turn of
 * the event loop (what the sockets read before `setImmediate` fires, at most `maxBatch`) is granted in
 * ONE transaction: each grant runs inside it as a savepoint (nested `store.tx`), so a refusal or a
 * failed grant rolls back only itself, and nothing is answered until the outer COMMIT is on disk — the
 * Accept is still durable before the NAS sees it (RFC 2866 §4.1 for accounting likewise). The flush
 * itself waits in the thread pool, not on the event loop, where the store can (tx.ts commitDurably).
 *
 * Locks: the batch takes every voucher lock its grants need (sorted, so two batches cannot deadlock)
 * before the transaction, exactly as one authorization would, so a portal login of the same voucher
 * that is waiting on its gateway is never interleaved.
 *
 * @example
 *   const batch = createRadiusBatcher(core.ctx);
 *   createRadiusServer({ core: { radius: batch }, … });   // same shape as core.radius
 */
import type { CoreContext } from './context.js';
import { parsedCode } from './code-lookup.js';
import type { VoucherRow } from './ports/model.js';
import { grantSession, prepareRadius, radiusGranted, radiusRefused, type PreparedRadius, type RadiusAuthorizeInput, type RadiusGrant } from './radius.js';
import { recordRadiusAccounting, type RadiusAccountingInput, type RadiusAccountingResult } from './radius-accounting.js';
import { commitDurably, transactEach } from './tx.js';

type Job =
  | { kind: 'auth'; input: RadiusAuthorizeInput; byMac: boolean; resolve: (g: RadiusGrant) => void; reject: (e: unknown) => void; p?: PreparedRadius; out?: { grant?: RadiusGrant; err?: unknown } }
  | { kind: 'acct'; input: RadiusAccountingInput; resolve: (r: RadiusAccountingResult) => void; reject: (e: unknown) => void; out?: { result?: RadiusAccountingResult; err?: unknown } };

/**
 * Runs `fn` holding every key's lock: the vouchers first, then their pools, each group in sorted order.
 * That is the order a portal login takes them (voucher → pool, core/lifecycle.ts), so a batch and a
 * login can never wait on each other in a cycle.
 */
function withLocks<T>(ctx: CoreContext, groups: string[][], fn: () => T): Promise<T> {
  const seen = new Set<string>();
  const sorted = groups.flatMap((g) => [...new Set(g)].sort().filter((k) => !seen.has(k) && seen.add(k)));
  const step = (i: number): Promise<T> => (i === sorted.length ? Promise.resolve().then(fn) : ctx.locks.run(sorted[i]!, () => step(i + 1)));
  return step(0);
}

export function createRadiusBatcher(ctx: CoreContext, opts: { maxBatch?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 256;
  let queue: Job[] = [];
  let scheduled = false;

  function enqueue(job: Job): void {
    queue.push(job);
    if (queue.length >= maxBatch) void flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(() => void flush());
    }
  }

  async function flush(): Promise<void> {
    scheduled = false;
    const jobs = queue;
    queue = [];
    if (!jobs.length) return;
    // Lookups outside the lock, as in authorizeRadius: a refusal is answered at once. The batch's codes
    // are read in one statement (a round trip each on PostgreSQL); each is then checked as alone.
    const codes: string[] = [];
    for (const j of jobs) {
      if (j.kind !== 'auth' || j.byMac) continue;
      try {
        codes.push(parsedCode(j.input.code));
      } catch {
        // refused by prepareRadius below, in its turn
      }
    }
    const byCode = new Map(ctx.store.vouchers.findManyByCode(codes).map((v) => [v.code, v]));
    const live: Job[] = [];
    for (const j of jobs) {
      if (j.kind === 'acct') live.push(j);
      else {
        try {
          j.p = prepareRadius(ctx, j.input, j.byMac, (code) => byCode.get(code));
          live.push(j);
        } catch (err) {
          radiusRefused(ctx, j.input, err);
          j.reject(err);
        }
      }
    }
    if (!live.length) return;
    const vouchers = live.flatMap((j) => (j.kind === 'auth' ? [j.p!.voucherId] : []));
    // A used code's pool is locked too: a portal login or another code of the same pool may be deciding its device slots.
    // As the lookups just found them (nothing ran in between; the grants decide again under the locks).
    const pools = live.flatMap((j) => (j.kind === 'auth' && j.p!.poolId ? [j.p!.poolId] : []));
    const keys = [vouchers, pools];
    try {
      // A refusal (or one grant's storage failure) rolls back its own savepoint; the rest commit.
      // Answered once on disk; the flush waits off the event loop where the store can (tx.ts commitDurably).
      // The grants' vouchers are read together at the start of the transaction, under the locks; a row
      // serves one grant only, and none after an accounting record (it may end a pool and its codes):
      // a later grant of the same code, or one after that, reads its voucher as it stands then.
      let read = new Map<string, VoucherRow>();
      const grant = (j: Extract<Job, { kind: 'auth' }>) => {
        const row = read.get(j.p!.voucherId);
        read.delete(j.p!.voucherId);
        return grantSession(ctx, j.p!.voucherId, j.input, j.p!.mac, row);
      };
      const account = (j: Extract<Job, { kind: 'acct' }>) => {
        read.clear();
        return recordRadiusAccounting(ctx, j.input);
      };
      const outcomes = await withLocks(ctx, keys, () =>
        commitDurably(ctx, 'the RADIUS batch', () =>
          transactEach(
            ctx,
            'the RADIUS batch',
            live.map((j) => () => (j.kind === 'auth' ? grant(j) : account(j))),
            () => void (read = new Map(ctx.store.vouchers.getMany(vouchers).map((v) => [v.id, v]))),
          ),
        ),
      );
      live.forEach((j, i) => {
        const o = outcomes[i]!;
        if (j.kind === 'auth') j.out = o.ok ? { grant: o.value as RadiusGrant } : { err: o.err };
        else j.out = o.ok ? { result: o.value as RadiusAccountingResult } : { err: o.err };
      });
    } catch (err) {
      // The COMMIT itself failed (disk full…): nothing of the batch is stored, nothing is answered.
      for (const j of live) j.reject(err);
      return;
    }
    for (const j of live) {
      if (j.kind === 'acct') {
        if (j.out!.err) j.reject(j.out!.err);
        else j.resolve(j.out!.result!);
      } else if (j.out!.err) {
        radiusRefused(ctx, j.input, j.out!.err);
        j.reject(j.out!.err);
      } else {
        radiusGranted(ctx, j.p!, j.out!.grant!);
        j.resolve(j.out!.grant!);
      }
    }
  }

  const auth = (input: RadiusAuthorizeInput, byMac: boolean) =>
    new Promise<RadiusGrant>((resolve, reject) => enqueue({ kind: 'auth', input, byMac, resolve, reject }));

  return {
    authorize: (input: RadiusAuthorizeInput) => auth(input, false),
    authorizeMac: (input: RadiusAuthorizeInput) => auth(input, true),
    accounting: (input: RadiusAccountingInput) => new Promise<RadiusAccountingResult>((resolve, reject) => enqueue({ kind: 'acct', input, resolve, reject })),
  };
}

export type RadiusBatcher = ReturnType<typeof createRadiusBatcher>;
