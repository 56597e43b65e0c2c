/**
 * Reply shapes: a tiny description of what a command answers, kept as data
 * so one declaration gives both the method's TypeScript return type (printed
 * by the generator, `shapeType`) and a runtime check against what a real
 * server sends (`shapeMismatch`, used by the reply-shape spec under RESP2 and
 * RESP3). COMMAND DOCS in Redis 7.0 says nothing about replies; the shapes
 * themselves are hand-kept in replies.ts.
 *
 * A shape also says how the client reshapes a reply (`reshaperOf`): RESP3
 * verbatim text to a plain string, a record (a fixed set of named fields,
 * XINFO STREAM's) to a plain object, member/score lists to [member, score]
 * pairs under both protocols. Shapes that need no reshaping give no reshaper
 * at all, so those replies pass through untouched (nothing allocated).
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
  /** A fixed-length array of different shapes, then any number of `rest` (CLUSTER SLOTS' nodes). */
  | { readonly t: 'tuple'; readonly of: readonly Shape[]; readonly rest?: Shape }
  /** RESP2: a flat [k, v, ...] array; RESP3: a Map. */
  | { readonly t: 'map'; readonly key: Shape; readonly value: Shape }
  /** RESP2: an array; RESP3: a Set. */
  | { readonly t: 'set'; readonly of: Shape }
  /** Text that RESP3 may send as a verbatim string; the method returns the plain string. */
  | { readonly t: 'text' }
  /** Any of several shapes (ZADD: the count, or with INCR the new score). */
  | { readonly t: 'either'; readonly of: readonly Shape[] }
  /** A value the method reshapes itself (`map` in replies.ts): its type and its check. */
  | { readonly t: 'custom'; readonly ts: string; readonly check: (v: unknown) => boolean }
  /** One exact status or bulk string (ROLE's 'master'). */
  | { readonly t: 'lit'; readonly value: string }
  /**
   * Named fields (XINFO STREAM, CLIENT TRACKINGINFO): RESP2 a flat [k, v, ...]
   * array, RESP3 a Map; the method returns a plain object. `optional` fields
   * may be missing; `rest` types the keys matching `restPattern` (MEMORY
   * STATS' `db.N`). Any other key is a mismatch.
   */
  | {
      readonly t: 'record';
      readonly fields: Readonly<Record<string, Shape>>;
      readonly optional: readonly string[];
      readonly rest?: { readonly prefix: string; readonly of: Shape };
    }
  /**
   * [key, value] pairs in order (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES,
   * XREAD's streams): RESP2 a flat array (or already pairs), RESP3 pairs or a
   * Map; the method returns an array of 2-tuples under both.
   */
  | { readonly t: 'pairs'; readonly key: Shape; readonly value: Shape }
  /** A shape with a name, printed as that name (a type alias in the generated file); `get` may refer back to it. */
  | { readonly t: 'ref'; readonly name: string; readonly get: () => Shape };

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
export const lit = (value: string): Shape => ({ t: 'lit', value });
export const tupleRest = (of: readonly Shape[], rest: Shape): Shape => ({ t: 'tuple', of, rest });
export const pairs = (key: Shape, value: Shape): Shape => ({ t: 'pairs', key, value });
/** A record; a field name ending in `?` is optional (the `?` is not part of the name). */
export const record = (fields: Record<string, Shape>, rest?: { prefix: string; of: Shape }): Shape => {
  const out: Record<string, Shape> = {};
  const optional: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (k.endsWith('?')) optional.push(k.slice(0, -1));
    out[k.endsWith('?') ? k.slice(0, -1) : k] = v;
  }
  return rest === undefined ? { t: 'record', fields: out, optional } : { t: 'record', fields: out, optional, rest };
};
export const ref = (name: string, get: () => Shape): Shape => ({ t: 'ref', name, get });

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
      return `[${[...s.of.map(shapeType), ...(s.rest === undefined ? [] : [`...Array<${shapeType(s.rest)}>`])].join(', ')}]`;
    case 'lit':
      return JSON.stringify(s.value).replace(/"/g, "'");
    case 'record': {
      const fields = Object.entries(s.fields).map(([k, v]) => `${propName(k)}${s.optional.includes(k) ? '?' : ''}: ${shapeType(v)}`);
      if (s.rest !== undefined) fields.push(`[key: \`${s.rest.prefix}\${number}\`]: ${shapeType(s.rest.of)}`);
      return `{ ${fields.join('; ')} }`;
    }
    case 'pairs':
      return `Array<[${shapeType(s.key)}, ${shapeType(s.value)}]>`;
    case 'ref':
      return s.name;
    case 'map':
      return `Array<${shapeType(s.key) === shapeType(s.value) ? shapeType(s.key) : `${shapeType(s.key)} | ${shapeType(s.value)}`}> | Map<${shapeType(s.key)}, ${shapeType(s.value)}>`;
    case 'set':
      return `Array<${shapeType(s.of)}> | Set<${shapeType(s.of)}>`;
    case 'either':
      return [...new Set(s.of.flatMap((x) => unionMembers(shapeType(x))))].map((t) => (t.includes('=>') ? `(${t})` : t)).join(' | ');
    case 'custom':
      return s.ts;
  }
}

