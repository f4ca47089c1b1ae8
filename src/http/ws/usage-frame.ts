/**
 * The `device` topic's usage delta as a string, from a per-connection template: what a sweep changes
 * (the pool's figures and each device's rates) is written into the JSON of what it does not (the code,
 * the plan, the devices' names, everything else the last full payload carried). With 1,000 subscribers
 * JSON.stringify of each whole payload was a fifth of the fan-out's time; the template is built once
 * per full payload (ws/topics.ts `sendDevice`) and the delta costs a few concatenations.
 *
 * The result parses to exactly `{ topic: 'device', kind: 'delta', payload }` (key order aside), which
 * the tests check; a field added to the payload is carried by the template without a change here.
 *
 * @example
 *   const t = usageTemplate(conn.last);
 *   broker.sendSerialized(conn, usageFrame(t, conn.last));
 */
import type { SessionState } from '../../api/contract.js';

type Authorized = Extract<SessionState, { authorized: true }>;

/** What a sweep rewrites; every other field of the payload is frozen into the template. */
const MOVING = ['online', 'status', 'throttled', 'secondsRemaining', 'bytesRemaining', 'usedBytes', 'downBps', 'upBps', 'at', 'devices'] as const;

export interface UsageTemplate {
  /** The payload this template was made from (a new one needs a new template). */
  of: Authorized;
  /** `{"topic":"device","kind":"delta","payload":{…the fixed fields` without its closing braces. */
  head: string;
  /** Each device's fixed fields, `{"id":…` without its closing brace, in the payload's order. */
  devices: string[];
}

/** JSON of a number or null: a figure that is not a finite number is written as null, as JSON.stringify does. */
const num = (n: number | null | undefined): string => (typeof n === 'number' && Number.isFinite(n) ? String(n) : 'null');

const open = (json: string, closing: number): string => {
  const body = json.slice(0, -closing);
  return body.endsWith('{') ? body : `${body},`;
};

export function usageTemplate(last: Authorized): UsageTemplate {
  const fixed: Record<string, unknown> = { ...last };
  for (const k of MOVING) delete fixed[k];
  return {
    of: last,
    head: open(JSON.stringify({ topic: 'device', kind: 'delta', payload: fixed }), 2),
    devices: last.devices.map(({ downBps: _d, upBps: _u, ...rest }) => open(JSON.stringify(rest), 1)),
  };
}

/** The delta for `last` (the payload the template was made from, patched with the sweep's figures). */
export function usageFrame(t: UsageTemplate, last: Authorized): string {
  let devices = '';
  for (let i = 0; i < last.devices.length; i++) {
    const d = last.devices[i]!;
    devices += `${i ? ',' : ''}${t.devices[i]}"downBps":${num(d.downBps)},"upBps":${num(d.upBps)}}`;
  }
  return (
    `${t.head}"online":${last.online},"status":${JSON.stringify(last.status)},"throttled":${last.throttled}` +
    `,"secondsRemaining":${num(last.secondsRemaining)},"bytesRemaining":${num(last.bytesRemaining)},"usedBytes":${num(last.usedBytes)}` +
    `,"downBps":${num(last.downBps)},"upBps":${num(last.upBps)}${last.at === undefined ? '' : `,"at":${num(last.at)}`},"devices":[${devices}]}}`
  );
}
