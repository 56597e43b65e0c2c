/**
 * Reply builders: what the reader makes of each RESP item.
 *
 * As hiredis's `redisReplyObjectFunctions`, the reader only finds item
 * boundaries and decodes numbers; a builder turns each item into a value.
 * Two come with the package — native JS values for the promise API and
 * hiredis-shaped `RedisReply` objects for the callback API — and any object
 * implementing `ReplyBuilder` can be passed instead.
 *
 * Children are built before their parent: the reader collects the values of
 * an aggregate's elements in a plain array and hands it over complete.
 */
// Node's global `Buffer` is a getter on globalThis: every `Buffer.x` in a hot
// path paid a LoadGlobalIC miss and a call (~180 instructions, callgrind).
import { Buffer } from 'node:buffer';
import { ReplyError } from './errors.js';
import {
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_ATTR,
  REDIS_REPLY_BIGNUM,
  REDIS_REPLY_BOOL,
  REDIS_REPLY_DOUBLE,
  REDIS_REPLY_ERROR,
  REDIS_REPLY_INTEGER,
  REDIS_REPLY_MAP,
  REDIS_REPLY_NIL,
  REDIS_REPLY_PUSH,
  REDIS_REPLY_SET,
  REDIS_REPLY_STATUS,
  REDIS_REPLY_STRING,
  REDIS_REPLY_VERB,
  type RedisReply,
} from './reply.js';
import { decodeUtf8, latin1 } from './utf8.js';
import { PushFrame, VerbatimString, WithAttributes } from './values.js';
import { RespType } from './type-bytes.js';

export { RespType } from './type-bytes.js';


/**
 * Turns RESP items into values. Every method receives bytes as a
 * `(bytes, start, end)` range so that no slice is made unless the builder
 * wants one.
 *
 * Byte ranges are only guaranteed until the method returns unless `stable`
 * is true; with `stable` the bytes are the caller's own fed buffer (or a
 * fresh concatenation) and a view of them may be kept. Methods must not
 * throw: the reader does not catch, and a throw leaves it mid-reply.
 */
export interface ReplyBuilder {
  /** `+`: the text between the type byte and CRLF. */
  simpleString(bytes: Buffer, start: number, end: number, stable: boolean): unknown;
  /** `-` (`bulk` false) or `!` (`bulk` true): an error reply's text. */
  error(bytes: Buffer, start: number, end: number, bulk: boolean): unknown;
  /** `$`: the payload of a bulk string. */
  bulkString(bytes: Buffer, start: number, end: number, stable: boolean): unknown;
  /** `=`: `format` is the three-letter prefix; the range is the text after `xxx:`. */
  verbatim(format: string, bytes: Buffer, start: number, end: number, stable: boolean): unknown;
  /**
   * `:`: `value` is exact when `Number.isSafeInteger(value)`; the digits (with
   * any sign) are always in the range, for larger magnitudes.
   */
  integer(value: number, bytes: Buffer, start: number, end: number): unknown;
  /** `(`: the digits, with any sign, already validated. */
  bigNumber(bytes: Buffer, start: number, end: number): unknown;
  /** `,`: the decoded value and the text as sent. */
  double(value: number, bytes: Buffer, start: number, end: number): unknown;
  /** `#t` / `#f`. */
  boolean(value: boolean): unknown;
  /** `_`, `$-1` and `*-1`; `type` says which (`RespType.NULL`, `.BULK_STRING`, `.ARRAY`). */
  nil(type: number): unknown;
  /**
   * A complete `*`, `~`, `>` or `%` aggregate (a map's keys and values
   * interleaved). The array belongs to the builder from now on.
   */
  aggregate(type: number, items: unknown[]): unknown;
  /** `value` with the attributes (`|`, keys and values interleaved) sent before it. */
  attributes(value: unknown, items: unknown[]): unknown;
}

/** Options of the native builder. */
export interface NativeBuilderOptions {
  /** Strings as JS strings (UTF-8 decoded; default) or as Buffers. */
  stringMode?: 'string' | 'buffer';
  /** Integers outside ±(2^53−1), and `(` big numbers: bigint (default) or decimal string. */
  largeIntegers?: 'bigint' | 'string';
}

function pairsToMap(items: unknown[]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>();
  for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
  return m;
}

/**
 * Plain JS values, per the table in values.ts: strings or Buffers, numbers
 * (bigint or string past 2^53), booleans, null, Array, Map, Set, bigint,
 * ReplyError, VerbatimString, PushFrame, WithAttributes.
 */
export class NativeBuilder implements ReplyBuilder {
  /** True when strings are returned as Buffers. */
  readonly buffers: boolean;
  /** True when large integers become bigint rather than strings. */
  readonly bigints: boolean;

  constructor(opts: NativeBuilderOptions = {}) {
    this.buffers = opts.stringMode === 'buffer';
    this.bigints = opts.largeIntegers !== 'string';
  }

  simpleString(bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    if (this.buffers) return bytesOf(bytes, start, end, stable);
    return decodeUtf8(bytes, start, end);
  }

  error(bytes: Buffer, start: number, end: number): unknown {
    return new ReplyError(bytes.toString('utf8', start, end));
  }

  bulkString(bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    if (this.buffers) return bytesOf(bytes, start, end, stable);
    return decodeUtf8(bytes, start, end);
  }

