/**
 * One link of a ChainBuffer: a backing Buffer and the window [off, end) of it
 * that holds readable bytes.
 *
 *   buf:  |<- drained ->|<--- readable --->|<--- free (owned only) --->|
 *         0             off                end                 buf.length
 *
 * Invariants the chain relies on:
 * - Bytes below `end` are never rewritten while a view of them may be alive:
 *   appends only write at `end` and beyond, and a chunk is rewound (off = end
 *   = 0) or handed to the pool only when `shared` is false.
 * - A chunk that is not `owned` holds the caller's memory (addReference): it is
 *   never written to, never pooled, and `end === buf.length` from the start.
 */
// Node's global `Buffer` is a getter on globalThis: every `Buffer.x` in a hot
// path paid a LoadGlobalIC miss and a call (~180 instructions, callgrind).
import { Buffer } from 'node:buffer';
import { bufferView } from './view.js';

export class Chunk {
  /** Backing memory; for a referenced chunk exactly the caller's bytes. */
  buf: Buffer;
  /**
   * buf's ArrayBuffer and byteOffset, looked up on the first view (the
   * `.buffer` getter is a C++ call); null until then. Reset with `buf`.
   */
  mem: ArrayBufferLike | null = null;
  memOff = 0;
  /** First readable byte. */
  off = 0;
  /** One past the last readable byte; appends (owned chunks only) go here. */
  end = 0;
  /** True when this buffer allocated `buf` and may write into / recycle it. */
  owned: boolean;
  /** True once a view of `buf` left the buffer (peek, pullup, writeAtMost). */
  shared = false;

  constructor(buf: Buffer, owned: boolean) {
    this.buf = buf;
    this.owned = owned;
  }

  /** Points the chunk at other memory. */
  setBuf(buf: Buffer): void {
    this.buf = buf;
    this.mem = null;
  }

  /** buf's ArrayBuffer (memOff is then its byteOffset). */
  memory(): ArrayBufferLike {
    if (this.mem === null) {
      this.mem = this.buf.buffer;
      this.memOff = this.buf.byteOffset;
    }
    return this.mem;
  }

  /** A Buffer view of buf[from, to) (no copy, no ownership change: see view() in chain-buffer.ts). */
  slice(from: number, to: number): Buffer {
    const mem = this.memory();
    return bufferView(mem, this.memOff + from, to - from);
  }
}

/** Placeholder for empty ring slots, so the ring never keeps dead chunks alive. */
export const NO_CHUNK = new Chunk(Buffer.alloc(0), false);
