import { describe, expect, it } from 'vitest';
import { is, k } from './util.js';

describe('k: a key as its latin1 string', () => {
  it('matches toString("latin1") at every length, inside and past the JS fast path, for any byte', () => {
    for (let n = 0; n <= 40; n++) {
      const all = Buffer.alloc(n);
      for (let i = 0; i < n; i++) all[i] = (i * 97 + n * 31) & 0xff;
      expect(k(all)).toBe(all.toString('latin1'));
      // a view into a larger buffer, at an offset, as the parser's arguments may be
      const view = Buffer.from([0xff, 0x00, ...all, 0x7f]).subarray(2, 2 + n);
      expect(k(view)).toBe(all.toString('latin1'));
      const high = Buffer.alloc(n, 0xe9);
      expect(k(high)).toBe('\u00e9'.repeat(n));
    }
  });
});

describe('is: option words', () => {
  it('folds A-Z only', () => {
    expect(is(Buffer.from('NX'), 'nx')).toBe(true);
    expect(is(Buffer.from('nX'), 'nx')).toBe(true);
    expect(is(Buffer.from('nx '), 'nx')).toBe(false);
    expect(is(Buffer.from('n'), 'nx')).toBe(false);
    // '@' | 0x20 is '`' but must not match; the words are ASCII, so latin1 capitals are not folded
    expect(is(Buffer.from('@'), '`')).toBe(false);
    expect(is(Buffer.from([0xd8]), '\u00f8')).toBe(false);
    expect(is(Buffer.from('WithScores'), 'withscores')).toBe(true);
  });
});
