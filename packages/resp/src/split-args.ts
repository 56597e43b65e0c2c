/**
 * splitArgs: an inline request line into arguments, by the rules of Redis's
 * `sdssplitargs`:
 *
 *   SET key "a value\r\n"   double quotes: \n \r \t \b \a \\ \" and \xHH escapes
 *   SET key 'it\'s'          single quotes: only \' is an escape
 *   SET "k"v ...             a closing quote must be followed by a space or the
 *                            end, else the line is invalid (null)
 *   "abc                     an unterminated quote is invalid (null)
 *
 * Blanks (space, \t \n \v \f \r) separate arguments; an unquoted argument ends
 * at space, \t, \n, \r; a quote inside one starts a quoted part (`a"b c"` is
 * `ab c`). The C function works on a NUL-terminated string, so a NUL byte
 * ends the line here too.
 *
 * Most inline lines (`PING`, redis-benchmark's PING_INLINE, `SET k v` typed
 * in telnet) hold no quote: `splitPlain` cuts those straight out of the
 * bytes, with no scratch buffer, and gives up at the first quote, leaving
 * the line to the full sdssplitargs state machine (`splitQuoted`).
 */
import { Buffer } from 'node:buffer';
import { copyOut } from './bytes.js';
import { Byte } from './type-bytes.js';

const { CR, LF } = Byte;

const SPACE = 0x20;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const TAB = 0x09;

function isSpace(c: number): boolean {
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The arguments of `line` (fresh Buffers), [] for a blank line, null for unbalanced quotes. */
export function splitArgs(line: Buffer): Buffer[] | null {
  return splitPlain(line, 0, line.length, true) ?? splitQuoted(line);
}

/**
 * The arguments of the line `c[start, end)` if it holds no quote (which
 * sdssplitargs then splits the same way): copies, or views into `c` when
 * `copy` is false. Null at the first quote, before the NUL that ends the
 * line if any: such a line needs `splitQuoted`.
 */
export function splitPlain(c: Buffer, start: number, end: number, copy: boolean): Buffer[] | null {
  const out: Buffer[] = [];
  let p = start;
  for (;;) {
    // between arguments any blank is skipped, \v and \f too
    while (p < end && isSpace(c[p] as number)) p++;
    if (p >= end) return out;
    const from = p;
    let b = c[p] as number;
    // an unquoted argument ends only at space, \t, \n, \r (or NUL)
    while (b !== SPACE && b !== TAB && b !== LF && b !== CR && b !== 0) {
      if (b === DQUOTE || b === SQUOTE) return null;
      if (++p >= end) break;
      b = c[p] as number;
    }
    if (p > from) out.push(copy ? copyOut(c, from, p - from) : c.subarray(from, p));
    if (p < end && b === 0) return out;
  }
}

/** The whole of sdssplitargs, quotes and escapes included. */
export function splitQuoted(line: Buffer): Buffer[] | null {
  const nul = line.indexOf(0);
  const n = nul === -1 ? line.length : nul;
  // the byte at i, or 0 past the end: the C code reads the terminating NUL
  const at = (i: number): number => (i < n ? (line[i] as number) : 0);
  const out: Buffer[] = [];
  const scratch = Buffer.allocUnsafe(n); // an argument is never longer than its line
  let p = 0;
  for (;;) {
    while (p < n && isSpace(line[p] as number)) p++;
    if (p >= n) return out;
    let inDouble = false;
    let inSingle = false;
    let len = 0;
    for (let done = false; !done; ) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === 0x78 && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          scratch[len++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== 0) {
          p++;
          scratch[len++] = unescape(line[p] as number);
        } else if (c === DQUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          scratch[len++] = c;
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SQUOTE) {
          p++;
          scratch[len++] = SQUOTE;
        } else if (c === SQUOTE) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          scratch[len++] = c;
        }
      } else if (c === SPACE || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === DQUOTE) {
        inDouble = true;
      } else if (c === SQUOTE) {
        inSingle = true;
      } else {
        scratch[len++] = c;
      }
      if (p < n) p++;
    }
    const arg = Buffer.allocUnsafe(len);
    scratch.copy(arg, 0, 0, len);
    out.push(arg);
  }
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e: // n
      return 0x0a;
    case 0x72: // r
      return 0x0d;
    case 0x74: // t
      return 0x09;
    case 0x62: // b
      return 0x08;
    case 0x61: // a
      return 0x07;
    default:
      return c;
  }
}
