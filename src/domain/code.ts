/**
 * Voucher codes: Crockford base32 (0-9, A-Z without I, L, O, U), 10 data characters (50 bits from a
 * CSPRNG, passed in as `randomBytes`) plus one Luhn mod 32 check character, printed in groups:
 * `K7QM-4XPA-9TR`. Residents may type any case, with or without dashes or spaces; O is read as 0 and
 * I/L as 1 (Crockford's decoding rules), so the typos a cheap phone keyboard invites still match.
 *
 * The check character catches every single-character error and most adjacent swaps before any lookup,
 * so a typo gets "check the code" (400) instead of burning a guess against the throttle.
 *
 * @example
 *   const code = generateCode(randomBytes);   // 'K7QM4XPA9TR'
 *   formatCode(code);                          // 'K7QM-4XPA-9TR'
 *   parseCode('k7qm 4xpa-9tr');                // { ok: true, code: 'K7QM4XPA9TR' }
 */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const DATA_LENGTH = 10;
export const CODE_LENGTH = DATA_LENGTH + 1;
const VALUE = new Map<string, number>([...ALPHABET].map((ch, i) => [ch, i]));

export type ParsedCode =
  | { ok: true; code: string }
  | { ok: false; reason: 'malformed' | 'check' };

/** Fills `n` bytes with cryptographically secure randomness (node:crypto randomFillSync in main). */
export type RandomBytes = (n: number) => Uint8Array;

export function generateCode(randomBytes: RandomBytes): string {
  // 50 bits = 10 symbols of 5 bits; take 7 bytes (56 bits) and use the low 50.
  const bytes = randomBytes(7);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let data = '';
  for (let i = 0; i < DATA_LENGTH; i++) {
    data += ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return data + checkChar(data);
}

/** Luhn mod N (N = 32) over the data symbols. */
export function checkChar(data: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = data.length - 1; i >= 0; i--) {
    const v = VALUE.get(data[i]!);
    if (v === undefined) throw new Error(`not a code symbol: ${data[i]}`);
    let addend = factor * v;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return ALPHABET[(32 - (sum % 32)) % 32]!;
}

/** Upper-cases, drops spaces/dashes/dots, maps O→0 and I/L→1. Returns '' for anything else. */
export function normalizeCode(input: string): string {
  const cleaned = input.trim().toUpperCase().replace(/[\s\-_.]/g, '');
  return cleaned.replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function parseCode(input: unknown): ParsedCode {
  if (typeof input !== 'string' || input.length > 64) return { ok: false, reason: 'malformed' };
  const code = normalizeCode(input);
  if (code.length !== CODE_LENGTH) return { ok: false, reason: 'malformed' };
  for (const ch of code) if (!VALUE.has(ch)) return { ok: false, reason: 'malformed' };
  if (checkChar(code.slice(0, DATA_LENGTH)) !== code[DATA_LENGTH]) return { ok: false, reason: 'check' };
  return { ok: true, code };
}

export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8)}`;
}

/** Compares two strings in time that depends only on their lengths, not on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}
