/**
 * ChainBuffer: every connection's in and out queue, a port of libevent's
 * evbuffer (the article's `buffer_t`). Bytes live in a chain of chunks held in
 * a ring, so appending and draining are O(1) per chunk and nothing is ever
 * shifted or concatenated behind the caller's back.
 *
 *   ring (power-of-two array; `head` is the front, `count` chunks follow it)
 *
 *        head                                           head + count - 1
 *   ┌──────────────────┐   ┌────────────────┐   ┌─────────────────────────┐
 *   │ ░░░░░│DDDDDDDDDDD│ → │DDDDDDDDDDDDDDDD│ → │DDDDDDDDDD│  free  space │
 *   └──────────────────┘   └────────────────┘   └─────────────────────────┘
 *     owned: off > 0 after    addReference:        owned tail: add() copies
 *     a partial drain         caller's bytes       into the free space first
 *
 * Who owns returned bytes (the rule that makes pooling safe):
 * - `remove` returns a fresh copy: the caller owns it.
 * - `readLine` returns a view when the line lies inside one chunk, else a
 *   copy; `peek`, `pullup` and `writeAtMost` return views. The chunk
 *   a view points into is marked `shared` and is never rewound nor pooled, so
 *   a view stays byte-for-byte stable for as long as the caller holds it
 *   (e.g. while a socket write is in flight). Treat views as read-only.
 * - Only unshared chunks this buffer allocated go back to the pool; chunks
 *   added by reference belong to the caller and are never written or reused.
 *
 * Chain invariant: every chunk holds at least one readable byte, except that
 * a sole owned chunk may stay behind empty so its free space is reused.
 */
// Node's global `Buffer` is a getter on globalThis: every `Buffer.x` in a hot
// path paid a LoadGlobalIC miss and a call (~180 instructions, callgrind).
import { Buffer } from 'node:buffer';
import { Chunk, NO_CHUNK } from './chunk.js';
import { BufferOverflowError } from './errors.js';
import { describe, option, separator } from './args.js';
import { find, findCrlf } from './search.js';

export interface ChainBufferOptions {
  /** Size of the chunks `add()` allocates and pools. Default 16384. */
  chunkSize?: number;
  /** Appends that would take `length` past this throw BufferOverflowError. */
  maxSize?: number;
  /** Drained chunks kept for reuse by this buffer. Default 2. */
  poolSize?: number;
}

const DEFAULT_CHUNK_SIZE = 16384;
const DEFAULT_POOL_SIZE = 2;
const INITIAL_RING = 8;
/** add() copies shorter than this by a JS loop: cheaper than TypedArray#set here. */
const SMALL = 32;
/** addReference copies up to this many bytes into an owned tail with room. */
const REF_COPY_MAX = 1024;
/** By-reference Chunk objects kept for reuse (they hold no memory). */
const SHELLS = 16;
/** Copies out of a chunk shorter than this use a JS loop. */
const COPY_JS = 16;
/** Strings up to this length try the JS ASCII path before Buffer#write. */
const SHORT_STRING = 64;
const EMPTY = Buffer.alloc(0);
const CR = 13;
const LF = 10;

export class ChainBuffer {
  /** Chunks in order, starting at `head`; unused slots hold NO_CHUNK. */
  private ring: Chunk[] = new Array<Chunk>(INITIAL_RING).fill(NO_CHUNK);
  /** ring.length - 1 (ring.length is a power of two). */
  private mask = INITIAL_RING - 1;
  /** Ring index of the front chunk. */
  private head = 0;
  /** Number of chunks in the chain. */
  private count = 0;
  /** Readable bytes across all chunks. */
  private len = 0;
  /** readLine resumes its CRLF search here: no CRLF starts before it. */
  private lineScan = 0;
  /** Drained, unshared, owned chunks of `chunkSize` ready for reuse. */
  private readonly pool: Chunk[] = [];
  /** Unlinked by-reference Chunk objects (buf released), reused by addReference. */
  private readonly shells: Chunk[] = [];
  private readonly chunkSize: number;
  private readonly maxSize: number;
  /** The chunk of the open reservation (NO_CHUNK: none), whether it is linked yet, and its size. */
  private reserved: Chunk = NO_CHUNK;
  private reservedFresh = false;
  private reservedRoom = 0;
  /** The chunk's end and the buffer's length at reserve(): commit checks nothing moved. */
  private reservedEnd = 0;
  private reservedLen = 0;
  private readonly poolSize: number;

