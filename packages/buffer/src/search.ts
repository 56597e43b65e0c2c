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
import type { Buffer } from 'node:buffer';
import type { Chunk } from './chunk.js';

const CR = 13;
const LF = 10;
const CRLF = new Uint8Array([CR, LF]);
/**
 * After this many false first-byte candidates in one chunk (lone CRs in
 * binary data, say), the rest of the chunk goes to one native multi-byte
 * Buffer#indexOf, which skips them in C++. Callgrind, Node 20: a one-byte
 * indexOf call is ~280 instructions, a two-byte one ~1,000 (plus ~0.1 per
 * byte scanned either way), so text without lone CRs never pays for it.
 */
const NATIVE_AFTER = 2;
/**
 * An owned chunk with at most this many stale bytes past `end` is searched
 * whole, and hits past `end` ignored: scanning them (~0.1 instruction a
 * byte) is cheaper than the Buffer view (~500) that would stop at `end`.
 */
const STALE_SCAN = 2048;

/**
 * The Buffer to run indexOf(first) on for chunk c: its buf when a search
 * cannot run far past `end` (full, few stale bytes, or a search for CR in a
 * chunk sealed with a CR at `end`: see seal() in chain-buffer.ts), else a
 * view ending at `end`. Hits at or past `end` mean "none in this chunk".
 */
function haystack(c: Chunk, first: number): Buffer {
  const buf = c.buf;
  const end = c.end;
  return end === buf.length || buf.length - end <= STALE_SCAN || (first === CR && buf[end] === CR) ? buf : c.slice(0, end);
}

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
      // Buffer#indexOf has no end bound: bytes past `end` are stale, so a
      // hit there means none before `end` (see haystack()).
      const hay = haystack(c, first);
      let misses = 0;
      for (;;) {
        if (misses === NATIVE_AFTER && sLen > 1) {
          // Whole matches inside the chunk natively; then only the starts
          // that straddle its end are left for the loop below. (A sealed
          // CR stops only one-byte searches: this one gets a view.)
          const q = (end === buf.length ? buf : c.slice(0, end)).indexOf(s, p);
          if (q >= 0 && q + sLen <= end) return base + q - c.off;
          if (end - sLen + 1 > p) p = end - sLen + 1;
        }
        const q = hay.indexOf(first, p);
        if (q < 0 || q >= end) break;
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
        misses++;
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

/**
 * find() for CRLF, the separator of every line protocol: the first index
 * >= from of a CR followed by a LF; requires from + 2 <= len.
 */
export function findCrlf(ring: Chunk[], mask: number, head: number, len: number, from: number): number {
  let i = head;
  let c = ring[i]!;
  let base = 0; // index of c's first readable byte
  while (from - base >= c.end - c.off) {
    base += c.end - c.off;
    i = (i + 1) & mask;
    c = ring[i]!;
  }
  let p = c.off + (from - base);
  for (;;) {
    const buf = c.buf;
    const end = c.end;
    const hay = haystack(c, CR);
    let misses = 0;
    for (;;) {
      let q: number;
      if (misses < NATIVE_AFTER) {
        q = hay.indexOf(CR, p);
        if (q < 0 || q >= end) break;
        if (q + 1 < end) {
          if (buf[q + 1] === LF) return base + q - c.off;
          misses++;
          p = q + 1;
          continue;
        }
      } else {
        // Native two-byte search; a CR seal does not stop it, so a view.
        q = (end === buf.length ? buf : c.slice(0, end)).indexOf(CRLF, p);
        if (q >= 0 && q + 2 <= end) return base + q - c.off;
        q = end - 1;
        if (q < p || buf[q] !== CR) break;
      }
      // q === end - 1: a CR that the next chunk's first byte may complete.
      const next = base + end - c.off; // index of the next chunk's first byte
      if (next >= len) return -1;
      const n = ring[(i + 1) & mask]!;
      if (n.buf[n.off] === LF) return next - 1;
      break;
    }
    base += end - c.off;
    if (base + 2 > len) return -1;
    i = (i + 1) & mask;
    c = ring[i]!;
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
