/**
 * Byte helpers shared by the encoders and the request parser: UTF-8 length
 * without a native call for short strings, and decimal digits written
 * straight into a Buffer (no intermediate string).
 */

import { Buffer } from 'node:buffer';

/**
 * Node's Buffer has had `latin1Write` / `utf8Write` since v0.x; they skip the
 * encoding dispatch of `buf.write(s, o, n, enc)` but are missing from
 * @types/node, so they are declared here.
 */
export interface FastBuffer extends Buffer {
  latin1Write(s: string, offset: number, length: number): number;
  utf8Write(s: string, offset: number, length: number): number;
}

/** Past this many UTF-16 units `Buffer.byteLength` (native) is cheaper. */
const JS_LENGTH_LIMIT = 64;

/** Bytes of `s` in UTF-8, lone surrogates counted as U+FFFD (3 bytes), as Node encodes them. */
export function utf8Length(s: string): number {
  const n = s.length;
  if (n > JS_LENGTH_LIMIT) return Buffer.byteLength(s, 'utf8');
  let len = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        len += 2; // a pair: 2 units, 4 bytes
        i++;
      } else {
        len += 2;
      }
    } else {
      len += 2;
    }
  }
  return len;
}

/** Digits of a non-negative safe integer. */
export function decimalLength(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  if (n < 1000000) return 6;
  if (n < 10000000) return 7;
  if (n < 100000000) return 8;
  if (n < 1000000000) return 9;
  return String(n).length;
}

/** Write non-negative safe integer `n` in decimal at `o`; returns the offset after it. */
export function writeDecimal(buf: Uint8Array, o: number, n: number): number {
  if (n < 10) {
    buf[o] = 0x30 + n;
    return o + 1;
  }
  const end = o + decimalLength(n);
  let p = end;
  while (n >= 10) {
    const q = Math.floor(n / 10);
    buf[--p] = 0x30 + (n - q * 10);
    n = q;
  }
  buf[--p] = 0x30 + n;
  return end;
}

/** A value's type for error messages: `number`, `null`, `Date`, ... */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}

/** A copy of `len` bytes of `c` at `p` (request arguments kept by a server). */
export function copyOut(c: Buffer, p: number, len: number): Buffer {
  const out = Buffer.allocUnsafe(len);
  if (len <= 32) {
    for (let i = 0; i < len; i++) out[i] = c[p + i] as number; // a loop beats a native copy here
  } else {
    c.copy(out, 0, p, p + len);
  }
  return out;
}
