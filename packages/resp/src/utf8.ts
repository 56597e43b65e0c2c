/**
 * UTF-8 and Latin-1 decoding of byte ranges, by the cheapest route for the
 * size (internal to the package).
 */

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

/** Up to this many bytes a JS loop beats the native decoder's fixed cost. */
const SHORT = 8;
/**
 * Past this size a string is decoded in slices of this size and joined:
 * V8 makes one rope of cache-sized flat strings far faster than one huge
 * flat string (measured ~4x for 1 MiB).
 */
export const UTF8_SLICE = 64 * 1024;

/** UTF-8 decoding of a range, by the cheapest route for its size. */
export function decodeUtf8(bytes: Buffer, start: number, end: number): string {
  if (end - start > SHORT) return end - start > UTF8_SLICE ? utf8Sliced(bytes, start, end) : utf8(bytes, start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return utf8(bytes, start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

function utf8Sliced(bytes: Buffer, start: number, end: number): string {
  let out = '';
  while (end - start > UTF8_SLICE) {
    let cut = start + UTF8_SLICE;
    // Never split a multi-byte sequence: back up over continuation bytes.
    while ((bytes[cut]! & 0xc0) === 0x80 && cut > start + UTF8_SLICE - 4) cut--;
    out += utf8(bytes, start, cut);
    start = cut;
  }
  return out + utf8(bytes, start, end);
}
