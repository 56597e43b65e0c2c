import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ChainBuffer } from '@reactor-ts/buffer';
import { NEED_MORE, RespReader } from './reader.js';
import { encodeReply, encodeReplyInto } from './encode-reply.js';
import { ReplyError } from './errors.js';
import { NULL_ARRAY, PushFrame, RespDouble, SimpleString, VerbatimString, WithAttributes } from './values.js';

const r2 = (v: unknown): string => encodeReply(v, { protocol: 2 }).toString('latin1');
const r3 = (v: unknown): string => encodeReply(v, { protocol: 3 }).toString('latin1');

describe('encodeReply: scalars', () => {
  it('simple strings, sanitising CR/LF as Redis does', () => {
    expect(r3(new SimpleString('OK'))).toBe('+OK\r\n');
    expect(r2(new SimpleString('OK'))).toBe('+OK\r\n');
    expect(r3(new SimpleString('a\r\nb'))).toBe('+a  b\r\n');
    expect(r3(new SimpleString(''))).toBe('+\r\n');
  });

  it('bulk strings from strings and bytes', () => {
    expect(r3('hello')).toBe('$5\r\nhello\r\n');
    expect(r2('')).toBe('$0\r\n\r\n');
    expect(r3('é')).toBe('$2\r\n\xc3\xa9\r\n');
    expect(r3(Buffer.from([0, 13, 10, 255]))).toBe('$4\r\n\x00\r\n\xff\r\n');
    expect(r3(new Uint8Array([65]))).toBe('$1\r\nA\r\n');
    expect(r2('a\r\nb')).toBe('$4\r\na\r\nb\r\n');
  });

  it('integers', () => {
    expect(r3(0)).toBe(':0\r\n');
    expect(r2(-42)).toBe(':-42\r\n');
    expect(r3(Number.MAX_SAFE_INTEGER)).toBe(':9007199254740991\r\n');
    expect(r3(Number.MIN_SAFE_INTEGER)).toBe(':-9007199254740991\r\n');
    expect(r3(-0)).toBe(':0\r\n');
  });

  it('doubles in RESP3, bulk strings in RESP2', () => {
    expect(r3(1.5)).toBe(',1.5\r\n');
    expect(r3(new RespDouble(2))).toBe(',2\r\n');
    expect(r3(Infinity)).toBe(',inf\r\n');
    expect(r3(-Infinity)).toBe(',-inf\r\n');
    expect(r3(NaN)).toBe(',nan\r\n');
    expect(r3(new RespDouble(-0))).toBe(',-0\r\n');
    expect(r3(1e300)).toBe(',1e+300\r\n');
    expect(r3(2 ** 60)).toBe(',1152921504606847000\r\n'); // past 2^53: a double, not a lying integer
    expect(r2(1.5)).toBe('$3\r\n1.5\r\n');
    expect(r2(Infinity)).toBe('$3\r\ninf\r\n');
    expect(r2(new RespDouble(-Infinity))).toBe('$4\r\n-inf\r\n');
    expect(r2(NaN)).toBe('$3\r\nnan\r\n');
  });

  it('booleans', () => {
    expect(r3(true)).toBe('#t\r\n');
    expect(r3(false)).toBe('#f\r\n');
    expect(r2(true)).toBe(':1\r\n');
    expect(r2(false)).toBe(':0\r\n');
  });

  it('bigints: integers within int64 in both protocols (as Redis sends INCR), big numbers past it', () => {
    expect(r3(123n)).toBe(':123\r\n');
    expect(r3(9007199254740993n)).toBe(':9007199254740993\r\n');
    expect(r2(9007199254740993n)).toBe(':9007199254740993\r\n');
    expect(r3(2n ** 63n - 1n)).toBe(':9223372036854775807\r\n');
    expect(r3(-(2n ** 63n))).toBe(':-9223372036854775808\r\n');
    expect(r3(2n ** 63n)).toBe('(9223372036854775808\r\n');
    expect(r3(-(2n ** 63n) - 1n)).toBe('(-9223372036854775809\r\n');
    expect(r3(-(2n ** 100n))).toBe('(-1267650600228229401496703205376\r\n');
    expect(r2(2n ** 63n - 1n)).toBe(':9223372036854775807\r\n');
    expect(r2(-(2n ** 63n))).toBe(':-9223372036854775808\r\n');
    expect(r2(2n ** 63n)).toBe('$19\r\n9223372036854775808\r\n');
  });

  it('NULL_ARRAY: *-1 in RESP2, _ in RESP3, also inside arrays', () => {
    expect(r2(NULL_ARRAY)).toBe('*-1\r\n');
    expect(r3(NULL_ARRAY)).toBe('_\r\n');
    expect(r2([1, NULL_ARRAY, null])).toBe('*3\r\n:1\r\n*-1\r\n$-1\r\n');
    expect(() => r2(Symbol('other'))).toThrow(TypeError);
  });

  it('bigints past 2^53 read back as bigints in both protocols (or strings, by option)', () => {
    for (const protocol of [2, 3] as const) {
      for (const v of [9007199254740993n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 63n, -(2n ** 100n)]) {
        const wire = encodeReply(v, { protocol });
        const big = new RespReader();
        big.feed(wire);
        // RESP2 has no integer past int64: Redis's bulk string reads back as text
        expect(big.getReply()).toEqual(protocol === 2 && (v > 2n ** 63n - 1n || v < -(2n ** 63n)) ? v.toString() : v);
        const str = new RespReader({ largeIntegers: 'string' });
        str.feed(wire);
        expect(str.getReply()).toBe(v.toString());
      }
    }
    const small = new RespReader();
    small.feed(encodeReply(42n, { protocol: 3 }));
    expect(small.getReply()).toBe(42); // within 2^53: a number
  });

  it('NULL_ARRAY reads back as null (the reader has one null)', () => {
    const reader = new RespReader();
    reader.feed(encodeReply(NULL_ARRAY, { protocol: 2 }));
    expect(reader.getReply()).toBe(null);
  });

  it('null and undefined', () => {
    expect(r3(null)).toBe('_\r\n');
    expect(r3(undefined)).toBe('_\r\n');
    expect(r2(null)).toBe('$-1\r\n');
    expect(r2(undefined)).toBe('$-1\r\n');
  });

  it('errors: simple, blob in RESP3 when multi-line, sanitised in RESP2', () => {
    expect(r3(new ReplyError('ERR unknown command'))).toBe('-ERR unknown command\r\n');
    expect(r2(new ReplyError('WRONGTYPE Operation'))).toBe('-WRONGTYPE Operation\r\n');
    expect(r3(new ReplyError('ERR a\r\nb'))).toBe('!8\r\nERR a\r\nb\r\n');
    expect(r2(new ReplyError('ERR a\r\nb'))).toBe('-ERR a  b\r\n');
    expect(r2(new ReplyError('ERR a\nb'))).toBe('-ERR a b\r\n');
  });

  it('verbatim strings', () => {
    expect(r3(new VerbatimString('txt', 'Some string'))).toBe('=15\r\ntxt:Some string\r\n');
    expect(r3(new VerbatimString('mkd', Buffer.from('é')))).toBe('=6\r\nmkd:\xc3\xa9\r\n');
    expect(r2(new VerbatimString('txt', 'Some string'))).toBe('$11\r\nSome string\r\n');
    expect(() => r3(new VerbatimString('text', 'x'))).toThrow(/format must be 3 bytes/);
  });
});

