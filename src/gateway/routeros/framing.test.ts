/** Sentence framing against byte fixtures of every length form, fed whole and one byte at a time. */
import { describe, expect, it } from 'vitest';
import { FramingError, SentenceFramer } from './framing.js';

/** Buffer-wise equality (vitest's deep equality walks megabyte buffers byte by byte). */
const same = (got: Buffer[], want: Buffer[]) => got.length === want.length && got.every((b, i) => b.equals(want[i]!));

const word = (hexPrefix: string, bodyLength: number, fill = 0x61) => Buffer.concat([Buffer.from(hexPrefix, 'hex'), Buffer.alloc(bodyLength, fill)]);

describe('SentenceFramer', () => {
  const sentences = [
    Buffer.concat([word('03', 3), word('7f', 0x7f), Buffer.from([0])]),
    Buffer.concat([word('8080', 0x80), word('bfff', 0x3fff), Buffer.from([0])]),
    Buffer.concat([word('c04000', 0x4000), Buffer.from([0])]),
    Buffer.concat([word('e0200000', 0x200000), Buffer.from([0])]),
  ];
  const stream = Buffer.concat([Buffer.from([0]), ...sentences]);

  it('cuts a stream into sentences at the zero-length word', () => {
    expect(same(new SentenceFramer().push(stream), sentences)).toBe(true);
  });

  it('reassembles sentences split at every byte boundary, including inside length prefixes', () => {
    const f = new SentenceFramer();
    const out: Buffer[] = [];
    const head = stream.subarray(0, 0x4000 + 0x3fff + 0x200);
    for (let i = 0; i < head.length; i++) out.push(...f.push(head.subarray(i, i + 1)));
    out.push(...f.push(stream.subarray(head.length)));
    expect(same(out, sentences)).toBe(true);
  });

  it('decodes the 5-byte form', () => {
    const f = new SentenceFramer();
    // 0xF0 + 4-byte length announces a word longer than what has arrived: nothing is complete yet.
    expect(f.push(Buffer.from('f010000000616161', 'hex'))).toEqual([]);
  });

  it('rejects reserved control bytes', () => {
    expect(() => new SentenceFramer().push(Buffer.from([0xf8]))).toThrow(FramingError);
  });
});
