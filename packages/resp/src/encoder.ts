/**
 * Client → server encoders: `encodeCommand` (hiredis's
 * `redisFormatCommandArgv`) and `formatCommand` (`redisFormatCommand`).
 *
 * A command is a RESP multibulk of bulk strings:
 *
 *   *<argc>\r\n  then for each argument  $<byte length>\r\n<bytes>\r\n
 *
 * `encodeCommand` runs for every command a client sends, so it is shaped for
 * speed: it guesses that strings are ASCII, so one cheap pass sizes the
 * command, one allocation holds it and one pass writes and checks the guess;
 * short strings are copied by a plain loop because a native call costs more
 * than the copy. A wrong guess costs one more, exact, encoding.
 */

import type { ChainBuffer } from '@reactor-ts/buffer';
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
const SHORT_STRING = 32;

/**
 * Commands holding longer strings are written straight into a private 64 KiB
 * slab with room for 3 bytes per UTF-16 unit, then handed out as views of
 * the bytes actually used, as Node's pool does for allocUnsafe; a region is
 * never written again once handed out, so a command Buffer may share its
 * ArrayBuffer with earlier ones.
 *
 *   slab: [ handed out ... | being written (reserved: upper bound) | free ]
 *                          ^ slabOffset
 */
const SLAB_SIZE = 64 * 1024;
/** Commands whose upper bound exceeds this are measured exactly and get their own memory. */
const SLAB_MAX_ITEM = 8 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_SIZE) as FastBuffer;
let slabOffset = 0;

/**
 * Encode `argv` as a RESP command, byte-exact:
 * `encodeCommand(['SET', 'k', 'v'])` is `*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n`.
 *
 * Strings are sent as UTF-8; Buffers and Uint8Arrays as they are; numbers in
 * decimal (`Infinity` as `inf`, Redis's spelling); bigints in decimal. `NaN`
 * and any other type are a `TypeError` naming the argument.
 *
 * The result may share its ArrayBuffer with other results (as
 * `Buffer.allocUnsafe` does); it is never reused or changed afterwards.
 */
export function encodeCommand(argv: ReadonlyArray<CommandArgument>): Buffer {
  // Optimistic: every string is taken to be ASCII (byte length = string
  // length), so nothing is measured ahead; writeArgs checks as it copies and
  // the first non-ASCII string sends the command down the exact path.
  const total = guessSize(argv);
  const longUnits = guessedLongUnits;
  if (longUnits === 0) {
    // all strings short: the total is exact if they are ASCII
    const buf = Buffer.allocUnsafe(total) as FastBuffer;
    return writeArgs(buf, 0, argv) === -1 ? encodeExact(argv) : buf;
  }
  const bound = total + 2 * longUnits;
  if (bound > SLAB_MAX_ITEM) return encodeExact(argv);
  if (slabOffset + bound > SLAB_SIZE) {
    slab = Buffer.allocUnsafeSlow(SLAB_SIZE) as FastBuffer;
    slabOffset = 0;
  }
  const start = slabOffset;
  const end = writeArgs(slab, start, argv);
  if (end === -1) return encodeExact(argv);
  slabOffset = (end + 7) & ~7; // keep 8-byte alignment, as Node's pool does
  return slab.subarray(start, end);
}

/** UTF-16 units in the strings of the last guessSize() that writeArgs writes by a native call. */
let guessedLongUnits = 0;

/**
 * The command's size if its strings are ASCII (validating every argument, so
 * a bad one throws before anything is written); sets guessedLongUnits.
 */
function guessSize(argv: ReadonlyArray<CommandArgument>): number {
  const argc = argv.length;
  let total = 1 + decimalLength(argc) + 2;
  let longUnits = 0;
  for (let i = 0; i < argc; i++) {
    const arg = argv[i];
    let len: number;
    if (typeof arg === 'string') {
      len = arg.length;
      if (len >= SHORT_STRING) longUnits += len;
    } else if (arg instanceof Uint8Array) {
      len = arg.length;
    } else {
      len = scalarToString(arg, i).length;
    }
    total += decimalLength(len) + len + 5;
  }
  guessedLongUnits = longUnits;
  return total;
}

