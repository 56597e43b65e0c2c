/**
 * RespReader: a streaming, resumable RESP2/RESP3 reply parser with no I/O.
 *
 * Bytes go in (`feed`, `feedFrom(chain)`, or a chain buffer read in place
 * with `getReplyFrom`);
 * complete replies come out one at a time from `getReply()`, or the
 * `NEED_MORE` sentinel when the bytes so far end mid-reply. Nothing is ever
 * parsed twice: the reader keeps exactly where it stopped —
 *
 *   - open aggregates on an explicit stack (no recursion, so the nesting
 *     limit is a plain counter and a partial array resumes at its next
 *     element);
 *   - a partial line (type byte, header, simple string) copied into a small
 *     growable buffer, bounded by the line's limit;
 *   - a partial bulk payload copied as it arrives into a Buffer of its
 *     declared length (up to 64 KiB; in string mode a reused scratch), past
 *     that kept as a list of pieces and concatenated once when the last one
 *     arrives (a big one for the native string builder is decoded piece by
 *     piece instead) — a 100 MiB bulk in 16 KiB chunks costs O(total).
 *
 * The common case, a whole reply inside the current chunk, never touches that
 * state: items are decoded straight from the chunk.
 *
 * Errors: malformed input or a broken limit throws a `ProtocolError` (offset
 * from the last reset, offending byte). The reader is then failed: every
 * later `feed`, `getReply` and `getReplyFrom` throws that same error object
 * until `reset()`.
 *
 * Layout of the class, top to bottom: input (feed, feedFrom, getReplyFrom,
 * reset); the fast paths for whole replies inside one chunk (getReply's
 * integers, nextReply's bulks and simple strings, quick() for arrays, fill()
 * for long aggregates); parse(), which hands each item to item() and each
 * value to its open aggregate; item(), which dispatches by kind as hiredis's
 * read.c does — lineItem (`+ - _ # , (`; `:` in integer()), bulkItem
 * (`$ = !`), aggregateItem (`* % ~ > |`); the line scanners and their limit;
 * the partial line and the partial bulk. Every digit is read by digits().
 *
 * The file stays whole (~1,080 lines, past the house ~800): every step
 * shares the cursor, the partial-item state and the stack, and the fast
 * paths are copies of the general ones kept beside them so that the two are
 * read together; split up, that state would travel through arguments on
 * every item. Options and limits are in reader-limits.ts.
 */