describe('encodeReply: aggregates', () => {
  it('arrays, empty and nested', () => {
    expect(r3([])).toBe('*0\r\n');
    expect(r3([1, 'a', null])).toBe('*3\r\n:1\r\n$1\r\na\r\n_\r\n');
    expect(r2([1, 'a', null])).toBe('*3\r\n:1\r\n$1\r\na\r\n$-1\r\n');
    expect(r3([[1], [[2]]])).toBe('*2\r\n*1\r\n:1\r\n*1\r\n*1\r\n:2\r\n');
  });

  it('maps and plain objects: % in RESP3, flat * in RESP2', () => {
    const m = new Map<unknown, unknown>([
      ['first', 1],
      [2, true],
    ]);
    expect(r3(m)).toBe('%2\r\n$5\r\nfirst\r\n:1\r\n:2\r\n#t\r\n');
    expect(r2(m)).toBe('*4\r\n$5\r\nfirst\r\n:1\r\n:2\r\n:1\r\n');
    expect(r3({ a: 'x', b: [1] })).toBe('%2\r\n$1\r\na\r\n$1\r\nx\r\n$1\r\nb\r\n*1\r\n:1\r\n');
    expect(r2({ a: 'x' })).toBe('*2\r\n$1\r\na\r\n$1\r\nx\r\n');
    expect(r3(Object.create(null) as object)).toBe('%0\r\n');
  });

  it('sets: ~ in RESP3, * in RESP2', () => {
    expect(r3(new Set(['a', 1]))).toBe('~2\r\n$1\r\na\r\n:1\r\n');
    expect(r2(new Set(['a', 1]))).toBe('*2\r\n$1\r\na\r\n:1\r\n');
  });

  it('push frames: > in RESP3, * in RESP2', () => {
    const p = new PushFrame(['message', 'chan', 'hi']);
    expect(r3(p)).toBe('>3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nhi\r\n');
    expect(r2(p)).toBe('*3\r\n$7\r\nmessage\r\n$4\r\nchan\r\n$2\r\nhi\r\n');
  });

  it('attributes precede their value in RESP3 and vanish in RESP2', () => {
    const v = new WithAttributes([1, 2], new Map([['ttl', 3600]]));
    expect(r3(v)).toBe('|1\r\n$3\r\nttl\r\n:3600\r\n*2\r\n:1\r\n:2\r\n');
    expect(r2(v)).toBe('*2\r\n:1\r\n:2\r\n');
    expect(r3([v])).toBe('*1\r\n|1\r\n$3\r\nttl\r\n:3600\r\n*2\r\n:1\r\n:2\r\n');
  });

  it('defaults to RESP2, as a fresh Redis connection', () => {
    expect(encodeReply(new Map([['a', 1]])).toString()).toBe('*2\r\n$1\r\na\r\n:1\r\n');
    expect(encodeReply(null).toString()).toBe('$-1\r\n');
  });
});

