/**
 * Argument parsing with Redis's strictness: `string2ll` accepts only a
 * canonical decimal int64 (no '+', no leading zeros, no spaces), and
 * `getDoubleFromObject` rejects spaces, trailing bytes and NaN.
 */
import { MUST_BE_POSITIVE, NOT_FLOAT, NOT_INTEGER } from './reply.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The canonical int64 in `b`, as a bigint; null when `b` is not one. */
export function parseInt64(b: Buffer): bigint | null {
  const n = b.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (b[0] === 0x2d) {
    if (n === 1) return null;
    i = 1;
  }
  // A single "0" is fine; otherwise the first digit must be 1-9 ("-0" too is rejected).
  if (b[i] === 0x30) return n === 1 ? 0n : null;
  for (let j = i; j < n; j++) {
    const c = b[j] as number;
    if (c < 0x30 || c > 0x39) return null;
  }
  const v = BigInt(b.toString('latin1'));
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

/**
 * The int64 in `b` as a number (exact up to 2^53, which is every count,
 * index and TTL that matters); throws Redis's "not an integer" otherwise.
 */
export function intArg(b: Buffer): number {
  // Fast path for the short canonical numbers that make up nearly all traffic.
  const n = b.length;
  if (n > 0 && n < 16) {
    let i = 0;
    let neg = false;
    if (b[0] === 0x2d) {
      neg = true;
      i = 1;
    }
    if (i < n && (b[i] !== 0x30 || n === 1)) {
      let v = 0;
      for (; i < n; i++) {
        const c = b[i] as number;
        if (c < 0x30 || c > 0x39) throw NOT_INTEGER;
        v = v * 10 + (c - 0x30);
      }
      return neg ? -v : v;
    }
    throw NOT_INTEGER;
  }
  const v = parseInt64(b);
  if (v === null) throw NOT_INTEGER;
  return Number(v);
}

/** Like `intArg` but exact over the whole int64 range (INCRBY and friends). */
export function bigIntArg(b: Buffer): bigint {
  const v = parseInt64(b);
  if (v === null) throw NOT_INTEGER;
  return v;
}

export function inInt64(v: bigint): boolean {
  return v >= INT64_MIN && v <= INT64_MAX;
}

const INF = /^[+-]?inf(inity)?$/i;

/** Powers of ten a double holds exactly, for plainDecimal. */
const TENS = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * `[-]digits[.digits]` with at most 15 digits, read without making a
 * string (scores such as ZADD's `0` or `1.5` on every call); null for
 * anything else, which floatArg's general path then decides. Exact: the
 * digits are an integer below 2^53 and the divisor a power of ten a double
 * holds, so the one division rounds correctly, as strtod does.
 */
function plainDecimal(b: Buffer): number | null {
  const n = b.length;
  if (n === 0 || n > 17) return null;
  let i = 0;
  const neg = b[0] === 0x2d;
  if (neg) i = 1;
  let v = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = b[i] as number;
    if (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      digits++;
    } else if (c === 0x2e && frac === -1) frac = i;
    else return null;
  }
  // "-", ".", "1." and ".5" are left to the general path (strtod's rules on them).
  if (digits === 0 || digits > 15 || frac === n - 1 || frac === (neg ? 1 : 0)) return null;
  if (frac !== -1) v /= TENS[n - 1 - frac] as number;
  return neg ? -v : v;
}

/** A score or float argument: decimal or exponent form, or ±inf; never NaN. */
export function floatArg(b: Buffer, error = NOT_FLOAT): number {
  const fast = plainDecimal(b);
  if (fast !== null) return fast;
  const s = b.toString('latin1');
  if (s.length === 0 || s.trim() !== s) throw error;
  if (INF.test(s)) return s[0] === '-' ? -Infinity : Infinity;
  const v = Number(s);
  if (Number.isNaN(v) || /^[+-]?0[xXbBoO]/.test(s)) throw error;
  return v;
}

/** A count that must be >= 0 (LPOP/RPOP/SPOP/ZPOPMIN): Redis gives one error for both bad forms. */
export function countArg(b: Buffer): number {
  let n: number;
  try {
    n = intArg(b);
  } catch {
    throw MUST_BE_POSITIVE;
  }
  if (n < 0) throw MUST_BE_POSITIVE;
  return n;
}
