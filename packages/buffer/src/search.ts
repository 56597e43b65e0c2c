/**
 * Separator search over a ChainBuffer's ring of chunks, without copying.
 *
 *   chunk i              chunk i+1         a separator may straddle any
 *   [....ab\r]   →   [\n....]            number of chunk boundaries
 *          ^ candidate: s[0] found natively, s[1..] confirmed byte by byte
 *
 * The ring layout (power-of-two array, `head`, readable window [off, end) per
 * chunk) is described in chain-buffer.ts.
 */
import type { Chunk } from './chunk.js';

/**
 * First index >= from of s in the chain of `len` readable bytes starting at
 * ring[head]; requires s.length >= 1 and from + s.length <= len, and returns
 * -1 when absent. Each chunk is scanned for s[0] by Buffer#indexOf (measured
 * faster than a JS loop even for short stretches); a candidate is confirmed
 * in place, or by walking on when the separator straddles chunks.
 */
export function find(ring: Chunk[], mask: number, head: number, len: number, s: Uint8Array, from: number): number {
  const sLen = s.length;
  const first = s[0]!;
  const last = len - sLen; // the last index where a match can start
  let i = head;
  let c = ring[i];
  let base = 0; // index of c's first readable byte
  while (from - base >= c.end - c.off) {
    base += c.end - c.off;
    i = (i + 1) & mask;
    c = ring[i];
  }
  let p = c.off + (from - base);
  for (;;) {
    const buf = c.buf;
    const end = c.end;
    if (p < end) {
      // Buffer#indexOf has no end bound: bytes past `end` are stale, so
      // search a view that stops at `end` unless the chunk is full.
      const hay = end === buf.length ? buf : c.slice(0, end);
      for (;;) {
        const q = hay.indexOf(first, p);
        if (q < 0) break;
        const at = base + q - c.off;
        if (at > last) return -1;
        if (sLen === 1) return at;
        if (q + sLen <= end) {
          // Whole candidate inside this chunk: compare in place.
          let j = 1;
          while (j < sLen && buf[q + j] === s[j]) j++;
          if (j === sLen) return at;
        } else if (matchRest(ring, mask, s, c, q, i)) {
          return at;
        }
        p = q + 1;
      }
    }
    base += end - c.off;
    if (base > last) return -1;
    i = (i + 1) & mask;
    c = ring[i];
    p = c.off;
  }
}

/** Whether s[1..] follows position p of chunk c (at ring index i). */
function matchRest(ring: Chunk[], mask: number, s: Uint8Array, c: Chunk, p: number, i: number): boolean {
  let buf = c.buf;
  let end = c.end;
  p++;
  for (let j = 1; j < s.length; j++, p++) {
    while (p === end) {
      i = (i + 1) & mask;
      c = ring[i];
      buf = c.buf;
      p = c.off;
      end = c.end;
    }
    if (buf[p] !== s[j]) return false;
  }
  return true;
}
