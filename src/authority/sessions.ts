/**
 * The gateway's RADIUS sessions: one per device online through the central server, keyed by the device
 * row's id, which is also the session's Acct-Session-Id — so the id is stable across Portico restarts
 * (the device row survives them; SPEC §4 keeps the resident online). What a device row cannot hold is
 * kept here: the grant as the server gave it (session-total bytes, end of time), Class and State to echo,
 * whether the server wants re-authorization, and the code to re-authorize with. Written atomically
 * (temporary file, fsync, rename) on every change of a grant; not on every interim.
 *
 * @example
 *   const sessions = openSessions(join(dataDir, 'radius-sessions.json'));
 *   sessions.put({ deviceId, … }); sessions.get(deviceId); sessions.remove(deviceId);
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Grant } from './grant.js';

export interface RemoteSession {
  /** Device row id = Acct-Session-Id. */
  deviceId: string;
  poolId: string;
  voucherId: string;
  mac: string;
  ip: string;
  /** User-Name and User-Password as first sent (the code): re-authorization sends the same. */
  userName: string;
  startedAt: number;
  /** Session-total data the server granted (bytes since the session started); null = no limit. */
  limitBytes: number | null;
  /** When the server's Session-Timeout ends the session (ms); null = no time limit. */
  endsAt: number | null;
  downBps: number | null;
  upBps: number | null;
  classHex: string | null;
  stateHex: string | null;
  reauth: boolean;
  interimSec: number | null;
  /** Device bytes (up + down) when the session started: the session's counters are the device's minus these. */
  baseUp: number;
  baseDown: number;
  /** What the last grant added beyond what the session had used (the slice): re-authorization starts when little of it is left. */
  sliceBytes: number | null;
}

/** The session's own counters: the device row's totals since the session started. */
export function sessionCounters(s: Pick<RemoteSession, 'baseUp' | 'baseDown'>, d: { bytesUp: number; bytesDown: number } | undefined): { up: number; down: number } {
  return d ? { up: Math.max(0, d.bytesUp - s.baseUp), down: Math.max(0, d.bytesDown - s.baseDown) } : { up: 0, down: 0 };
}

/** A session's grant after a new Accept, or a CoA (`partial`: absent figures keep what the session had). */
export function regranted(s: RemoteSession, g: Grant, now: number, used: { up: number; down: number }, partial = false): RemoteSession {
  const keep = <T>(v: T | null, old: T | null): T | null => (partial && v === null ? old : v);
  const limitBytes = keep(g.bytes, s.limitBytes);
  return {
    ...s,
    limitBytes,
    // An Accept's Session-Timeout counts from now; a CoA's from the session's start, as NASes read it (profiles.ts coaAttributesFor).
    endsAt: g.secondsLeft !== null ? (partial ? s.startedAt : now) + g.secondsLeft * 1000 : partial ? s.endsAt : null,
    downBps: keep(g.downBps, s.downBps), upBps: keep(g.upBps, s.upBps),
    classHex: g.classHex ?? s.classHex, stateHex: g.stateHex ?? (partial ? s.stateHex : null),
    reauth: partial ? s.reauth || g.reauth : g.reauth, interimSec: g.interimSec ?? s.interimSec,
    sliceBytes: limitBytes === null ? null : Math.max(0, limitBytes - used.up - used.down),
  };
}

export interface Sessions {
  get(deviceId: string): RemoteSession | undefined;
  ofPool(poolId: string): RemoteSession[];
  all(): RemoteSession[];
  put(s: RemoteSession): void;
  remove(deviceId: string): void;
}

export function openSessions(file: string): Sessions {
  mkdirSync(dirname(file), { recursive: true });
  const map = new Map<string, RemoteSession>();
  if (existsSync(file)) {
    try {
      for (const s of JSON.parse(readFileSync(file, 'utf8')) as RemoteSession[]) map.set(s.deviceId, s);
    } catch (err) {
      throw new Error(`${file} is not readable JSON (${(err as Error).message}); move it away to start with no RADIUS sessions`, { cause: err });
    }
  }
  function save(): void {
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify([...map.values()]));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  }
  return {
    get: (id) => map.get(id),
    ofPool: (poolId) => [...map.values()].filter((s) => s.poolId === poolId),
    all: () => [...map.values()],
    put(s) {
      map.set(s.deviceId, s);
      save();
    },
    remove(id) {
      if (map.delete(id)) save();
    },
  };
}
