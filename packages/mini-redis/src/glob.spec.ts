import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';

describe('globMatch (Redis stringmatchlen semantics)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', 'anything', true],
    ['*', '', false], // Redis quirk: the empty subject only matches the empty pattern
    ['', '', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'hllo', true],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hallo', true], // reversed range
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['[\\]]', ']', true],
    ['a[', 'a', false],
    ['a[b', 'ab', true], // unterminated class ends at the pattern's end
    ['ab\\', 'ab\\', true], // trailing backslash is literal
    ['*a*b*c*', 'xxaxxbxxcxx', true],
    ['*a*b*c', 'xxaxxbxxcxx', false],
    ['a**b', 'ab', true],
    ['news.*', 'news.sport', true],
    ['news.*', 'news', false],
  ];
  for (const [pattern, subject, want] of cases) {
    it(`${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)} = ${want}`, () => {
      expect(globMatch(pattern, subject)).toBe(want);
    });
  }

  it('stays linear-ish on patterns that are exponential for naive backtracking', () => {
    const subject = 'a'.repeat(5000);
    expect(globMatch('*a*a*a*a*a*a*a*a*a*b', subject)).toBe(false);
  });
});
