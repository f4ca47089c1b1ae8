/**
 * Accounting towards the central server (RFC 2866), durable: every Start, Interim-Update and Stop is
 * first appended to the spool (spool.ts, fsync'd), then sent in order, one at a time, and removed only
 * once a server answered with an Accounting-Response (RFC 2866 §4.1: the server answers only what it
 * recorded). While no server answers, records wait on disk and the sender tries again every
 * `retryMs`; after a restart the spool is replayed from the oldest record. A record is sent with the
 * same Acct-Session-Id, Acct-Status-Type and counters each time, so a resend after a lost response is a
 * duplicate the server counts once (absolute 64-bit counters, radius.md §b point 3); only
 * Acct-Delay-Time grows (and with it the Identifier, RFC 2866 §5.2).
 *
 * @example
 *   const sender = createAccountingSender({ spool, client, clock, log, nas });
 *   sender.send({ type: 1, sessionId: 'dev_1', … });
 *   await sender.drain();
 */
import { Buffer } from 'node:buffer';
import { isIP } from 'node:net';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/log.js';
import type { AttributeInput } from '../radius/attributes.js';
import type { RadiusClient } from '../radius/client.js';
import { AcctTerminateCause, NASPortType } from '../radius/dictionary.js';
import { splitGigawords } from '../radius/gigawords.js';
import type { Spool } from './spool.js';

export interface AcctRecord {
  /** Acct-Status-Type: 1 Start, 2 Stop, 3 Interim-Update. */
  type: 1 | 2 | 3;
  sessionId: string;
  userName: string;
  mac: string;
  ip: string;
  classHex: string | null;
  /** From the client (upload) and to the client (download), since the session started. */
  inOctets: number;
  outOctets: number;
  sessionTime: number;
  /** Acct-Terminate-Cause (Stop only). */
  cause?: number;
  /** When it happened (ms): Event-Timestamp, and Acct-Delay-Time at sending. */
  at: number;
}

/** The identity every request of this gateway carries. */
export interface NasIdentity {
  nasIdentifier: string;
  /** NAS-IP-Address (the bind address when it is IPv4). */
  nasIp?: string;
}

/** RFC 3580 §3.21: `00-10-A4-23-19-C0`. */
export function callingStationId(mac: string): string {
  return mac.toUpperCase().replace(/:/g, '-');
}

/** The attributes every request from this gateway about a device carries. */
export function deviceAttributes(nas: NasIdentity, d: { userName: string; mac: string; ip: string; sessionId: string }): AttributeInput[] {
  const out: AttributeInput[] = [
    ['User-Name', d.userName],
    ['NAS-Identifier', nas.nasIdentifier],
    ['NAS-Port-Type', NASPortType.Wireless80211],
    ['Calling-Station-Id', callingStationId(d.mac)],
    ['Acct-Session-Id', d.sessionId],
  ];
  if (nas.nasIp && isIP(nas.nasIp) === 4) out.push(['NAS-IP-Address', nas.nasIp]);
  if (isIP(d.ip) === 4) out.push(['Framed-IP-Address', d.ip]);
  return out;
}

export function accountingAttributes(nas: NasIdentity, r: AcctRecord, now: number): AttributeInput[] {
  const out: AttributeInput[] = [['Acct-Status-Type', r.type], ...deviceAttributes(nas, r)];
  if (r.classHex) out.push(['Class', Buffer.from(r.classHex, 'hex')]);
  if (r.type !== 1) {
    const input = splitGigawords(r.inOctets);
    const output = splitGigawords(r.outOctets);
    out.push(
      ['Acct-Input-Octets', input.octets], ['Acct-Input-Gigawords', input.gigawords],
      ['Acct-Output-Octets', output.octets], ['Acct-Output-Gigawords', output.gigawords],
      ['Acct-Session-Time', r.sessionTime],
    );
  }
  if (r.type === 2 && r.cause !== undefined) out.push(['Acct-Terminate-Cause', r.cause]);
  out.push(['Event-Timestamp', Math.floor(r.at / 1000)], ['Acct-Delay-Time', Math.max(0, Math.floor((now - r.at) / 1000))]);
  return out;
}

/** Acct-Terminate-Cause (RFC 2866 §5.10) for a device's end reason. */
export function terminateCauseOf(reason: string): number {
  if (/^(logout|replaced|switched|removed)/.test(reason)) return AcctTerminateCause.UserRequest;
  if (/time|expired/.test(reason)) return AcctTerminateCause.SessionTimeout;
  if (/^(revoked|disconnect)/.test(reason)) return AcctTerminateCause.AdminReset;
  return AcctTerminateCause.NASRequest;
}

export interface AccountingSenderDeps {
  spool: Spool<AcctRecord>;
  client: Pick<RadiusClient, 'accounting'>;
  clock: Clock;
  log: Logger;
  nas: NasIdentity;
  /** Wait after a round no server answered, ms (default 5000). */
  retryMs?: number;
}

export function createAccountingSender(deps: AccountingSenderDeps) {
  const retryMs = deps.retryMs ?? 5000;
  let draining: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stats = { sent: 0, waiting: 0 };

  async function drainOnce(): Promise<void> {
    for (const { seq, record } of deps.spool.pending()) {
      if (stopped) return;
      try {
        await deps.client.accounting(accountingAttributes(deps.nas, record, deps.clock.now()));
      } catch (err) {
        deps.log.warn('radius-accounting', `kept ${deps.spool.size()} accounting record(s) on disk: ${(err as Error).message}`);
        if (!stopped && !timer) {
          timer = setTimeout(() => {
            timer = undefined;
            void drain();
          }, retryMs);
          timer.unref();
        }
        return;
      }
      deps.spool.ack(seq);
      stats.sent++;
    }
  }

  function drain(): Promise<void> {
    if (!draining) {
      draining = drainOnce().finally(() => {
        draining = null;
      });
    }
    return draining;
  }

  return {
    /**
     * Durable when it returns (fsync'd); sent as soon as the records before it are. An Interim-Update
     * supersedes an unsent older one of the same session (its counters are absolute, so the newest says
     * everything the older did): a long outage keeps one interim per session on disk, not one per interval.
     */
    send(record: AcctRecord): void {
      if (record.type === 3) {
        for (const p of deps.spool.pending()) if (p.record.type === 3 && p.record.sessionId === record.sessionId) deps.spool.ack(p.seq);
      }
      deps.spool.append(record);
      if (!draining) void drain();
      else void draining.then(() => drain());
    },
    /** Sends what waits on disk now (start-up replay, the server back); resolves when this round ends. */
    drain,
    /** Rounds until the spool is empty or a round made no progress (no server answered). */
    async flush(): Promise<void> {
      // A round already running may have started before the server came back: judge progress by new rounds.
      while (draining) await draining;
      for (let before = -1; deps.spool.size() > 0 && deps.spool.size() !== before; ) {
        before = deps.spool.size();
        await drain();
      }
    },
    pending: () => deps.spool.size(),
    stats: () => ({ ...stats, waiting: deps.spool.size() }),
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await draining;
      deps.spool.close();
    },
  };
}

export type AccountingSender = ReturnType<typeof createAccountingSender>;
