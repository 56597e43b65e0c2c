/**
 * INCRBYFLOAT and HINCRBYFLOAT as Redis computes them: in C `long double`
 * (x87 80-bit extended on the x86-64 builds Redis ships: a 64-bit mantissa),
 * parsed with `strtold`, printed with `%.17Lf` and trailing zeros trimmed
 * (Redis's `ld2string(..., LD_STR_HUMAN)`). A JS double cannot give the
 * same digits: `10.5 + 0.1` prints as `10.6` from a long double but as
 * `10.59999999999999964` from a double. So the value is kept exactly as
 * `m * 2^e` with a 64-bit BigInt mantissa, every step rounded to nearest-even
 * as the FPU does, and printed from the exact binary value.
 *
 * Not modelled: subnormal results (below 2^-16382, where the FPU loses
 * mantissa bits); they are treated as normal numbers.
 */

/** A finite long double: (-1)^neg * m * 2^e, with 2^63 <= m < 2^64, or m = 0. */
export interface LongDouble {
  readonly neg: boolean;
  readonly m: bigint;
  readonly e: number;
}

/** ±infinity as `strtold` reads "inf" / "infinity". */
export type ParsedLongDouble = LongDouble | { readonly inf: -1 | 1 };

const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
/** Largest finite exponent: m * 2^e < 2^16384. */
const MAX_E = 16384 - 64;
/** Below the smallest subnormal (2^-16445): strtold gives zero with ERANGE, which Redis refuses. */
const MIN_E = -16445 - 64;
/** Redis's MAX_LONG_DOUBLE_CHARS: longer arguments are refused before parsing. */
const MAX_CHARS = 5 * 1024;

const ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** |num / den| rounded to a 64-bit mantissa, nearest-even; null on overflow or total underflow. */
function fromRational(neg: boolean, num: bigint, den: bigint): LongDouble | null {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  let e = bitLength(num) - bitLength(den) - 64;
  for (;;) {
    const n = e < 0 ? num << BigInt(-e) : num;
    const d = e > 0 ? den << BigInt(e) : den;
    let q = n / d;
    if (q >= TWO64) {
      e++;
      continue;
    }
    if (q < TWO63) {
      e--;
      continue;
    }
    const r2 = (n % d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
    if (q === TWO64) {
      q = TWO63;
      e++;
    }
    if (e > MAX_E || e < MIN_E) return null;
    return { neg, m: q, e };
  }
}

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const HEX = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/;
const INFINITY = /^([+-]?)inf(inity)?$/i;

/**
 * `strtold` over the whole argument, with Redis's `string2ld` checks: no
 * leading space, nothing left over, no NaN, no overflow to ±HUGE_VAL and no
 * underflow to zero. Returns null when Redis would say "not a valid float".
 */
export function parseLongDouble(b: Buffer): ParsedLongDouble | null {
  if (b.length === 0 || b.length >= MAX_CHARS) return null;
  // strtold stops at a NUL byte: what follows is never looked at.
  const nul = b.indexOf(0);
  const s = b.toString('latin1', 0, nul === -1 ? b.length : nul);
  let m = INFINITY.exec(s);
  if (m !== null) return { inf: m[1] === '-' ? -1 : 1 };
  m = DECIMAL.exec(s);
  if (m !== null) {
    const int = m[2] ?? '';
    const frac = m[3] ?? '';
    if (int.length + frac.length === 0) return null;
    const digits = BigInt(int + frac || '0');
    const exp = Number(m[4] ?? '0') - frac.length;
    if (digits === 0n) return { neg: m[1] === '-', m: 0n, e: 0 };
    // Far beyond the range either way: overflow (refused) or underflow to zero (refused too).
    if (exp + int.length + frac.length > 4940 || exp + int.length + frac.length < -4960) return null;
    const r = exp >= 0 ? fromRational(m[1] === '-', digits * 10n ** BigInt(exp), 1n) : fromRational(m[1] === '-', digits, 10n ** BigInt(-exp));
    return r;
  }
  m = HEX.exec(s);
  if (m !== null) {
    const int = m[2] ?? '';
    const frac = m[3] ?? '';
    if (int.length + frac.length === 0) return null;
    const digits = BigInt(`0x${int + frac || '0'}`);
    const exp = Number(m[4] ?? '0') - 4 * frac.length;
    if (digits === 0n) return { neg: m[1] === '-', m: 0n, e: 0 };
    if (Math.abs(exp) > 20000) return null;
    return exp >= 0 ? fromRational(m[1] === '-', digits << BigInt(exp), 1n) : fromRational(m[1] === '-', digits, 1n << BigInt(-exp));
  }
  return null;
}

/** A long double from an int64 (a value stored as an integer). */
export function longDoubleFromBigInt(v: bigint): LongDouble {
  return fromRational(v < 0n, v < 0n ? -v : v, 1n) ?? ZERO;
}

function signed(x: LongDouble, shift: number): bigint {
  const v = x.m << BigInt(shift);
  return x.neg ? -v : v;
}

/** a + b rounded to nearest-even; null when the sum overflows to infinity. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble | null {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const e = Math.min(a.e, b.e);
  const sum = signed(a, a.e - e) + signed(b, b.e - e);
  // x + (-x) is +0 when rounding to nearest.
  if (sum === 0n) return ZERO;
  const neg = sum < 0n;
  return normalize(neg, neg ? -sum : sum, e);
}

/** abs * 2^e rounded to a 64-bit mantissa, nearest-even; null on overflow. */
function normalize(neg: boolean, abs: bigint, e: number): LongDouble | null {
  const bits = bitLength(abs);
  let m: bigint;
  if (bits <= 64) {
    m = abs << BigInt(64 - bits);
    e -= 64 - bits;
  } else {
    const shift = BigInt(bits - 64);
    m = abs >> shift;
    const r2 = (abs - (m << shift)) * 2n;
    const half = 1n << shift;
    if (r2 > half || (r2 === half && (m & 1n) === 1n)) m++;
    e += bits - 64;
    if (m === TWO64) {
      m = TWO63;
      e++;
    }
  }
  return e > MAX_E ? null : { neg, m, e };
}

/** `%.17Lf` with trailing zeros (and a bare point) removed, "-0" as "0": Redis's LD_STR_HUMAN. */
export function formatLongDouble(x: LongDouble): string {
  const P = 10n ** 17n;
  let q: bigint;
  if (x.e >= 0) q = (x.m << BigInt(x.e)) * P;
  else {
    const n = x.m * P;
    const shift = BigInt(-x.e);
    q = n >> shift;
    const r2 = (n - (q << shift)) * 2n;
    const d = 1n << shift;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  }
  let digits = q.toString().padStart(18, '0');
  digits = `${digits.slice(0, -17)}.${digits.slice(-17)}`.replace(/0+$/, '').replace(/\.$/, '');
  const out = x.neg ? `-${digits}` : digits;
  return out === '-0' ? '0' : out;
}
