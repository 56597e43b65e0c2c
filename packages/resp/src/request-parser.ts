/**
 * RequestParser: the server side of RESP, what Redis's `processInputBuffer`
 * does — bytes from a client in, one argv (`Buffer[]`) per command out.
 *
 * Two request forms, told apart by the first byte as Redis does:
 * - multibulk (`*`): what every client library sends;
 * - inline (anything else): a line split on spaces with sdssplitargs's
 *   quoting rules, what telnet and `redis-cli` pipes send.
 *
 * Bad requests get Redis's own error texts (`RequestError.message`), so a
 * server can answer `-ERR <message>` and close the connection, as Redis does.
 * Parsing resumes where it stopped: a partial line is not searched again and
 * an argument arriving in many chunks is copied once, so a 100 MiB argument
 * in 16 KiB chunks costs O(total bytes).
 */

import { Buffer } from 'node:buffer';
import type { ChainBuffer } from '@reactor-ts/buffer';
import { copyOut } from './bytes.js';
import { ByteQueue } from './request-queue.js';
import { splitArgs, splitPlain } from './split-args.js';
import { Byte, RespType } from './type-bytes.js';

export interface RequestParserOptions {
  /** Longest inline request, and longest `*`/`$` line (Redis's PROTO_INLINE_MAX_SIZE). Default 64 KiB. */
  maxInlineSize?: number;
  /** Most arguments in one multibulk request. Default 2^31−1 (INT_MAX, as Redis 7). */
  maxMultibulkLength?: number;
  /** Longest argument (Redis's `proto-max-bulk-len`). Default 512 MiB. */
  maxBulkLength?: number;
  /**
   * Most bytes held for unfinished requests (`client-query-buffer-limit`),
   * each argument read so far counted with 128 bytes extra. Default 1 GiB.
   */
  maxQueryBuffer?: number;
  /**
   * Copy each argument out of the fed buffers (default true). With false an
   * argument is a view into a fed buffer when it sits in one: faster, but it
   * keeps that whole buffer alive and sees any later change to it.
   */
  copy?: boolean;
}

/**
 * A bad request. `code` is `ERR_PROTOCOL` for malformed input (the message is
 * Redis's text, e.g. `Protocol error: invalid bulk length`; reply
 * `-ERR <message>` and close) or `ERR_QUERY_BUFFER_LIMIT` when the client
 * outran `maxQueryBuffer` (Redis closes such a client without a reply).
 */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    message: string,
    readonly code: 'ERR_PROTOCOL' | 'ERR_QUERY_BUFFER_LIMIT' = 'ERR_PROTOCOL',
  ) {
    super(message);
  }
}

const STAR = RespType.ARRAY;
const DOLLAR = RespType.BULK_STRING;
const { CR, LF, MINUS, ZERO } = Byte;
/** Heap cost counted per argument besides its bytes (a Buffer object), for the query buffer limit. */
const ARG_OVERHEAD = 128;
/** frontNumber's "use the general path": no valid count or length is this. */
const NO_FAST_PATH = -Infinity;
/** How far frontInline looks for a line's end in JS before leaving it to Buffer#indexOf. */
const SHORT_LINE = 256;

export class RequestParser {
  private readonly maxInline: number;
  private readonly maxMultibulk: number;
  private readonly maxBulk: number;
  private readonly maxQuery: number;
  private readonly copy: boolean;

  /** Bytes fed and not yet turned into arguments. */
  private readonly q = new ByteQueue();
  /** Arguments still to read of the current multibulk request (0 between requests). */
  private multibulkLen = 0;
  /** Length of the next argument once its `$` line is read, else -1. */
  private bulkLen = -1;
  /** Arguments read so far of the current multibulk request. */
  private argv: Buffer[] = [];
  private argvBytes = 0;
  /**
   * What `argv` costs against `maxQueryBuffer`: its bytes plus a per-argument
   * allowance for the Buffer object, so a flood of empty arguments (6 wire
   * bytes each) cannot grow the heap without bound.
   */
  private argvCost = 0;
  /** How much of `q` was already searched, in vain, for the current line's end. */
  private scanned = 0;
  /** Set by the first error; every later call rethrows it until reset(). */
  private failure: RequestError | null = null;

