/**
 * Server → client encoder: `encodeReply` turns a JS value into a RESP reply,
 * the exact inverse of the reader's native builder (table in values.ts), and
 * degrades RESP3-only types for RESP2 clients the way Redis does.
 *
 * Two outputs share one writer: a Buffer (`encodeReply`) and a ChainBuffer
 * (`encodeReplyInto`, a connection's output queue), into which the writer
 * flushes a scratch chunk whenever it fills, so a reply of any size streams
 * through a fixed amount of scratch memory.
 */

import type { ChainBuffer } from '@reactor-ts/buffer';
import { ReplyError } from './errors.js';
import { NULL_ARRAY, PushFrame, RespDouble, SimpleString, VerbatimString, WithAttributes } from './values.js';
import { describe, utf8Length, writeDecimal, type FastBuffer } from './bytes.js';
import { formatG17 } from './format-double.js';

export { formatG17 };

export interface EncodeReplyOptions {
  /**
   * The client's protocol. Default 2: as in Redis, a connection speaks RESP2
   * until it sends `HELLO 3`.
   */
  protocol?: 2 | 3;
  /**
   * How doubles (non-integer numbers, RespDouble) are printed, in both
   * protocols. `'shortest'` (default): the shortest text that reads back as
   * the same double, as JavaScript prints it (`0.1`). `'redis'`: C's
   * `%.17g`, as Redis 7.0 prints them (`0.10000000000000001`, `1e+20`), for
   * a server that must match Redis byte for byte. The RESP3 spec allows
   * both; both read back exactly.
   */
  doubleFormat?: 'shortest' | 'redis';
}

