/** Voucher codes: entropy, check character, normalization of what residents type, constant-time compare. */
import { randomFillSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ALPHABET, checkChar, constantTimeEqual, formatCode, generateCode, normalizeCode, parseCode } from './code.js';

const rng = (n: number) => randomFillSync(new Uint8Array(n));

describe('voucher codes', () => {
  it('generates 11 Crockford symbols with a valid check character', () => {
    for (let i = 0; i < 500; i++) {
      const code = generateCode(rng);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{11}$/);
      expect(parseCode(code)).toEqual({ ok: true, code });
    }
  });

  it('carries 50 bits: every data symbol takes all 32 values over many codes', () => {
    const seen = Array.from({ length: 10 }, () => new Set<string>());
    for (let i = 0; i < 3000; i++) [...generateCode(rng).slice(0, 10)].forEach((ch, j) => seen[j]!.add(ch));
    for (const s of seen) expect(s.size).toBe(32);
  });

  it('is deterministic for given random bytes', () => {
    const fixed = () => new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
    expect(generateCode(fixed)).toBe(generateCode(fixed));
  });

  it('accepts any case, spaces and dashes, and reads O as 0 and I/L as 1', () => {
    const code = '0123456789' + checkChar('0123456789');
    expect(parseCode(formatCode(code).toLowerCase())).toEqual({ ok: true, code });
    expect(parseCode(' o123 4567 89' + code[10]!.toLowerCase())).toEqual({ ok: true, code });
    const withOne = '1111111111' + checkChar('1111111111');
    expect(parseCode('IlIl-IlIl-Il' + withOne[10])).toEqual({ ok: true, code: withOne });
    expect(normalizeCode('ab-cd ef')).toBe('ABCDEF');
  });

  it('catches every single-character typo with the check character', () => {
    const code = generateCode(rng);
    for (let i = 0; i < 11; i++) {
      for (const ch of ALPHABET) {
        if (ch === code[i]) continue;
        const typo = code.slice(0, i) + ch + code.slice(i + 1);
        expect(parseCode(typo)).toEqual({ ok: false, reason: 'check' });
      }
    }
  });

  it('catches swaps of adjacent different data symbols', () => {
    let caught = 0;
    let total = 0;
    for (let n = 0; n < 200; n++) {
      const code = generateCode(rng);
      for (let i = 0; i < 9; i++) {
        if (code[i] === code[i + 1]) continue;
        total++;
        const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
        if (!parseCode(swapped).ok) caught++;
      }
    }
    // Luhn mod N misses only the pair that maps onto itself: nearly all swaps are caught.
    expect(caught / total).toBeGreaterThan(0.95);
  });

  it.each([
    ['', 'malformed'],
    ['K7QM-4XPA', 'malformed'],
    ['K7QM-4XPA-9TRX', 'malformed'],
    ['K7QM-4XPA-9T!', 'malformed'],
    ['UUUU-UUUU-UUU', 'malformed'],
    ['x'.repeat(100), 'malformed'],
  ])('rejects %j as %s', (input, reason) => {
    expect(parseCode(input)).toEqual({ ok: false, reason });
  });

  it('rejects non-strings', () => {
    for (const v of [undefined, null, 42, {}, []]) expect(parseCode(v)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('compares in constant time by content', () => {
    expect(constantTimeEqual('ABC', 'ABC')).toBe(true);
    expect(constantTimeEqual('ABC', 'ABD')).toBe(false);
    expect(constantTimeEqual('ABC', 'ABCD')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
