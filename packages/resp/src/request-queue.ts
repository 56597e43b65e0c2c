/**
 * ByteQueue: the request parser's input, a FIFO of the Buffers it was fed.
 *
 *   chunks:  [ consumed | readable ] [ readable ] [ readable ] ...
 *              ^ first      ^ head
 *
 * Fed buffers are kept by reference; bytes are copied only when an argument
 * or line spans chunks (one copy of exactly those bytes). A search resumes
 * where the previous one gave up, starting from the newest chunks, so a line
 * or argument arriving in many small pieces costs O(total bytes).
 */

import { Buffer } from 'node:buffer';

export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Index of the first chunk still holding readable bytes. */
  private first = 0;
  /** Offset of the first readable byte in `chunks[first]`. */
  private head = 0;
  /** Readable bytes in all chunks. */
  length = 0;

  /** The chunk holding the first readable byte (only when length > 0). */
  get front(): Buffer {
    return this.chunks[this.first] as Buffer;
  }

  /** Offset of the first readable byte in `front`. */
  get frontOffset(): number {
    return this.head;
  }

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /** The byte at readable offset `i` (< length). */
  byteAt(i: number): number {
    let ci = this.first;
    let off = this.head + i;
    for (;;) {
      const c = this.chunks[ci] as Buffer;
      if (off < c.length) return c[off] as number;
      off -= c.length;
      ci++;
    }
  }

  /** Readable offset of the first `byte` at or after `from`, or -1. */
  indexOf(byte: number, from: number): number {
    if (from >= this.length) return -1;
    // walk back from the newest chunk to the one holding `from`: a resumed
    // search only visits the chunks that arrived since it last gave up
    let ci = this.chunks.length - 1;
    // readable offset of the first readable byte of chunks[ci]
    let start = this.length - this.readable(ci);
    while (start > from) {
      ci--;
      start -= this.readable(ci);
    }
    for (; ci < this.chunks.length; ci++) {
      const c = this.chunks[ci] as Buffer;
      const base = ci === this.first ? this.head : 0; // chunk offset of readable offset `start`
      const at = c.indexOf(byte, base + Math.max(0, from - start));
      if (at !== -1) return start + at - base;
      start += c.length - base;
    }
    return -1;
  }

  private readable(ci: number): number {
    const c = this.chunks[ci] as Buffer;
    return ci === this.first ? c.length - this.head : c.length;
  }

  /**
   * Remove and return the first `n` bytes. A view into a fed buffer when they
   * sit in one chunk and `copy` is false; otherwise a new Buffer.
   */
  take(n: number, copy: boolean): Buffer {
    const c = this.chunks[this.first] as Buffer;
    const h = this.head;
    if (h + n <= c.length) {
      let out: Buffer;
      if (!copy) {
        out = c.subarray(h, h + n);
      } else if (n <= SHORT_COPY) {
        // a loop beats a native copy for a few bytes
        out = Buffer.allocUnsafe(n);
        for (let i = 0; i < n; i++) out[i] = c[h + i] as number;
      } else {
        out = Buffer.allocUnsafe(n);
        c.copy(out, 0, h, h + n);
      }
      this.skip(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[this.first] as Buffer;
      const k = Math.min(n - filled, chunk.length - this.head);
      chunk.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.skip(k);
    }
    return out;
  }

  /** Drop the first `n` readable bytes (n <= length). */
  skip(n: number): void {
    this.length -= n;
    const c = this.chunks[this.first];
    if (c !== undefined && this.head + n < c.length) {
      this.head += n; // the common case: still inside the front chunk
      return;
    }
    let off = this.head + n;
    while (this.first < this.chunks.length && off >= (this.chunks[this.first] as Buffer).length) {
      off -= (this.chunks[this.first] as Buffer).length;
      this.chunks[this.first] = EMPTY; // let the consumed chunk be collected
      this.first++;
    }
    this.head = off;
    if (this.first === this.chunks.length) {
      this.chunks.length = 0;
      this.first = 0;
    } else if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  clear(): void {
    this.chunks = [];
    this.first = 0;
    this.head = 0;
    this.length = 0;
  }
}

const EMPTY = Buffer.alloc(0);
const SHORT_COPY = 32;
