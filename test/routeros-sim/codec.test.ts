/** Byte fixtures for the five length-prefix forms (gateways.md 1.2) and streaming decoding. */
import { describe, expect, it } from 'vitest';
import { decodeLength, encodeLength, encodeSentence, prefixSize, ProtocolError, SentenceDecoder } from './codec.js';

const FIXTURES: Array<[number, string]> = [
  [0x00, '00'],
  [0x7f, '7f'],
  [0x80, '8080'],
  [0x3fff, 'bfff'],
  [0x4000, 'c04000'],
  [0x1fffff, 'dfffff'],
  [0x200000, 'e0200000'],
  [0xfffffff, 'efffffff'],
  [0x10000000, 'f010000000'],
  [0xffffffff, 'f0ffffffff'],
];

describe('length prefixes', () => {
  it.each(FIXTURES)('encodes %i as %s and back', (len, hex) => {
    const bytes = encodeLength(len);
    expect(bytes.toString('hex')).toBe(hex);
    expect(prefixSize(bytes[0]!)).toBe(bytes.length);
    expect(decodeLength(bytes)).toBe(len);
  });

  it('rejects reserved control bytes', () => {
    expect(prefixSize(0xf8)).toBe(0);
    expect(() => new SentenceDecoder().push(Buffer.from([0xf8, 0, 0]))).toThrow(ProtocolError);
  });
});

describe('sentences', () => {
  it('encodes words and the terminating zero-length word', () => {
    expect(encodeSentence(['/login', '=name=a']).toString('hex')).toBe(
      '06' + Buffer.from('/login').toString('hex') + '07' + Buffer.from('=name=a').toString('hex') + '00',
    );
  });

  it('decodes sentences split at every byte boundary, with 1-, 2- and 3-byte prefixes', () => {
    const long = '=comment=' + 'x'.repeat(0x4000);
    const medium = '=comment=' + 'y'.repeat(200);
    const bytes = Buffer.concat([encodeSentence(['/a', medium, '.tag=1']), encodeSentence(['/b', long]), Buffer.from([0])]);
    expect(bytes.includes(Buffer.from([0xc0, 0x40, 0x09]))).toBe(true); // 3-byte prefix present
    const d = new SentenceDecoder();
    const out: string[][] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...d.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual([['/a', medium, '.tag=1'], ['/b', long]]);
    expect(d.pending).toBe(0);
  });

  it('decodes several sentences from one read and ignores empty sentences', () => {
    const bytes = Buffer.concat([Buffer.from([0]), encodeSentence(['!re', '=a=1']), encodeSentence(['!done'])]);
    expect(new SentenceDecoder().push(bytes)).toEqual([['!re', '=a=1'], ['!done']]);
  });
});
