/**
 * UTF-8 and Latin-1 decoding of byte ranges, by the cheapest route for the
 * size (internal to the package).
 */

import { Buffer, isAscii } from 'node:buffer';

// Buffer's own decoders without toString's argument checks and encoding
// lookup, which cost more than the decoding for short strings. Present on
// every Node Buffer, absent from @types/node.
interface NativeSlices {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
export function utf8(bytes: Buffer, start: number, end: number): string {
  return (bytes as unknown as NativeSlices).utf8Slice(start, end);
}
export function latin1(bytes: Buffer, start: number, end: number): string {
  return (bytes as unknown as NativeSlices).latin1Slice(start, end);
}

/** Up to this many bytes, String.fromCharCode over the bytes beats the native decoders' fixed cost. */
export const SHORT = 16;
const fromCharCode = String.fromCharCode;
/**
 * SHORT_TEXT[n](b, s): the ASCII bytes b[s..s+n) as a string, or null if any
 * is not ASCII. One `String.fromCharCode` call of n arguments makes one flat
 * string (callgrind, 10 bytes: ~440 instructions, against ~840 for
 * `utf8Slice`, ~770 for `latin1Slice`, ~1,370 for a `+=` loop); a function
 * per length, because a call through `apply` costs more than the decoding.
 */
const SHORT_TEXT: ReadonlyArray<(b: Buffer, s: number) => string | null> = [
  () => '',
  (b, s) => ((b[s]!) < 0x80 ? fromCharCode(b[s]!) : null),
  (b, s) => ((b[s]! | b[s + 1]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]! | b[s + 11]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]! | b[s + 11]! | b[s + 12]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]! | b[s + 11]! | b[s + 12]! | b[s + 13]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]! | b[s + 11]! | b[s + 12]! | b[s + 13]! | b[s + 14]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!) : null),
  (b, s) => ((b[s]! | b[s + 1]! | b[s + 2]! | b[s + 3]! | b[s + 4]! | b[s + 5]! | b[s + 6]! | b[s + 7]! | b[s + 8]! | b[s + 9]! | b[s + 10]! | b[s + 11]! | b[s + 12]! | b[s + 13]! | b[s + 14]! | b[s + 15]!) < 0x80 ? fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!, b[s + 15]!) : null),
];

/** The string of b[start..end) (at most SHORT bytes), from the table when ASCII. */
export function shortText(bytes: Buffer, start: number, end: number): string {
  return SHORT_TEXT[end - start]!(bytes, start) ?? utf8(bytes, start, end);
}

/**
 * Past this size a string is decoded in slices of this size and joined:
 * V8 makes one rope of cache-sized flat strings far faster than one huge
 * flat string (measured ~4x for 1 MiB).
 */
export const UTF8_SLICE = 64 * 1024;

/** From this many bytes decodeUtf8 checks for ASCII first (below, the check costs more than it saves). */
const ASCII_CHECK = 512;

/**
 * UTF-8 decoding of a range, by the cheapest route for its size. Past SHORT
 * bytes, ASCII is checked first (`isAscii`, SIMD: ~0.2 instructions a byte)
 * and copied as Latin-1, which skips V8's UTF-8 decoder (~0.9 a byte more);
 * that pays from a few hundred bytes on. The reader checks a window of its
 * chunk at a time instead (RespReader#text), so short strings share one check.
 */
export function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  if (end - start <= SHORT) return shortText(bytes, start, end);
  if (end - start > UTF8_SLICE) return utf8Sliced(bytes, start, end);
  if (end - start >= ASCII_CHECK && isAsciiRange(bytes, start, end)) return latin1(bytes, start, end);
  return utf8(bytes, start, end);
}

/** True if b[start..end) is all ASCII (a view of the bytes for buffer.isAscii, which takes whole views only). */
export function isAsciiRange(bytes: Buffer, start: number, end: number): boolean {
  return isAscii(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
}

function utf8Sliced(bytes: Buffer, start: number, end: number): string {
  let out = '';
  while (end - start > UTF8_SLICE) {
    let cut = start + UTF8_SLICE;
    if (isAsciiRange(bytes, start, cut)) out += latin1(bytes, start, cut);
    else {
      // Never split a multi-byte sequence: back up over continuation bytes.
      while ((bytes[cut]! & 0xc0) === 0x80 && cut > start + UTF8_SLICE - 4) cut--;
      out += utf8(bytes, start, cut);
    }
    start = cut;
  }
  return out + (isAsciiRange(bytes, start, end) ? latin1(bytes, start, end) : utf8(bytes, start, end));
}