  constructor(opts: ChainBufferOptions = {}) {
    this.chunkSize = option(opts.chunkSize, DEFAULT_CHUNK_SIZE, 1, 'chunkSize');
    this.maxSize = option(opts.maxSize, Infinity, 0, 'maxSize');
    this.poolSize = option(opts.poolSize, DEFAULT_POOL_SIZE, 0, 'poolSize');
  }

  /** Readable bytes in the buffer. */
  get length(): number {
    return this.len;
  }

  /** Copies `data` (a string as UTF-8) to the end, filling the tail chunk first. */
  add(data: Uint8Array | string): void {
    if (typeof data === 'string') {
      this.addString(data);
      return;
    }
    if (!(data instanceof Uint8Array)) {
      throw new TypeError(`ChainBuffer.add: expected a Uint8Array or string, got ${describe(data)}`);
    }
    const n = data.length;
    if (n === 0) return;
    if (this.len + n > this.maxSize) throw new BufferOverflowError(this.maxSize, this.len, n);
    this.copyIn(data, n);
  }

  /**
   * Appends the caller's bytes without copying (socket data, for instance).
   * The bytes are handed over: the buffer never writes to them, and the
   * caller must not change them afterwards either, because views of them
   * (readLine, peek, pullup, writeAtMost) may outlive the drain. Exception:
   * up to 1 KiB that fits the free space of an owned tail chunk is copied
   * there, which costs less than linking it (and is invisible to callers).
   */
  addReference(buf: Uint8Array): void {
    if (!(buf instanceof Uint8Array)) {
      throw new TypeError(`ChainBuffer.addReference: expected a Uint8Array, got ${describe(buf)}`);
    }
    const n = buf.length;
    if (n === 0) return;
    if (this.len + n > this.maxSize) throw new BufferOverflowError(this.maxSize, this.len, n);
    if (n <= REF_COPY_MAX && this.count > 0) {
      // A few bytes that fit the owned tail are cheaper to copy than to link,
      // and copying keeps the tail open for the next add(): a linked chunk
      // there would make that add() start a fresh chunk. It also keeps short
      // reads contiguous once readLine has coalesced (see there).
      const t = this.ring[(this.head + this.count - 1) & this.mask];
      if (t.owned && t.buf.length - t.end >= n) {
        this.copyIn(buf, n);
        return;
      }
    }
    const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, n);
    let c = this.shells.pop();
    if (c === undefined) c = new Chunk(b, false);
    else c.setBuf(b);
    c.off = 0;
    c.end = n;
    this.push(c);
    this.len += n;
  }

  /** Discards the first `n` bytes. */
  drain(n: number): void {
    this.checkCount(n, 'drain');
    this.consume(n);
  }

  /** Copies the first `n` bytes into a new Buffer (yours to keep) and drains them. */
  remove(n: number): Buffer {
    this.checkCount(n, 'remove');
    const out = this.copyOut(n);
    this.consume(n);
    return out;
  }

  /**
   * Index of the first `sep` at or after `from`, counting from the front of
   * the buffer, matching across chunk boundaries; -1 when absent, including
   * when fewer than `sep.length` bytes remain.
   */
  search(sep: Uint8Array | string, from = 0): number {
    const s = separator(sep);
    if (typeof from !== 'number') {
      throw new TypeError(`ChainBuffer.search: from must be a number, got ${describe(from)}`);
    }
    if (!Number.isInteger(from) || from < 0) {
      throw new RangeError(`ChainBuffer.search: from must be a non-negative integer, got ${from}`);
    }
    if (s.length === 0) return from <= this.len ? from : -1;
    // Also covers a buffer shorter than its separator, where the C course
    // code's unsigned `len - seplen` wrapped around.
    if (from + s.length > this.len) return -1;
    // CRLF, the separator of every line protocol, has its own loop (search.ts).
    if (s.length === 2 && s[0] === CR && s[1] === LF) return findCrlf(this.ring, this.mask, this.head, this.len, from);
    return find(this.ring, this.mask, this.head, this.len, s, from);
  }

  /**
   * Takes one CRLF-terminated line: returns it without the CRLF and drains
   * line and CRLF. Returns null, consuming nothing, when no complete line is
   * buffered yet; the next call resumes scanning where this one ended.
   * The line is a view when it lies inside one chunk (the chunk is then
   * shared: never rewound nor pooled, so the view stays valid for as long as
   * it is held, and holding it keeps that chunk's memory alive), else a fresh
   * copy. A copy per line cost more than the view and the occasional fresh
   * chunk that sharing costs (bench: buffer, readLine). A line that
   * straddles chunks is coalesced with the rest of its last chunk when that
   * fits one chunk (see spanningLine), and is then a view as well.
   */
  readLine(): Buffer | null {
    if (this.lineScan + 2 > this.len) return null;
    const at = findCrlf(this.ring, this.mask, this.head, this.len, this.lineScan);
    if (at < 0) {
      // A CR in the last byte may be completed by the next append.
      this.lineScan = this.len - 1;
      return null;
    }
    const f = this.ring[this.head];
    const line = at === 0 ? EMPTY : f.end - f.off >= at ? view(f, f.off, f.off + at) : this.spanningLine(at);
    this.consume(at + 2);
    return line;
  }

  /**
   * A view of the first `n` bytes as one contiguous Buffer. Copies only when
   * they span chunks; the copy then replaces those chunks at the front, so
   * pulling up the same bytes again costs nothing.
   */
  pullup(n: number): Buffer {
    this.checkCount(n, 'pullup');
    if (n === 0) return EMPTY;
    const front = this.ring[this.head];
    if (front.end - front.off >= n) return view(front, front.off, front.off + n);
    return view(this.coalesce(n), 0, n);
  }

  /**
   * A line of `at` bytes (CRLF at `at`) that straddles chunks. When line,
   * CRLF and the rest of the chunk holding the LF fit one chunk, they are
   * pulled up into one owned chunk and the line is a view of it: the lines
   * after it in that rest are views too, and short reads added by reference
   * behind it are copied into its free space (addReference), so a stream of
   * small reads stops straddling at every read. Measured (callgrind, bench
   * buffer, 1–512 B reads): a copy per straddling line cost ~1,700
   * instructions (a Buffer, and a view per piece for TypedArray#set).
   * Otherwise (long lines) the line is copied out.
   */
  private spanningLine(at: number): Buffer {
    const { ring, mask } = this;
    let n = 0; // bytes through the end of the chunk that holds the LF
    for (let i = this.head; n <= at + 1; i = (i + 1) & mask) {
      const c = ring[i];
      n += c.end - c.off;
    }
    return n <= this.chunkSize ? view(this.coalesce(n), 0, at) : this.copyOut(at);
  }

  /** Copies the first n bytes, which span chunks, into one chunk that replaces them at the front. */
  private coalesce(n: number): Chunk {
    const c = n <= this.chunkSize ? this.takeChunk() : new Chunk(Buffer.allocUnsafe(n), true);
    this.copyInto(c.buf, n);
    c.end = n;
    seal(c);
    // Unlink the chunks the copy covers; the last may be covered in part.
    let left = n;
    for (;;) {
      const f = this.ring[this.head];
      const size = f.end - f.off;
      if (left < size) {
        f.off += left;
        break;
      }
      left -= size;
      this.unlinkFront();
      if (left === 0) break;
    }
    this.head = (this.head - 1) & this.mask;
    this.ring[this.head] = c;
    this.count++;
    return c;
  }

  /** Views of all readable bytes, in order: hand them to `writev`, then drain. */
  peek(): Buffer[] {
    const out: Buffer[] = [];
    const { ring, mask } = this;
    for (let k = 0, i = this.head; k < this.count; k++, i = (i + 1) & mask) {
      const c = ring[i];
      if (c.end > c.off) out.push(view(c, c.off, c.end));
    }
    return out;
  }

  /**
   * How many bytes lie in the front chunk, to be read in place with
   * `frontMemory()` / `frontOffset` (0 when empty). For a parser that reads
   * and drains synchronously (RespReader.getReplyFrom): unlike peek(), it
   * lends nothing, so no array and no view is made and the chunk is not
   * marked shared (it may still be rewound and reused once drained).
   */
  get frontLength(): number {
    if (this.len === 0) return 0;
    const c = this.ring[this.head];
    return c.end - c.off;
  }

  /** Index of the first readable byte in `frontMemory()`. */
  get frontOffset(): number {
    return this.len === 0 ? 0 : this.ring[this.head].off;
  }

  /**
   * The front chunk's whole backing Buffer, bytes outside
   * [frontOffset, frontOffset + frontLength) included: read only that
   * window and never write. Its bytes stay as they are until drained; once
   * they are, the memory may be rewritten by later appends, so keep nothing
   * of it past the drain (use peek() for bytes to keep).
   */
  frontMemory(): Buffer {
    return this.len === 0 ? EMPTY : this.ring[this.head].buf;
  }

  /**
   * The contiguous bytes at the front (the front chunk, at most `max` bytes),
   * as a view, without draining: write them, then `drain(written)`.
   */
  writeAtMost(max = Infinity): Buffer {
    if (typeof max !== 'number') throw new TypeError(`ChainBuffer.writeAtMost: max must be a number, got ${describe(max)}`);
    if (Number.isNaN(max) || max < 0 || (max !== Infinity && !Number.isInteger(max))) {
      throw new RangeError(`ChainBuffer.writeAtMost: max must be a non-negative integer, got ${describe(max)}`);
    }
    if (this.len === 0 || max === 0) return EMPTY;
    const c = this.ring[this.head];
    const size = c.end - c.off;
    return view(c, c.off, c.off + (size < max ? size : max));
  }

  /** The byte at index `i` from the front. */
  byteAt(i: number): number {
    if (typeof i !== 'number') throw new TypeError(`ChainBuffer.byteAt: index must be a number, got ${describe(i)}`);
    if (!Number.isInteger(i) || i < 0 || i >= this.len) {
      throw new RangeError(`ChainBuffer.byteAt: index must be an integer in [0, ${this.len}), got ${describe(i)}`);
    }
    const { ring, mask } = this;
    for (let k = this.head; ; k = (k + 1) & mask) {
      const c = ring[k];
      const size = c.end - c.off;
      if (i < size) return c.buf[c.off + i];
      i -= size;
    }
  }

  /** Drops every byte. Views handed out earlier stay valid. */
  clear(): void {
    while (this.count > 0) this.unlinkFront();
    this.len = 0;
    this.lineScan = 0;
    if (this.ring.length > 64) {
      this.ring = new Array<Chunk>(INITIAL_RING).fill(NO_CHUNK);
      this.mask = INITIAL_RING - 1;
      this.head = 0;
    }
  }

  // ---- appending -------------------------------------------------------

  private addString(s: string): void {
    if (s.length === 0) return;
    // UTF-8 needs at most 3 bytes per UTF-16 unit: the cheap bound spares a
    // byteLength pass when it already proves the string fits.
    const bound = s.length * 3;
    let n = -1;
    if (this.len + bound > this.maxSize) {
      n = Buffer.byteLength(s);
      if (this.len + n > this.maxSize) throw new BufferOverflowError(this.maxSize, this.len, n);
    }
    let t = this.count > 0 ? this.ring[(this.head + this.count - 1) & this.mask] : NO_CHUNK;
    let room = t.owned ? t.buf.length - t.end : 0;
    if (room < bound && bound <= this.chunkSize) {
      if (n < 0) n = Buffer.byteLength(s);
      if (room < n) {
        t = this.takeChunk();
        this.push(t);
        room = t.buf.length;
      }
    }
    if (room >= bound || (n >= 0 && room >= n)) {
      if (s.length <= SHORT_STRING && this.writeAscii(t, s)) return;
      const w = t.buf.write(s, t.end);
      t.end += w;
      seal(t);
      this.len += w;
      return;
    }
    const bytes = Buffer.from(s);
    this.copyIn(bytes, bytes.length);
  }

  /**
   * Optimistic ASCII copy of a short string into t's free space (which holds
   * s.length bytes): protocol text nearly always is ASCII, and for short
   * strings this loop beats Buffer#write's native call. False, with nothing
   * made readable, at the first non-ASCII unit.
   */
  private writeAscii(t: Chunk, s: string): boolean {
    const buf = t.buf;
    const n = s.length;
    for (let k = 0, d = t.end; k < n; k++, d++) {
      const ch = s.charCodeAt(k);
      if (ch >= 0x80) return false;
      buf[d] = ch;
    }
    t.end += n;
    seal(t);
    this.len += n;
    return true;
  }

  // ---- writing in place (evbuffer_reserve_space / evbuffer_commit_space) ----

  /**
   * Room for up to `n` bytes at the end, to be written in place by an encoder
   * that would otherwise build a Buffer only to have it copied here. Returns
   * the chunk's Buffer; write from `reservedOffset` on, then `commit(k)` with
   * the number of bytes written. Nothing is readable before the commit. A
   * new reserve() replaces the reservation; any other change to the buffer
   * before the commit makes commit() throw (and nothing appears). The
   * tail's free space is used when it holds `n` bytes,
   * else a fresh chunk (at least `n` long) follows it, and the rest of the
   * old tail stays unused.
   */
  reserve(n: number): Buffer {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`ChainBuffer.reserve: n must be an integer >= 1, got ${describe(n)}`);
    }
    if (this.len + n > this.maxSize) throw new BufferOverflowError(this.maxSize, this.len, n);
    const t = this.count > 0 ? this.ring[(this.head + this.count - 1) & this.mask] : NO_CHUNK;
    if (t.owned && t.buf.length - t.end >= n) {
      this.reserved = t;
      this.reservedFresh = false;
    } else {
      // Linked only by commit(), so an abandoned reservation leaves no empty chunk behind.
      this.reserved = n <= this.chunkSize ? this.takeChunk() : new Chunk(Buffer.allocUnsafe(n), true);
      this.reservedFresh = true;
    }
    this.reservedRoom = n;
    this.reservedEnd = this.reserved.end;
    this.reservedLen = this.len;
    return this.reserved.buf;
  }

  /** Where the bytes of the current reservation start in the Buffer reserve() returned. */
  get reservedOffset(): number {
    return this.reserved.end;
  }

  /** Makes the first `k` reserved bytes readable (0 abandons the reservation); ends it. */
  commit(k: number): void {
    const t = this.reserved;
    if (t === NO_CHUNK) throw new RangeError('ChainBuffer.commit: no reservation (reserve() first; add() in between ends it)');
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k > this.reservedRoom) {
      throw new RangeError(`ChainBuffer.commit: k must be an integer in [0, ${this.reservedRoom}], got ${describe(k)}`);
    }
    this.reserved = NO_CHUNK;
    const tail = this.count > 0 ? this.ring[(this.head + this.count - 1) & this.mask] : NO_CHUNK;
    if (this.len !== this.reservedLen || (!this.reservedFresh && (tail !== t || t.end !== this.reservedEnd))) {
      throw new RangeError('ChainBuffer.commit: the buffer changed after reserve(); the reservation is void');
    }
    if (k === 0) return;
    if (this.reservedFresh) this.push(t);
    t.end += k;
    seal(t);
    this.len += k;
  }

  /** Copies n > 0 bytes of data to the end, filling the tail, then new chunks. */
  private copyIn(data: Uint8Array, n: number): void {
    let t = this.count > 0 ? this.ring[(this.head + this.count - 1) & this.mask] : NO_CHUNK;
    if (!t.owned || t.end === t.buf.length) {
      t = this.takeChunk();
      this.push(t);
    }
    let src = 0;
    for (;;) {
      const buf = t.buf;
      const room = buf.length - t.end;
      const k = room < n - src ? room : n - src;
      if (k < SMALL) {
        for (let j = 0, d = t.end; j < k; j++, d++) buf[d] = data[src + j];
      } else {
        buf.set(k === n ? data : data.subarray(src, src + k), t.end);
      }
      t.end += k;
      src += k;
      if (src === n) break;
      t = this.takeChunk();
      this.push(t);
    }
    seal(t);
    this.len += n;
  }

  /** A writable, empty chunk of chunkSize: pooled if possible. */
  private takeChunk(): Chunk {
    const c = this.pool.pop();
    if (c !== undefined) {
      c.off = 0;
      c.end = 0;
      seal(c);
      return c;
    }
    const fresh = new Chunk(Buffer.allocUnsafe(this.chunkSize), true);
    seal(fresh);
    return fresh;
  }

  /** Links c at the tail; a sole empty chunk is replaced rather than kept. */
  private push(c: Chunk): void {
    if (this.count === 1) {
      const f = this.ring[this.head];
      if (f.off === f.end) {
        this.recycle(f);
        this.ring[this.head] = c;
        return;
      }
    }
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) & this.mask] = c;
    this.count++;
  }

  private grow(): void {
    const old = this.ring;
    const next = new Array<Chunk>(old.length * 2).fill(NO_CHUNK);
    for (let k = 0; k < this.count; k++) next[k] = old[(this.head + k) & this.mask];
    this.ring = next;
    this.mask = next.length - 1;
    this.head = 0;
  }

  // ---- consuming -------------------------------------------------------

  /** Drains n valid bytes. */
  private consume(n: number): void {
    this.len -= n;
    this.lineScan = this.lineScan > n ? this.lineScan - n : 0;
    while (n > 0) {
      const c = this.ring[this.head];
      const size = c.end - c.off;
      if (n < size) {
        c.off += n;
        return;
      }
      n -= size;
      if (this.count === 1 && c.owned && !(c.shared && c.end === c.buf.length)) {
        // Keep the sole owned chunk for its free space; rewind it only when
        // no view of its bytes is out there.
        if (c.shared) c.off = c.end;
        else {
          c.off = c.end = 0;
          seal(c);
        }
        return;
      }
      this.unlinkFront();
    }
  }

  private unlinkFront(): void {
    const c = this.ring[this.head];
    this.ring[this.head] = NO_CHUNK;
    this.head = (this.head + 1) & this.mask;
    this.count--;
    this.recycle(c);
  }

  private recycle(c: Chunk): void {
    if (c.owned) {
      if (!c.shared && c.buf.length === this.chunkSize && this.pool.length < this.poolSize) this.pool.push(c);
    } else if (this.shells.length < SHELLS) {
      c.setBuf(EMPTY); // let the caller's memory go
      this.shells.push(c);
    }
  }

  /** A fresh Buffer with the first n valid bytes. */
  private copyOut(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.copyInto(out, n);
    return out;
  }

  /** Copies the first n (<= length) bytes into dst[0, n). */
  private copyInto(dst: Buffer, n: number): void {
    const { ring, mask } = this;
    let d = 0;
    for (let i = this.head; d < n; i = (i + 1) & mask) {
      const c = ring[i];
      const size = c.end - c.off;
      const k = size < n - d ? size : n - d;
      if (k < COPY_JS) {
        const buf = c.buf;
        for (let j = c.off, e = c.off + k; j < e; j++) dst[d++] = buf[j];
      } else {
        // TypedArray#set from a plain Uint8Array window: cheaper than
        // Buffer#copy's argument checks or a subarray Buffer.
        dst.set(new Uint8Array(c.memory(), c.memOff + c.off, k), d);
        d += k;
      }
    }
  }

  // ---- validation ------------------------------------------------------

  private checkCount(n: number, method: string): void {
    if (n >= 0 && n <= this.len && Number.isInteger(n)) return;
    if (typeof n !== 'number') {
      throw new TypeError(`ChainBuffer.${method}: n must be a number, got ${describe(n)}`);
    }
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`ChainBuffer.${method}: n must be a non-negative integer, got ${n}`);
    }
    if (n > this.len) {
      throw new RangeError(`ChainBuffer.${method}(${n}): only ${this.len} bytes are buffered`);
    }
  }
}

/**
 * Writes a CR just past an owned chunk's readable bytes (when there is room).
 * Buffer#indexOf has no end bound, so a CRLF search in a chunk with free
 * space would scan its stale bytes, or need a view that stops at `end`
 * (~500 instructions each time): with a CR at `end`, a search for CR stops
 * there at the latest (search.ts). Only free space is written, which no view
 * covers and no reservation holds (appends and rewinds void those).
 */
function seal(c: Chunk): void {
  if (c.end < c.buf.length) c.buf[c.end] = CR;
}

/** A view of c.buf[from, to); marks owned memory so it is never reused. */
function view(c: Chunk, from: number, to: number): Buffer {
  if (c.owned) c.shared = true;
  return from === 0 && to === c.buf.length ? c.buf : c.slice(from, to);
}