// Node's global `Buffer` is a getter on globalThis: every `Buffer.x` in a hot
// path paid a LoadGlobalIC miss and a call (~180 instructions, callgrind).
import { Buffer, isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { bufferView } from '@reactor-ts/buffer';
import { HiredisBuilder, NativeBuilder, type ReplyBuilder } from './builders.js';
import { ProtocolError } from './errors.js';
import { fitsInt64, readerLimits, type RespReaderOptions } from './reader-limits.js';
import { Byte, RespType } from './type-bytes.js';
import { decodeUtf8, latin1, SHORT, shortText, utf8, UTF8_SLICE } from './utf8.js';

export { DEFAULT_LIMITS, type RespReaderOptions } from './reader-limits.js';

/** Returned by `getReply()` when the bytes so far end inside a reply. */
export const NEED_MORE: unique symbol = Symbol('resp.NEED_MORE');

/**
 * What `getReplyFrom` needs of a chain buffer. `ChainBuffer` from
 * `@reactor-ts/buffer` has it; any queue of byte chunks can.
 */
export interface ChainSource {
  readonly length: number;
  /** Views of all readable bytes, in order. */
  peek(): Buffer[];
  /** Discard `n` bytes from the front. */
  drain(n: number): void;
  /**
   * Optional, for reading in place (ChainBuffer has them): how many bytes
   * lie in the front chunk, that chunk's backing Buffer (bytes outside the
   * window included) and where the window starts in it. The window's bytes
   * must stay as they are until drained.
   */
  readonly frontLength?: number;
  readonly frontOffset?: number;
  frontMemory?(): Buffer;
}

/** What a closed frame holds, so that closing one allocates nothing. */
const NO_ITEMS: unknown[] = [];

/** One open aggregate. Frames are reused, so they never shrink back. */
class Frame {
  /** Type byte: * % ~ > or |. */
  type = 0;
  /** Values collected so far; maps interleave keys and values. */
  items: unknown[] = NO_ITEMS;
  /** Next slot in `items`. */
  idx = 0;
  /** Slots expected in all. */
  n = 0;
  /** Attributes waiting for the next element of this aggregate. */
  attrs: unknown[] | null = null;
}

// Returned by item() when it pushed an aggregate (or began a bulk) rather
// than made a value: parsing goes on in the same chunk.
const OPENED: unique symbol = Symbol('opened');
// Returned by quick() when the reply needs the general path.
const BAIL: unique symbol = Symbol('bail');
/** quick() recurses, so it leaves deeper nesting to the general path. */
const QUICK_DEPTH = 32;
const EMPTY = Buffer.alloc(0);
/**
 * A partial bulk up to this long is copied into a Buffer of its declared
 * length from its first piece on: the most a 20-byte header can make the
 * reader allocate ahead of the bytes.
 */
const DEST_MAX = 64 * 1024;
/** The most stringOf() checks for ASCII in one call: one call per 64 KiB is noise, and a huge chunk never stalls one reply. */
const ASCII_WINDOW = 64 * 1024;
/** stringOf() checks no fewer bytes than this: below, the call costs more than the Latin-1 copy saves. */
const ASCII_CHECK = 512;
/** Past every limit a length can have: readLength stops before precision is lost. */
const MAX_LENGTH = 0xffffffffff;

// Local copies of the bytes the hot paths test (see type-bytes.ts for why).
const { SIMPLE_STRING, SIMPLE_ERROR, INTEGER, BULK_STRING, ARRAY, BULK_ERROR, VERBATIM_STRING } = RespType;
const { CR, LF, MINUS, PLUS, ZERO, NINE } = Byte;

/**
 * Bytes getReply wants in the chunk from an integer's type byte to read it by
 * words: a sign, two words, and CRLF after the last digit. A chunk this much
 * longer than a short reply (a burst of replies) also pays back its DataView.
 */
const WORDS_ROOM = 64;
/**
 * 10, 100 and 1000 packed ten bits apart in one int32: 10^k for k = 1..3 is
 * `(POW10_PACKED >>> (10 * k - 10)) & 0x3ff`, a shift and a mask where an
 * array read costs a map check and a bounds check.
 */
const POW10_PACKED = (1000 << 20) | (100 << 10) | 10;
/** CR then LF, as one little-endian 16-bit read sees them. */
const CRLF16 = 0x0a0d;
/**
 * The longest line lineInteger() reads: the type byte and eight digits. A
 * reader whose maxLineLength is shorter (no real one) leaves `ready` at 0 and
 * reads everything on the general path, so lineInteger never checks it.
 */
const WORD_LINE = 9;

/**
 * Per byte of the little-endian word w, nonzero where that byte is not an
 * ASCII digit: its high nibble is not 3, or adding 6 carries it out of 3
 * (bytes : to ?). A carry out of a byte of 0xFA or more can only corrupt
 * the verdict on later bytes, and that byte is a non-digit already.
 */
const notDigits = (w: number): number => ((w & 0xf0f0f0f0) ^ 0x30303030) | (((w + 0x06060606) & 0xf0f0f0f0) ^ 0x30303030);

/**
 * The value of the first k (1..4) bytes of w, ASCII digits, the first the
 * most significant: shifted so the digits fill the word's top (later
 * bytes, and any borrow out of non-digits, fall off), then pairs of bytes
 * combined, then pairs of pairs — every partial sum fits in an int32.
 */
const wordValue = (w: number, k: number): number => {
  let x = (w - 0x30303030) << (32 - 8 * k);
  x = (Math.imul(x, 10) + (x >>> 8)) & 0x00ff00ff;
  return (Math.imul(x, 100) + (x >>> 16)) & 0xffff;
};

export class RespReader {
  /** The builder in use: the one made for the options, or its other-mode twin (setStringMode). */
  private builder: ReplyBuilder;
  /** The builder made for the options (or given), and the string mode it has. */
  private readonly ownBuilder: ReplyBuilder;
  private readonly ownMode: 'string' | 'buffer' | null;
  /** The built-in builder for the other string mode, made on first setStringMode. */
  private otherBuilder: ReplyBuilder | null = null;
  /** The string mode replies are read in now (null with a custom builder). */
  private modeNow: 'string' | 'buffer' | null;
  private readonly maxBulk: number;
  private readonly maxAggregate: number;
  private readonly maxDepth: number;
  /** Headers and number lines, type byte to CR. */
  private readonly maxLine: number;
  /** Simple strings and errors, type byte to CR. */
  private readonly maxSimple: number;

  /** Set once the stream is broken; thrown by every call until reset(). */
  private failure: ProtocolError | null = null;
  /**
   * 1 while getReply's and nextReply's fast paths may run: the native
   * builder, no failure, nothing partial (idle()), not chain mode, and a
   * maxLineLength of at least WORD_LINE. One Smi compare per reply instead of
   * seven field tests; kept by settle() wherever that state can change.
   */
  private ready = 0;

  // The chunk being parsed: bytes buf[pos..end), buf[0] at stream offset `base`.
  private buf: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  private base = 0;
  /** True while the chunk is the caller's fed buffer (views of it may be kept). */
  private stable = true;
  /**
   * The memory of `viewOf` (the chunk the last view was made of), kept so
   * that a view costs no `.buffer` getter call (see view()).
   */
  private viewOf: Buffer = EMPTY;
  private viewMem: ArrayBufferLike = EMPTY.buffer;
  private viewOff = 0;
  /**
   * String mode: buf[asciiFrom..asciiTo) is known to be ASCII, and
   * buf[asciiTo..checkedTo) was checked and is not (see stringOf()). Reset
   * whenever `buf` changes: a caller may feed the same Buffer object again
   * with new bytes once the reader is done with it.
   */
  private asciiFrom = 0;
  private asciiTo = 0;
  private checkedTo = 0;
  /**
   * A DataView of `wordsOf` (a fed chunk holding many integers) for
   * lineInteger()'s four-bytes-at-a-time digits; made on first use per chunk.
   */
  private words: DataView | null = null;
  private wordsOf: Buffer = EMPTY;
  /** Fed chunks not yet reached, from index qHead. */
  private queue: Buffer[] = [];
  private qHead = 0;

  // Partial line: line[0..lineLen) starts at stream offset lineBase.
  private line: Buffer = EMPTY;
  private lineLen = 0;
  private lineBase = 0;
  /** The partial line's limit: maxSimple for `+` and `-`, else maxLine. */
  private lineMax = 0;

  // Partial bulk payload: type byte ($ = !), declared length, pieces so far.
  private bulkType = 0;
  private bulkLen = 0;
  private bulkBase = 0;
  private pieces: Buffer[] = [];
  /** Bytes of the partial bulk (payload and CRLF) taken so far. */
  private piecesLen = 0;
  /**
   * A big bulk for the native string builder is decoded piece by piece as it
   * arrives — no concatenation, no second pass — into `text`; else null.
   */
  private text: string | null = null;
  /** True while every piece of `text` was ASCII, copied around the decoder, which so holds nothing. */
  private textAscii = true;
  /**
   * Else, up to a bound, the payload is copied as it arrives into `dest`: a
   * fresh Buffer of exactly the payload (the value itself, in buffer mode),
   * or in string mode the reusable `scratch`, decoded once complete. Null:
   * pieces are kept instead (a bulk past the bound, whose declared length
   * alone must not make the reader allocate it).
   */
  private dest: Buffer | null = null;
  private scratch: Buffer = EMPTY;
  private readonly decoder = new StringDecoder('utf8');
  /** True when the builder is the native one making strings (changed only by setStringMode). */
  private textBulks: boolean;
  /** True with the native builder: its commonest cases are inlined below. */
  private readonly native: boolean;
  /** True when the builder is the native one making Buffers (changed only by setStringMode). */
  private nativeBuffers: boolean;
  /** Kept for the other-mode builder of setStringMode. */
  private readonly largeIntegers: 'bigint' | 'string';

  // Open aggregates, stack[0..depth); attributes waiting at the top level.
  private stack: Frame[] = [];
  private depth = 0;
  private topAttrs: unknown[] | null = null;

  /** Position after the CRLF of the last header read by readLength(), or past quick()'s value. */
  private next = 0;
  /** Index of the first byte digits() did not take. */
  private digitEnd = 0;

  // getReplyFrom: bytes taken from the chain's front but not yet drained,
  // and the total drained since reset (for error offsets).
  private chainSeen = 0;
  private chainDrained = 0;
  private chainMode = false;

  constructor(opts: RespReaderOptions = {}) {
    const b = opts.builder ?? 'native';
    const stringMode = opts.returnBuffers === true ? 'buffer' : (opts.stringMode ?? 'string');
    this.native = b === 'native';
    this.textBulks = this.native && stringMode === 'string';
    this.nativeBuffers = this.native && stringMode === 'buffer';
    this.largeIntegers = opts.largeIntegers ?? 'bigint';
    if (b === 'native') {
      this.builder = new NativeBuilder({ stringMode, largeIntegers: this.largeIntegers });
    } else if (b === 'hiredis') {
      this.builder = new HiredisBuilder({ stringMode });
    } else {
      this.builder = b;
    }
    this.ownBuilder = this.builder;
    this.ownMode = typeof b === 'string' ? stringMode : null;
    this.modeNow = this.ownMode;
    const limits = readerLimits(opts);
    this.maxBulk = limits.maxBulk;
    this.maxAggregate = limits.maxAggregate;
    this.maxDepth = limits.maxDepth;
    this.maxLine = limits.maxLine;
    this.maxSimple = limits.maxSimple;
    this.settle();
  }

  /** Recompute `ready` after anything that may have changed the failure or the partial state. */
  private settle(): void {
    this.ready = this.native && !this.chainMode && this.failure === null && this.maxLine >= WORD_LINE && this.idle() ? 1 : 0;
  }

  /**
   * Switches between strings and Buffers for the replies read from now on
   * (a built-in builder only: a custom one has no mode to switch). Allowed
   * only between replies, so that one reply never mixes the two: the async
   * context uses it to read one command's reply as Buffers on a connection
   * that reads strings (the client's `withBuffers()`).
   */
  setStringMode(mode: 'string' | 'buffer'): void {
    if (this.ownMode === null) throw new TypeError('RespReader.setStringMode: a custom builder has no string mode');
    if (mode !== 'string' && mode !== 'buffer') throw new TypeError(`RespReader.setStringMode: 'string' or 'buffer', got ${String(mode)}`);
    if (mode === this.modeNow) return;
    if (!this.idle()) throw new Error('RespReader.setStringMode: only between replies (one is partly read)');
    this.textBulks = this.native && mode === 'string';
    this.nativeBuffers = this.native && mode === 'buffer';
    this.modeNow = mode;
    if (mode === this.ownMode) this.builder = this.ownBuilder;
    else {
      this.otherBuilder ??= this.native ? new NativeBuilder({ stringMode: mode, largeIntegers: this.largeIntegers }) : new HiredisBuilder({ stringMode: mode });
      this.builder = this.otherBuilder;
    }
  }

  /**
   * Append bytes. The reader keeps a reference rather than a copy: do not
   * modify a buffer after feeding it. In buffer mode a string inside one fed
   * buffer is a view of it (valid while that buffer is left alone; it pins
   * the buffer's memory); one split across fed buffers is a fresh Buffer.
   * Copy (`Buffer.from`) to keep a reply past the buffer's reuse.
   */
  feed(bytes: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    if (bytes.length === 0) return;
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.chainMode) throw new Error('RespReader: feed() after getReplyFrom() without reset()');
    if (this.pos === this.end && this.qHead === this.queue.length) {
      this.base += this.end;
      this.buf = b;
      this.pos = 0;
      this.end = b.length;
      this.forgetAscii();
    } else {
      this.queue.push(b);
    }
  }

  /**
   * Move every readable byte of `chain` into the reader and drain it, then
   * read replies with `getReply()`. Zero-copy: the reader keeps the chain's
   * views (`peek()`), which ChainBuffer guarantees stay unchanged while
   * held. Costs O(new bytes) per call however large the pending reply — the
   * choice for a socket's input buffer. Use `getReplyFrom` instead when the
   * chain must keep the bytes of a partial reply.
   */
  feedFrom(chain: ChainSource): void {
    if (this.failure !== null) throw this.failure;
    const n = chain.length;
    if (n === 0) return;
    const views = chain.peek();
    for (let i = 0; i < views.length; i++) this.feed(views[i]!);
    chain.drain(n);
  }

  /** The next complete reply, or `NEED_MORE`. Throws a `ProtocolError` on a broken stream. */
  getReply(): unknown {
    // Hot path, a whole integer at the top level of a chunk with room (a
    // burst of INCR or EXISTS replies) with the native builder: read here by
    // words. Anything else (or anything odd about this one, or a failed
    // stream: ready is 0 then) takes nextReply, which parses it again
    // properly. Kept this small so that it inlines into the caller's loop.
    const b = this.buf;
    const i = this.pos;
    // (Bounds are checked before every read: reading past a typed array's
    // end makes V8 deoptimise.)
    if (this.ready === 1 && this.end - i >= WORDS_ROOM && b[i] === INTEGER) {
      const v = this.lineInteger(b, i);
      if (v !== BAIL) return v;
    }
    return this.nextReply();
  }

  /**
   * getReply's integer line `:digits CRLF` at b[i], read four bytes at a
   * time (SWAR) for 1 to 8 digits: a digit test and the value of a word
   * cost a dozen int32 operations, against ~19 instructions per digit in a
   * byte loop (bounds check, map check and the loop's own checks each time).
   * 100k 7-digit integers: ~25% more replies per second. The caller
   * leaves WORDS_ROOM bytes from i (both words and the CRLF lie inside the
   * chunk), and `ready` says the line fits maxLineLength. BAIL (nothing
   * changed) for anything else, which nextReply's byte loop then reads — a
   * sign (negative replies are rare: INCRBY, TTL's -1/-2), 9 digits or more,
   * no digits, no CRLF. Every value here fits an int32 (below 10^8), so the
   * arithmetic is int32 with no overflow or minus-zero checks.
   */
  private lineInteger(b: Buffer, i: number): unknown {
    let dv = this.words;
    if (dv === null || this.wordsOf !== b) dv = this.wordsFor(b);
    const p = i + 1;
    const w = dv.getInt32(p, true);
    const m = notDigits(w);
    let value: number;
    let cr: number;
    if (m !== 0) {
      // The first non-digit byte: the lowest set byte of m (little-endian).
      const k = (31 - Math.clz32(m & -m)) >> 3;
      if (k === 0) return BAIL;
      value = wordValue(w, k);
      cr = p + k;
    } else {
      const w2 = dv.getInt32(p + 4, true);
      const m2 = notDigits(w2);
      if (m2 === 0) return BAIL;
      const k = (31 - Math.clz32(m2 & -m2)) >> 3;
      value = wordValue(w, 4);
      if (k !== 0) value = (Math.imul(value, (POW10_PACKED >>> (10 * k - 10)) & 0x3ff) + wordValue(w2, k)) | 0;
      cr = p + 4 + k;
    }
    if (dv.getUint16(cr, true) !== CRLF16) return BAIL;
    this.pos = cr + 2;
    return value;
  }

  /** The DataView of chunk b for lineInteger(). */
  private wordsFor(b: Buffer): DataView {
    this.wordsOf = b;
    return (this.words = new DataView(b.buffer, b.byteOffset, b.length));
  }

  /**
   * A view of b[start..end) (b a fed chunk, in buffer mode): the returned
   * Buffer shares the chunk's memory, valid for as long as the caller leaves
   * the fed bytes alone (feed's rule). Made without `subarray`, whose
   * `.buffer` getter is a C++ call costing a third of the view; the chunk's
   * memory is looked up once per chunk instead.
   */
  private view(b: Buffer, start: number, end: number): Buffer {
    if (b !== this.viewOf) {
      this.viewOf = b;
      this.viewMem = b.buffer;
      this.viewOff = b.byteOffset;
    }
    return bufferView(this.viewMem, this.viewOff + start, end - start);
  }

  /**
   * String mode: the string of b[s..e). A short one comes from shortText; a
   * longer one inside the chunk is copied as Latin-1 when its bytes are known
   * to be ASCII, skipping V8's UTF-8 decoder (~0.9 instructions a byte). The
   * check (`isAscii`, ~0.2 a byte plus ~600 a call) covers a window, from the
   * string to the chunk's end or ASCII_WINDOW bytes on, so the strings after
   * it in the window cost no check of their own (LRANGE, MGET, many GETs in
   * one chunk). A window that is not all ASCII has its strings decoded as
   * UTF-8; the first string past it checks again.
   */
  private stringOf(b: Buffer, s: number, e: number): string {
    if (e - s <= SHORT) return shortText(b, s, e);
    if (b === this.buf && s >= this.asciiFrom && e <= this.checkedTo) return e <= this.asciiTo ? latin1(b, s, e) : utf8(b, s, e);
    return this.checkText(b, s, e);
  }

  /** stringOf() for a string outside the window checked last: check a new window, or decode by size. */
  private checkText(b: Buffer, s: number, e: number): string {
    if (b !== this.buf || e - s > UTF8_SLICE) return decodeUtf8(b, s, e);
    const to = Math.max(e, Math.min(this.end, s + ASCII_WINDOW));
    // Too few bytes left in the chunk to be worth a call of its own.
    if (to - s < ASCII_CHECK) return utf8(b, s, e);
    this.asciiFrom = s;
    this.checkedTo = to;
    if (isAscii(this.view(b, s, to))) {
      this.asciiTo = to;
      return latin1(b, s, e);
    }
    this.asciiTo = s;
    return utf8(b, s, e);
  }

  private forgetAscii(): void {
    this.asciiFrom = this.asciiTo = this.checkedTo = 0;
  }

  /** No partial item, no open aggregate, no pending attributes. */
  private idle(): boolean {
    return this.depth === 0 && this.topAttrs === null && this.lineLen === 0 && this.bulkType === 0;
  }

  /**
   * The value of the decimal digits from b[i] on, as far as they go before
   * `end`; `digitEnd` is set to the first byte that is not a digit (or
   * `end`). Exact up to 2^53; callers bound the count. The one digit parser
   * of the reader: every header, integer and fast path reads its digits here.
   */
  private digits(b: Buffer, i: number, end: number): number {
    // Nine digits always fit in an int32, so the first nine are summed with
    // `| 0`: V8 then emits plain 32-bit arithmetic with no overflow checks
    // (and one unsigned compare tells a digit), which made 100k integers
    // read ~25% faster. Longer numbers, rare, go on in moreDigits.
    const lim = end - i > 9 ? i + 9 : end;
    let n = 0;
    for (; i < lim; i++) {
      const d = b[i]! - ZERO;
      if (d >>> 0 > 9) {
        this.digitEnd = i;
        return n;
      }
      n = (n * 10 + d) | 0;
    }
    if (i === end) {
      this.digitEnd = i;
      return n;
    }
    return this.moreDigits(b, i, end, n);
  }

  /** digits() past its ninth digit, in doubles (exact up to 2^53). */
  private moreDigits(b: Buffer, i: number, end: number, n: number): number {
    for (; i < end; i++) {
      const d = b[i]! - ZERO;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    this.digitEnd = i;
    return n;
  }

  // Kept apart from getReply so that getReply stays small enough to inline.
  private nextReply(): unknown {
    const b = this.buf;
    const end = this.end;
    const start = this.pos;
    // The fast paths below want what `ready` says (the native builder —
    // strings or Buffers —, no failure, nothing partial, not chain mode,
    // where views are not allowed): one Smi rather than testing each flag
    // (V8 compiled every boolean field test here as a full ToBoolean).
    if (this.ready !== 1 || start >= end) {
      if (this.failure !== null) throw this.failure;
      return this.general();
    }
    const t = b[start];
    if (t === BULK_STRING) {
      // Hot path, a whole bulk string at the top level with the native
      // builder (a GET's reply): decoded right here, else the general path.
      const n = this.digits(b, start + 1, end);
      const cr = this.digitEnd;
      const p = cr + 2;
      const stop = p + n;
      if (cr !== start + 1 && cr - start <= 16 && cr - start <= this.maxLine && n <= this.maxBulk && stop + 2 <= end) {
        if (b[cr] === CR && b[cr + 1] === LF && b[stop] === CR && b[stop + 1] === LF) {
          this.pos = stop + 2;
          return this.textBulks ? this.stringOf(b, p, stop) : this.view(b, p, stop);
        }
      }
    } else if (t === ARRAY) {
      // Likewise a whole array of arrays, integers and strings.
      const v = this.quick(b, start, end, 0);
      if (v !== BAIL) {
        this.pos = this.next;
        return v;
      }
    } else if (t === SIMPLE_STRING) {
      // Likewise a simple string (+OK).
      const first = start + 1;
      let i = first;
      while (i < end && b[i] !== CR && b[i] !== LF) i++;
      if (i + 1 < end && b[i] === CR && b[i + 1] === LF && i - start <= this.maxSimple) {
        this.pos = i + 2;
        return this.textBulks ? this.stringOf(b, first, i) : this.view(b, first, i);
      }
    } else if (t === INTEGER) {
      // Likewise an integer near the chunk's end or past getReply's word
      // reader (a sign, nine digits or more), byte by byte.
      const v = this.shortInteger(b, start, end);
      if (v !== BAIL) {
        this.pos = this.next;
        return v;
      }
    }
    return this.general();
  }

  /**
   * The integer line `:[-]digits CRLF` whose type byte is b[at], whole inside
   * b[..end) with at most 15 digits: its value, `next` past its CRLF; else
   * BAIL, nothing changed. nextReply's top-level integers and quick()'s
   * elements (small: it inlines into both).
   */
  private shortInteger(b: Buffer, at: number, end: number): number | typeof BAIL {
    const neg = at + 1 < end && b[at + 1] === MINUS;
    const first = neg ? at + 2 : at + 1;
    const v = this.digits(b, first, end);
    const j = this.digitEnd;
    if (j === first || j - first > 15 || j - at > this.maxLine || j + 1 >= end || b[j] !== CR || b[j + 1] !== LF) return BAIL;
    this.next = j + 2;
    return neg ? 0 - v : v;
  }

  /**
   * Where the CR of the simple line whose type byte is b[at] lies, when the
   * whole line (CRLF included) is inside b[..end) and within maxSimple; else
   * -1. A bare CR or LF inside the line fails it.
   */
  private simpleEnd(b: Buffer, at: number, end: number): number {
    let j = at + 1;
    while (j < end && b[j] !== CR && b[j] !== LF) j++;
    return j + 1 < end && b[j] === CR && b[j + 1] === LF && j - at <= this.maxSimple ? j : -1;
  }

  // Apart from nextReply, which stays small: with this loop inside it the
  // Buffer-mode fast paths measured 10–20% slower after other workloads.
  private general(): unknown {
    try {
      for (;;) {
        const r = this.parse();
        if (r !== NEED_MORE) {
          this.settle();
          return r;
        }
        if (this.qHead === this.queue.length) {
          if (this.qHead !== 0) {
            this.queue.length = 0;
            this.qHead = 0;
          }
          this.settle();
          return NEED_MORE;
        }
        this.base += this.end;
        const b = this.queue[this.qHead]!;
        this.queue[this.qHead++] = EMPTY;
        this.buf = b;
        this.pos = 0;
        this.end = b.length;
        this.forgetAscii();
      }
    } catch (err) {
      throw this.caught(err);
    }
  }

  /**
   * The next complete reply read from `chain` in place, or `NEED_MORE`.
   * Exactly the bytes of each returned reply are drained; the bytes of a
   * partial reply stay in the chain (the reader remembers how far it got and
   * does not parse them twice). Between calls only append to the chain: if
   * you drain or clear it yourself, call reset() first. Buffers in replies
   * are copies, never views of the chain's memory.
   *
   * Cost: O(bytes) overall, plus one `peek()` — O(chunks held) — per call
   * that finds new bytes while a reply is incomplete; a partial bulk string
   * is only looked at again once all of it is there. For replies spanning
   * thousands of chunks prefer `feedFrom`.
   */
  getReplyFrom(chain: ChainSource): unknown {
    if (this.failure !== null) throw this.failure;
    if (!this.chainMode) {
      if (this.pos !== this.end || this.qHead !== this.queue.length) {
        throw new Error('RespReader: getReplyFrom() after feed() without reset()');
      }
      this.chainMode = true;
      // getReply's fast path reads buf in place; in chain mode buf is the
      // chain's memory, drained only by getReplyFrom: keep it off until reset().
      this.ready = 0;
      this.stable = false;
      this.base = 0;
    }
    try {
      // The remainder of the view a reply ended in last time sits at the
      // chain's front: carry on there without asking for new views.
      if (this.pos < this.end) {
        const start = this.pos;
        if (chain.length < this.end - start) throw new Error('RespReader: the chain was drained behind the reader; reset() first');
        const r = this.parse();
        if (r !== NEED_MORE) {
          this.drainChain(chain, this.pos - start);
          return r;
        }
        this.chainSeen = this.end - start;
      }
      this.release();
      const total = chain.length;
      if (total <= this.chainSeen) return NEED_MORE;
      // Waiting for a bulk payload: nothing to do until all of it is there.
      if (this.bulkType !== 0 && total - this.chainSeen < this.bulkLen + 2 - this.piecesLen) return NEED_MORE;
      // Nothing held and every byte in the front chunk (a reply to one
      // command, as one socket read brings it): parse it where it lies, with
      // no array of views and no view. In chain mode the reader copies what
      // it keeps (stable is false), and a partial reply's bytes stay in the
      // chain until it completes, so nothing outlives the drain.
      if (this.chainSeen === 0 && this.lineLen === 0 && this.bulkType === 0 && chain.frontLength === total) {
        const at = chain.frontOffset!;
        this.buf = chain.frontMemory!();
        this.pos = at;
        this.end = at + total;
        this.forgetAscii();
        this.base = this.chainDrained - at;
        const r = this.parse();
        if (r !== NEED_MORE) {
          this.drainChain(chain, this.pos - at);
          return r;
        }
        this.chainSeen = total;
        this.release();
        return NEED_MORE;
      }
      const views = chain.peek();
      let off = 0;
      for (let k = 0; k < views.length; k++) {
        const v = views[k]!;
        const vEnd = off + v.length;
        if (vEnd <= this.chainSeen) {
          off = vEnd;
          continue;
        }
        this.buf = v;
        this.pos = this.chainSeen - off;
        this.end = v.length;
        this.forgetAscii();
        this.base = this.chainDrained + off;
        const r = this.parse();
        if (r !== NEED_MORE) {
          this.chainSeen = 0;
          this.drainChain(chain, off + this.pos);
          return r;
        }
        this.chainSeen = off = vEnd;
      }
      this.release();
      return NEED_MORE;
    } catch (err) {
      throw this.caught(err);
    }
  }

  /** Forget everything: partial reply, queued bytes, failure. Limits and builder stay. */
  reset(): void {
    this.failure = null;
    this.buf = EMPTY;
    this.forgetAscii();
    this.viewOf = EMPTY;
    this.words = null;
    this.wordsOf = EMPTY;
    this.pos = this.end = this.base = 0;
    this.stable = true;
    this.queue = [];
    this.qHead = 0;
    this.lineLen = 0;
    this.bulkType = 0;
    this.pieces = [];
    this.piecesLen = 0;
    this.text = null;
    this.dest = null;
    this.decoder.end();
    for (let i = 0; i < this.depth; i++) {
      const f = this.stack[i]!;
      f.items = NO_ITEMS;
      f.attrs = null;
    }
    this.depth = 0;
    this.topAttrs = null;
    this.chainSeen = this.chainDrained = 0;
    this.chainMode = false;
    this.settle();
  }

  private drainChain(chain: ChainSource, n: number): void {
    chain.drain(n);
    this.chainDrained += n;
    // What remains of the current view is now the chain's front.
    this.base = this.chainDrained - this.pos;
  }

  private release(): void {
    this.buf = EMPTY;
    this.pos = this.end = 0;
    this.forgetAscii();
  }

  private caught(err: unknown): unknown {
    if (err instanceof ProtocolError) {
      this.failure = err;
      this.release();
      this.queue = [];
      this.pieces = [];
      this.dest = null;
    }
    this.settle();
    return err;
  }

  /** Parse from buf[pos..end) until a reply completes, or consume it all and return NEED_MORE. */
  private parse(): unknown {
    for (;;) {
      let value: unknown;
      if (this.bulkType !== 0) {
        value = this.continueBulk();
      } else if (this.lineLen !== 0) {
        value = this.continueLine();
      } else if (this.pos < this.end) {
        if (this.depth !== 0) {
          // Worth a separate loop only with a few elements to go.
          const f = this.stack[this.depth - 1]!;
          if (f.n - f.idx > 3 && this.fill(f)) continue;
        }
        value = this.item(this.buf, this.pos, this.end, this.stable);
      } else {
        return NEED_MORE;
      }
      if (value === NEED_MORE) return NEED_MORE;
      if (value === OPENED) continue;
      // Hand the value to its aggregate, closing every aggregate it completes.
      for (;;) {
        const d = this.depth;
        if (d === 0) {
          if (this.topAttrs !== null) {
            value = this.builder.attributes(value, this.topAttrs);
            this.topAttrs = null;
          }
          return value;
        }
        const f = this.stack[d - 1]!;
        if (f.attrs !== null) {
          value = this.builder.attributes(value, f.attrs);
          f.attrs = null;
        }
        f.items[f.idx++] = value;
        if (f.idx < f.n) break;
        this.depth = d - 1;
        const items = f.items;
        f.items = NO_ITEMS;
        if (f.type === RespType.ATTRIBUTE) {
          // Not an element: it annotates the next value at the outer level.
          this.addAttrs(items);
          break;
        }
        // Hot path: the native builder's array is the items array itself.
        value = f.type === ARRAY && this.native ? items : this.builder.aggregate(f.type, items);
      }
    }
  }

  /**
   * Hot path for aggregates of simple items (LRANGE, HGETALL, MGET): store
   * whole `$` bulks and `:` integers of this chunk straight into the open
   * frame, all but its last element (which closes it through parse()).
   * Stops at anything else, anything partial and anything malformed, for
   * item() to handle or report. True if it stored anything.
   */
  private fill(f: Frame): boolean {
    if (f.attrs !== null) return false;
    const b = this.buf;
    const end = this.end;
    const items = f.items;
    const last = f.n - 1;
    let idx = f.idx;
    let pos = this.pos;
    while (idx < last && pos < end) {
      const t = b[pos]!;
      if (t !== BULK_STRING && t !== INTEGER) break;
      const neg = t === INTEGER && pos + 1 < end && b[pos + 1] === MINUS;
      const first = neg ? pos + 2 : pos + 1;
      const n = this.digits(b, first, end);
      const i = this.digitEnd;
      if (i === first || i - first > 15 || i - pos > this.maxLine || i + 1 >= end || b[i] !== CR || b[i + 1] !== LF) break;
      if (t === INTEGER) {
        if (!this.native) break;
        items[idx++] = neg ? 0 - n : n;
        pos = i + 2;
        continue;
      }
      const p = i + 2;
      const stop = p + n;
      if (n > this.maxBulk || stop + 2 > end || b[stop] !== CR || b[stop + 1] !== LF) break;
      items[idx++] = this.textBulks
        ? this.stringOf(b, p, stop)
        : this.nativeBuffers && this.stable
          ? this.view(b, p, stop)
          : this.builder.bulkString(b, p, stop, this.stable);
      pos = stop + 2;
    }
    if (idx === f.idx) return false;
    f.idx = idx;
    this.pos = pos;
    return true;
  }

  /**
   * Hot path for a whole reply of arrays, integers and strings inside the
   * chunk, with the native builder: parsed recursively straight from the
   * chunk, as redis-parser does, with no frames, no partial state and no
   * per-item dispatch through parse(). Anything else — another type, a
   * partial or malformed item, a limit reached — returns BAIL having changed
   * nothing, and the general path parses the reply again from its start.
   * On success `next` is past the value.
   */
  private quick(b: Buffer, start: number, end: number, level: number): unknown {
    if (start >= end) return BAIL;
    const t = b[start]!;
    if (t === SIMPLE_STRING) {
      const i = this.simpleEnd(b, start, end);
      if (i < 0) return BAIL;
      this.next = i + 2;
      return this.textBulks ? this.stringOf(b, start + 1, i) : this.view(b, start + 1, i);
    }
    if (t !== INTEGER && t !== BULK_STRING && t !== ARRAY) return BAIL;
    const neg = t === INTEGER && start + 1 < end && b[start + 1] === MINUS;
    const first = neg ? start + 2 : start + 1;
    const n = this.digits(b, first, end);
    const i = this.digitEnd;
    if (i === first || i - first > 15 || i - start > this.maxLine || i + 1 >= end || b[i] !== CR || b[i + 1] !== LF) {
      return BAIL;
    }
    const p = i + 2;
    if (t === INTEGER) {
      this.next = p;
      return neg ? 0 - n : n;
    }
    if (t === BULK_STRING) {
      const stop = p + n;
      if (n > this.maxBulk || stop + 2 > end || b[stop] !== CR || b[stop + 1] !== LF) return BAIL;
      this.next = stop + 2;
      return this.textBulks ? this.stringOf(b, p, stop) : this.view(b, p, stop);
    }
    // Every element takes at least 4 bytes: a longer array cannot be whole here.
    if (n > this.maxAggregate || level >= this.maxDepth || level >= QUICK_DEPTH || 4 * n > end - p) return BAIL;
    const items = new Array<unknown>(n);
    let at = p;
    for (let k = 0; k < n; k++) {
      if (at >= end) return BAIL;
      const e = b[at];
      // Bulk strings, the commonest elements (LRANGE, MGET), without the call.
      if (e === BULK_STRING) {
        const len = this.digits(b, at + 1, end);
        const j = this.digitEnd;
        const q = j + 2;
        const stop = q + len;
        if (
          j !== at + 1 && j - at <= 16 && j - at <= this.maxLine && len <= this.maxBulk && stop + 2 <= end &&
          b[j] === CR && b[j + 1] === LF && b[stop] === CR && b[stop + 1] === LF
        ) {
          items[k] = this.textBulks ? this.stringOf(b, q, stop) : this.view(b, q, stop);
          at = stop + 2;
          continue;
        }
      } else if (e === INTEGER) {
        // Likewise integers (ZSCORE-like counts in nested replies, SMISMEMBER).
        const v = this.shortInteger(b, at, end);
        if (v === BAIL) return BAIL;
        items[k] = v;
        at = this.next;
        continue;
      } else if (e === SIMPLE_STRING) {
        // And simple strings (+OK in nested replies, a command's status).
        const j = this.simpleEnd(b, at, end);
        if (j < 0) return BAIL;
        items[k] = this.textBulks ? this.stringOf(b, at + 1, j) : this.view(b, at + 1, j);
        at = j + 2;
        continue;
      }
      const v = this.quick(b, at, end, level + 1);
      if (v === BAIL) return BAIL;
      items[k] = v;
      at = this.next;
    }
    this.next = at;
    return items;
  }

  private addAttrs(items: unknown[]): void {
    const d = this.depth;
    if (d === 0) this.topAttrs = this.topAttrs === null ? items : this.topAttrs.concat(items);
    else {
      const f = this.stack[d - 1]!;
      f.attrs = f.attrs === null ? items : f.attrs.concat(items);
    }
  }

  /**
   * One item starting at b[start] (its type byte), handed to the parser of
   * its kind as hiredis's processItem does. Returns its value, OPENED when it
   * began an aggregate or a bulk, or NEED_MORE when b ends first — the
   * partial item is then saved and pos moved to end. On success pos is past
   * the item.
   */
  private item(b: Buffer, start: number, end: number, stable: boolean): unknown {
    const t = b[start]!;
    switch (t) {
      case BULK_STRING:
      case VERBATIM_STRING:
      case BULK_ERROR:
        return this.bulkItem(t, b, start, end, stable);
      case ARRAY:
      case RespType.MAP:
      case RespType.SET:
      case RespType.PUSH:
      case RespType.ATTRIBUTE:
        return this.aggregateItem(t, b, start, end);
      case INTEGER:
        return this.integer(b, start, end);
      case SIMPLE_STRING:
      case SIMPLE_ERROR:
      case RespType.NULL:
      case RespType.BOOLEAN:
      case RespType.DOUBLE:
      case RespType.BIG_NUMBER:
        return this.lineItem(t, b, start, end, stable);
      default:
        return this.fail(b, start, '', true);
    }
  }

  /** `+ - _ # , (`: one line, its payload between the type byte and CRLF. (hiredis: processLineItem.) */
  private lineItem(t: number, b: Buffer, start: number, end: number, stable: boolean): unknown {
    const cr = this.lineEnd(b, start, end, t === SIMPLE_STRING || t === SIMPLE_ERROR ? this.maxSimple : this.maxLine);
    if (cr === -1) return this.partial(b, start, end);
    const s = start + 1;
    switch (t) {
      case SIMPLE_STRING:
        this.pos = cr + 2;
        // Hot path: the native builder's string, without the call.
        if (this.textBulks) return this.stringOf(b, s, cr);
        if (this.nativeBuffers && stable) return this.view(b, s, cr);
        return this.builder.simpleString(b, s, cr, stable);
      case SIMPLE_ERROR:
        this.pos = cr + 2;
        return this.builder.error(b, s, cr, false);
      case RespType.NULL:
        if (cr !== s) this.fail(b, s, 'bad null');
        this.pos = cr + 2;
        return this.builder.nil(t);
      case RespType.BOOLEAN: {
        const c = b[s];
        if (cr !== s + 1 || (c !== 0x74 && c !== 0x66)) this.fail(b, s, 'bad boolean'); // t, f
        this.pos = cr + 2;
        return this.builder.boolean(c === 0x74);
      }
      case RespType.DOUBLE: {
        const v = this.double(b, s, cr);
        this.pos = cr + 2;
        return this.builder.double(v, b, s, cr);
      }
      default: {
        // RespType.BIG_NUMBER: an optional sign, then digits only.
        const first = b[s] === MINUS || b[s] === PLUS ? s + 1 : s;
        this.digits(b, first, cr);
        if (first === cr || this.digitEnd !== cr) this.fail(b, this.digitEnd, 'bad big number');
        this.pos = cr + 2;
        return this.builder.bigNumber(b, b[s] === PLUS ? s + 1 : s, cr);
      }
    }
  }

  /** `$ = !`: a length header, then that many bytes and CRLF. (hiredis: processBulkItem.) */
  private bulkItem(t: number, b: Buffer, start: number, end: number, stable: boolean): unknown {
    const n = this.readLength(b, start, end, t === BULK_STRING);
    if (n === -2) return this.partial(b, start, end);
    if (n === -1) {
      this.pos = this.next;
      return this.builder.nil(t);
    }
    if (n > this.maxBulk) this.fail(b, this.next - 3, 'bulk string length out of range');
    if (t === VERBATIM_STRING && n < 4) this.fail(b, this.next - 3, 'verbatim string is shorter than its format prefix');
    const p = this.next;
    const stop = p + n;
    if (stop + 2 <= end) {
      if (b[stop] !== CR) this.fail(b, stop, 'expected CR after bulk data');
      if (b[stop + 1] !== LF) this.fail(b, stop + 1, 'expected LF after bulk data');
      this.pos = stop + 2;
      // Hot path: the native builder's string, without the call.
      if (t === BULK_STRING) {
        if (this.textBulks) return this.stringOf(b, p, stop);
        if (this.nativeBuffers && stable) return this.view(b, p, stop);
      }
      return this.bulkValue(t, b, p, stop, stable);
    }
    // The payload goes on past this chunk: collect it (continueBulk).
    this.bulkType = t;
    this.bulkLen = n;
    this.bulkBase = (b === this.line ? this.lineBase : this.base) + p;
    this.piecesLen = 0;
    if (p < end) this.takeBulk(b, p, end);
    this.pos = end;
    return NEED_MORE;
  }

  /** `* % ~ > |`: a count header; the elements follow as items of their own. (hiredis: processAggregateItem.) */
  private aggregateItem(t: number, b: Buffer, start: number, end: number): unknown {
    const n = this.readLength(b, start, end, t === ARRAY);
    if (n === -2) return this.partial(b, start, end);
    this.pos = this.next;
    if (n === -1) return this.builder.nil(t);
    if (n > this.maxAggregate) this.fail(b, this.next - 3, 'aggregate length out of range');
    if (this.depth >= this.maxDepth) this.fail(b, start, `nesting deeper than ${this.maxDepth}`);
    const pairs = t === RespType.MAP || t === RespType.ATTRIBUTE;
    const slots = pairs ? 2 * n : n;
    if (slots === 0) {
      if (t !== RespType.ATTRIBUTE) return this.builder.aggregate(t, []);
      this.addAttrs([]);
      return OPENED;
    }
    let f = this.stack[this.depth];
    if (f === undefined) {
      f = new Frame();
      this.stack.push(f);
    }
    f.type = t;
    // Trust a declared length only as far as a modest preallocation.
    f.items = slots <= 1024 ? new Array(slots) : [];
    f.idx = 0;
    f.n = slots;
    f.attrs = null;
    this.depth++;
    return OPENED;
  }

  private bulkValue(t: number, b: Buffer, p: number, stop: number, stable: boolean): unknown {
    if (t === BULK_STRING) return this.builder.bulkString(b, p, stop, stable);
    if (t === BULK_ERROR) return this.builder.error(b, p, stop, true);
    if (b[p + 3] !== 0x3a) this.fail(b, p + 3, 'verbatim string format is not followed by ":"');
    const format = String.fromCharCode(b[p]!, b[p + 1]!, b[p + 2]!);
    return this.builder.verbatim(format, b, p + 4, stop, stable);
  }

  /*
   * Lines and their limit. A line of limit `max` has its CR at most `max`
   * bytes after its type byte, so a scanner never looks further than
   * `max + 2` bytes from the type byte (lineStop): what it decides from those
   * bytes is decided the same whether they came in one chunk or byte by byte
   * into the line buffer (continueLine hands it at most that many), and so is
   * the offending byte of any ProtocolError. Running out of bytes there is
   * the line being too long (outOfLine), before it a partial line.
   */

  /** Where a scanner of the line at b[start] must stop: `end`, or `max + 2` bytes on. */
  private static lineStop(start: number, end: number, max: number): number {
    return end - start > max + 2 ? start + max + 2 : end;
  }

  /** A scanner ran out of bytes at `stop`: too long if that was the line's limit, else a partial line. */
  private outOfLine(b: Buffer, start: number, stop: number, max: number): void {
    if (stop - start >= max + 2) this.tooLong(b, start, max);
  }

  /**
   * The length in a `$`/`*`-style header at b[start] (type byte), setting
   * `next` past its CRLF; -1 for a null (when `nullable`), -2 if b ends first.
   * Length errors point at the last digit (`next - 3`) for the callers.
   */
  private readLength(b: Buffer, start: number, end: number, nullable: boolean): number {
    const max = this.maxLine;
    const stop = RespReader.lineStop(start, end, max);
    let i = start + 1;
    if (i < stop && b[i] === MINUS) {
      if (!nullable) this.fail(b, i, 'negative length');
      // Only "-1" CR LF: byte by byte, each may be the last one there is.
      if (++i < stop && b[i] !== ZERO + 1) this.fail(b, i, 'negative length other than -1');
      if (++i < stop && b[i] !== CR) this.fail(b, i, 'negative length other than -1');
      if (i < stop && i - start > max) this.tooLong(b, start, max);
      if (++i < stop && b[i] !== LF) this.fail(b, i, 'expected LF');
      if (i >= stop) {
        this.outOfLine(b, start, stop, max);
        return -2;
      }
      this.next = i + 1;
      return -1;
    }
    const first = i;
    const n = this.digits(b, first, stop);
    i = this.digitEnd;
    if (n > MAX_LENGTH) this.overLength(b, first);
    if (i >= stop) {
      this.outOfLine(b, start, stop, max);
      return -2;
    }
    if (b[i] !== CR || i === first) this.fail(b, i, 'bad length');
    if (i - start > max) this.tooLong(b, start, max);
    if (i + 1 >= stop) return -2;
    if (b[i + 1] !== LF) this.fail(b, i + 1, 'expected LF');
    this.next = i + 2;
    return n;
  }

  /** Fail at the digit from b[first] on where a length first passes MAX_LENGTH (the rare, slow case). */
  private overLength(b: Buffer, first: number): never {
    let n = 0;
    let i = first;
    while ((n = n * 10 + (b[i]! - ZERO)) <= MAX_LENGTH) i++;
    return this.fail(b, i, 'length out of range');
  }

  /** `:` at b[start], with an optional sign (the spec allows `+`). */
  private integer(b: Buffer, start: number, end: number): unknown {
    const max = this.maxLine;
    const stop = RespReader.lineStop(start, end, max);
    const sign = start + 1 < stop ? b[start + 1] : 0;
    const first = sign === MINUS || sign === PLUS ? start + 2 : start + 1;
    const n = this.digits(b, first, stop);
    const i = this.digitEnd;
    if (i >= stop) {
      this.outOfLine(b, start, stop, max);
      return this.partial(b, start, end);
    }
    if (b[i] !== CR || i === first) this.fail(b, i, 'bad integer');
    if (i - start > max) this.tooLong(b, start, max);
    if (i + 1 >= stop) return this.partial(b, start, end);
    if (b[i + 1] !== LF) this.fail(b, i + 1, 'expected LF');
    this.pos = i + 2;
    const value = sign === MINUS ? 0 - n : n;
    // Hot path: at most 15 digits is always a safe integer.
    if (i - first <= 15 && this.native) return value;
    const s = sign === PLUS ? start + 2 : start + 1;
    if (i - first > 18 && !fitsInt64(b.toString('latin1', s, i))) this.fail(b, i - 1, 'integer out of range');
    return this.builder.integer(value, b, s, i);
  }

  /** `,` payload b[s..e). */
  private double(b: Buffer, s: number, e: number): number {
    if (e === s) this.fail(b, s, 'bad double');
    let digits = false;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (c >= ZERO && c <= NINE) digits = true;
      else if (c !== 0x2e && c !== MINUS && c !== PLUS && c !== 0x65 && c !== 0x45) {
        // not . e E: inf, nan, or nothing
        return this.namedDouble(b, s, e);
      }
    }
    const v = digits ? Number(b.toString('latin1', s, e)) : NaN;
    if (Number.isNaN(v)) this.fail(b, s, 'bad double');
    return v;
  }

  private namedDouble(b: Buffer, s: number, e: number): number {
    switch (b.toString('latin1', s, e).toLowerCase()) {
      case 'inf':
      case '+inf':
        return Infinity;
      case '-inf':
        return -Infinity;
      case 'nan':
      case '-nan':
        return NaN;
    }
    return this.fail(b, s, 'bad double');
  }

  /**
   * Index of the CR ending the line that starts at b[start], checking the LF
   * after it; -1 if b ends first. A bare CR or LF inside a line is an error.
   */
  private lineEnd(b: Buffer, start: number, end: number, max: number): number {
    const stop = RespReader.lineStop(start, end, max);
    let i = start + 1;
    for (;;) {
      if (i >= stop) {
        this.outOfLine(b, start, stop, max);
        return -1;
      }
      const c = b[i]!;
      if (c === CR) break;
      if (c === LF) this.fail(b, i, 'LF without CR');
      i++;
    }
    if (i - start > max) this.tooLong(b, start, max);
    if (i + 1 >= stop) return -1;
    if (b[i + 1] !== LF) this.fail(b, i + 1, 'CR without LF');
    return i;
  }

  /** Save the partial item b[start..end) as a line to complete later (the scanners keep it within its limit). */
  private partial(b: Buffer, start: number, end: number): symbol {
    if (b === this.line) this.fail(b, end - 1, 'expected CRLF');
    const t = b[start];
    this.lineMax = t === SIMPLE_STRING || t === SIMPLE_ERROR ? this.maxSimple : this.maxLine;
    this.lineBase = this.base + start;
    this.lineLen = 0;
    this.appendLine(b, start, end);
    this.pos = end;
    return NEED_MORE;
  }

  private appendLine(b: Buffer, start: number, end: number): void {
    const need = this.lineLen + (end - start);
    if (need > this.line.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, 2 * this.line.length, 64));
      this.line.copy(grown, 0, 0, this.lineLen);
      this.line = grown;
    }
    b.copy(this.line, this.lineLen, start, end);
    this.lineLen = need;
  }

  /**
   * Grow the partial line, then parse it as an item once it can be decided:
   * it ends in LF, it holds a CR with a byte after it (every scanner stops
   * there), or it has reached its limit and CRLF (`lineMax + 2` bytes).
   * The scanners see the same bytes as they would have in one chunk.
   */
  private continueLine(): unknown {
    const b = this.buf;
    const max = this.lineMax;
    const room = max + 2 - this.lineLen;
    const cap = this.end - this.pos > room ? this.pos + room : this.end;
    const nl = b.indexOf(LF, this.pos);
    const stop = nl !== -1 && nl < cap ? nl + 1 : cap;
    const from = this.lineLen;
    this.appendLine(b, this.pos, stop);
    this.pos = stop;
    const len = this.lineLen;
    const line = this.line;
    if (line[len - 1] !== LF && len < max + 2) {
      // (An earlier CR would have been followed by a byte already, so the
      // search can start at the previous last byte.)
      const cr = line.indexOf(CR, from > 0 ? from - 1 : 0);
      if (cr === -1 || cr + 1 >= len) return NEED_MORE;
    }
    const saved = this.pos;
    // lineLen stays set while the line is parsed: fail() reads bytes up to it.
    const v = this.item(line, 0, len, false);
    this.lineLen = 0;
    // Parsing from the line buffer moved pos within it; resume in the chunk.
    this.pos = saved;
    // A bulk header leaves its payload to come: carry on in this chunk.
    return v === NEED_MORE ? OPENED : v;
  }

  /** Take payload bytes of a partial bulk from the chunk; the value once complete. */
  private continueBulk(): unknown {
    const b = this.buf;
    const need = this.bulkLen + 2 - this.piecesLen;
    const avail = this.end - this.pos;
    if (avail < need) {
      if (avail > 0) {
        this.takeBulk(b, this.pos, this.end);
        this.pos = this.end;
      }
      return NEED_MORE;
    }
    const t = this.bulkType;
    const n = this.bulkLen;
    this.bulkType = 0;
    if (this.piecesLen === 0) {
      // The header arrived alone; the payload is whole in this chunk.
      const p = this.pos;
      if (b[p + n] !== CR) this.fail(b, p + n, 'expected CR after bulk data');
      if (b[p + n + 1] !== LF) this.fail(b, p + n + 1, 'expected LF after bulk data');
      this.pos = p + need;
      return this.bulkValue(t, b, p, p + n, this.stable);
    }
    this.takeBulk(b, this.pos, this.pos + need);
    this.pos += need;
    this.piecesLen = 0;
    if (this.text !== null) {
      const v = this.text + this.decoder.end();
      this.text = null;
      return v;
    }
    const d = this.dest;
    if (d !== null) {
      // CR and LF were checked as they arrived (takeBulk).
      this.dest = null;
      if (t === BULK_STRING && this.nativeBuffers) return d;
      const savedBase = this.base;
      this.base = this.bulkBase;
      const v = this.bulkValue(t, d, 0, n, d !== this.scratch);
      this.base = savedBase;
      return v;
    }
    // Our own copy loop rather than Buffer.concat, which V8 kept
    // deoptimising in mixed workloads (seen with --trace-deopt).
    const whole = Buffer.allocUnsafe(n + 2);
    const pieces = this.pieces;
    for (let k = 0, at = 0; k < pieces.length; k++) {
      whole.set(pieces[k]!, at);
      at += pieces[k]!.length;
    }
    this.pieces = [];
    const savedBase = this.base;
    this.base = this.bulkBase;
    if (whole[n] !== CR) this.fail(whole, n, 'expected CR after bulk data');
    if (whole[n + 1] !== LF) this.fail(whole, n + 1, 'expected LF after bulk data');
    const v = this.bulkValue(t, whole, 0, n, true);
    this.base = savedBase;
    return v;
  }

  /**
   * Bytes b[from..to) of a partial bulk: payload, then its CRLF. The first
   * piece decides where the payload goes: decoded as it comes (a big string),
   * copied into `dest` (up to DEST_MAX), or kept as pieces.
   */
  private takeBulk(b: Buffer, from: number, to: number): void {
    const n = this.bulkLen;
    if (this.piecesLen === 0) {
      this.text = null;
      this.dest = null;
      if (this.textBulks && this.bulkType === BULK_STRING && n > UTF8_SLICE) {
        this.text = '';
        this.textAscii = true;
      } else if (this.textBulks && n <= UTF8_SLICE) {
        // Decoded once complete and never kept: one scratch serves every bulk.
        if (this.scratch.length < n) this.scratch = Buffer.allocUnsafe(Math.max(n, 2 * this.scratch.length, 1024));
        this.dest = this.scratch;
      } else if (n <= DEST_MAX) this.dest = Buffer.allocUnsafe(n);
    }
    const d = this.dest;
    if (d === null && this.text === null) {
      this.pieces.push(b.subarray(from, to));
      this.piecesLen += to - from;
      return;
    }
    const have = this.piecesLen;
    const mid = Math.min(to, from + Math.max(0, n - have));
    if (d !== null) {
      // (TypedArray#set from a view: Buffer#copy adds argument checks and a .buffer getter call.)
      if (mid - from < 64) for (let i = from, j = have; i < mid; i++, j++) d[j] = b[i]!;
      else d.set(b === this.line ? b.subarray(from, mid) : this.view(b, from, mid), have);
    } else {
      for (let s = from; s < mid; s += UTF8_SLICE) {
        const e = Math.min(mid, s + UTF8_SLICE);
        const v = this.view(b, s, e);
        // ASCII pieces skip the decoder (and its UTF-8 decoding) while it holds no partial character.
        if (this.textAscii && isAscii(v)) this.text += latin1(b, s, e);
        else {
          this.textAscii = false;
          this.text += this.decoder.write(v);
        }
      }
    }
    for (let i = mid; i < to; i++) {
      const lf = have + (i - from) > n;
      if (b[i] !== (lf ? LF : CR)) this.fail(b, i, lf ? 'expected LF after bulk data' : 'expected CR after bulk data');
    }
    this.piecesLen += to - from;
  }

  private tooLong(b: Buffer, start: number, max: number): never {
    return this.fail(b, start + max, `line longer than ${max} bytes`);
  }

  /** Throw the ProtocolError for byte b[i]; `typeByte` for an unknown type. */
  private fail(b: Buffer, i: number, what: string, typeByte = false): never {
    const offset = (b === this.line ? this.lineBase : this.base) + i;
    // (this.buf may be a chunk read in place: its bytes end at this.end.)
    const limit = b === this.line ? this.lineLen : b === this.buf ? this.end : b.length;
    const byte = i < limit ? b[i] : undefined;
    const shown = byte === undefined ? 'end of input' : quoteByte(byte);
    const message = typeByte
      ? `Protocol error, got ${shown} as reply type byte at offset ${offset}`
      : `Protocol error, ${what}: got ${shown} at offset ${offset}`;
    throw new ProtocolError(message, offset, byte);
  }
}

/** A byte as hiredis prints it: "X", or an escape for the unprintable. */
function quoteByte(c: number): string {
  switch (c) {
    case 0x5c:
      return '"\\\\"';
    case 0x22:
      return '"\\""';
    case 0x0a:
      return '"\\n"';
    case 0x0d:
      return '"\\r"';
    case 0x09:
      return '"\\t"';
    case 0x07:
      return '"\\a"';
    case 0x08:
      return '"\\b"';
  }
  if (c >= 0x20 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
  return `"\\x${c.toString(16).padStart(2, '0')}"`;
}
