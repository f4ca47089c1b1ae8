/**
 * The one error the codec throws. Every malformed input — truncated datagram, bad Length field,
 * attribute length < 2 or overrunning, a value too long to encode — becomes a `RadiusError` with a stable
 * `code`, so the server can drop and count by code (RFC 2865 §3: malformed packets are "silently
 * discarded") without ever catching anything else. Fuzz tests hold the codec to this.
 *
 * @example
 *   try { decodePacket(buf) } catch (e) { if (e instanceof RadiusError) metrics.drop(e.code); else throw e; }
 */
export type RadiusErrorCode =
  /** Fewer than 20 octets, or fewer octets than the Length field says (RFC 2865 §3: silently discard). */
  | 'TRUNCATED'
  /** Length field < 20 or > 4096 (RFC 2865 §3). */
  | 'BAD_LENGTH'
  /** An attribute's length octet < 2, or it runs past the packet's Length (RFC 2865 §5). */
  | 'BAD_ATTRIBUTE_LENGTH'
  /** A value that cannot be encoded: > 253 octets, an integer out of range, a malformed address. */
  | 'BAD_VALUE'
  /** An attribute name that no dictionary knows (encode side; decode keeps unknowns as raw octets). */
  | 'UNKNOWN_ATTRIBUTE'
  /** The encoded packet would exceed 4096 octets (RFC 2865 §3). */
  | 'TOO_LONG'
  /** A hidden User-Password whose length is not a multiple of 16 in 16..128 (RFC 2865 §5.2). */
  | 'BAD_PASSWORD';

export class RadiusError extends Error {
  override readonly name = 'RadiusError';
  constructor(
    readonly code: RadiusErrorCode,
    message: string,
  ) {
    super(message);
  }
}