  constructor(opts: RequestParserOptions = {}) {
    this.maxInline = opts.maxInlineSize ?? 64 * 1024;
    this.maxMultibulk = opts.maxMultibulkLength ?? 2 ** 31 - 1;
    this.maxBulk = opts.maxBulkLength ?? 512 * 1024 * 1024;
    this.maxQuery = opts.maxQueryBuffer ?? 1024 * 1024 * 1024;
    this.copy = opts.copy ?? true;
  }

  /** Bytes held for requests not yet returned by `next()`. */
  get buffered(): number {
    return this.q.length + this.argvBytes;
  }

  /**
   * Append bytes received from the client. Never throws for bad input: a
   * broken request or an overfull buffer is reported by the next `next()`.
   * The buffer is kept by reference until parsed; do not change it.
   */
  feed(bytes: Uint8Array): void {
    if (this.failure !== null) return;
    const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.q.push(b);
    if (this.q.length + this.argvCost > this.maxQuery) this.failure = this.overLimit();
  }

  private overLimit(): RequestError {
    return new RequestError(`client reached max query buffer length (${this.maxQuery} bytes)`, 'ERR_QUERY_BUFFER_LIMIT');
  }

  /**
   * Move all of `chain`'s bytes into the parser (one copy: a chain recycles
   * its chunks once drained, so the parser cannot keep views into them).
   */
  feedFrom(chain: ChainBuffer): void {
    const n = chain.length;
    if (n > 0) this.feed(chain.remove(n));
  }

  /**
   * The next complete command, or null when more bytes are needed. Empty
   * inline lines and `*0` / `*-1` are skipped, as Redis skips them.
   * @throws RequestError on a bad request; the parser then refuses all input
   *   until `reset()` (the connection should be closed).
   */
  next(): Buffer[] | null {
    if (this.failure !== null) throw this.failure;
    const q = this.q;
    for (;;) {
      if (this.multibulkLen === 0) {
        if (q.length === 0) return null;
        if (q.front[q.frontOffset] !== STAR) {
          const argv = this.readInline();
          if (argv === null) return null;
          if (argv.length > 0) return argv;
          continue;
        }
        const whole = this.frontCommand();
        if (whole !== null) return whole;
        if (!this.readCount()) return null;
        if (this.multibulkLen === 0) continue;
      }
      while (this.multibulkLen > 0) {
        if (this.bulkLen === -1 && !this.readBulkHeader()) return null;
        const n = this.bulkLen;
        if (q.length < n + 2) return null;
        this.argv.push(q.take(n, this.copy));
        // Redis does not check the two bytes after an argument; neither do we
        q.skip(2);
        this.argvBytes += n;
        this.argvCost += n + ARG_OVERHEAD;
        this.bulkLen = -1;
        this.multibulkLen--;
        if (q.length + this.argvCost > this.maxQuery) {
          this.failure = this.overLimit();
          throw this.failure;
        }
      }
      const argv = this.argv;
      this.argv = [];
      this.argvBytes = 0;
      this.argvCost = 0;
      return argv;
    }
  }

  /** Forget all input and any error: ready for a fresh stream. */
  reset(): void {
    this.q.clear();
    this.multibulkLen = 0;
    this.bulkLen = -1;
    this.argv = [];
    this.argvBytes = 0;
    this.argvCost = 0;
    this.scanned = 0;
    this.failure = null;
  }

  private fail(message: string): never {
    this.failure = new RequestError(message);
    throw this.failure;
  }

