/**
 * Reply shapes: a tiny description of what a command answers, kept as data
 * so one declaration gives both the method's TypeScript return type (printed
 * by the generator, `shapeType`) and a runtime check against what a real
 * server sends (`shapeMismatch`, used by the reply-shape spec under RESP2 and
 * RESP3). COMMAND DOCS in Redis 7.0 says nothing about replies; the shapes
 * themselves are hand-kept in replies.ts.
 */
import { VerbatimString } from '@reactor-ts/resp';

export type Shape =
  /** The status reply OK. */
  | { readonly t: 'ok' }
  /** A bulk or status string (a Buffer with returnBuffers). */
  | { readonly t: 'str' }
  /** An integer. */
  | { readonly t: 'int' }
  /** An integer that is 0 or 1. */
  | { readonly t: 'bit' }
  /** A double: a string under RESP2, a number under RESP3. */
  | { readonly t: 'double' }
  /** A RESP3 boolean, or the 0/1 integer (or nil) RESP2 gives for it. */
  | { readonly t: 'bool' }
  /** Anything (no declared shape). */
  | { readonly t: 'any' }
  /** `of`, or null where Redis answers nil. */
  | { readonly t: 'nullable'; readonly of: Shape }
  | { readonly t: 'array'; readonly of: Shape }
  /** A fixed-length array of different shapes. */
  | { readonly t: 'tuple'; readonly of: readonly Shape[] }
  /** RESP2: a flat [k, v, ...] array; RESP3: a Map. */
  | { readonly t: 'map'; readonly key: Shape; readonly value: Shape }
  /** RESP2: an array; RESP3: a Set. */
  | { readonly t: 'set'; readonly of: Shape }
  /** Text that RESP3 may send as a verbatim string; the method returns the plain string. */
  | { readonly t: 'text' }
  /** Any of several shapes (ZADD: the count, or with INCR the new score). */
  | { readonly t: 'either'; readonly of: readonly Shape[] }
  /** A value the method reshapes itself (`map` in replies.ts): its type and its check. */
  | { readonly t: 'custom'; readonly ts: string; readonly check: (v: unknown) => boolean };

export const ok: Shape = { t: 'ok' };
export const str: Shape = { t: 'str' };
export const int: Shape = { t: 'int' };
export const bit: Shape = { t: 'bit' };
export const double: Shape = { t: 'double' };
export const bool: Shape = { t: 'bool' };
export const any: Shape = { t: 'any' };
export const text: Shape = { t: 'text' };
export const nullable = (of: Shape): Shape => ({ t: 'nullable', of });
export const array = (of: Shape): Shape => ({ t: 'array', of });
export const tuple = (...of: Shape[]): Shape => ({ t: 'tuple', of });
export const map = (key: Shape, value: Shape): Shape => ({ t: 'map', key, value });
export const set = (of: Shape): Shape => ({ t: 'set', of });
export const either = (...of: Shape[]): Shape => ({ t: 'either', of });
export const custom = (ts: string, check: (v: unknown) => boolean): Shape => ({ t: 'custom', ts, check });

/** The TypeScript type of a shape, as the generated declarations print it. */
export function shapeType(s: Shape): string {
  switch (s.t) {
    case 'ok':
      return "'OK'";
    case 'str':
      return 'RedisString';
    case 'int':
      return 'number';
    case 'bit':
      return '0 | 1';
    case 'double':
      return 'RedisDouble';
    case 'bool':
      return 'boolean | 0 | 1 | null';
    case 'any':
      return 'unknown';
    case 'text':
      return 'RedisString';
    case 'nullable':
      return `${wrap(s.of)} | null`;
    case 'array':
      return `Array<${shapeType(s.of)}>`;
    case 'tuple':
      return `[${s.of.map(shapeType).join(', ')}]`;
    case 'map':
      return `Array<${shapeType(s.key)} | ${shapeType(s.value)}> | Map<${shapeType(s.key)}, ${shapeType(s.value)}>`;
    case 'set':
      return `Array<${shapeType(s.of)}> | Set<${shapeType(s.of)}>`;
    case 'either':
      return s.of.map(wrap).join(' | ');
    case 'custom':
      return s.ts;
  }
}