describe('encodeReply: refusals', () => {
  it('unsupported values are TypeErrors', () => {
    for (const bad of [new Date(), () => 1, Symbol('s'), new (class Foo {})(), new Error('plain')]) {
      expect(() => encodeReply(bad)).toThrow(TypeError);
    }
    expect(() => encodeReply([new Date()])).toThrow(/cannot encode a Date/);
  });

  it('cycles and over-deep nesting are RangeErrors, and the encoder still works after', () => {
    const a: unknown[] = [];
    a.push(a);
    expect(() => encodeReply(a)).toThrow(RangeError);
    let deep: unknown = 1;
    for (let i = 0; i < 1024; i++) deep = [deep];
    expect(() => encodeReply(deep)).not.toThrow();
    expect(() => encodeReply([deep])).toThrow(/nesting deeper than 1024/);
    expect(r3('ok')).toBe('$2\r\nok\r\n');
  });
});

describe('encodeReplyInto', () => {
  it('writes the same bytes as encodeReply into a ChainBuffer', () => {
    const values: unknown[] = [
      new SimpleString('OK'),
      'x'.repeat(100_000),
      Buffer.alloc(40_000, 7),
      ['é'.repeat(20_000), new Map([[1, new Set([2.5])]])],
      new ReplyError('ERR x\ny'),
      new VerbatimString('txt', 'y'.repeat(50_000)),
      Array.from({ length: 5000 }, (_, i) => i),
    ];
    for (const protocol of [2, 3] as const) {
      const chain = new ChainBuffer();
      const expected: Buffer[] = [];
      for (const v of values) {
        encodeReplyInto(chain, v, { protocol });
        expected.push(encodeReply(v, { protocol }));
      }
      const all = Buffer.concat(expected);
      expect(chain.length).toBe(all.length);
      expect(chain.remove(chain.length).equals(all)).toBe(true);
    }
  });

  it('a big reply does not keep a big scratch', () => {
    const big = encodeReply(['z'.repeat(3_000_000)]);
    expect(big.length).toBe(3_000_000 + 16);
    expect(r3([1])).toBe('*1\r\n:1\r\n');
  });
});

