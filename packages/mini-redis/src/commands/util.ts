/** Small helpers every command module uses. */

import { Buffer } from 'node:buffer';

/** Node's Buffer carries its per-encoding decoders; `toString` adds argument checks around them. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

const fcc = String.fromCharCode as (...codes: Array<number | undefined>) => string;

/**
 * A key or member as the keyspace stores it: latin1, one unit per byte.
 * Called for nearly every request. Up to 24 bytes it is built in JS by one
 * String.fromCharCode with the bytes as arguments (a one-byte string, no
 * call into C++): callgrind put that at ~800 instructions per 16-byte key
 * against ~1200 for the native latin1Slice, and fromCharCode.apply or a
 * concatenation loop cost more than either, hence the odd shape. Longer
 * keys take latin1Slice (which skips `toString`'s checks).
 */
export function k(b: Buffer): string {
  switch (b.length) {
    case 0: return '';
    case 1: return fcc(b[0]);
    case 2: return fcc(b[0], b[1]);
    case 3: return fcc(b[0], b[1], b[2]);
    case 4: return fcc(b[0], b[1], b[2], b[3]);
    case 5: return fcc(b[0], b[1], b[2], b[3], b[4]);
    case 6: return fcc(b[0], b[1], b[2], b[3], b[4], b[5]);
    case 7: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
    case 8: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    case 9: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
    case 10: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9]);
    case 11: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10]);
    case 12: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]);
    case 13: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12]);
    case 14: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13]);
    case 15: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14]);
    case 16: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    case 17: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16]);
    case 18: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17]);
    case 19: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18]);
    case 20: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19]);
    case 21: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20]);
    case 22: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20], b[21]);
    case 23: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20], b[21], b[22]);
    case 24: return fcc(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20], b[21], b[22], b[23]);
    default: return (b as Latin1Buffer).latin1Slice(0, b.length);
  }
}

/** The stored form back to bytes for a reply. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** Case-insensitive comparison of an option argument with a lower-case word. */
export function is(b: Buffer, word: string): boolean {
  if (b.length !== word.length) return false;
  // Byte by byte, no string: only A-Z fold (a latin1 capital never lower-cases to ASCII).
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Redis's index normalisation for LRANGE/ZRANGE: negative counts from the
 * end, start clamped to 0, stop to len-1. Returns null for an empty range.
 */
export function clampRange(start: number, stop: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (stop < 0) stop = len + stop;
  if (start < 0) start = 0;
  if (start > stop || start >= len) return null;
  if (stop >= len) stop = len - 1;
  return [start, stop];
}
