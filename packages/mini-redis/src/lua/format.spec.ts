/**
 * formatG14 against C's printf("%.14g") (the expected texts are what C
 * prints; Python's % operator uses the same rules). The one known miss, a
 * tie in the 14th digit, is pinned so a change shows.
 */
import { describe, expect, it } from 'vitest';
import { formatG14 } from './format.js';

const C: Array<[number, string]> = [
  [0.1, '0.1'],
  [1 / 3, '0.33333333333333'],
  [2 ** 53, '9.007199254741e+15'],
  [1e14, '1e+14'],
  [99999999999999, '99999999999999'],
  [1e-5, '1e-05'],
  [0.0001, '0.0001'],
  [1.5e-10, '1.5e-10'],
  [-2.5, '-2.5'],
  [1e21, '1e+21'],
  [1e100, '1e+100'],
  [5e-324, '4.9406564584125e-324'],
  [1.7976931348623157e308, '1.7976931348623e+308'],
  [3, '3'],
  [-0, '-0'],
  [1234567.891, '1234567.891'],
  [0.30000000000000004, '0.3'],
  [Infinity, 'inf'],
  [-Infinity, '-inf'],
];

describe('formatG14 (%.14g, how Lua 5.1 prints numbers)', () => {
  it.each(C)('%s prints as C prints it', (n, text) => {
    expect(formatG14(n)).toBe(text);
  });

  it('rounds an exact tie in the 14th digit up, where C rounds to even (documented)', () => {
    expect(formatG14(123456789012345)).toBe('1.2345678901235e+14'); // C: 1.2345678901234e+14
  });
});
