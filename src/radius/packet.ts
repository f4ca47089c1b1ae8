/**
 * RADIUS packet framing (RFC 2865 §3, §5): Code, Identifier, Length, 16-octet Authenticator, then
 * attributes as Type-Length-Value. This layer knows nothing of secrets or dictionaries: attributes stay
 * raw `{ type, value }` in wire order, so unknown and vendor attributes round-trip byte for byte and the
 * authenticator checks (auth.ts) can hash exactly what arrived.
 *
 * Validation is strict because every byte comes from the network: a datagram longer than Length is
 * padding and ignored; shorter than Length, or Length outside 20..4096, or an attribute with length < 2
 * or running past Length, throws a `RadiusError` (RFC 2865 §3 says silently discard — the server does
 * the discarding and counting).
 *
 * @example
 *   const p = decodePacket(datagram);            // throws RadiusError on malformed input
 *   const again = encodePacket(p);               // identical bytes (minus any padding)
 */
import { Buffer } from 'node:buffer';
import { RadiusError } from './errors.js';

/** RFC 2865 §3, RFC 2866 §3, RFC 5176 §2, RFC 5997 §3. */
export const Code = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
  DisconnectRequest: 40,
  DisconnectACK: 41,
  DisconnectNAK: 42,
  CoARequest: 43,
  CoAACK: 44,
  CoANAK: 45,
} as const;
export type CodeName = keyof typeof Code;
export type CodeNumber = (typeof Code)[CodeName];

const CODE_NAMES = new Map<number, CodeName>(Object.entries(Code).map(([k, v]) => [v, k as CodeName]));
/** 'AccessRequest' for 1; undefined for codes this codec does not know. */
export function codeName(code: number): CodeName | undefined {
  return CODE_NAMES.get(code);
}

/** One attribute as on the wire: type octet and value (length octet implied). */
export interface RawAttribute {
  type: number;
  value: Buffer;
}

export interface RadiusPacket {
  code: number;
  identifier: number;
  authenticator: Buffer;
  /** In wire order; order matters (Proxy-State echo, Message-Authenticator first, RFC 2865 §5). */
  attributes: RawAttribute[];
}

export const HEADER_LENGTH = 20;
/** RFC 2865 §3: "The maximum length is 4096." */
export const MAX_PACKET_LENGTH = 4096;
/** RFC 2865 §5: Length is one octet and counts Type and Length themselves. */
export const MAX_ATTRIBUTE_VALUE = 253;

/**
 * Parses one datagram. Octets beyond the Length field are padding and ignored (RFC 2865 §3).
 *
 * @example decodePacket(Buffer.from(hex, 'hex')).attributes[0]; // { type: 1, value: <alice> }
 */
export function decodePacket(datagram: Buffer): RadiusPacket {
  if (datagram.length < HEADER_LENGTH) {
    throw new RadiusError('TRUNCATED', `datagram has ${datagram.length} octets, a RADIUS header needs 20`);
  }
  const length = datagram.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH) {
    throw new RadiusError('BAD_LENGTH', `Length field ${length} is outside 20..4096`);
  }
  if (datagram.length < length) {
    throw new RadiusError('TRUNCATED', `Length field says ${length} octets, datagram has ${datagram.length}`);
  }
  // Copy: the caller's buffer (often a pooled dgram buffer) must not alias our packet.
  const bytes = Buffer.from(datagram.subarray(0, length));
  return {
    code: bytes[0]!,
    identifier: bytes[1]!,
    authenticator: bytes.subarray(4, 20),
    attributes: decodeAttributes(bytes.subarray(HEADER_LENGTH)),
  };
}

/** Splits an attribute area into TLVs; also used for VSA sub-attributes by callers that want strictness. */
export function decodeAttributes(area: Buffer): RawAttribute[] {
  const out: RawAttribute[] = [];
  let at = 0;
  while (at < area.length) {
    if (area.length - at < 2) {
      throw new RadiusError('BAD_ATTRIBUTE_LENGTH', `one stray octet at attribute offset ${at}`);
    }
    const type = area[at]!;
    const len = area[at + 1]!;
    if (len < 2) {
      throw new RadiusError('BAD_ATTRIBUTE_LENGTH', `attribute ${type} at offset ${at} has length ${len} (< 2)`);
    }
    if (at + len > area.length) {
      throw new RadiusError('BAD_ATTRIBUTE_LENGTH', `attribute ${type} at offset ${at} (length ${len}) overruns the packet`);
    }
    out.push({ type, value: area.subarray(at + 2, at + len) });
    at += len;
  }
  return out;
}

/** Serialises attributes to TLVs, refusing values that do not fit one length octet. */
export function encodeAttributes(attributes: readonly RawAttribute[]): Buffer {
  const parts: Buffer[] = [];
  for (const a of attributes) {
    if (!Number.isInteger(a.type) || a.type < 1 || a.type > 255) {
      throw new RadiusError('BAD_VALUE', `attribute type ${a.type} is not 1..255`);
    }
    if (a.value.length > MAX_ATTRIBUTE_VALUE) {
      throw new RadiusError('BAD_VALUE', `attribute ${a.type} value has ${a.value.length} octets, at most 253 fit`);
    }
    parts.push(Buffer.from([a.type, a.value.length + 2]), a.value);
  }
  return Buffer.concat(parts);
}

/**
 * Serialises a packet with the authenticator as given (auth.ts computes it). Throws TOO_LONG past 4096.
 *
 * @example encodePacket({ code: Code.AccessAccept, identifier: 7, authenticator, attributes: [] });
 */
export function encodePacket(packet: RadiusPacket): Buffer {
  if (packet.authenticator.length !== 16) {
    throw new RadiusError('BAD_VALUE', `authenticator has ${packet.authenticator.length} octets, needs 16`);
  }
  if (!Number.isInteger(packet.code) || packet.code < 0 || packet.code > 255) {
    throw new RadiusError('BAD_VALUE', `code ${packet.code} is not 0..255`);
  }
  if (!Number.isInteger(packet.identifier) || packet.identifier < 0 || packet.identifier > 255) {
    throw new RadiusError('BAD_VALUE', `identifier ${packet.identifier} is not 0..255`);
  }
  const attrs = encodeAttributes(packet.attributes);
  const length = HEADER_LENGTH + attrs.length;
  if (length > MAX_PACKET_LENGTH) {
    throw new RadiusError('TOO_LONG', `packet would be ${length} octets, RFC 2865 §3 allows 4096`);
  }
  const head = Buffer.alloc(4);
  head[0] = packet.code;
  head[1] = packet.identifier;
  head.writeUInt16BE(length, 2);
  return Buffer.concat([head, packet.authenticator, attrs], length);
}