describe('encodeReply → RespReader round trip', () => {
  // Values in the form the native builder returns, so decode(encode(v)) must equal v.
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ unit: 'grapheme', maxLength: 30 }),
      fc.integer(),
      fc.double().filter((d) => !Object.is(d, -0)),
      fc.boolean(),
      // a bigint within 2^53 is sent `:` and reads back as a number
      fc.bigInt().filter((b) => b > BigInt(Number.MAX_SAFE_INTEGER) || b < BigInt(Number.MIN_SAFE_INTEGER)),
      fc.constant(null),
      fc.string({ maxLength: 30 }).map((m) => new ReplyError(m)),
      fc.string({ maxLength: 30 }).map((t) => new VerbatimString('txt', t)),
      fc.array(tie('value'), { maxLength: 5 }),
      fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 4 }).map((pairs) => new Map(pairs)),
      fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
      fc.array(tie('value'), { maxLength: 4 }).map((items) => new PushFrame(items)),
    ),
  }));

  it('any tree of values, encoded (RESP3) and cut at random points, reads back the same', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 10 }), (values, seeds) => {
        const wire = Buffer.concat(values.map((v) => encodeReply(v, { protocol: 3 })));
        const cuts = [...new Set(seeds.map((s) => s % (wire.length + 1)))].sort((a, b) => a - b);
        const reader = new RespReader();
        const got: unknown[] = [];
        let prev = 0;
        for (const cut of [...cuts, wire.length]) {
          reader.feed(wire.subarray(prev, cut));
          prev = cut;
          for (let r = reader.getReply(); r !== NEED_MORE; r = reader.getReply()) got.push(r);
        }
        expect(got).toEqual(values);
      }),
      { numRuns: 400 },
    );
  });

  it('RESP2 output is readable too (degraded types)', () => {
    fc.assert(
      fc.property(value, (v) => {
        const reader = new RespReader();
        reader.feed(encodeReply(v, { protocol: 2 }));
        expect(reader.getReply()).not.toBe(NEED_MORE);
        expect(reader.getReply()).toBe(NEED_MORE);
      }),
      { numRuns: 300 },
    );
  });
});

describe('encodeReplyInto: failures', () => {
  it('a small reply with an unencodable value queues nothing', () => {
    const chain = new ChainBuffer();
    expect(() => encodeReplyInto(chain, ['ok', new Date()], { protocol: 3 })).toThrow(TypeError);
    expect(chain.length).toBe(0);
    encodeReplyInto(chain, 'next', { protocol: 3 });
    expect(chain.remove(chain.length).toString()).toBe('$4\r\nnext\r\n');
  });
});

const r3redis = (v: unknown): string => encodeReply(v, { protocol: 3, doubleFormat: 'redis' }).toString('latin1');
const r2redis = (v: unknown): string => encodeReply(v, { protocol: 2, doubleFormat: 'redis' }).toString('latin1');

describe("doubleFormat: 'redis' (%.17g, as Redis 7.0)", () => {
  it('in RESP3 a double, in RESP2 a bulk string, as Redis 7.0 sends ZSCORE', () => {
    expect(r3redis(0.1)).toBe(',0.10000000000000001\r\n');
    expect(r2redis(0.1)).toBe('$19\r\n0.10000000000000001\r\n');
    expect(r3redis(new RespDouble(3))).toBe(',3\r\n');
    expect(r3redis(1e20)).toBe(',1e+20\r\n');
    expect(r3redis(Infinity)).toBe(',inf\r\n');
    expect(r2redis(-Infinity)).toBe('$4\r\n-inf\r\n');
    expect(r3redis(NaN)).toBe(',nan\r\n');
    expect(r3redis([1.5, 7])).toBe('*2\r\n,1.5\r\n:7\r\n'); // integers stay integers
    expect(r3(0.1)).toBe(',0.1\r\n'); // default: shortest
  });

  it('reads back as the same double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const reader = new RespReader();
        reader.feed(encodeReply(new RespDouble(x), { protocol: 3, doubleFormat: 'redis' }));
        expect(Object.is(reader.getReply(), x)).toBe(true);
      }),
    );
  });
});
