/**
 * Typed access to a packet's raw attributes by dictionary name, and the reverse: building raw attributes
 * from `[name, value]` pairs. Vendor-Specific (26) follows RFC 2865 §5.26: four octets of Vendor-Id,
 * then vendor sub-attributes (one-octet type and length for every vendor in vendors.ts); one VSA may
 * carry several sub-attributes, so reading walks them all.
 *
 * Reading never throws: a VSA whose sub-attributes do not parse, or a value of the wrong size, is an
 * "invalid attribute" (RFC 6929 §2.8) and is simply not returned by typed getters — it stays in
 * `packet.attributes` as raw octets and is re-encoded unchanged.
 *
 * @example
 *   get(packet, 'User-Name');              // 'alice' | undefined
 *   getVendor(packet, 'Mikrotik-Rate-Limit'); // '512k/2M' | undefined
 *   toRawAttributes([['Session-Timeout', 600], ['Mikrotik-Total-Limit', 1_000_000]]);
 */
import { Buffer } from 'node:buffer';
import { AttributeType, STANDARD_ATTRIBUTES, type StandardName } from './dictionary.js';
import { RadiusError } from './errors.js';
import type { RadiusPacket, RawAttribute } from './packet.js';
import { decodeValue, encodeValue, type InputOf, type ValueOf } from './values.js';
import { VENDOR_ATTRIBUTES, type VendorName } from './vendors.js';

export type AttributeName = StandardName | VendorName;
type Defs = typeof STANDARD_ATTRIBUTES & typeof VENDOR_ATTRIBUTES;
type KindOf<N extends AttributeName> = Defs[N]['kind'];

/** The typed value `get()`/`getVendor()` return for a name. */
export type AttributeValue<N extends AttributeName> = ValueOf<KindOf<N>>;

/** One attribute to encode: a `[name, value]` pair typed by the dictionary, or a raw TLV passed through. */
export type AttributeInput = { [N in AttributeName]: readonly [N, InputOf<KindOf<N>>] }[AttributeName] | RawAttribute;

/** One vendor sub-attribute, flattened out of its Vendor-Specific wrapper. */
export interface VendorAttribute {
  vendor: number;
  type: number;
  value: Buffer;
}

/**
 * Splits a Vendor-Specific value into Vendor-Id and sub-attributes, or undefined when it is not in the
 * RFC 2865 §5.26 format (fewer than 4 octets, or sub-attribute lengths that do not add up).
 */
export function parseVendorSpecific(value: Buffer): { vendor: number; subs: RawAttribute[] } | undefined {
  if (value.length < 4) return undefined;
  const vendor = value.readUInt32BE(0);
  const subs: RawAttribute[] = [];
  let at = 4;
  while (at < value.length) {
    const len = value[at + 1];
    if (len === undefined || len < 2 || at + len > value.length) return undefined;
    subs.push({ type: value[at]!, value: value.subarray(at + 2, at + len) });
    at += len;
  }
  return { vendor, subs };
}

/** Every vendor sub-attribute in the packet, in wire order (malformed VSAs skipped, not thrown). */
export function vendorAttributes(packet: RadiusPacket): VendorAttribute[] {
  const out: VendorAttribute[] = [];
  for (const a of packet.attributes) {
    if (a.type !== AttributeType.VendorSpecific) continue;
    const vsa = parseVendorSpecific(a.value);
    if (!vsa) continue;
    for (const s of vsa.subs) out.push({ vendor: vsa.vendor, type: s.type, value: s.value });
  }
  return out;
}

function isVendorName(name: string): name is VendorName {
  return Object.hasOwn(VENDOR_ATTRIBUTES, name);
}

function isStandardName(name: string): name is StandardName {
  return Object.hasOwn(STANDARD_ATTRIBUTES, name);
}

/** Raw values of every occurrence of a standard or vendor attribute, in wire order. */
export function getRawAll(packet: RadiusPacket, name: AttributeName): Buffer[] {
  if (isVendorName(name)) {
    const def = VENDOR_ATTRIBUTES[name];
    return vendorAttributes(packet)
      .filter((v) => v.vendor === def.vendor && v.type === def.type)
      .map((v) => v.value);
  }
  if (!isStandardName(name)) throw new RadiusError('UNKNOWN_ATTRIBUTE', `no dictionary has '${String(name)}'`);
  const type = STANDARD_ATTRIBUTES[name].type;
  return packet.attributes.filter((a) => a.type === type).map((a) => a.value);
}

/** Every well-formed occurrence of an attribute, typed (standard or vendor name). */
export function getAll<N extends AttributeName>(packet: RadiusPacket, name: N): AttributeValue<N>[] {
  const kind = (isVendorName(name) ? VENDOR_ATTRIBUTES[name] : STANDARD_ATTRIBUTES[name as StandardName]).kind;
  const out: AttributeValue<N>[] = [];
  for (const raw of getRawAll(packet, name)) {
    const v = decodeValue(kind, raw);
    if (v !== undefined) out.push(v as AttributeValue<N>);
  }
  return out;
}

/**
 * The first well-formed occurrence of an attribute, typed; undefined when absent or malformed.
 *
 * @example get(packet, 'Acct-Status-Type') === AcctStatusType.InterimUpdate
 */
export function get<N extends AttributeName>(packet: RadiusPacket, name: N): AttributeValue<N> | undefined {
  return getAll(packet, name)[0];
}

/** `get()` restricted to vendor names, for call sites that want to say so. */
export function getVendor<N extends VendorName>(packet: RadiusPacket, name: N): AttributeValue<N> | undefined {
  return get(packet, name);
}

/** True when the attribute occurs at all (even malformed). */
export function has(packet: RadiusPacket, name: AttributeName): boolean {
  return getRawAll(packet, name).length > 0;
}

/** One raw Vendor-Specific TLV holding one sub-attribute (RFC 2865 §5.26). */
export function vendorSpecific(vendor: number, type: number, value: Buffer): RawAttribute {
  if (value.length > 247) {
    throw new RadiusError('BAD_VALUE', `vendor ${vendor} attribute ${type}: ${value.length} octets, at most 247 fit in a VSA`);
  }
  const head = Buffer.alloc(6);
  head.writeUInt32BE(vendor, 0);
  head[4] = type;
  head[5] = value.length + 2;
  return { type: AttributeType.VendorSpecific, value: Buffer.concat([head, value]) };
}

/** Encodes one `[name, value]` pair to a raw attribute (a VSA for vendor names). */
export function toRawAttribute(input: AttributeInput): RawAttribute {
  if (!Array.isArray(input)) return input as RawAttribute;
  const [name, value] = input as readonly [string, unknown];
  if (isVendorName(name)) {
    const def = VENDOR_ATTRIBUTES[name];
    return vendorSpecific(def.vendor, def.type, encodeValue(def.kind, value as never, name));
  }
  if (!isStandardName(name)) throw new RadiusError('UNKNOWN_ATTRIBUTE', `no dictionary has '${name}'`);
  const def = STANDARD_ATTRIBUTES[name];
  const raw = encodeValue(def.kind, value as never, name);
  if (raw.length > 253) throw new RadiusError('BAD_VALUE', `${name}: ${raw.length} octets, at most 253 fit`);
  return { type: def.type, value: raw };
}

export function toRawAttributes(inputs: readonly AttributeInput[]): RawAttribute[] {
  return inputs.map(toRawAttribute);
}
