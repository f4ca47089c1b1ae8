/** Units operators type: durations, sizes and rates, and how they are printed. */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate, parseBytes, parseDuration, parseRate } from './units.js';

describe('units', () => {
  it.each([
    ['90m', 5400], ['1h', 3600], ['2d', 172800], ['30d', 2592000], ['1w', 604800], ['1.5h', 5400],
  ])('duration %s = %i s', (text, s) => expect(parseDuration(text)).toBe(s));

  it.each([
    ['500MB', 500e6], ['2GB', 2e9], ['1GiB', 1024 ** 3], ['1.5gb', 1.5e9], ['100kB', 1e5],
  ])('size %s = %i bytes', (text, b) => expect(parseBytes(text)).toBe(b));

  it.each([
    ['4Mbit', 4e6], ['512kbit', 512e3], ['10M', 10e6], ['1.5Mbps', 1.5e6],
  ])('rate %s = %i bit/s', (text, r) => expect(parseRate(text)).toBe(r));

  it.each(['', '1x', '-1h', '0h', 'h', '99999w'])('rejects duration %j', (t) => expect(() => parseDuration(t)).toThrow(RangeError));
  it.each(['', '5', '0MB', 'lots', '1e9GB'])('rejects size %j', (t) => expect(() => parseBytes(t)).toThrow(RangeError));
  it.each(['', 'fast', '1kbit', '0M'])('rejects rate %j', (t) => expect(() => parseRate(t)).toThrow(RangeError));

  it('formats for people', () => {
    expect(formatBytes(2e9)).toBe('2 GB');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatRate(4e6)).toBe('4 Mbit/s');
    expect(formatRate(512e3)).toBe('512 kbit/s');
  });
});