/** The members of a union type text at its top level (`A | Array<B | C>` → A, Array<B | C>), so `either` can drop duplicates. */
function unionMembers(t: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if ('<([{'.includes(ch)) depth++;
    else if ('>)]}'.includes(ch) && t[i - 1] !== '=') depth--;
    else if (depth === 0 && t.startsWith(' | ', i)) {
      out.push(t.slice(start, i));
      start = i + 3;
    }
  }
  out.push(t.slice(start));
  return out;
}

const propName = (k: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : `'${k}'`);

/** Every named shape `s` refers to, by name (the generator prints one type alias each). */
export function shapeRefs(s: Shape, out = new Map<string, Shape>()): Map<string, Shape> {
  switch (s.t) {
    case 'ref':
      if (!out.has(s.name)) {
        out.set(s.name, s.get());
        shapeRefs(s.get(), out);
      }
      break;
    case 'nullable':
    case 'array':
    case 'set':
      shapeRefs(s.of, out);
      break;
    case 'tuple':
      for (const x of s.of) shapeRefs(x, out);
      if (s.rest !== undefined) shapeRefs(s.rest, out);
      break;
    case 'either':
      for (const x of s.of) shapeRefs(x, out);
      break;
    case 'map':
    case 'pairs':
      shapeRefs(s.key, out);
      shapeRefs(s.value, out);
      break;
    case 'record':
      for (const x of Object.values(s.fields)) shapeRefs(x, out);
      if (s.rest !== undefined) shapeRefs(s.rest.of, out);
      break;
    default:
      break;
  }
  return out;
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
    case 'tuple': {
      const rest = s.rest;
      if (!Array.isArray(v) || (rest === undefined ? v.length !== s.of.length : v.length < s.of.length)) return bad(`an array of ${s.of.length}${rest === undefined ? '' : ' or more'}`);
      return first(v.map((x, i) => shapeMismatch(i < s.of.length ? s.of[i]! : rest!, x, protocol, `${at}[${i}]`)));
    }
    case 'lit':
      return (isStr(v) && String(v) === s.value) ? null : bad(`'${s.value}'`);
    case 'record': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Map || Buffer.isBuffer(v)) return bad('a plain object (record)');
      const o = v as Record<string, unknown>;
      const out: Array<string | null> = [];
      for (const [k, x] of Object.entries(s.fields)) {
        if (!(k in o)) {
          if (!s.optional.includes(k)) out.push(`${at}.${k}: missing`);
          continue;
        }
        out.push(shapeMismatch(x, o[k], protocol, `${at}.${k}`));
      }
      for (const k of Object.keys(o)) {
        if (k in s.fields) continue;
        if (s.rest !== undefined && k.startsWith(s.rest.prefix)) out.push(shapeMismatch(s.rest.of, o[k], protocol, `${at}.${k}`));
        else out.push(`${at}.${k}: not declared`);
      }
      return first(out);
    }
    case 'pairs':
      if (!Array.isArray(v)) return bad('an array of pairs');
      return first(
        v.map((p, i) =>
          Array.isArray(p) && p.length === 2
            ? (shapeMismatch(s.key, p[0], protocol, `${at}[${i}][0]`) ?? shapeMismatch(s.value, p[1], protocol, `${at}[${i}][1]`))
            : `${at}[${i}]: expected a [key, value] pair, got ${describe(p)}`,
        ),
      );
    case 'ref':
      return shapeMismatch(s.get(), v, protocol, at);
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

// ---- reshaping ----

/** Turns a reply as the protocol gives it into the declared form. */
export type Reshaper = (v: unknown) => unknown;

const reshapers = new WeakMap<Shape, Reshaper | null>();

/**
 * The reshaper a shape implies, or undefined when the reply is already in
 * its declared form (strings, numbers, arrays of them, maps and sets as the
 * protocol gives them). Built once per shape; the result is a plain
 * function of the reply, so reshaping allocates no closure per reply.
 */
export function reshaperOf(s: Shape): Reshaper | undefined {
  const known = reshapers.get(s);
  if (known !== undefined) return known ?? undefined;
  // A ref may refer back to itself (COMMAND DOCS' arguments): mark it in progress, resolve lazily.
  if (s.t === 'ref') {
    let inner: Reshaper | undefined;
    let resolved = false;
    const lazy: Reshaper = (v) => {
      if (!resolved) {
        resolved = true;
        inner = reshaperOf(s.get());
      }
      return inner === undefined ? v : inner(v);
    };
    reshapers.set(s, lazy);
    const needs = needsReshape(s.get(), new Set([s]));
    reshapers.set(s, needs ? lazy : null);
    return needs ? lazy : undefined;
  }
  const r = build(s);
  reshapers.set(s, r ?? null);
  return r;
}

