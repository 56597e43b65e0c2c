/**
 * Property: any sequence of RESP3 values, encoded and cut at random points,
 * fed piece by piece (or appended to a ChainBuffer and read in place),
 * decodes to the same values.
 *
 * The encoder here is a deliberately naive test-only one, written from the
 * RESP3 spec, so the reader is checked against an independent writer.
 */
import { ChainBuffer } from '@reactor-ts/buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NativeBuilder } from './builders.js';
import { ReplyError } from './errors.js';
import { NEED_MORE, RespReader } from './reader.js';
import { PushFrame, VerbatimString, WithAttributes } from './values.js';

/** A RESP3 item: how it is written and what the native builder should make of it. */
type Model =
  | { k: 'simple'; s: string }
  | { k: 'error'; s: string; bulk: boolean }
  | { k: 'bulk'; s: string }
  | { k: 'nullbulk' }
  | { k: 'nullarray' }
  | { k: 'null' }
  | { k: 'int'; n: bigint }
  | { k: 'big'; n: bigint }
  | { k: 'double'; d: number }
  | { k: 'bool'; b: boolean }
  | { k: 'verbatim'; fmt: string; s: string }
  | { k: 'array' | 'set' | 'push'; items: Model[] }
  | { k: 'map'; pairs: Array<[Model, Model]> }
  | { k: 'attr'; pairs: Array<[Model, Model]>; value: Model };

const line = fc.string({ unit: 'grapheme', maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'grapheme-ascii', maxLength: 200 }));
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

const scalar: fc.Arbitrary<Model> = fc.oneof(
  line.map((s) => ({ k: 'simple' as const, s })),
  fc.tuple(line, fc.boolean()).map(([s, bulk]) => ({ k: 'error' as const, s, bulk })),
  text.map((s) => ({ k: 'bulk' as const, s })),
  fc.constantFrom<Model>({ k: 'nullbulk' }, { k: 'nullarray' }, { k: 'null' }),
  fc.oneof(fc.integer().map(BigInt), int64).map((n) => ({ k: 'int' as const, n })),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((n) => ({ k: 'big' as const, n })),
  fc.double().map((d) => ({ k: 'double' as const, d })),
  fc.boolean().map((b) => ({ k: 'bool' as const, b })),
  fc
    .tuple(fc.constantFrom('txt', 'mkd'), text)
    .map(([fmt, s]) => ({ k: 'verbatim' as const, fmt, s })),
);

const { tree } = fc.letrec<{ tree: Model }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 5 }).map((items) => ({ k: 'array' as const, items })),
    fc.array(scalar, { maxLength: 5 }).map((items) => ({ k: 'set' as const, items })),
    fc.array(fc.tuple(scalar, tie('tree')), { maxLength: 4 }).map((pairs) => ({ k: 'map' as const, pairs })),
    fc
      .tuple(fc.array(fc.tuple(scalar, scalar), { maxLength: 2 }), tie('tree'))
      .map(([pairs, value]) => ({ k: 'attr' as const, pairs, value })),
  ),
}));
const topLevel = fc.oneof(
  { weight: 5, arbitrary: tree },
  { weight: 1, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 4 }).map((items) => ({ k: 'push' as const, items })) },
);

function encode(m: Model, out: Buffer[]): void {
  const put = (s: string): void => {
    out.push(Buffer.from(s));
  };
  const blob = (type: string, body: Buffer) => {
    put(`${type}${body.length}\r\n`);
    out.push(body);
    put('\r\n');
  };
  const agg = (type: string, n: number, items: Model[]) => {
    put(`${type}${n}\r\n`);
    for (const i of items) encode(i, out);
  };
  switch (m.k) {
    case 'simple':
      return put(`+${m.s}\r\n`);
    case 'error':
      return m.bulk ? blob('!', Buffer.from(m.s)) : put(`-${m.s}\r\n`);
    case 'bulk':
      return blob('$', Buffer.from(m.s));
    case 'nullbulk':
      return put('$-1\r\n');
    case 'nullarray':
      return put('*-1\r\n');
    case 'null':
      return put('_\r\n');
    case 'int':
      return put(`:${m.n}\r\n`);
    case 'big':
      return put(`(${m.n}\r\n`);
    case 'double': {
      const d = m.d;
      const t = Number.isNaN(d) ? 'nan' : d === Infinity ? 'inf' : d === -Infinity ? '-inf' : Object.is(d, -0) ? '-0' : String(d);
      return put(`,${t}\r\n`);
    }
    case 'bool':
      return put(`#${m.b ? 't' : 'f'}\r\n`);
    case 'verbatim':
      return blob('=', Buffer.from(`${m.fmt}:${m.s}`));
    case 'array':
      return agg('*', m.items.length, m.items);
    case 'set':
      return agg('~', m.items.length, m.items);
    case 'push':
      return agg('>', m.items.length, m.items);
    case 'map':
      return agg('%', m.pairs.length, m.pairs.flat());
    case 'attr':
      agg('|', m.pairs.length, m.pairs.flat());
      return encode(m.value, out);
  }
}

