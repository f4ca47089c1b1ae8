/**
 * Sentence framing for node-routeros' receiver. Its parser (1.6.9) decides where a reply sentence ends
 * by TCP chunk boundaries and loses a length prefix split across two reads (gateways.md 1.8, defect #5:
 * replies delivered a byte at a time hang it). The transport therefore buffers the byte stream here and
 * hands the receiver exactly one complete sentence per call, which is the case it handles correctly.
 * Lengths use the five RouterOS forms (Part 1.2); a reserved control byte (≥ 0xF8) is an error.
 *
 * @example
 *   const framer = new SentenceFramer();
 *   for (const sentence of framer.push(chunk)) receiver(sentence);
 */

function prefixSize(first: number): number {
  if (first < 0x80) return 1;
  if (first < 0xc0) return 2;
  if (first < 0xe0) return 3;
  if (first < 0xf0) return 4;
  if (first === 0xf0) return 5;
  return 0;
}

function wordLength(buf: Buffer, at: number, size: number): number {
  const b = buf[at]!;
  if (size === 1) return b;
  if (size === 5) return buf.readUInt32BE(at + 1);
  let len = b & (0xff >> size); // strip the size marker bits: 10, 110, 1110
  for (let k = 1; k < size; k++) len = len * 256 + buf[at + k]!;
  return len;
}

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export class SentenceFramer {
  private buf: Buffer = Buffer.alloc(0);

  /** Adds bytes from the socket; returns the sentences they complete, each with its zero-length word. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    for (;;) {
      let i = 0;
      let complete = false;
      while (i < this.buf.length) {
        const size = prefixSize(this.buf[i]!);
        if (size === 0) throw new FramingError(`reserved control byte 0x${this.buf[i]!.toString(16)} from the router`);
        if (i + size > this.buf.length) break;
        const len = wordLength(this.buf, i, size);
        i += size;
        if (len === 0) {
          complete = true;
          break;
        }
        if (i + len > this.buf.length) {
          i -= size;
          break;
        }
        i += len;
      }
      if (!complete) break;
      const sentence = this.buf.subarray(0, i);
      this.buf = this.buf.subarray(i);
      if (sentence.length > 1) out.push(sentence); // RouterOS ignores empty sentences
    }
    return out;
  }
}