function wrap(s: Shape): string {
  const t = shapeType(s);
  return t.includes('|') || t.includes('=>') ? `(${t})` : t;
}

const isStr = (v: unknown): boolean => typeof v === 'string' || Buffer.isBuffer(v);

/**
 * Why `v` (a reply as the client returns it, after the method's own `map`)
 * does not fit `s` under `protocol`, as a path and reason; null when it fits.
 */
export function shapeMismatch(s: Shape, v: unknown, protocol: 2 | 3, at = '$'): string | null {
  const bad = (what: string): string => `${at}: expected ${what}, got ${describe(v)}`;
  switch (s.t) {
    case 'ok':
      return v === 'OK' || (Buffer.isBuffer(v) && v.toString() === 'OK') ? null : bad("'OK'");
    case 'str':
      return isStr(v) ? null : bad('a string');
    case 'text':
      return isStr(v) ? null : bad('a plain string (not a VerbatimString)');
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? null : bad('an integer');
    case 'bit':
      return v === 0 || v === 1 ? null : bad('0 or 1');
    case 'double':
      if (protocol === 3) return typeof v === 'number' ? null : bad('a number (RESP3 double)');
      return isStr(v) && !Number.isNaN(Number(String(v).replace(/^([+-]?)inf$/, '$1Infinity'))) ? null : bad('a numeric string (RESP2 double)');
    case 'bool':
      return typeof v === 'boolean' || v === 0 || v === 1 || v === null ? null : bad('a boolean');
    case 'any':
      return null;
    case 'nullable':
      return v === null ? null : shapeMismatch(s.of, v, protocol, at);
    case 'array':
      if (!Array.isArray(v)) return bad('an array');
      return first(v.map((x, i) => shapeMismatch(s.of, x, protocol, `${at}[${i}]`)));
    case 'tuple':
      if (!Array.isArray(v) || v.length !== s.of.length) return bad(`an array of ${s.of.length}`);
      return first(s.of.map((x, i) => shapeMismatch(x, v[i], protocol, `${at}[${i}]`)));
    case 'map':
      if (protocol === 3) {
        if (!(v instanceof Map)) return bad('a Map (RESP3)');
        const out: Array<string | null> = [];
        for (const [k, x] of v) out.push(shapeMismatch(s.key, k, protocol, `${at}.key`), shapeMismatch(s.value, x, protocol, `${at}[${String(k)}]`));
        return first(out);
      }
      if (!Array.isArray(v) || v.length % 2 !== 0) return bad('a flat array of pairs (RESP2)');
      return first(v.map((x, i) => shapeMismatch(i % 2 === 0 ? s.key : s.value, x, protocol, `${at}[${i}]`)));
    case 'set':
      if (protocol === 3) {
        if (!(v instanceof Set)) return bad('a Set (RESP3)');
        return first([...v].map((x, i) => shapeMismatch(s.of, x, protocol, `${at}{${i}}`)));
      }
      if (!Array.isArray(v)) return bad('an array (RESP2)');
      return first(v.map((x, i) => shapeMismatch(s.of, x, protocol, `${at}[${i}]`)));
    case 'either':
      return s.of.some((x) => shapeMismatch(x, v, protocol, at) === null) ? null : bad(shapeType(s));
    case 'custom':
      return s.check(v) ? null : bad(s.ts);
  }
}

function first(xs: ReadonlyArray<string | null>): string | null {
  for (const x of xs) if (x !== null) return x;
  return null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Map) return 'a Map';
  if (v instanceof Set) return 'a Set';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (Buffer.isBuffer(v)) return 'a Buffer';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)}`;
}

/** RESP3 verbatim strings (INFO, CLIENT INFO, LOLWUT, ...) as the plain text they carry. */
export function plainText(v: unknown): unknown {
  if (v instanceof VerbatimString) return v.value;
  return v;
}