function expected(m: Model): unknown {
  switch (m.k) {
    case 'simple':
    case 'bulk':
      return m.s;
    case 'error':
      return new ReplyError(m.s);
    case 'nullbulk':
    case 'nullarray':
    case 'null':
      return null;
    case 'int':
      return m.n >= BigInt(Number.MIN_SAFE_INTEGER) && m.n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(m.n) : m.n;
    case 'big':
      return m.n;
    case 'double':
      return m.d;
    case 'bool':
      return m.b;
    case 'verbatim':
      return new VerbatimString(m.fmt, m.s);
    case 'array':
      return m.items.map(expected);
    case 'set':
      return new Set(m.items.map(expected));
    case 'push':
      return new PushFrame(m.items.map(expected));
    case 'map':
      return new Map(m.pairs.map(([k, v]) => [expected(k), expected(v)]));
    case 'attr': {
      // Consecutive attribute blocks annotate the same value: they merge.
      let pairs = m.pairs;
      let value = m.value;
      while (value.k === 'attr') {
        pairs = pairs.concat(value.pairs);
        value = value.value;
      }
      return new WithAttributes(expected(value), new Map(pairs.map(([k, v]) => [expected(k), expected(v)])));
    }
  }
}

/** Errors compare by message: toEqual would otherwise look at stacks. */
function comparable(v: unknown): unknown {
  if (v instanceof ReplyError) return { replyError: v.message, code: v.code };
  if (Array.isArray(v)) return v.map(comparable);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [comparable(k), comparable(x)]));
  if (v instanceof Set) return new Set([...v].map(comparable));
  if (v instanceof PushFrame) return new PushFrame(v.items.map(comparable));
  if (v instanceof WithAttributes) return new WithAttributes(comparable(v.value), comparable(v.attributes) as Map<unknown, unknown>);
  return v;
}

function cut(wire: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, wire.length]) {
    pieces.push(wire.subarray(prev, p));
    prev = p;
  }
  return pieces;
}