/** Deeper nesting than this is refused (the reader's default limit; also catches cycles). */
const MAX_DEPTH = 1024;
const SCRATCH = 16 * 1024;
/** Below this many bytes a JS loop copies ASCII faster than buf.write. */
const SHORT_STRING = 48;
/** A scratch that grew past this for one big reply is not kept. */
const SCRATCH_KEEP = 1024 * 1024;
const CR = 0x0d;
const LF = 0x0a;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Encode `value` as one RESP reply:
 *
 *   SimpleString      +text            (CR/LF become spaces, as Redis does)
 *   string, Buffer    $len bulk
 *   safe integer      :n
 *   other number, RespDouble   ,x  (inf, -inf, nan)       RESP2: $ bulk
 *   boolean           #t / #f                            RESP2: :1 / :0
 *   bigint            :n within int64, else (n           RESP2: :n, or $ past int64
 *   null, undefined   _                                  RESP2: $-1
 *   NULL_ARRAY        _                                  RESP2: *-1
 *   ReplyError        -msg, or !len blob if it has CR/LF RESP2: -msg, CR/LF → spaces
 *   Array             *n
 *   Map, plain object %n                                 RESP2: *2n flat
 *   Set               ~n                                 RESP2: *n
 *   VerbatimString    =len fmt:text                      RESP2: $ text
 *   PushFrame         >n                                 RESP2: *n
 *   WithAttributes    |n attrs, then the value           RESP2: the value only
 *
 * Anything else (a Date, a function, a class instance...) is a TypeError;
 * nesting deeper than 1024 (or a cycle) is a RangeError.
 */
export function encodeReply(value: unknown, opts?: EncodeReplyOptions): Buffer {
  const w = acquire(null, opts);
  try {
    w.value(value, opts?.protocol === 3, 0);
    const out = Buffer.allocUnsafe(w.len);
    w.buf.copy(out, 0, 0, w.len);
    return out;
  } finally {
    release(w);
  }
}

/**
 * Append the encoding of `value` to `chain` (a connection's output queue).
 * Bytes go in as they are produced, 16 KiB at a time: if the chain throws
 * (its `maxSize`), or `value` holds something unencodable past the first
 * 16 KiB of a reply, part of the reply may already be queued and the
 * connection must be closed, as Redis closes a client past its output
 * buffer limit. A reply under 16 KiB is queued whole or not at all.
 */
export function encodeReplyInto(chain: ChainBuffer, value: unknown, opts?: EncodeReplyOptions): void {
  const w = acquire(chain, opts);
  try {
    w.value(value, opts?.protocol === 3, 0);
    w.flush();
  } finally {
    release(w);
  }
}

// One writer is reused across calls; a nested call (a getter on a plain
// object encoding a reply of its own) gets a fresh one.
let shared: ReplyWriter | null = null;

function acquire(sink: ChainBuffer | null, opts: EncodeReplyOptions | undefined): ReplyWriter {
  const w = shared ?? new ReplyWriter();
  shared = null;
  w.sink = sink;
  w.redisDoubles = opts?.doubleFormat === 'redis';
  w.len = 0;
  return w;
}

function release(w: ReplyWriter): void {
  w.sink = null;
  if (w.buf.length > SCRATCH_KEEP) w.buf = Buffer.allocUnsafeSlow(SCRATCH) as FastBuffer;
  shared = w;
}

class ReplyWriter {
  /** Scratch bytes; `len` of them are written and not yet handed out. */
  buf = Buffer.allocUnsafeSlow(SCRATCH) as FastBuffer;
  len = 0;
  /** Where full scratch chunks go; null while building one Buffer. */
  sink: ChainBuffer | null = null;
  /** Print doubles as `%.17g` (doubleFormat 'redis'). */
  redisDoubles = false;

  value(v: unknown, resp3: boolean, depth: number): void {
    switch (typeof v) {
      case 'string':
        return this.bulkString(v);
      case 'number':
        if (Number.isSafeInteger(v)) return this.integer(':', v);
        return this.double(v, resp3);
      case 'bigint':
        return this.bigint(v, resp3);
      case 'boolean':
        if (resp3) return this.ascii(v ? '#t\r\n' : '#f\r\n');
        return this.ascii(v ? ':1\r\n' : ':0\r\n');
      case 'undefined':
        return this.ascii(resp3 ? '_\r\n' : '$-1\r\n');
      case 'symbol':
        if (v === NULL_ARRAY) return this.ascii(resp3 ? '_\r\n' : '*-1\r\n');
        throw new TypeError(`encodeReply: cannot encode a symbol other than NULL_ARRAY`);
      case 'object':
        return this.object(v, resp3, depth);
      default:
        throw new TypeError(`encodeReply: cannot encode a ${typeof v}`);
    }
  }

  private object(v: object | null, resp3: boolean, depth: number): void {
    if (v === null) return this.ascii(resp3 ? '_\r\n' : '$-1\r\n');
    if (v instanceof Uint8Array) return this.bulkBytes(v);
    if (depth >= MAX_DEPTH) {
      throw new RangeError(`encodeReply: nesting deeper than ${MAX_DEPTH} levels (a cycle?)`);
    }
    const d = depth + 1;
    if (Array.isArray(v)) {
      this.header('*', v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], resp3, d);
      return;
    }
    if (v instanceof SimpleString) return this.line('+', sanitize(v.value));
    if (v instanceof RespDouble) return this.double(v.value, resp3);
    if (v instanceof ReplyError) return this.error(v.message, resp3);
    if (v instanceof Map) {
      this.header(resp3 ? '%' : '*', resp3 ? v.size : v.size * 2);
      for (const [key, val] of v) {
        this.value(key, resp3, d);
        this.value(val, resp3, d);
      }
      return;
    }
    if (v instanceof Set) {
      this.header(resp3 ? '~' : '*', v.size);
      for (const item of v) this.value(item, resp3, d);
      return;
    }
    if (v instanceof VerbatimString) return this.verbatim(v, resp3);
    if (v instanceof PushFrame) {
      this.header(resp3 ? '>' : '*', v.items.length);
      for (const item of v.items) this.value(item, resp3, d);
      return;
    }
    if (v instanceof WithAttributes) {
      if (resp3) {
        this.header('|', v.attributes.size);
        for (const [key, val] of v.attributes) {
          this.value(key, resp3, d);
          this.value(val, resp3, d);
        }
      }
      return this.value(v.value, resp3, d);
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(v);
      this.header(resp3 ? '%' : '*', resp3 ? keys.length : keys.length * 2);
      for (const key of keys) {
        this.bulkString(key);
        this.value((v as Record<string, unknown>)[key], resp3, d);
      }
      return;
    }
    throw new TypeError(`encodeReply: cannot encode a ${describe(v)}`);
  }

  private bulkString(s: string): void {
    const n = utf8Length(s);
    this.header('$', n);
    if (this.sink !== null && n > SCRATCH) {
      this.flush();
      this.sink.add(s);
    } else {
      this.reserve(n + 2);
      this.text(s, n);
    }
    this.crlf();
  }

  private bulkBytes(b: Uint8Array): void {
    this.header('$', b.length);
    this.bytes(b);
    this.crlf();
  }

  private bytes(b: Uint8Array): void {
    if (this.sink !== null && b.length > SCRATCH) {
      this.flush();
      this.sink.add(b);
      return;
    }
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  private double(x: number, resp3: boolean): void {
    const text =
      x !== x ? 'nan'
      : x === Infinity ? 'inf'
      : x === -Infinity ? '-inf'
      : this.redisDoubles ? formatG17(x)
      : Object.is(x, -0) ? '-0'
      : String(x);
    if (resp3) return this.line(',', text);
    this.header('$', text.length);
    this.ascii(text);
    this.crlf();
  }

  private bigint(v: bigint, resp3: boolean): void {
    const text = v.toString();
    // Redis sends every int64 as `:` in both protocols (INCR past 2^53 too);
    // only what is wider is a RESP3 big number
    if (v >= INT64_MIN && v <= INT64_MAX) return this.line(':', text);
    if (resp3) return this.line('(', text);
    // RESP2 has no wider integer; Redis sends a big number as a bulk string
    this.header('$', text.length);
    this.ascii(text);
    this.crlf();
  }

  private error(message: string, resp3: boolean): void {
    if (!/[\r\n]/.test(message)) return this.line('-', message);
    if (!resp3) return this.line('-', sanitize(message));
    const n = utf8Length(message);
    this.header('!', n);
    this.reserve(n + 2);
    this.len += this.buf.utf8Write(message, this.len, n);
    this.crlf();
  }

  private verbatim(v: VerbatimString, resp3: boolean): void {
    if (!resp3) {
      if (typeof v.value === 'string') return this.bulkString(v.value);
      return this.bulkBytes(v.value);
    }
    if (v.format.length !== 3 || utf8Length(v.format) !== 3) {
      throw new TypeError(`encodeReply: a verbatim string's format must be 3 bytes, got "${v.format}"`);
    }
    const body = typeof v.value === 'string' ? Buffer.from(v.value, 'utf8') : v.value;
    this.header('=', body.length + 4);
    this.ascii(v.format);
    this.ascii(':');
    this.bytes(body);
    this.crlf();
  }

  /** `<prefix><n>\r\n` for a non-negative count or length. */
  private header(prefix: string, n: number): void {
    this.reserve(24);
    this.buf[this.len++] = prefix.charCodeAt(0);
    this.len = writeDecimal(this.buf, this.len, n);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  private integer(prefix: string, n: number): void {
    this.reserve(24);
    this.buf[this.len++] = prefix.charCodeAt(0);
    if (n < 0) {
      this.buf[this.len++] = 0x2d;
      n = -n;
    }
    this.len = writeDecimal(this.buf, this.len, n);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  /** `<prefix><text>\r\n`; text is known to hold no CR/LF. */
  private line(prefix: string, text: string): void {
    const n = utf8Length(text);
    this.reserve(n + 3);
    this.buf[this.len++] = prefix.charCodeAt(0);
    this.text(text, n);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  /** Short ASCII text. */
  private ascii(s: string): void {
    this.reserve(s.length);
    this.text(s, s.length);
  }

  /** `s`, whose UTF-8 length is `n`, into reserved room. */
  private text(s: string, n: number): void {
    const buf = this.buf;
    const o = this.len;
    if (n === s.length && n < SHORT_STRING) {
      for (let i = 0; i < n; i++) buf[o + i] = s.charCodeAt(i); // a loop beats a native call here
    } else if (n === s.length) {
      buf.latin1Write(s, o, n);
    } else {
      buf.utf8Write(s, o, n);
    }
    this.len = o + n;
  }

  private crlf(): void {
    this.reserve(2);
    this.buf[this.len++] = CR;
    this.buf[this.len++] = LF;
  }

  /** Make room for `n` more bytes: flush to the sink, or grow. */
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    if (this.sink !== null) {
      this.flush();
      if (n <= this.buf.length) return;
    }
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n)) as FastBuffer;
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  flush(): void {
    if (this.sink !== null && this.len > 0) {
      this.sink.add(this.buf.subarray(0, this.len));
      this.len = 0;
    }
  }
}

/** Redis replaces CR and LF with spaces in status and error lines. */
function sanitize(s: string): string {
  return /[\r\n]/.test(s) ? s.replace(/[\r\n]/g, ' ') : s;
}