  /**
   * Find the CR ending a `*`/`$` line (Redis searches for '\r' and assumes
   * '\n' follows). Returns its offset, or -1 if the line is incomplete.
   */
  private findLineEnd(tooBig: string): number {
    const q = this.q;
    const cr = q.indexOf(CR, this.scanned);
    if (cr === -1) {
      this.scanned = q.length;
      if (q.length > this.maxInline) this.fail(tooBig);
      return -1;
    }
    if (cr + 1 >= q.length) {
      this.scanned = cr;
      return -1;
    }
    this.scanned = 0;
    return cr;
  }

  /**
   * Fast path for the common case: a whole, well-formed multibulk command
   * inside the front chunk, parsed with local variables and consumed at
   * once (as redis-parser does). Anything else (a command crossing into the
   * next chunk, `*0`, a bad or over-limit number) returns null with nothing
   * consumed, and the general path below takes over.
   */
  private frontCommand(): Buffer[] | null {
    const c = this.q.front;
    const start = this.q.frontOffset;
    const end = c.length;
    const count = numberAt(c, start + 1, end);
    let p = lineEnd + 2;
    // each argument takes at least 6 bytes: a count that cannot fit is left to the general path
    if (count <= 0 || count > this.maxMultibulk || count * 6 > end - p) return null;
    const argv: Buffer[] = new Array(count);
    for (let k = 0; k < count; k++) {
      if (c[p] !== DOLLAR) return null;
      const len = numberAt(c, p + 1, end);
      if (len < 0 || len > this.maxBulk) return null;
      p = lineEnd + 2;
      if (p + len + 2 > end) return null;
      argv[k] = this.copy ? copyOut(c, p, len) : c.subarray(p, p + len);
      p += len + 2;
    }
    this.q.skip(p - start);
    this.scanned = 0;
    return argv;
  }

  /**
   * Fast path for a `*`/`$` line wholly inside the front chunk and well
   * formed: its number, consumed; else NO_FAST_PATH and nothing consumed
   * (the general path then waits, or names the error). A JS scan of a few
   * bytes is much cheaper than Buffer#indexOf, a native call.
   */
  private frontNumber(): number {
    const start = this.q.frontOffset;
    const v = numberAt(this.q.front, start + 1, this.q.front.length);
    if (v !== NO_FAST_PATH) this.q.skip(lineEnd + 2 - start);
    return v;
  }

  /** `*<count>\r\n`. False if incomplete. */
  private readCount(): boolean {
    const fast = this.scanned === 0 ? this.frontNumber() : NO_FAST_PATH;
    if (fast !== NO_FAST_PATH) {
      if (fast > this.maxMultibulk) this.fail('Protocol error: invalid multibulk length');
      this.multibulkLen = fast > 0 ? fast : 0;
      return true;
    }
    const cr = this.findLineEnd('Protocol error: too big mbulk count string');
    if (cr === -1) return false;
    const n = this.lineNumber(cr);
    if (Number.isNaN(n) || n > this.maxMultibulk) this.fail('Protocol error: invalid multibulk length');
    this.q.skip(cr + 2);
    this.multibulkLen = n > 0 ? n : 0;
    return true;
  }

  /** `$<length>\r\n`. False if incomplete. */
  private readBulkHeader(): boolean {
    if (this.scanned === 0 && this.q.length > 0 && this.q.front[this.q.frontOffset] === DOLLAR) {
      const fast = this.frontNumber();
      if (fast !== NO_FAST_PATH) {
        if (fast < 0 || fast > this.maxBulk) this.fail('Protocol error: invalid bulk length');
        this.bulkLen = fast;
        return true;
      }
    }
    const cr = this.findLineEnd('Protocol error: too big bulk count string');
    if (cr === -1) return false;
    const first = this.q.byteAt(0);
    if (first !== DOLLAR) this.fail(`Protocol error: expected '$', got '${String.fromCharCode(first)}'`);
    const n = this.lineNumber(cr);
    if (Number.isNaN(n) || n < 0 || n > this.maxBulk) this.fail('Protocol error: invalid bulk length');
    this.q.skip(cr + 2);
    this.bulkLen = n;
    return true;
  }

