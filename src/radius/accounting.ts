/**
 * Accounting-Request → Accounting-Response (RFC 2866 §4.1–4.2) for one authenticated request. The
 * 64-bit counters come from Octets + Gigawords (RFC 2869 §5.1–5.2, gigawords.ts); core adds what is new
 * to the pool. RFC 2866 §4.1: the server "MUST NOT transmit any Accounting-Response reply if it is
 * unable to successfully record the accounting packet" — so a storage failure throws (no answer, the
 * NAS retries), while a session Portico does not know is still answered (nothing to record, and
 * silence would only make the NAS retry forever).
 *
 * @example
 *   const { reply } = await handleAccounting(packet, nas, { accounting: core.radius.accounting });
 */
import type { Buffer } from 'node:buffer';
import type { NasConfig } from '../config/schema.js';
import type { RadiusAccountingInput, RadiusAccountingResult } from '../core/radius-accounting.js';
import { get } from './attributes.js';
import { octets64 } from './gigawords.js';
import { encodeResponse } from './messages.js';
import { Code, type RadiusPacket } from './packet.js';

export interface AccountingDeps {
  /** Synchronous (core.radius.accounting) or group-committed (core/radius-batch.ts). */
  accounting: (input: RadiusAccountingInput) => RadiusAccountingResult | Promise<RadiusAccountingResult>;
}

/** Returns undefined for a request without Acct-Status-Type (RFC 2866 §5.1 requires it): dropped. */
export async function handleAccounting(packet: RadiusPacket, nas: NasConfig, deps: AccountingDeps): Promise<{ reply: Buffer; outcome: string } | undefined> {
  const statusType = get(packet, 'Acct-Status-Type');
  if (statusType === undefined) return undefined;
  const cls = get(packet, 'Class');
  const result = await deps.accounting({
    nas: nas.name,
    statusType,
    acctSessionId: get(packet, 'Acct-Session-Id') ?? null,
    classId: cls ? cls.toString('utf8') : null,
    mac: get(packet, 'Calling-Station-Id') ?? null,
    ip: get(packet, 'Framed-IP-Address') ?? null,
    inOctets: octets64(packet, 'input'),
    outOctets: octets64(packet, 'output'),
    terminateCause: get(packet, 'Acct-Terminate-Cause') ?? null,
  });
  return { reply: encodeResponse(packet, Code.AccountingResponse, [], nas.secret), outcome: result.kind.toUpperCase().replace('-', '_') };
}
