/**
 * Glob matching with the semantics of Redis's `stringmatchlen` (KEYS,
 * PSUBSCRIBE): `*` any run, `?` one byte, `[abc]` / `[^a-z]` classes with
 * `\` escapes inside, `\x` a literal x. Subjects and patterns are latin1
 * strings, so one UTF-16 unit is one byte and comparisons are memcmp's.
 *
 * Redis matches recursively and guards against exponential blow-up; this
 * is the iterative form with one backtrack point at the last `*`, which
 * gives the same answers in O(pattern × subject). One Redis quirk is kept on
 * purpose: an empty subject matches only an empty pattern (its main loop
 * never starts), so `*` does not match the empty channel name.
 */

const STAR = 0x2a; // *
const QUESTION = 0x3f; // ?
const OPEN = 0x5b; // [
const CLOSE = 0x5d; // ]
const BACKSLASH = 0x5c; // \
const CARET = 0x5e; // ^
const DASH = 0x2d; // -

/**
 * Does the class starting at `pattern[p] === '['` accept byte `c`?
 * Returns the index just past the class when it does, -1 when it does not.
 */
function matchClass(pattern: string, p: number, c: number): number {
  const end = pattern.length;
  p++;
  const negate = p < end && pattern.charCodeAt(p) === CARET;
  if (negate) p++;
  let match = false;
  for (;;) {
    if (p >= end) {
      // Unterminated class: Redis treats the end of the pattern as its `]`.
      break;
    }
    const ch = pattern.charCodeAt(p);
    if (ch === BACKSLASH && end - p >= 2) {
      if (pattern.charCodeAt(p + 1) === c) match = true;
      p += 2;
    } else if (ch === CLOSE) {
      p++;
      break;
    } else if (end - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      let lo = ch;
      let hi = pattern.charCodeAt(p + 2);
      if (lo > hi) [lo, hi] = [hi, lo];
      if (c >= lo && c <= hi) match = true;
      p += 3;
    } else {
      if (ch === c) match = true;
      p++;
    }
  }
  if (negate) match = !match;
  return match ? p : -1;
}

/** True when `subject` matches the glob `pattern` as Redis would decide. */
export function globMatch(pattern: string, subject: string): boolean {
  if (subject.length === 0) return pattern.length === 0;
  const plen = pattern.length;
  const slen = subject.length;
  let p = 0;
  let s = 0;
  // Backtrack point: the pattern index after the last `*` and the subject
  // index that star currently stops at.
  let starP = -1;
  let starS = 0;
  while (s < slen) {
    if (p < plen) {
      const ch = pattern.charCodeAt(p);
      if (ch === STAR) {
        while (p < plen && pattern.charCodeAt(p) === STAR) p++;
        if (p === plen) return true;
        starP = p;
        starS = s;
        continue;
      }
      const c = subject.charCodeAt(s);
      if (ch === QUESTION) {
        p++;
        s++;
        continue;
      }
      if (ch === OPEN) {
        const next = matchClass(pattern, p, c);
        if (next !== -1) {
          p = next;
          s++;
          continue;
        }
      } else {
        let lit = ch;
        let width = 1;
        if (ch === BACKSLASH && plen - p >= 2) {
          lit = pattern.charCodeAt(p + 1);
          width = 2;
        }
        if (lit === c) {
          p += width;
          s++;
          continue;
        }
      }
    }
    if (starP === -1) return false;
    // Let the last star swallow one more byte and retry from there.
    starS++;
    s = starS;
    p = starP;
  }
  while (p < plen && pattern.charCodeAt(p) === STAR) p++;
  return p === plen;
}