/** Whether any part of `s` changes the reply (text, record, pairs). */
function needsReshape(s: Shape, seen: Set<Shape>): boolean {
  switch (s.t) {
    case 'text':
    case 'record':
    case 'pairs':
      return true;
    case 'ref':
      if (seen.has(s)) return false;
      seen.add(s);
      return needsReshape(s.get(), seen);
    case 'nullable':
    case 'array':
    case 'set':
      return needsReshape(s.of, seen);
    case 'tuple':
      return s.of.some((x) => needsReshape(x, seen)) || (s.rest !== undefined && needsReshape(s.rest, seen));
    case 'either':
      return s.of.some((x) => needsReshape(x, seen));
    case 'map':
      return needsReshape(s.key, seen) || needsReshape(s.value, seen);
    default:
      return false;
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !(v instanceof Set) && !Buffer.isBuffer(v);

/** [k, v] entries of a RESP2 flat array, RESP3 Map, pairs array or object (what withReplyMapping may have made). */
function entriesOf(v: unknown): Array<[unknown, unknown]> | null {
  if (v instanceof Map) return [...v];
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => Array.isArray(x) && x.length === 2)) return v as Array<[unknown, unknown]>;
    const out: Array<[unknown, unknown]> = [];
    for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i], v[i + 1]]);
    return out;
  }
  if (isPlainObject(v)) return Object.entries(v);
  return null;
}

function build(s: Shape): Reshaper | undefined {
  if (!needsReshape(s, new Set())) return undefined;
  switch (s.t) {
    case 'text':
      return plainText;
    case 'nullable': {
      const r = reshaperOf(s.of)!;
      return (v) => (v === null ? v : r(v));
    }
    case 'array':
    case 'set': {
      const r = reshaperOf(s.of)!;
      return (v) => (Array.isArray(v) ? v.map(r) : v instanceof Set ? new Set([...v].map(r)) : v);
    }
    case 'tuple': {
      const rs = s.of.map(reshaperOf);
      const rest = s.rest === undefined ? undefined : reshaperOf(s.rest);
      return (v) => {
        if (!Array.isArray(v)) return v;
        return v.map((x, i) => {
          const r = i < rs.length ? rs[i] : rest;
          return r === undefined ? x : r(x);
        });
      };
    }
    case 'map': {
      const rk = reshaperOf(s.key);
      const rv = reshaperOf(s.value);
      const k: Reshaper = rk ?? ((x) => x);
      const x: Reshaper = rv ?? ((y) => y);
      return (v) => {
        if (v instanceof Map) return new Map([...v].map(([a, b]) => [k(a), x(b)]));
        if (Array.isArray(v)) return v.map((y, i) => (i % 2 === 0 ? k(y) : x(y)));
        return v;
      };
    }
    case 'either': {
      const alts = s.of.map((a) => [a, reshaperOf(a)] as const).filter(([, r]) => r !== undefined);
      return (v) => {
        for (const [a, r] of alts) if (looksLike(a, v)) return r!(v);
        return v;
      };
    }
    case 'record': {
      const rs = new Map<string, Reshaper>();
      for (const [k, x] of Object.entries(s.fields)) {
        const r = reshaperOf(x);
        if (r !== undefined) rs.set(k, r);
      }
      const restR = s.rest === undefined ? undefined : reshaperOf(s.rest.of);
      const prefix = s.rest?.prefix;
      return (v) => {
        const e = entriesOf(v);
        if (e === null) return v;
        const o: Record<string, unknown> = {};
        for (const [k, x] of e) {
          const key = String(k);
          const r = rs.get(key) ?? (prefix !== undefined && key.startsWith(prefix) ? restR : undefined);
          o[key] = r === undefined ? x : r(x);
        }
        return o;
      };
    }
    case 'pairs': {
      const rk = reshaperOf(s.key);
      const rv = reshaperOf(s.value);
      return (v) => {
        const e = entriesOf(v);
        if (e === null) return v;
        if (rk === undefined && rv === undefined) return e === v ? v : e;
        return e.map(([a, b]) => [rk === undefined ? a : rk(a), rv === undefined ? b : rv(b)]);
      };
    }
    default:
      return undefined;
  }
}

/** A quick guess, from the top level only, whether `v` is the wire form of `s` (which `either` branch to reshape by). */
function looksLike(s: Shape, v: unknown): boolean {
  switch (s.t) {
    case 'nullable':
      return v === null || looksLike(s.of, v);
    case 'record':
    case 'map':
      return v instanceof Map || Array.isArray(v) || isPlainObject(v);
    case 'pairs':
    case 'array':
    case 'tuple':
      return Array.isArray(v) || (s.t === 'pairs' && v instanceof Map);
    case 'set':
      return Array.isArray(v) || v instanceof Set;
    case 'text':
      return v instanceof VerbatimString || isStr(v);
    case 'ref':
      return looksLike(s.get(), v);
    default:
      return false;
  }
}
