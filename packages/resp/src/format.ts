/**
 * The format-string half of `formatCommand`: compiles a hiredis-style format
 * once into argument templates and renders each specifier.
 *
 * A compiled format is a list of arguments, each a list of pieces: literal
 * text, or a specifier that turns the next value into a string or bytes.
 * Formats repeat (one per call site), so compiled ones are cached.
 */

import { describe } from './bytes.js';

/** A specifier in a compiled format: renders one caller value. */
export interface FormatSpecifier {
  /** `%s`, `%lld`, `%.2f`... as written, for error messages. */
  readonly text: string;
  render(value: unknown, index: number): string | Uint8Array;
}

export type FormatPiece = string | FormatSpecifier;

export interface CompiledFormat {
  readonly args: FormatPiece[][];
  /** How many caller values the format consumes. */
  readonly specifiers: number;
}

const cache = new Map<string, CompiledFormat>();
const CACHE_LIMIT = 512;

export function compileFormat(fmt: string): CompiledFormat {
  const hit = cache.get(fmt);
  if (hit !== undefined) return hit;
  const compiled = compile(fmt);
  if (cache.size >= CACHE_LIMIT) cache.clear(); // formats are few; a flood of distinct ones just stops caching
  cache.set(fmt, compiled);
  return compiled;
}

function compile(fmt: string): CompiledFormat {
  if (typeof fmt !== 'string') {
    throw new TypeError(`formatCommand: the format must be a string, got ${describe(fmt)}`);
  }
  const args: FormatPiece[][] = [];
  let pieces: FormatPiece[] = [];
  let literal = '';
  // hiredis's "touched": an argument exists once anything, even an empty
  // interpolation, was put in it.
  let touched = false;
  let specifiers = 0;
  const n = fmt.length;
  for (let i = 0; i < n; i++) {
    const c = fmt[i] as string;
    if (c !== '%' || i + 1 === n) {
      if (c === ' ') {
        if (touched) {
          if (literal !== '') pieces.push(literal);
          args.push(pieces);
          pieces = [];
          literal = '';
          touched = false;
        }
      } else {
        literal += c;
        touched = true;
      }
      continue;
    }
    const end = specifierEnd(fmt, i + 1);
    const text = fmt.slice(i, end + 1);
    touched = true;
    i = end;
    if (text === '%%') {
      literal += '%';
      continue;
    }
    const spec = makeSpecifier(text, fmt, i - text.length + 1);
    if (literal !== '') pieces.push(literal);
    literal = '';
    pieces.push(spec);
    specifiers++;
  }
  if (touched) {
    if (literal !== '') pieces.push(literal);
    args.push(pieces);
  }
  return { args, specifiers };
}

/** Index of the conversion character of the specifier starting after `%` at `from`. */
function specifierEnd(fmt: string, from: number): number {
  let p = from;
  // precision, then C size modifiers; flags and widths are rejected by makeSpecifier
  // a space ends the specifier too: it separates arguments
  while (p < fmt.length && /[0-9.#+\-lhzjtqL]/.test(fmt[p] as string)) p++;
  return Math.min(p, fmt.length - 1);
}

const SPEC = /^%(?:\.(\d{1,2}))?(hh|h|ll|l|q|z|j|t|L)?([diufFeEgGsb%])$/;

function makeSpecifier(text: string, fmt: string, at: number): FormatSpecifier {
  const m = SPEC.exec(text);
  const conv = m?.[3];
  const precision = m?.[1];
  const size = m?.[2];
  const invalid = (): TypeError =>
    new TypeError(
      `formatCommand: invalid format specifier '${text}' at offset ${at} in "${fmt}"` +
        ' (supported: %s %b %d %i %u %f %e %g %%, with C size modifiers such as %lld)',
    );
  if (m === null || conv === undefined) throw invalid();
  if ((conv === 's' || conv === 'b') && (size !== undefined || precision !== undefined)) throw invalid();
  if ('diu'.includes(conv) && precision !== undefined) throw invalid();
  if ('fFeEgG'.includes(conv) && size !== undefined && size !== 'l' && size !== 'L') throw invalid();
  switch (conv) {
    case 's':
      return { text, render: renderString };
    case 'b':
      return { text, render: renderBinary };
    case 'd':
    case 'i':
      return { text, render: (v, i) => renderInteger(v, i, text, false) };
    case 'u':
      return { text, render: (v, i) => renderInteger(v, i, text, true) };
    default: {
      const prec = precision === undefined ? 6 : Number(precision);
      return { text, render: (v, i) => formatDouble(toDouble(v, i, text), conv, prec) };
    }
  }
}

function renderString(v: unknown, index: number): string {
  if (typeof v === 'string') return v;
  throw new TypeError(
    `formatCommand: value ${index} for %s must be a string, got ${describe(v)}` +
      (typeof v === 'number' || typeof v === 'bigint' ? ' (use %d)' : v instanceof Uint8Array ? ' (use %b)' : ''),
  );
}

function renderBinary(v: unknown, index: number): string | Uint8Array {
  if (v instanceof Uint8Array || typeof v === 'string') return v;
  throw new TypeError(`formatCommand: value ${index} for %b must be a Buffer, Uint8Array or string, got ${describe(v)}`);
}

function renderInteger(v: unknown, index: number, text: string, unsigned: boolean): string {
  let s: string | undefined;
  if (typeof v === 'bigint') s = v.toString();
  else if (typeof v === 'number' && Number.isInteger(v)) s = Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
  if (s === undefined) {
    throw new TypeError(`formatCommand: value ${index} for ${text} must be an integer, got ${typeof v === 'number' ? v : describe(v)}`);
  }
  if (unsigned && s.startsWith('-')) {
    throw new TypeError(`formatCommand: value ${index} for ${text} must not be negative, got ${s}`);
  }
  return s === '-0' ? '0' : s;
}

function toDouble(v: unknown, index: number, text: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`formatCommand: value ${index} for ${text} must be a number, got ${describe(v)}`);
}

/** `x` as C's printf prints it with conversion `conv` and precision `prec`. */
export function formatDouble(x: number, conv: string, prec: number): string {
  const upper = conv === 'F' || conv === 'E' || conv === 'G';
  let s: string;
  if (Number.isNaN(x)) s = 'nan';
  else if (!Number.isFinite(x)) s = x < 0 ? '-inf' : 'inf';
  else {
    const lower = conv.toLowerCase();
    s = lower === 'f' ? fixed(x, prec) : lower === 'e' ? exponential(x, prec) : general(x, prec);
    if (Object.is(x, -0) && !s.startsWith('-')) s = '-' + s;
  }
  return upper ? s.toUpperCase() : s;
}

function fixed(x: number, prec: number): string {
  if (Math.abs(x) < 1e21) return x.toFixed(prec);
  // toFixed switches to exponent form here; the value is integral anyway
  return BigInt(x).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}

/** C pads the exponent to two digits: 1e+06, not 1e+6. */
function exponential(x: number, prec: number): string {
  return x.toExponential(prec).replace(/e([+-])(\d)$/, 'e$10$2');
}

function general(x: number, prec: number): string {
  const p = prec === 0 ? 1 : prec;
  if (x === 0) return '0';
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const s = p > exp && exp >= -4 ? x.toFixed(p - 1 - exp) : exponential(x, p - 1);
  // %g drops trailing zeros of the fraction, and a bare '.'
  return s.replace(/\.?0+(?=e|$)/, (m) => (m.startsWith('.') || s.includes('.') ? '' : m));
}