/**
 * `encodeCommand(argv)` appended to `out`, written in place in its chunks
 * (ChainBuffer.reserve/commit) rather than built as a Buffer that `out.add`
 * would copy: what a client does with every command it queues. Same bytes,
 * same errors (a TypeError for a bad argument, with nothing appended).
 */
export function appendCommand(out: ChainBuffer, argv: ReadonlyArray<CommandArgument>): void {
  const total = guessSize(argv);
  const longUnits = guessedLongUnits;
  // Room for 3 bytes per UTF-16 unit of the long strings; beyond a slab item
  // that guess would reserve too much, so measure exactly instead.
  const room = total + 2 * longUnits;
  if (room > SLAB_MAX_ITEM && longUnits > 0) {
    out.add(encodeExact(argv));
    return;
  }
  const buf = out.reserve(room) as FastBuffer;
  const start = out.reservedOffset;
  const end = writeArgs(buf, start, argv);
  if (end === -1) {
    out.commit(0);
    out.add(encodeExact(argv));
    return;
  }
  out.commit(end - start);
}

/**
 * Write the command at `o`, each string's length taken as its byte length.
 * Returns the end offset, or -1 on the first non-ASCII string: seen while
 * copying a short one, or from utf8Write's count for a longer one (which the
 * caller gave room for 3 bytes per unit).
 */
function writeArgs(buf: FastBuffer, o: number, argv: ReadonlyArray<CommandArgument>): number {
  const argc = argv.length;
  buf[o++] = STAR;
  o = writeDecimal(buf, o, argc);
  buf[o++] = CR;
  buf[o++] = LF;
  for (let i = 0; i < argc; i++) {
    let arg = argv[i] as CommandArgument;
    if (typeof arg !== 'string' && !(arg instanceof Uint8Array)) arg = scalarToString(arg, i);
    const len = arg.length;
    buf[o++] = DOLLAR;
    o = writeDecimal(buf, o, len);
    buf[o++] = CR;
    buf[o++] = LF;
    if (typeof arg === 'string') {
      if (len < SHORT_STRING) {
        for (let j = 0; j < len; j++) {
          const c = arg.charCodeAt(j);
          if (c > 0x7f) return -1;
          buf[o + j] = c;
        }
      } else if (buf.utf8Write(arg, o, 3 * len) !== len) {
        return -1;
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
  return o;
}

/** The general path: every string measured exactly first. */
function encodeExact(argv: ReadonlyArray<CommandArgument>): Buffer {
  const argc = argv.length;
  let total = 1 + decimalLength(argc) + 2;
  const parts: Array<string | Uint8Array> = new Array(argc);
  const lengths: number[] = new Array(argc);
  for (let i = 0; i < argc; i++) {
    const arg = argv[i];
    const part = typeof arg === 'string' || arg instanceof Uint8Array ? arg : scalarToString(arg, i);
    const len = typeof part === 'string' ? utf8Length(part) : part.length;
    parts[i] = part;
    lengths[i] = len;
    total += decimalLength(len) + len + 5;
  }
  const buf = Buffer.allocUnsafe(total) as FastBuffer;
  buf[0] = STAR;
  let o = writeDecimal(buf, 1, argc);
  buf[o++] = CR;
  buf[o++] = LF;
  for (let i = 0; i < argc; i++) {
    const len = lengths[i] as number;
    const part = parts[i] as string | Uint8Array;
    buf[o++] = DOLLAR;
    o = writeDecimal(buf, o, len);
    buf[o++] = CR;
    buf[o++] = LF;
    if (typeof part === 'string') buf.utf8Write(part, o, len);
    else buf.set(part, o);
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
