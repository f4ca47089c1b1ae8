/**
 * The PostgreSQL worker thread's program (bridge.ts starts it with `eval: true`). It owns the one
 * postgres.js connection (max: 1: BEGIN … COMMIT arrive as plain statements on that connection) plus
 * postgres.js's own LISTEN connection. Requests arrive in order on the request port and are sent in
 * that order (a FIFO promise chain): one the main thread waits for is sent after everything before it
 * and answered before anything after it is sent; the ones it posted without waiting inside a
 * transaction are pipelined (pipelined() below). Each answer is posted back and the main thread is
 * woken through the shared Int32Array (Atomics.notify: the synckit pattern).
 *
 * It is a string, not a module: a worker started from a `.ts` file would need the test runner's or
 * tsx's loader, and the compiled build would need a copied `.js`; an eval worker with the driver
 * imported by absolute URL runs the same under vitest, tsx and `node dist/`.
 *
 * Connection loss inside a transaction: postgres.js reconnects silently on the next query, which would
 * then run outside the transaction that the server already rolled back. `onclose` bumps an epoch;
 * a transaction remembers the epoch of its BEGIN and every later statement of it fails with
 * CONNECTION_LOST_IN_TRANSACTION once the epoch moved, until the main thread sends ROLLBACK.
 */
