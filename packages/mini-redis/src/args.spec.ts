import { describe, expect, it } from 'vitest';
import { floatArg, intArg, parseInt64 } from './args.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('integer arguments (string2ll rules)', () => {
  it('accepts canonical int64 decimals only', () => {
    expect(parseInt64(b('0'))).toBe(0n);
    expect(parseInt64(b('-42'))).toBe(-42n);
    expect(parseInt64(b('9223372036854775807'))).toBe(9223372036854775807n);
    expect(parseInt64(b('-9223372036854775808'))).toBe(-9223372036854775808n);
    for (const bad of ['', '-', '+1', '01', '-0', ' 1', '1 ', '1.0', '9223372036854775808', '0x10', '1e3']) {
      expect(parseInt64(b(bad))).toBeNull();
      expect(() => intArg(b(bad))).toThrow('not an integer');
    }
    expect(intArg(b('123456789012345'))).toBe(123456789012345);
    expect(intArg(b('-7'))).toBe(-7);
  });
});

describe('floats', () => {
  it('parses scores as Redis does', () => {
    expect(floatArg(b('1.5'))).toBe(1.5);
    expect(floatArg(b('-inf'))).toBe(-Infinity);
    expect(floatArg(b('+inf'))).toBe(Infinity);
    expect(floatArg(b('1e3'))).toBe(1000);
    for (const bad of ['', 'nan', ' 1', 'abc', '1x']) expect(() => floatArg(b(bad))).toThrow('not a valid float');
  });

  it('reads plain decimals without a string exactly as Number() does', () => {
    // the byte-level fast path (up to 15 digits) and the general path must agree
    for (const s of ['0', '-0', '7', '-12', '00.5', '0.1', '1.5', '-12.25', '99999.99999', '123456789012345', '0.000000000000001', '1234567890123456', '1234567890.1234567', '1.', '.5', '-.5', '+3']) {
      expect(Object.is(floatArg(b(s)), Number(s))).toBe(true);
    }
    for (const bad of ['-', '.', '1.5.5', '1-', '--1', '1 ', '1,5']) expect(() => floatArg(b(bad))).toThrow('not a valid float');
  });

});
