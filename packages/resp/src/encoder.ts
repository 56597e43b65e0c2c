/**
 * Client → server encoders: `encodeCommand` (hiredis's
 * `redisFormatCommandArgv`) and `formatCommand` (`redisFormatCommand`).
 *
 * A command is a RESP multibulk of bulk strings:
 *
 *   *<argc>\r\n  then for each argument  $<byte length>\r\n<bytes>\r\n
 *
 * `encodeCommand` runs for every command a client sends, so it is shaped for
 * speed: one pass measures every argument, one `Buffer.allocUnsafe` (from
 * Node's pool for small commands), one pass writes. Short ASCII strings are
 * copied by a plain loop because a native call costs more than the copy.
 */

import { utf8Length, writeDecimal, decimalLength, describe, type FastBuffer } from './bytes.js';
import { compileFormat, type FormatPiece } from './format.js';

/** What `encodeCommand` accepts as one argument. */
export type CommandArgument = string | Buffer | Uint8Array | number | bigint;

/** What `formatCommand` accepts after the format string. */
export type FormatArgument = string | Buffer | Uint8Array | number | bigint;

const DOLLAR = 0x24;
const STAR = 0x2a;
const CR = 0x0d;
const LF = 0x0a;

/** Below this many UTF-16 units a JS loop beats `buf.write` (a native call). */
const SHORT_STRING = 48;

// Scratch for the two passes; encodeCommand never re-enters itself, so one
// module-level copy is enough. Grown on demand, never shrunk past 64 entries.
let argLengths = new Float64Array(64);
let argText: Array<string | Uint8Array | undefined> = new Array(64);

/**
 * Encode `argv` as a RESP command, byte-exact:
 * `encodeCommand(['SET', 'k', 'v'])` is `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`.
 *
 * Strings are sent as UTF-8; Buffers and Uint8Arrays as they are; numbers in
 * decimal (`Infinity` as `inf`, Redis's spelling); bigints in decimal. `NaN`
 * and any other type are a `TypeError` naming the argument.
 */
export function encodeCommand(argv: ReadonlyArray<CommandArgument>): Buffer {
  const argc = argv.length;
  if (argc > argLengths.length) {
    argLengths = new Float64Array(argc * 2);
    argText = new Array(argc * 2);
  }
  let total = 1 + decimalLength(argc) + 2;
  for (let i = 0; i < argc; i++) {
    const arg = argv[i];
    let len: number;
    if (typeof arg === 'string') {
      len = utf8Length(arg);
      argText[i] = arg;
    } else if (arg instanceof Uint8Array) {
      len = arg.length;
      argText[i] = arg;
    } else {
      const text = scalarToString(arg, i);
      len = text.length; // decimal text is ASCII
      argText[i] = text;
    }
    argLengths[i] = len;
    total += decimalLength(len) + len + 5;
  }

  const buf = Buffer.allocUnsafe(total) as FastBuffer;
  buf[0] = STAR;
  let o = writeDecimal(buf, 1, argc);
  buf[o++] = CR;
  buf[o++] = LF;
  for (let i = 0; i < argc; i++) {
    const len = argLengths[i] as number;
    const arg = argText[i] as string | Uint8Array;
    argText[i] = undefined; // drop the reference: the scratch must not pin caller data
    buf[o++] = DOLLAR;
    o = writeDecimal(buf, o, len);
    buf[o++] = CR;
    buf[o++] = LF;
    if (typeof arg === 'string') {
      if (len === arg.length) {
        if (len < SHORT_STRING) {
          for (let j = 0; j < len; j++) buf[o + j] = arg.charCodeAt(j);
        } else {
          buf.latin1Write(arg, o, len);
        }
      } else {
        buf.utf8Write(arg, o, len);
      }
    } else if (len < SHORT_STRING) {
      for (let j = 0; j < len; j++) buf[o + j] = arg[j] as number;
    } else {
      buf.set(arg, o);
    }
    o += len;
    buf[o++] = CR;
    buf[o++] = LF;
  }
  return buf;
}

/** A number or bigint argument as Redis reads it; anything else is refused. */
function scalarToString(arg: unknown, index: number): string {
  if (typeof arg === 'number') {
    if (Number.isFinite(arg)) return String(arg);
    if (arg === Infinity) return 'inf';
    if (arg === -Infinity) return '-inf';
    throw new TypeError(`encodeCommand: argument ${index} is NaN`);
  }
  if (typeof arg === 'bigint') return arg.toString();
  throw new TypeError(
    `encodeCommand: argument ${index} must be a string, Buffer, Uint8Array, number or bigint, got ${describe(arg)}`,
  );
}


/**
 * Build a command from a hiredis-style format string, as `redisFormatCommand`:
 * `formatCommand('SET %s %b', key, bytes)`.
 *
 * Spaces in `fmt` separate arguments (runs of spaces make no empty ones); an
 * interpolated value is never split, even if it contains spaces, and `%s` of
 * `''` makes an empty argument. Specifiers:
 *
 *   %s            a string (UTF-8)
 *   %b            binary: ONE Buffer/Uint8Array (or string) argument. hiredis
 *                 takes a pointer and a length here; a JS buffer knows its
 *                 length, so pass `buf.subarray(0, n)` for a prefix.
 *   %d %i         an integer number or bigint; also with C size modifiers
 *                 (%ld %lld %hd %zd ...). A non-integer is a TypeError.
 *   %u            the same, non-negative
 *   %f %e %g      a number as C's printf prints it, precision allowed (%.2f);
 *                 Infinity and NaN as `inf` and `nan`
 *   %%            a literal `%`
 *
 * Anything else (`%x`, `%c`, flags or widths such as `%5d`), or more or fewer
 * values than the specifiers consume, is a TypeError that names the problem.
 */
export function formatCommand(fmt: string, ...args: FormatArgument[]): Buffer {
  const compiled = compileFormat(fmt);
  if (args.length !== compiled.specifiers) {
    throw new TypeError(
      `formatCommand: "${fmt}" takes ${compiled.specifiers} value(s), got ${args.length}`,
    );
  }
  const argv: Array<string | Uint8Array> = new Array(compiled.args.length);
  let next = 0;
  for (let i = 0; i < compiled.args.length; i++) {
    const pieces = compiled.args[i] as FormatPiece[];
    if (pieces.length === 1) {
      const p = pieces[0] as FormatPiece;
      argv[i] = typeof p === 'string' ? p : p.render(args[next++], next - 1);
      continue;
    }
    const parts: Array<string | Uint8Array> = [];
    let binary = false;
    for (const p of pieces) {
      const v = typeof p === 'string' ? p : p.render(args[next++], next - 1);
      if (typeof v !== 'string') binary = true;
      parts.push(v);
    }
    argv[i] = binary
      ? Buffer.concat(parts.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v)))
      : parts.join('');
  }
  return encodeCommand(argv);
}
