/**
 * The RouterOS API wire format (gateways.md Part 1.2–1.3): a word is a length prefix in one of five
 * forms followed by that many bytes; a sentence is words ended by a zero-length word. The decoder is
 * streaming and keeps partial prefixes and partial words across reads, because a client (node-routeros
 * writes every word with its own `socket.write`) or a fault mode may split a frame at any byte.
 *
 * @example
 *   encodeLength(0x80); // <80 80>
 *   const d = new SentenceDecoder();
 *   d.push(bytes); // → [['/login', '=name=admin', '.tag=1']]
 */

/** Encodes a word length in the shortest of the five forms (big-endian). */
export function encodeLength(len: number): Buffer {
  if (!Number.isInteger(len) || len < 0 || len > 0xffffffff) throw new RangeError(`bad word length ${len}`);
  if (len < 0x80) return Buffer.from([len]);
  if (len < 0x4000) return Buffer.from([(len >>> 8) | 0x80, len & 0xff]);
  if (len < 0x200000) return Buffer.from([(len >>> 16) | 0xc0, (len >>> 8) & 0xff, len & 0xff]);
  if (len < 0x10000000) return Buffer.from([(len >>> 24) | 0xe0, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
  return Buffer.from([0xf0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
}

/** Bytes the length prefix starting with `first` occupies, or 0 for a reserved control byte (≥ 0xF8). */
export function prefixSize(first: number): number {
  if (first < 0x80) return 1;
  if (first < 0xc0) return 2;
  if (first < 0xe0) return 3;
  if (first < 0xf0) return 4;
  if (first === 0xf0) return 5;
  return 0;
}

/** Decodes a complete length prefix (its size from `prefixSize`). */
export function decodeLength(prefix: Buffer): number {
  const b = prefix[0]!;
  switch (prefix.length) {
    case 1:
      return b;
    case 2:
      return ((b & 0x3f) << 8) | prefix[1]!;
    case 3:
      return ((b & 0x1f) << 16) | (prefix[1]! << 8) | prefix[2]!;
    case 4:
      return ((b & 0x0f) * 0x1000000) + ((prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!);
    default:
      return prefix.readUInt32BE(1);
  }
}

/**
 * Words are bytes on the wire; RouterOS itself uses an 8-bit code page and node-routeros encodes as
 * windows-1252 (gateways.md 2.3 #6), so the simulator maps bytes ↔ text as latin1 and tests keep ASCII.
 */
export function encodeWord(word: string | Buffer): Buffer {
  const body = typeof word === 'string' ? Buffer.from(word, 'latin1') : word;
  return Buffer.concat([encodeLength(body.length), body]);
}

export function encodeSentence(words: readonly string[]): Buffer {
  return Buffer.concat([...words.map((w) => encodeWord(w)), Buffer.from([0])]);
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

/** Streaming sentence decoder: push any slice of the byte stream, get the sentences it completes. */
export class SentenceDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private words: string[] = [];
  /** Caps a single word so a garbage prefix cannot make the simulator buffer gigabytes. */
  constructor(private readonly maxWord = 16 * 1024 * 1024) {}

  push(chunk: Buffer): string[][] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: string[][] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const size = prefixSize(this.buf[0]!);
      if (size === 0) throw new ProtocolError(`control byte 0x${this.buf[0]!.toString(16)} is reserved`);
      if (this.buf.length < size) break;
      const len = decodeLength(this.buf.subarray(0, size));
      if (len > this.maxWord) throw new ProtocolError(`word of ${len} bytes is too long`);
      if (this.buf.length < size + len) break;
      const word = this.buf.subarray(size, size + len).toString('latin1');
      this.buf = this.buf.subarray(size + len);
      if (len === 0) {
        // RouterOS ignores empty sentences (Part 1.3).
        if (this.words.length > 0) out.push(this.words);
        this.words = [];
      } else {
        this.words.push(word);
      }
    }
    return out;
  }

  /** Bytes held back waiting for the rest of a prefix or word. */
  get pending(): number {
    return this.buf.length;
  }
}
