/** Small helpers every command module uses. */

import { Buffer } from 'node:buffer';

/** Node's Buffer carries its per-encoding decoders; `toString` adds argument checks around them. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/**
 * A key or member as the keyspace stores it: latin1, one unit per byte.
 * Called for nearly every request, so it skips `toString`'s checks.
 */
export function k(b: Buffer): string {
  return (b as Latin1Buffer).latin1Slice(0, b.length);
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