  /**
   * Fast path for the common inline request: a short line without quotes
   * wholly inside the front chunk, found by a JS scan (cheaper than a native
   * indexOf for a few bytes) and cut straight out of the chunk. Anything
   * else returns null with nothing consumed.
   */
  private frontInline(): Buffer[] | null {
    const c = this.q.front;
    const start = this.q.frontOffset;
    const stop = Math.min(c.length, start + SHORT_LINE);
    let lf = start;
    while (lf < stop && c[lf] !== LF) lf++;
    if (lf === stop) return null;
    const argv = splitPlain(c, start, lf > start && c[lf - 1] === CR ? lf - 1 : lf, this.copy);
    if (argv !== null) this.q.skip(lf + 1 - start);
    return argv;
  }

  /** An inline request, [] for a blank line, null if incomplete. */
  private readInline(): Buffer[] | null {
    if (this.scanned === 0) {
      const fast = this.frontInline();
      if (fast !== null) return fast;
    }
    const q = this.q;
    const lf = q.indexOf(LF, this.scanned);
    if (lf === -1) {
      this.scanned = q.length;
      if (q.length > this.maxInline) this.fail('Protocol error: too big inline request');
      return null;
    }
    this.scanned = 0;
    const end = lf > 0 && q.byteAt(lf - 1) === CR ? lf - 1 : lf;
    const line = q.take(end, false);
    q.skip(lf + 1 - end);
    const argv = splitArgs(line);
    if (argv === null) this.fail('Protocol error: unbalanced quotes in request');
    return argv;
  }

  /** The number between the type byte and the CR at `cr`, read as Redis's string2ll; NaN if invalid. */
  private lineNumber(cr: number): number {
    const len = cr - 1;
    // string2ll refuses 21+ characters; anything that long is invalid here anyway
    if (len <= 0 || len > 20) return NaN;
    const q = this.q;
    let i = 1;
    const neg = q.byteAt(1) === MINUS;
    if (neg) i++;
    if (i > len) return NaN;
    const d0 = q.byteAt(i) - ZERO;
    if (d0 === 0 && len === 1) return 0;
    if (d0 < 1 || d0 > 9) return NaN;
    let v = d0;
    for (i++; i <= len; i++) {
      const d = q.byteAt(i) - ZERO;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    if (len - (neg ? 1 : 0) > 15) {
      // near 2^63 a double is too coarse to tell string2ll's overflow apart
      let text = '';
      for (let j = neg ? 2 : 1; j <= len; j++) text += String.fromCharCode(q.byteAt(j));
      if (BigInt(text) > (neg ? 2n ** 63n : 2n ** 63n - 1n)) return NaN;
    }
    // beyond 2^53 the value is imprecise, but every such count is over its limit
    return neg ? -v : v;
  }
}

/** Where the last successful numberAt found its CR. */
let lineEnd = 0;

/**
 * The number in a `*`/`$` line starting at `i` (after the type byte), read
 * by string2ll's rules, when its CR and LF are before `end`; else
 * NO_FAST_PATH. Sets `lineEnd` to the CR's index.
 */
function numberAt(c: Buffer, i: number, end: number): number {
  const neg = c[i] === MINUS;
  if (neg) i++;
  const first = i;
  const stop = Math.min(end, first + 16);
  let v = 0;
  for (; i < stop; i++) {
    const d = (c[i] as number) - ZERO;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  const digits = i - first;
  if (i + 1 >= end || c[i] !== CR || digits === 0) return NO_FAST_PATH;
  if (c[first] === ZERO && (digits > 1 || neg)) return NO_FAST_PATH; // string2ll refuses 01 and -0
  lineEnd = i;
  return neg ? -v : v;
}