  verbatim(format: string, bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    const text = this.buffers ? bytesOf(bytes, start, end, stable) : decodeUtf8(bytes, start, end);
    return new VerbatimString(format, text);
  }

  integer(value: number, bytes: Buffer, start: number, end: number): unknown {
    if (Number.isSafeInteger(value)) return value;
    const digits = latin1(bytes, start, end);
    return this.bigints ? BigInt(digits) : digits;
  }

  bigNumber(bytes: Buffer, start: number, end: number): unknown {
    const digits = latin1(bytes, start, end);
    return this.bigints ? BigInt(digits) : digits;
  }

  double(value: number): unknown {
    return value;
  }

  boolean(value: boolean): unknown {
    return value;
  }

  nil(): unknown {
    return null;
  }

  aggregate(type: number, items: unknown[]): unknown {
    switch (type) {
      case RespType.ARRAY:
        return items;
      case RespType.MAP:
        return pairsToMap(items);
      case RespType.SET:
        return new Set(items);
      default:
        return new PushFrame(items);
    }
  }

  attributes(value: unknown, items: unknown[]): unknown {
    return new WithAttributes(value, pairsToMap(items));
  }
}

/** Options of the hiredis builder. */
export interface HiredisBuilderOptions {
  /** 'buffer' also fills `reply.buf` with the raw bytes of `str`. */
  stringMode?: 'string' | 'buffer';
}

/** The concrete `RedisReply`: one shape for every type, as one C struct. */
class ReplyObject implements RedisReply {
  integer: number | bigint = 0;
  dval = 0;
  str: string | null = null;
  buf: Buffer | null = null;
  vtype = '';
  elements = 0;
  element: RedisReply[] = EMPTY_ELEMENTS;
  attributes: RedisReply | undefined = undefined;
  constructor(public type: number) {}
}

// Shared by every non-aggregate reply; never mutated.
const EMPTY_ELEMENTS: RedisReply[] = [];
Object.freeze(EMPTY_ELEMENTS);

/** hiredis-shaped `RedisReply` objects, for the callback API. */
export class HiredisBuilder implements ReplyBuilder {
  /** True when `buf` is filled too. */
  readonly buffers: boolean;

  constructor(opts: HiredisBuilderOptions = {}) {
    this.buffers = opts.stringMode === 'buffer';
  }

  private text(type: number, bytes: Buffer, start: number, end: number, stable: boolean): ReplyObject {
    const r = new ReplyObject(type);
    r.str = decodeUtf8(bytes, start, end);
    if (this.buffers) r.buf = bytesOf(bytes, start, end, stable);
    return r;
  }

  simpleString(bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    return this.text(REDIS_REPLY_STATUS, bytes, start, end, stable);
  }

  error(bytes: Buffer, start: number, end: number): unknown {
    return this.text(REDIS_REPLY_ERROR, bytes, start, end, false);
  }

  bulkString(bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    return this.text(REDIS_REPLY_STRING, bytes, start, end, stable);
  }

  verbatim(format: string, bytes: Buffer, start: number, end: number, stable: boolean): unknown {
    const r = this.text(REDIS_REPLY_VERB, bytes, start, end, stable);
    r.vtype = format;
    return r;
  }

  integer(value: number, bytes: Buffer, start: number, end: number): unknown {
    const r = new ReplyObject(REDIS_REPLY_INTEGER);
    r.integer = Number.isSafeInteger(value) ? value : BigInt(latin1(bytes, start, end));
    return r;
  }

  bigNumber(bytes: Buffer, start: number, end: number): unknown {
    const r = new ReplyObject(REDIS_REPLY_BIGNUM);
    r.str = latin1(bytes, start, end);
    return r;
  }

  double(value: number, bytes: Buffer, start: number, end: number): unknown {
    const r = new ReplyObject(REDIS_REPLY_DOUBLE);
    r.dval = value;
    r.str = latin1(bytes, start, end);
    return r;
  }

  boolean(value: boolean): unknown {
    const r = new ReplyObject(REDIS_REPLY_BOOL);
    r.integer = value ? 1 : 0;
    return r;
  }

  nil(): unknown {
    return new ReplyObject(REDIS_REPLY_NIL);
  }

  aggregate(type: number, items: unknown[]): unknown {
    const r = new ReplyObject(aggregateType(type));
    r.elements = items.length;
    r.element = items as RedisReply[];
    return r;
  }

  attributes(value: unknown, items: unknown[]): unknown {
    const attrs = new ReplyObject(REDIS_REPLY_ATTR);
    attrs.elements = items.length;
    attrs.element = items as RedisReply[];
    (value as ReplyObject).attributes = attrs;
    return value;
  }
}

function aggregateType(type: number): number {
  switch (type) {
    case RespType.MAP:
      return REDIS_REPLY_MAP;
    case RespType.SET:
      return REDIS_REPLY_SET;
    case RespType.PUSH:
      return REDIS_REPLY_PUSH;
    default:
      return REDIS_REPLY_ARRAY;
  }
}

/** A view when the bytes outlive the call, else a private copy. */
function bytesOf(bytes: Buffer, start: number, end: number, stable: boolean): Buffer {
  // slice, not subarray: Node implements it in JS, so V8 can inline it.
  if (stable) return bytes.slice(start, end);
  const out = Buffer.allocUnsafe(end - start);
  bytes.copy(out, 0, start, end);
  return out;
}
