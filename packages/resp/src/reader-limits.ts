/**
 * RespReader's options and limits: what a caller may set, the defaults
 * (hiredis's and Redis's values) and their validation.
 */
import type { ReplyBuilder } from './builders.js';

/** Options of `RespReader`. Limits default to the hiredis/Redis values. */
export interface RespReaderOptions {
  /** 'native' (default): plain JS values. 'hiredis': `RedisReply` objects. Or your own builder. */
  builder?: 'native' | 'hiredis' | ReplyBuilder;
  /** Strings as JS strings (default) or Buffers (ignored with a custom builder). */
  stringMode?: 'string' | 'buffer';
  /** Same as `stringMode: 'buffer'`. */
  returnBuffers?: boolean;
  /** Native builder: integers beyond 2^53 and `(` big numbers as bigint (default) or string. */
  largeIntegers?: 'bigint' | 'string';
  /** Longest bulk string payload, bytes. Default 512 MiB. */
  maxBulkLength?: number;
  /** Most elements in one aggregate (pairs, for maps). Default 2^32 − 1. */
  maxAggregateLength?: number;
  /** Deepest nesting of aggregates. Default 1024. */
  maxDepth?: number;
  /**
   * Longest line, type byte to CR. By default 64 KiB for headers and number
   * lines (`$ * : , ( # _` …), while simple strings and errors (`+`, `-`) may
   * be as long as a bulk string (`maxBulkLength`): Redis sends a Lua
   * `status_reply` of any length. Set, it bounds every line, `+` and `-` too.
   */
  maxLineLength?: number;
}

export const DEFAULT_LIMITS = {
  maxBulkLength: 512 * 1024 * 1024,
  maxAggregateLength: 2 ** 32 - 1,
  maxDepth: 1024,
  maxLineLength: 64 * 1024,
} as const;

/** The limits a reader enforces, resolved from its options. */
export interface ReaderLimits {
  maxBulk: number;
  maxAggregate: number;
  maxDepth: number;
  /** Headers and number lines. */
  maxLine: number;
  /** Simple strings and errors. */
  maxSimple: number;
}

export function readerLimits(opts: RespReaderOptions): ReaderLimits {
  const maxBulk = limit(opts.maxBulkLength, DEFAULT_LIMITS.maxBulkLength, 'maxBulkLength');
  const maxLine = limit(opts.maxLineLength, DEFAULT_LIMITS.maxLineLength, 'maxLineLength');
  return {
    maxBulk,
    maxAggregate: limit(opts.maxAggregateLength, DEFAULT_LIMITS.maxAggregateLength, 'maxAggregateLength'),
    maxDepth: limit(opts.maxDepth, DEFAULT_LIMITS.maxDepth, 'maxDepth'),
    maxLine,
    maxSimple: opts.maxLineLength === undefined ? maxBulk : maxLine,
  };
}

function limit(v: number | undefined, dflt: number, name: string): number {
  if (v === undefined) return dflt;
  if (!(v >= 0) || !Number.isInteger(v)) throw new RangeError(`RespReader: ${name} must be a non-negative integer`);
  return v;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True if the decimal text (sign allowed) is a 64-bit signed integer, as RESP's `:` requires. */
export function fitsInt64(digits: string): boolean {
  const v = BigInt(digits);
  return v >= INT64_MIN && v <= INT64_MAX;
}
