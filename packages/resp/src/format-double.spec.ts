import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { formatG17 } from './format-double.js';

/**
 * An independent %.17g: the double's exact decimal expansion (BigInt),
 * rounded to 17 digits with ties to even, then laid out by C's %g rules.
 */
function referenceG17(x: number): string {
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  let m = bits & ((1n << 52n) - 1n);
  let e2 = -1074;
  if (biased !== 0) {
    m |= 1n << 52n;
    e2 = biased - 1075;
  }
  // |x| = digits * 10^-shift, exactly
  let digits: bigint;
  let shift: number;
  if (e2 >= 0) {
    digits = m << BigInt(e2);
    shift = 0;
  } else {
    digits = m * 5n ** BigInt(-e2);
    shift = -e2;
  }
  let text = digits.toString();
  let exp = text.length - 1 - shift;
  if (text.length > 17) {
    const drop = 10n ** BigInt(text.length - 17);
    let q = digits / drop;
    const r = digits % drop;
    const half = drop / 2n;
    if (r > half || (r === half && q % 2n === 1n)) q++;
    if (q === 10n ** 17n) {
      q = 10n ** 16n;
      exp++;
    }
    text = q.toString();
  }
  text = text.padEnd(17, '0');
  const trim = (s: string): string => s.replace(/0+$/, '');
  let out: string;
  if (exp < -4 || exp >= 17) {
    const frac = trim(text.slice(1));
    out = `${text[0]}${frac ? '.' + frac : ''}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp >= 0) {
    const frac = trim(text.slice(exp + 1));
    out = text.slice(0, exp + 1) + (frac ? '.' + frac : '');
  } else {
    out = '0.' + '0'.repeat(-exp - 1) + trim(text);
  }
  return neg ? '-' + out : out;
}

describe('formatG17: %.17g as glibc printf prints it', () => {
  it('known cases (from C printf and redis-server 7.0)', () => {
    const cases: Array<[number, string]> = [
      [0.1, '0.10000000000000001'],
      [-0.1, '-0.10000000000000001'],
      [1e20, '1e+20'],
      [1.5e-5, '1.5e-05'],
      [123456789012345678, '1.2345678901234568e+17'],
      [3, '3'],
      [0.5, '0.5'],
      [1 / 3, '0.33333333333333331'],
      [0.0001, '0.0001'],
      [0.00001, '1.0000000000000001e-05'],
      [1e16, '10000000000000000'],
      [1e17, '1e+17'],
      [2 ** 60, '1.152921504606847e+18'],
      [5e-324, '4.9406564584124654e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [-0, '-0'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [NaN, 'nan'],
      // exact ties at the 18th digit: printf rounds to even, toExponential away from zero
      [1 + 2 ** -17, '1.0000076293945312'],
      [1 + 3 * 2 ** -17, '1.0000228881835938'],
      [-(1 + 2 ** -17), '-1.0000076293945312'],
    ];
    for (const [x, want] of cases) expect(formatG17(x)).toBe(want);
  });

  it('agrees with an exact BigInt reference and reads back as the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const got = formatG17(x);
        expect(got).toBe(referenceG17(x));
        expect(Object.is(Number(got), x)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds ties to even among doubles with few fraction bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 10, max: 40 }), (k, bits) => {
        const x = 1 + k * 2 ** -bits;
        expect(formatG17(x)).toBe(referenceG17(x));
      }),
      { numRuns: 2000 },
    );
  });
});