describe('RespReader property: encode → cut → feed → same values', () => {
  it('feed() and getReply()', () => {
    fc.assert(
      fc.property(fc.array(topLevel, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 30 }), (values, cuts) => {
        const parts: Buffer[] = [];
        for (const v of values) encode(v, parts);
        const wire = Buffer.concat(parts);
        const r = new RespReader();
        const got: unknown[] = [];
        for (const piece of cut(wire, cuts)) {
          r.feed(piece);
          for (let x = r.getReply(); x !== NEED_MORE; x = r.getReply()) got.push(x);
        }
        expect(comparable(got)).toEqual(comparable(values.map(expected)));
      }),
      { numRuns: 1500 },
    );
  });

  it('a ChainBuffer read in place with getReplyFrom()', () => {
    fc.assert(
      fc.property(
        fc.array(topLevel, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        (values, cuts, chunkSize, byReference) => {
          const parts: Buffer[] = [];
          for (const v of values) encode(v, parts);
          const wire = Buffer.concat(parts);
          const chain = new ChainBuffer({ chunkSize });
          const r = new RespReader();
          const got: unknown[] = [];
          for (const piece of cut(wire, cuts)) {
            if (byReference) chain.addReference(piece);
            else chain.add(piece);
            for (let x = r.getReplyFrom(chain); x !== NEED_MORE; x = r.getReplyFrom(chain)) got.push(x);
          }
          expect(comparable(got)).toEqual(comparable(values.map(expected)));
          expect(chain.length).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** Arrays, integers and strings, as the whole-reply fast path reads them; written by hand so that they can be odd. */
const { plain } = fc.letrec<{ plain: string }>((tie) => ({
  plain: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -1e16, max: 1e16 }).map((n) => `:${n}\r\n`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`),
    fc.string({ unit: 'grapheme-ascii', maxLength: 12 }).map((s) => `+${s}\r\n`),
    fc.constantFrom('$-1\r\n', '*-1\r\n', '_\r\n', '#t\r\n', '$0\r\n\r\n', '*0\r\n', '%1\r\n:1\r\n:2\r\n'),
    fc.array(tie('plain'), { maxLength: 6 }).map((items) => `*${items.length}\r\n${items.join('')}`),
  ),
}));

/** What a reader makes of `pieces`: its values, then its ProtocolError if any. */
function readAll(opts: ConstructorParameters<typeof RespReader>[0], pieces: Buffer[]): unknown[] {
  const r = new RespReader(opts);
  const got: unknown[] = [];
  try {
    for (const piece of pieces) {
      r.feed(piece);
      for (let x = r.getReply(); x !== NEED_MORE; x = r.getReply()) got.push(x);
    }
  } catch (err) {
    const e = err as { message: string; offset: number; byte: number | undefined };
    got.push({ error: e.message, offset: e.offset, byte: e.byte });
  }
  return got;
}

describe('RespReader property: fast paths agree with the general path', () => {
  // A NativeBuilder passed as a custom builder turns every fast path off.
  it('the native builder reads as the same builder passed as a custom one, errors and limits included', () => {
    fc.assert(
      fc.property(
        fc.array(plain, { minLength: 1, maxLength: 4 }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('\r', '\n', '-', 'x', '*', '$', ':', '+', '0', '9')), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.record({
          stringMode: fc.constantFrom<'string' | 'buffer'>('string', 'buffer'),
          maxDepth: fc.integer({ min: 0, max: 4 }),
          maxLineLength: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 20 })),
          maxBulkLength: fc.integer({ min: 0, max: 12 }),
          maxAggregateLength: fc.integer({ min: 0, max: 6 }),
        }),
        (replies, mutation, cuts, opts) => {
          const wire = Buffer.from(replies.join(''));
          if (mutation !== undefined) wire[mutation[0] % wire.length] = mutation[1].charCodeAt(0);
          const pieces = cut(wire, cuts);
          const general = new NativeBuilder({ stringMode: opts.stringMode });
          expect(readAll(opts, pieces)).toEqual(readAll({ ...opts, builder: general }, pieces));
        },
      ),
      { numRuns: 3000 },
    );
  });

  // getReply reads a top-level integer by words only with 64 bytes of room in
  // the chunk: bursts long enough for that, every digit count and sign, line
  // limits below and above the word reader's 9-byte lines, one byte replaced.
  it('integer bursts read by words agree with the general path, limits and broken bytes included', () => {
    const integer = fc
      .tuple(fc.constantFrom('', '-', '+'), fc.integer({ min: 0, max: 12 }), fc.nat())
      .map(([sign, digits, seed]) => `:${sign}${digits === 0 ? '' : String(seed).padStart(digits, '7').slice(-digits)}\r\n`);
    fc.assert(
      fc.property(
        fc.array(fc.oneof({ weight: 4, arbitrary: integer }, { weight: 1, arbitrary: plain }), { minLength: 8, maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(), fc.constantFrom('\r', '\n', '-', 'x', ':', '/', '0', '9', '\xff')), { nil: undefined }),
        fc.array(fc.nat(), { maxLength: 2 }),
        fc.record({
          stringMode: fc.constantFrom<'string' | 'buffer'>('string', 'buffer'),
          maxLineLength: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
        }),
        (replies, mutation, cuts, opts) => {
          const wire = Buffer.from(replies.join(''), 'latin1');
          if (mutation !== undefined) wire[mutation[0] % wire.length] = mutation[1].charCodeAt(0);
          const pieces = cut(wire, cuts);
          const general = new NativeBuilder({ stringMode: opts.stringMode });
          expect(readAll(opts, pieces)).toEqual(readAll({ ...opts, builder: general }, pieces));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/** Bad and odd streams, and limits small enough to be reached, for the chunking property. */
const BAD_INPUTS = [
  ':\r\n', ':x\r\n', ':-\r\n', ':+\r\n', ':12a\r\n', ':1\rx', ':1\n', ':9223372036854775808\r\n',
  '$\r\n', '$-2\r\n', '$-1\rX', '$-12\r\n', '$99999999999999999999\r\n', '$1\r\nab\r\n', '$1\r\na\rb', '$0+xxx\r\n',
  '*-5\r\n', '%-1\r\n', '*1\rx', '*2\r\n:1\r\n@\r\n', '#x\r\n', '#tt\r\n', ',\r\n', ',1.2.3x\r\n', '_x\r\n',
  '(12a\r\n', '(\r\n', '+OK\rx', '+OK\nx', '-ERR\rx', '=3\r\ntxt\r\n', '=5\r\ntxt-a\r\n', '&\r\n', '!2\r\nab\rX',
];

describe('RespReader property: errors do not depend on the chunking', () => {
  it('every cut of a bad stream ends in the same values and the same ProtocolError (offset, byte, message)', () => {
    const stream = fc.oneof(
      fc.tuple(fc.array(plain, { maxLength: 3 }), fc.constantFrom(...BAD_INPUTS)).map(([ok, bad]) => ok.join('') + bad),
      // A good stream with one byte replaced: whatever error that makes.
      fc
        .tuple(fc.array(plain, { minLength: 1, maxLength: 4 }), fc.nat(), fc.constantFrom('\r', '\n', '-', '+', 'x', '*', '$', ':', '0', '9'))
        .map(([replies, at, c]) => {
          const wire = replies.join('');
          const i = at % wire.length;
          return wire.slice(0, i) + c + wire.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(
        stream,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.record({
          stringMode: fc.constantFrom<'string' | 'buffer'>('string', 'buffer'),
          maxLineLength: fc.option(fc.integer({ min: 0, max: 24 }), { nil: undefined }),
          maxBulkLength: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }),
          maxDepth: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
        }),
        (text, cuts, opts) => {
          const wire = Buffer.from(text, 'latin1');
          const whole = readAll(opts, [wire]);
          expect(readAll(opts, cut(wire, cuts))).toEqual(whole);
          expect(readAll(opts, [...wire].map((c) => Buffer.from([c])))).toEqual(whole);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