export const WORKER_SOURCE = String.raw`
const { workerData } = require('node:worker_threads');
const { url, driverUrl, signal: signalBuffer, port, notifyPort, channel, connectTimeoutSec, statementTimeoutMs, applicationName } = workerData;
const signal = new Int32Array(signalBuffer);

function answer(msg) {
  port.postMessage(msg);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

function errorOf(err) {
  return {
    message: err && err.message ? String(err.message) : String(err),
    code: err && err.code ? String(err.code) : 'PG_ERROR',
    severity: err && err.severity ? String(err.severity) : null,
    detail: err && err.detail ? String(err.detail) : null,
  };
}

(async () => {
  const postgres = (await import(driverUrl)).default;
  let epoch = 0;
  const open = new Set(); // queries of the open transaction not yet answered (pipelined() below)
  const int8 = { to: 20, from: [20, 1700], serialize: (x) => '' + x, parse: (x) => Number(x) };
  const sql = postgres(url, {
    max: 1,
    idle_timeout: null,
    max_lifetime: null,
    connect_timeout: connectTimeoutSec,
    fetch_types: false,
    prepare: true,
    onnotice: () => {},
    onclose: () => {
      epoch++;
      // Called before postgres.js hands its queued queries to a new connection: none of the open
      // transaction's may run there, outside it.
      for (const q of open) if (q.state === null) q.cancel();
    },
    types: { int8 },
    transform: { undefined: null },
    connection: { application_name: applicationName, statement_timeout: statementTimeoutMs },
  });
  let tx = null; // { epoch, error } while a transaction is open on the connection
  const lost = () => Object.assign(new Error('the connection to PostgreSQL was lost inside a transaction'), { code: 'CONNECTION_LOST_IN_TRANSACTION' });

  const resultOf = (r) => ({ rows: Array.isArray(r) ? r.map((row) => ({ ...row })) : [], count: r && typeof r.count === 'number' ? r.count : 0 });

  async function run(m) {
    if (m.op === 'query') {
      if (!m.begin && tx && (tx.epoch !== epoch || tx.error)) throw tx.error || lost();
      // A BEGIN that fails leaves a transaction that can never succeed: what follows fails with its error
      // until ROLLBACK (BEGIN is posted without waiting, so its own error has nobody else to go to).
      if (m.begin) tx = { epoch: -1, error: null };
      let r;
      try {
        r = await issue(m);
      } catch (err) {
        if (m.begin) tx.error = err;
        // Cancelled because the connection dropped (onclose), or behind a BEGIN that failed: say why.
        else if (tx && (tx.error || tx.epoch !== epoch)) throw tx.error || lost();
        throw err;
      }
      if (m.begin) tx = { epoch };
      else if (tx && tx.epoch !== epoch) throw lost();
      return resultOf(r);
    }
    if (m.op === 'end') {
      // COMMIT or ROLLBACK: the transaction is over whatever the answer.
      const tx0 = tx;
      tx = null;
      if (tx0 && tx0.epoch !== epoch) {
        if (m.sql === 'ROLLBACK') return { rows: [], count: 0 };
        throw tx0.error || lost();
      }
      if (tx0 && tx0.error && m.sql === 'COMMIT') {
        await sql.unsafe('ROLLBACK').catch(() => {});
        throw tx0.error;
      }
      const r = await (tx0 ? track(sql.unsafe(m.sql)) : sql.unsafe(m.sql));
      if (tx0 && tx0.epoch !== epoch) {
        if (m.sql === 'ROLLBACK') return { rows: [], count: 0 };
        throw lost();
      }
      // PostgreSQL answers the COMMIT of a failed transaction with ROLLBACK, not an error.
      if (m.sql === 'COMMIT' && r.command === 'ROLLBACK') {
        throw Object.assign(new Error('the transaction was rolled back: a statement in it failed'), { code: '25P02' });
      }
      return { rows: [], count: 0 };
    }
    if (m.op === 'notify') {
      await sql.unsafe('SELECT pg_notify($1, $2)', [channel, m.payload]);
      return null;
    }
    if (m.op === 'listen') {
      await sql.listen(channel, (payload) => notifyPort.postMessage(payload));
      return { rows: [], count: 0 };
    }
    if (m.op === 'close') {
      await sql.end({ timeout: 1 });
      return { rows: [], count: 0 };
    }
    throw new Error('unknown op ' + m.op);
  }

  // Posted statements inside a transaction (no id: nobody waits for their answer; kept: it is asked for
  // later): BEGIN, SAVEPOINT, RELEASE, writes whose result nobody reads (db.ts later()) and the audit
  // rows' INSERT whose ids are read after the COMMIT (db.ts allLater()); and reads sent ahead
  // (getLater()), also outside a transaction. Each is sent at once, pipelined on the connection ahead
  // of whatever comes next, instead of costing a round trip of its own. None can run outside the
  // transaction: a failure aborts the transaction on the server, so the next statement that is waited
  // for fails (and a COMMIT answered ROLLBACK is an error, below); a statement still queued in the
  // driver when the connection drops is cancelled, not run on the new connection (onclose). A BEGIN is pipelined too: the one thing that makes it fail on a connection that stays
  // up is a transaction already aborted, where what follows fails as well; its error is kept, and
  // every later statement of the transaction fails with it. At most PIPELINE statements are in flight
  // (postgres.js pipelines up to 100, then queues).
  const PIPELINE = 32;
  function track(q) {
    open.add(q);
    q.then(() => open.delete(q), () => open.delete(q));
    return q;
  }
  function issue(m) {
    const q = m.simple ? sql.unsafe(m.sql) : sql.unsafe(m.sql, m.params.map((v) => (typeof v === 'string' ? sql.typed(v, 0) : v)), { prepare: true });
    return tx ? track(q) : q;
  }
  /** Answers a kept statement once it settles. */
  function replyWhen(id, q) {
    q.then((r) => answer({ id, ok: true, result: resultOf(r) }), (err) => answer({ id, ok: false, error: errorOf(err) }));
  }
  function pipelined(m) {
    if (m.begin) {
      const t = (tx = { epoch, error: null });
      issue(m).catch((err) => { t.error = err; });
      return undefined;
    }
    if (!tx) {
      // A read sent ahead outside any transaction: if the connection drops, it runs again on the next one, harmlessly.
      replyWhen(m.id, issue(m));
      return undefined;
    }
    if (tx.epoch !== epoch || tx.error) {
      // The transaction is lost or failed; the next waited statement says so (as does this one's answer).
      if (m.id !== undefined) answer({ id: m.id, ok: false, error: errorOf(tx.error || lost()) });
      return undefined;
    }
    const q = issue(m);
    if (m.id !== undefined) replyWhen(m.id, q);
    else q.catch(() => {});
    return open.size >= PIPELINE ? q.then(() => {}, () => {}) : undefined;
  }

  let chain = Promise.resolve();
  port.on('message', (m) => {
    chain = chain.then(async () => {
      if (m.op === 'query' && (m.id === undefined || m.kept) && (m.begin || (tx ? tx.epoch >= 0 : m.kept && m.read))) return pipelined(m);
      try {
        const result = await run(m);
        if (m.id !== undefined) answer({ id: m.id, ok: true, result });
      } catch (err) {
        if (m.id !== undefined) answer({ id: m.id, ok: false, error: errorOf(err) });
      }
      if (m.op === 'close') { port.close(); notifyPort.close(); }
    });
  });
  answer({ id: 0, ok: true, result: { rows: [], count: 0 } });
})().catch((err) => answer({ id: 0, ok: false, error: errorOf(err) }));
`;
