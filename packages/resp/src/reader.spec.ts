import { ChainBuffer } from '@reactor-ts/buffer';
import { describe, expect, it } from 'vitest';
import { NativeBuilder, RespType, type ReplyBuilder } from './builders.js';
import { ProtocolError, ReplyError } from './errors.js';
import { NEED_MORE, RespReader, type RespReaderOptions } from './reader.js';
import {
  REDIS_REPLY_ARRAY,
  REDIS_REPLY_ATTR,
  REDIS_REPLY_BIGNUM,
  REDIS_REPLY_BOOL,
  REDIS_REPLY_DOUBLE,
  REDIS_REPLY_ERROR,
  REDIS_REPLY_INTEGER,
  REDIS_REPLY_MAP,
  REDIS_REPLY_NIL,
  REDIS_REPLY_PUSH,
  REDIS_REPLY_SET,
  REDIS_REPLY_STATUS,
  REDIS_REPLY_STRING,
  REDIS_REPLY_VERB,
  type RedisReply,
} from './reply.js';
import { PushFrame, VerbatimString, WithAttributes } from './values.js';

/** Every reply in `wire`, fed whole. */
function readAll(wire: string | Buffer, opts?: RespReaderOptions): unknown[] {
  const r = new RespReader(opts);
  r.feed(typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire);
  const out: unknown[] = [];
  for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) out.push(v);
  return out;
}

/** The single reply in `wire`, checking it decodes the same fed byte by byte. */
function one(wire: string | Buffer, opts?: RespReaderOptions): unknown {
  const bytes = typeof wire === 'string' ? Buffer.from(wire, 'latin1') : wire;
  const whole = readAll(bytes, opts);
  expect(whole).toHaveLength(1);
  const r = new RespReader(opts);
  let got: unknown = NEED_MORE;
  for (let i = 0; i < bytes.length; i++) {
    expect(got).toBe(NEED_MORE);
    r.feed(bytes.subarray(i, i + 1));
    got = r.getReply();
  }
  expect(got).toEqual(whole[0]);
  expect(r.getReply()).toBe(NEED_MORE);
  return whole[0];
}

/** The ProtocolError `wire` produces (fed whole). */
function protocolError(wire: string | Buffer, opts?: RespReaderOptions): ProtocolError {
  try {
    readAll(wire, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('no ProtocolError');
}

describe('RespReader: RESP2 types (native builder)', () => {
  it('simple strings, errors, integers, bulks, arrays', () => {
    expect(one('+OK\r\n')).toBe('OK');
    expect(one('+\r\n')).toBe('');
    const e = one('-WRONGTYPE Operation against a key\r\n');
    expect(e).toBeInstanceOf(ReplyError);
    expect((e as ReplyError).message).toBe('WRONGTYPE Operation against a key');
    expect((e as ReplyError).code).toBe('WRONGTYPE');
    expect(one(':0\r\n')).toBe(0);
    expect(one(':-42\r\n')).toBe(-42);
    expect(Object.is(one(':-0\r\n'), 0)).toBe(true);
    expect(one(':9007199254740991\r\n')).toBe(9007199254740991);
    expect(one('$5\r\nhello\r\n')).toBe('hello');
    expect(one('$0\r\n\r\n')).toBe('');
    expect(one('$4\r\na\r\nb\r\n')).toBe('a\r\nb');
    expect(one('*3\r\n:1\r\n$1\r\nx\r\n*1\r\n+y\r\n')).toEqual([1, 'x', ['y']]);
    expect(one('*0\r\n')).toEqual([]);
  });

  it('long arrays of bulks and integers (the fill fast path), with odd elements between', () => {
    const wire = '*10\r\n$1\r\na\r\n:-12\r\n$-1\r\n$0\r\n\r\n:9007199254740993\r\n+s\r\n$3\r\nxyz\r\n:0\r\n*1\r\n:5\r\n$2\r\nok\r\n';
    expect(one(wire)).toEqual(['a', -12, null, '', 9007199254740993n, 's', 'xyz', 0, [5], 'ok']);
    expect(one(wire, { returnBuffers: true })).toEqual([
      Buffer.from('a'), -12, null, Buffer.alloc(0), 9007199254740993n, Buffer.from('s'), Buffer.from('xyz'), 0, [5], Buffer.from('ok'),
    ]);
    const h = one(wire, { builder: 'hiredis' }) as RedisReply;
    expect(h.element.map((e) => (e.type === REDIS_REPLY_NIL ? null : (e.str ?? e.integer)))).toEqual([
      'a', -12, null, '', 9007199254740993n, 's', 'xyz', 0, 0, 'ok',
    ]);
    expect(protocolError('*5\r\n:1\r\n:2\r\n$1\r\nab\r\n').offset).toBe(17);
    expect(protocolError('*5\r\n:1\r\n:2x\r\n').offset).toBe(10);
  });

  it('nulls: $-1 and *-1', () => {
    expect(one('$-1\r\n')).toBeNull();
    expect(one('*-1\r\n')).toBeNull();
    expect(one('*2\r\n$-1\r\n*-1\r\n')).toEqual([null, null]);
  });

  it('decodes UTF-8 bulks, short and long', () => {
    expect(one(Buffer.concat([Buffer.from('$5\r\n'), Buffer.from('héé'), Buffer.from('\r\n')]))).toBe('héé');
    const long = 'ünïcødé '.repeat(20);
    const bytes = Buffer.from(long);
    expect(one(Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]))).toBe(long);
  });

  it('returns several replies from one chunk, then NEED_MORE', () => {
    expect(readAll('+a\r\n:1\r\n$1\r\nb\r\n')).toEqual(['a', 1, 'b']);
  });
});

describe('RespReader: RESP3 types (native builder)', () => {
  it('null, double, boolean, big number', () => {
    expect(one('_\r\n')).toBeNull();
    expect(one(',3.25\r\n')).toBe(3.25);
    expect(one(',-1e-3\r\n')).toBe(-0.001);
    expect(one(',10\r\n')).toBe(10);
    expect(one(',inf\r\n')).toBe(Infinity);
    expect(one(',-inf\r\n')).toBe(-Infinity);
    expect(one(',+inf\r\n')).toBe(Infinity);
    expect(one(',nan\r\n')).toBeNaN();
    expect(one(',-nan\r\n')).toBeNaN();
    expect(one('#t\r\n')).toBe(true);
    expect(one('#f\r\n')).toBe(false);
    expect(one('(3492890328409238509324850943850943825024385\r\n')).toBe(3492890328409238509324850943850943825024385n);
    expect(one('(-12\r\n')).toBe(-12n);
  });

  it('blob errors and verbatim strings', () => {
    const e = one('!21\r\nSYNTAX invalid syntax\r\n') as ReplyError;
    expect(e).toBeInstanceOf(ReplyError);
    expect(e.message).toBe('SYNTAX invalid syntax');
    expect(e.code).toBe('SYNTAX');
    const v = one('=15\r\ntxt:Some string\r\n') as VerbatimString;
    expect(v).toBeInstanceOf(VerbatimString);
    expect(v.format).toBe('txt');
    expect(v.value).toBe('Some string');
    expect(one('=4\r\nmkd:\r\n')).toEqual(new VerbatimString('mkd', ''));
  });

  it('maps, sets, pushes', () => {
    expect(one('%2\r\n+first\r\n:1\r\n+second\r\n*1\r\n:2\r\n')).toEqual(
      new Map<unknown, unknown>([
        ['first', 1],
        ['second', [2]],
      ]),
    );
    expect(one('%0\r\n')).toEqual(new Map());
    expect(one('~3\r\n+a\r\n:1\r\n#f\r\n')).toEqual(new Set(['a', 1, false]));
    const p = one('>3\r\n+message\r\n+chan\r\n$2\r\nhi\r\n') as PushFrame;
    expect(p).toBeInstanceOf(PushFrame);
    expect(p.kind).toBe('message');
    expect(p.items).toEqual(['message', 'chan', 'hi']);
  });

  it('attributes are delivered with the reply they annotate', () => {
    const top = one('|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*2\r\n:2039123\r\n:9543892\r\n') as WithAttributes;
    expect(top).toBeInstanceOf(WithAttributes);
    expect(top.value).toEqual([2039123, 9543892]);
    expect(top.attributes).toEqual(new Map([['key-popularity', new Map([['a', 0.19]])]]));
    // Inside an aggregate: annotates the next element only, and is not one.
    const arr = one('*2\r\n:1\r\n|1\r\n+ttl\r\n:3600\r\n:2\r\n') as unknown[];
    expect(arr).toHaveLength(2);
    expect(arr[0]).toBe(1);
    expect(arr[1]).toEqual(new WithAttributes(2, new Map([['ttl', 3600]])));
    // Empty attributes still mark the value.
    expect(one('|0\r\n:5\r\n')).toEqual(new WithAttributes(5, new Map()));
    // Consecutive attribute blocks merge.
    expect(one('|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n_\r\n')).toEqual(
      new WithAttributes(
        null,
        new Map([
          ['a', 1],
          ['b', 2],
        ]),
      ),
    );
  });

  it('deep nesting within the limit', () => {
    const depth = 1024;
    const wire = '*1\r\n'.repeat(depth) + ':7\r\n';
    let v = readAll(wire)[0];
    for (let i = 0; i < depth; i++) {
      expect(Array.isArray(v)).toBe(true);
      v = (v as unknown[])[0];
    }
    expect(v).toBe(7);
  });
});

describe('RespReader: native builder options', () => {
  it('stringMode buffer returns Buffers for + $ = (returnBuffers too)', () => {
    for (const opts of [{ stringMode: 'buffer' as const }, { returnBuffers: true }]) {
      expect(one('+OK\r\n', opts)).toEqual(Buffer.from('OK'));
      expect(one('$3\r\n\x00\xff\r\r\n', opts)).toEqual(Buffer.from([0, 0xff, 13]));
      expect(one('=7\r\ntxt:a\xffc\r\n', opts)).toEqual(new VerbatimString('txt', Buffer.from([0x61, 0xff, 0x63])));
      // Errors stay ReplyErrors with a string message.
      expect((one('-ERR x\r\n', opts) as ReplyError).message).toBe('ERR x');
    }
  });

  it('setStringMode switches strings and Buffers between replies, never inside one', () => {
    for (const builder of ['native', 'hiredis'] as const) {
      const r = new RespReader({ builder });
      r.feed(Buffer.from('$2\r\n\xff\x01\r\n*2\r\n+a\r\n$1\r\nb\r\n$1\r\nc\r\n', 'latin1'));
      r.setStringMode('buffer');
      const first = r.getReply();
      r.setStringMode('string');
      const second = r.getReply();
      r.setStringMode('buffer');
      const third = r.getReply();
      if (builder === 'native') {
        expect(first).toEqual(Buffer.from([0xff, 0x01]));
        expect(second).toEqual(['a', 'b']);
        expect(third).toEqual(Buffer.from('c'));
      } else {
        expect((first as { buf: Buffer }).buf).toEqual(Buffer.from([0xff, 0x01]));
        expect((second as { element: Array<{ buf: Buffer | null }> }).element[1]!.buf).toBeNull();
        expect((third as { buf: Buffer }).buf).toEqual(Buffer.from('c'));
      }
    }
    const r = new RespReader();
    r.feed(Buffer.from('*2\r\n$1\r\na\r\n'));
    expect(r.getReply()).toBe(NEED_MORE);
    expect(() => r.setStringMode('buffer')).toThrow(/between replies/);
    r.setStringMode('string'); // the mode it is in: nothing to switch
    r.feed(Buffer.from('$1\r\nb\r\n'));
    expect(r.getReply()).toEqual(['a', 'b']);
    const custom = new RespReader({ builder: new NativeBuilder() });
    expect(() => custom.setStringMode('buffer')).toThrow(TypeError);
  });

  it('Buffers are views of fed bytes, or copies when spliced together', () => {
    const wire = Buffer.from('$3\r\nabc\r\n');
    const v = readAll(wire, { returnBuffers: true })[0] as Buffer;
    expect(v.buffer).toBe(wire.buffer);
    const r = new RespReader({ returnBuffers: true });
    r.feed(wire.subarray(0, 6));
    expect(r.getReply()).toBe(NEED_MORE);
    r.feed(wire.subarray(6));
    expect(r.getReply()).toEqual(Buffer.from('abc'));
  });

  it('views are Buffers with the fed bytes\' offset, in every fast path and in the general one', () => {
    const wire = Buffer.from('xx$3\r\nabc\r\n+OK\r\n*2\r\n$1\r\nd\r\n+e\r\n*5\r\n$1\r\nf\r\n:1\r\n:2\r\n:3\r\n*0\r\n').subarray(2);
    const got = readAll(wire, { returnBuffers: true });
    expect(got).toEqual([Buffer.from('abc'), Buffer.from('OK'), [Buffer.from('d'), Buffer.from('e')], [Buffer.from('f'), 1, 2, 3, []]]);
    const abc = got[0] as Buffer;
    expect(Buffer.isBuffer(abc)).toBe(true);
    expect(abc.buffer).toBe(wire.buffer);
    expect(abc.byteOffset).toBe(wire.byteOffset + 4);
    expect(abc.toString('latin1')).toBe('abc');
  });

  it('a bulk split across chunks comes back as its own Buffer, unchanged by later feeds', () => {
    for (const n of [0, 1, 63, 64, 1000, 70_000]) {
      const payload = Buffer.alloc(n, 0x61);
      const wire = Buffer.concat([Buffer.from(`$${n}\r\n`), payload, Buffer.from('\r\n$2\r\nzz\r\n')]);
      const r = new RespReader({ returnBuffers: true });
      // Splits the payload, or (n <= 1) its CRLF: a payload whole in one fed chunk is a view of it.
      const cut = 5 + Math.floor(n / 2);
      const first = Buffer.from(wire.subarray(0, cut));
      r.feed(first);
      expect(r.getReply()).toBe(NEED_MORE);
      const rest = Buffer.from(wire.subarray(cut));
      r.feed(rest);
      const v = r.getReply() as Buffer;
      expect(r.getReply()).toEqual(Buffer.from('zz'));
      expect(v.length).toBe(n);
      first.fill(0x7a);
      rest.fill(0x7a);
      expect(v.equals(payload)).toBe(true);
    }
  });

  it('string mode: bulks split across chunks decode right one after another (the scratch is reused)', () => {
    const texts = ['é'.repeat(600), 'abc', 'ü'.repeat(40_000), '', 'x'.repeat(10)];
    const wire = Buffer.concat(texts.map((t) => Buffer.from(`$${Buffer.byteLength(t)}\r\n${t}\r\n`)));
    for (const size of [1, 7, 500]) {
      const r = new RespReader();
      const out: unknown[] = [];
      for (let i = 0; i < wire.length; i += size) {
        r.feed(Buffer.from(wire.subarray(i, i + size)));
        for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) out.push(v);
      }
      expect(out).toEqual(texts);
    }
  });

  it('string mode: ASCII and non-ASCII strings of every length mix in one chunk, past the ASCII check window', () => {
    // 1 KiB ASCII bulks fill more than one 64 KiB window; UTF-8 ones come
    // before, between and after them, short and long, in simple strings,
    // bulks and arrays, so the reader sees windows that are and are not ASCII.
    const ascii = 'a'.repeat(1024);
    const texts: string[] = ['é'.repeat(5), 'ok', 'x'.repeat(16), 'y'.repeat(17), 'ü' + 'z'.repeat(700)];
    for (let k = 0; k < 80; k++) texts.push(k === 40 ? `${ascii}€` : ascii, `s${k}`, 'ä'.repeat(k % 9));
    texts.push('€'.repeat(300), 'b'.repeat(600), '\u00ff'.repeat(16));
    const wire = Buffer.concat([
      ...texts.map((t, k) => Buffer.from(k % 7 === 3 && !t.includes('\r') ? `+${t}\r\n` : `$${Buffer.byteLength(t)}\r\n${t}\r\n`)),
      Buffer.from(`*3\r\n$600\r\n${'c'.repeat(600)}\r\n$3\r\nhé\r\n$601\r\n${'d'.repeat(599)}é\r\n`),
    ]);
    const want = [...texts, ['c'.repeat(600), 'hé', `${'d'.repeat(599)}é`]];
    expect(readAll(wire)).toEqual(want);
    for (const size of [16 * 1024, 1000]) {
      const r = new RespReader();
      const out: unknown[] = [];
      for (let i = 0; i < wire.length; i += size) {
        r.feed(wire.subarray(i, i + size));
        for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) out.push(v);
      }
      expect(out).toEqual(want);
    }
  });

  it('string mode: the same Buffer fed again with other bytes is decoded anew (no ASCII verdict carried over)', () => {
    const r = new RespReader();
    const chunk = Buffer.from(`$600\r\n${'a'.repeat(600)}\r\n$600\r\n${'b'.repeat(600)}\r\n`);
    r.feed(chunk);
    expect(r.getReply()).toBe('a'.repeat(600));
    expect(r.getReply()).toBe('b'.repeat(600));
    expect(r.getReply()).toBe(NEED_MORE);
    // A socket layer reusing its read buffer: same object, new bytes.
    chunk.write(`$600\r\n${'é'.repeat(299)}xx\r\n$600\r\n${'c'.repeat(600)}\r\n`);
    r.feed(chunk);
    expect(r.getReply()).toBe(`${'é'.repeat(299)}xx`);
    expect(r.getReply()).toBe('c'.repeat(600));
    // And read in place from a chain whose front view holds new bytes.
    const c = new ChainBuffer();
    const r2 = new RespReader();
    c.add(`$600\r\n${'a'.repeat(600)}\r\n`);
    expect(r2.getReplyFrom(c)).toBe('a'.repeat(600));
    c.add(`$600\r\n${'ö'.repeat(300)}\r\n`);
    expect(r2.getReplyFrom(c)).toBe('ö'.repeat(300));
    // The chain's front chunk read in place (its backing memory reused).
    for (const t of ['a'.repeat(600), 'é'.repeat(300), 'b'.repeat(600), `${'c'.repeat(598)}é`]) {
      c.add(`$600\r\n${t}\r\n`);
      expect(r2.getReplyFrom(c)).toBe(t);
    }
  });

  it('string mode: a big bulk of ASCII pieces, then a piece cutting a UTF-8 character, decodes whole', () => {
    const text = 'a'.repeat(100_000) + '€'.repeat(30_000) + 'b'.repeat(50_000);
    const wire = Buffer.from(`$${Buffer.byteLength(text)}\r\n${text}\r\n+OK\r\n`);
    for (const size of [16 * 1024, 16 * 1024 + 1, 70_001]) {
      const r = new RespReader();
      const out: unknown[] = [];
      for (let i = 0; i < wire.length; i += size) {
        r.feed(wire.subarray(i, i + size));
        for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) out.push(v);
      }
      expect(out).toEqual([text, 'OK']);
    }
    expect(readAll(wire)).toEqual([text, 'OK']);
  });

  it('a split bulk error or verbatim string past the scratch size decodes whole', () => {
    const msg = 'E'.repeat(70_000);
    const wire = Buffer.from(`!${msg.length}\r\n${msg}\r\n=${msg.length + 4}\r\ntxt:${msg}\r\n`);
    const r = new RespReader();
    const out: unknown[] = [];
    for (let i = 0; i < wire.length; i += 16384) {
      r.feed(wire.subarray(i, i + 16384));
      for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) out.push(v);
    }
    expect((out[0] as ReplyError).message).toBe(msg);
    expect(String(out[1])).toBe(msg);
  });

  it('a bad CRLF after a split bulk payload is reported at its offset', () => {
    const r = new RespReader({ returnBuffers: true });
    r.feed(Buffer.from('$5\r\nab'));
    expect(r.getReply()).toBe(NEED_MORE);
    r.feed(Buffer.from('cdeX\n'));
    expect(() => r.getReply()).toThrow(/expected CR after bulk data: got "X" at offset 9/);
  });

  it('integers beyond 2^53: bigint by default, string on request', () => {
    expect(one(':9007199254740993\r\n')).toBe(9007199254740993n);
    expect(one(':-9223372036854775808\r\n')).toBe(-9223372036854775808n);
    expect(one(':9223372036854775807\r\n')).toBe(9223372036854775807n);
    expect(one(':9007199254740993\r\n', { largeIntegers: 'string' })).toBe('9007199254740993');
    expect(one('(123\r\n', { largeIntegers: 'string' })).toBe('123');
    expect(one(':12\r\n', { largeIntegers: 'string' })).toBe(12);
  });
});

  it('integers of every digit count, both signs, at the top level and inside aggregates', () => {
    // digits() sums the first nine digits in int32 and goes on in doubles:
    // every count either side of nine, up to the bigint cut, reads exactly.
    const wire: string[] = [];
    const want: unknown[] = [];
    for (let len = 1; len <= 19; len++) {
      for (const lead of ['1', '9']) {
        const text = lead + '0123456789012345678'.slice(0, len - 1);
        for (const sign of ['', '-', '+']) {
          const big = BigInt(sign === '-' ? `-${text}` : text);
          const value = big >= -(2n ** 53n) && big <= 2n ** 53n ? Number(big) : big;
          wire.push(`:${sign}${text}\r\n`, `*2\r\n:${sign}${text}\r\n:${sign}${text}\r\n`);
          want.push(value, [value, value]);
        }
      }
    }
    const bytes = wire.join('');
    expect(readAll(bytes)).toEqual(want);
    // Fed in pieces of every size up to 23 bytes: the fast path and the general one.
    for (let size = 1; size <= 23; size++) {
      const r = new RespReader();
      const got: unknown[] = [];
      for (let i = 0; i < bytes.length; i += size) {
        r.feed(Buffer.from(bytes.slice(i, i + size), 'latin1'));
        for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) got.push(v);
      }
      expect(got).toEqual(want);
    }
    expect(one(':-0\r\n')).toBe(0);
    expect(one(':000000000012\r\n')).toBe(12);
    // Bad bytes inside getReply's words (a chunk with room): the same errors as byte by byte.
    const pad = ':1\r\n'.repeat(20);
    for (const bad of [':12\xff4\r\n', ':1234\xfa\r\n', ':12:4\r\n', ':123/\r\n', ':\r\n', ':1234567\n\r', ':-\r\n']) {
      const whole = protocolError(pad + bad + pad);
      const r = new RespReader();
      let err: unknown;
      try {
        for (const c of Buffer.from(pad + bad + pad, 'latin1')) {
          r.feed(Buffer.of(c));
          while (r.getReply() !== NEED_MORE);
        }
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message).toBe(whole.message);
    }
  });

  it('a failed stream stays failed for getReply (the integer fast path included) until reset()', () => {
    const r = new RespReader();
    r.feed(Buffer.from(':1\r\n:x\r\n'));
    expect(r.getReply()).toBe(1);
    expect(() => r.getReply()).toThrow(ProtocolError);
    expect(() => r.getReply()).toThrow(ProtocolError);
    r.reset();
    r.feed(Buffer.from(':2\r\n'));
    expect(r.getReply()).toBe(2);
  });

describe('RespReader: hiredis builder', () => {
  const h = { builder: 'hiredis' as const };
  const r = (wire: string, opts: RespReaderOptions = h) => one(wire, opts) as RedisReply;

  it('scalars carry hiredis types and fields', () => {
    expect(r('+OK\r\n')).toMatchObject({ type: REDIS_REPLY_STATUS, str: 'OK', elements: 0 });
    expect(r('-ERR no\r\n')).toMatchObject({ type: REDIS_REPLY_ERROR, str: 'ERR no' });
    expect(r('!2\r\nno\r\n')).toMatchObject({ type: REDIS_REPLY_ERROR, str: 'no' });
    expect(r(':-7\r\n')).toMatchObject({ type: REDIS_REPLY_INTEGER, integer: -7 });
    expect(r(':9007199254740993\r\n')).toMatchObject({ type: REDIS_REPLY_INTEGER, integer: 9007199254740993n });
    expect(r('$3\r\nabc\r\n')).toMatchObject({ type: REDIS_REPLY_STRING, str: 'abc', buf: null });
    expect(r('$-1\r\n')).toMatchObject({ type: REDIS_REPLY_NIL, str: null });
    expect(r('*-1\r\n')).toMatchObject({ type: REDIS_REPLY_NIL });
    expect(r('_\r\n')).toMatchObject({ type: REDIS_REPLY_NIL });
    expect(r(',1.5\r\n')).toMatchObject({ type: REDIS_REPLY_DOUBLE, dval: 1.5, str: '1.5' });
    expect(r(',inf\r\n')).toMatchObject({ type: REDIS_REPLY_DOUBLE, dval: Infinity, str: 'inf' });
    expect(r('#t\r\n')).toMatchObject({ type: REDIS_REPLY_BOOL, integer: 1 });
    expect(r('#f\r\n')).toMatchObject({ type: REDIS_REPLY_BOOL, integer: 0 });
    expect(r('(-123456789012345678901\r\n')).toMatchObject({ type: REDIS_REPLY_BIGNUM, str: '-123456789012345678901' });
    expect(r('=9\r\nmkd:hello\r\n')).toMatchObject({ type: REDIS_REPLY_VERB, str: 'hello', vtype: 'mkd' });
  });

  it('aggregates have elements and element; maps interleave', () => {
    const a = r('*2\r\n:1\r\n*1\r\n+x\r\n');
    expect(a.type).toBe(REDIS_REPLY_ARRAY);
    expect(a.elements).toBe(2);
    expect(a.element[0]).toMatchObject({ type: REDIS_REPLY_INTEGER, integer: 1 });
    expect(a.element[1]!.element[0]).toMatchObject({ type: REDIS_REPLY_STATUS, str: 'x' });
    const m = r('%1\r\n+k\r\n:2\r\n');
    expect(m).toMatchObject({ type: REDIS_REPLY_MAP, elements: 2 });
    expect(m.element.map((e) => e.str ?? e.integer)).toEqual(['k', 2]);
    expect(r('~1\r\n:1\r\n')).toMatchObject({ type: REDIS_REPLY_SET, elements: 1 });
    expect(r('>1\r\n+invalidate\r\n')).toMatchObject({ type: REDIS_REPLY_PUSH, elements: 1 });
    expect(r('*0\r\n')).toMatchObject({ type: REDIS_REPLY_ARRAY, elements: 0, element: [] });
  });

  it('attributes hang off the annotated reply', () => {
    const v = r('|1\r\n+a\r\n:1\r\n+OK\r\n');
    expect(v).toMatchObject({ type: REDIS_REPLY_STATUS, str: 'OK' });
    expect(v.attributes).toMatchObject({ type: REDIS_REPLY_ATTR, elements: 2 });
  });

  it('buffer mode fills buf beside str', () => {
    const v = r('$2\r\n\xff\x00\r\n', { builder: 'hiredis', stringMode: 'buffer' });
    expect(v.buf).toEqual(Buffer.from([0xff, 0]));
    expect(typeof v.str).toBe('string');
  });
});

describe('RespReader: custom builders', () => {
  it('receives every kind of item, children before parents', () => {
    const calls: string[] = [];
    const text = (b: Buffer, s: number, e: number) => b.toString('latin1', s, e);
    const builder: ReplyBuilder = {
      simpleString: (b, s, e) => (calls.push('simple'), `+${text(b, s, e)}`),
      error: (b, s, e, bulk) => (calls.push('error'), `${bulk ? '!' : '-'}${text(b, s, e)}`),
      bulkString: (b, s, e) => (calls.push('bulk'), `$${text(b, s, e)}`),
      verbatim: (f, b, s, e) => (calls.push('verbatim'), `=${f}:${text(b, s, e)}`),
      integer: (v) => (calls.push('integer'), v),
      bigNumber: (b, s, e) => (calls.push('big'), `(${text(b, s, e)}`),
      double: (_v, b, s, e) => (calls.push('double'), `,${text(b, s, e)}`),
      boolean: (v) => (calls.push('boolean'), v),
      nil: (t) => (calls.push('nil'), String.fromCharCode(t)),
      aggregate: (t, items) => (calls.push('aggregate'), { t: String.fromCharCode(t), items }),
      attributes: (value, items) => (calls.push('attributes'), { value, attrs: items }),
    };
    const wire = '*9\r\n+s\r\n-e\r\n!1\r\nf\r\n$1\r\nb\r\n=5\r\ntxt:v\r\n:1\r\n(2\r\n,3.0\r\n|1\r\n#t\r\n_\r\n$-1\r\n';
    const v = readAll(wire, { builder });
    expect(v).toEqual([
      {
        t: '*',
        items: ['+s', '-e', '!f', '$b', '=txt:v', 1, '(2', ',3.0', { value: '$', attrs: [true, '_'] }],
      },
    ]);
    expect(calls.at(-1)).toBe('aggregate');
    expect(RespType.ARRAY).toBe(0x2a);
  });
});

describe('RespReader: streaming', () => {
  it('resumes a partial array at its next element', () => {
    const r = new RespReader();
    r.feed(Buffer.from('*3\r\n:1\r\n:'));
    expect(r.getReply()).toBe(NEED_MORE);
    r.feed(Buffer.from('2\r\n$3\r\nab'));
    expect(r.getReply()).toBe(NEED_MORE);
    r.feed(Buffer.from('c\r\n+tail\r\n'));
    expect(r.getReply()).toEqual([1, 2, 'abc']);
    expect(r.getReply()).toBe('tail');
    expect(r.getReply()).toBe(NEED_MORE);
  });

  it('a big bulk in 16 KiB chunks is collected, not re-scanned', () => {
    const size = 8 * 1024 * 1024 + 3;
    const payload = Buffer.alloc(size, 0x61);
    payload[size - 1] = 0x7a;
    const wire = Buffer.concat([Buffer.from(`$${size}\r\n`), payload, Buffer.from('\r\n:1\r\n')]);
    const r = new RespReader({ returnBuffers: true });
    let got: unknown = NEED_MORE;
    for (let i = 0; i < wire.length && got === NEED_MORE; i += 16384) {
      r.feed(wire.subarray(i, i + 16384));
      got = r.getReply();
    }
    expect(Buffer.isBuffer(got)).toBe(true);
    expect((got as Buffer).equals(payload)).toBe(true);
    expect(r.getReply()).toBe(1);
  });

  it('a big UTF-8 bulk is decoded as it arrives, whatever the splits', () => {
    const text = 'aé€😀'.repeat(30_000) + 'z';
    const payload = Buffer.from(text);
    const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n+after\r\n')]);
    for (const size of [1000, 4093, 16384, 65537, 300_000]) {
      const r = new RespReader();
      const got: unknown[] = [];
      for (let i = 0; i < wire.length; i += size) {
        r.feed(wire.subarray(i, i + size));
        for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) got.push(v);
      }
      expect(got).toEqual([text, 'after']);
    }
    // And whole, decoded in slices.
    expect(readAll(wire)).toEqual([text, 'after']);
  });

  it('a big bulk streamed as text still checks its CRLF', () => {
    const payload = Buffer.alloc(100_000, 0x61);
    const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\rX')]);
    const r = new RespReader();
    let err: unknown;
    try {
      for (let i = 0; i < wire.length; i += 16384) {
        r.feed(wire.subarray(i, i + 16384));
        r.getReply();
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).offset).toBe(wire.length - 1);
  });

  it('queues chunks fed before getReply is called', () => {
    const r = new RespReader();
    for (const c of ['+a', '\r\n+', 'b\r', '\n']) r.feed(Buffer.from(c));
    expect(r.getReply()).toBe('a');
    expect(r.getReply()).toBe('b');
    expect(r.getReply()).toBe(NEED_MORE);
  });

  it('accepts plain Uint8Arrays and ignores empty ones', () => {
    const r = new RespReader();
    r.feed(new Uint8Array(0));
    r.feed(new TextEncoder().encode(':5\r\n'));
    expect(r.getReply()).toBe(5);
  });

  it('reset() forgets a partial reply', () => {
    const r = new RespReader();
    r.feed(Buffer.from('*2\r\n:1\r\n'));
    expect(r.getReply()).toBe(NEED_MORE);
    r.reset();
    r.feed(Buffer.from(':9\r\n'));
    expect(r.getReply()).toBe(9);
  });
});

describe('RespReader: reading a ChainBuffer in place', () => {
  it('drains exactly the bytes of complete replies', () => {
    const chain = new ChainBuffer({ chunkSize: 8 });
    const r = new RespReader();
    chain.add('+OK\r\n*2\r\n:1');
    expect(r.getReplyFrom(chain)).toBe('OK');
    expect(chain.length).toBe(6);
    expect(r.getReplyFrom(chain)).toBe(NEED_MORE);
    expect(chain.length).toBe(6);
    chain.add('\r\n$5\r\nhel');
    expect(r.getReplyFrom(chain)).toBe(NEED_MORE);
    chain.add('lo\r\n:7\r\n');
    expect(r.getReplyFrom(chain)).toEqual([1, 'hello']);
    expect(chain.length).toBe(4);
    expect(r.getReplyFrom(chain)).toBe(7);
    expect(chain.length).toBe(0);
    expect(r.getReplyFrom(chain)).toBe(NEED_MORE);
  });

  it('matches feed() for any split, with copies of chain memory in buffer mode', () => {
    const wire = Buffer.from('*3\r\n$10\r\n0123456789\r\n+status\r\n%1\r\n:1\r\n=7\r\ntxt:abc\r\n$3\r\nxyz\r\n');
    const expected = readAll(wire, { returnBuffers: true });
    for (let cut = 1; cut < wire.length; cut++) {
      const chain = new ChainBuffer({ chunkSize: 5, poolSize: 4 });
      const r = new RespReader({ returnBuffers: true });
      const got: unknown[] = [];
      for (let i = 0; i < wire.length; i += cut) {
        chain.add(wire.subarray(i, i + cut));
        for (let v = r.getReplyFrom(chain); v !== NEED_MORE; v = r.getReplyFrom(chain)) got.push(v);
      }
      // Overwrite recycled chunks: returned Buffers must not change.
      chain.add(Buffer.alloc(64, 0x21));
      expect(got).toEqual(expected);
      expect(chain.length).toBe(64);
    }
  });

  it('a big bulk through the chain', () => {
    const payload = Buffer.alloc(300_000, 0x62);
    const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n')]);
    const chain = new ChainBuffer();
    const r = new RespReader({ returnBuffers: true });
    let got: unknown = NEED_MORE;
    for (let i = 0; i < wire.length; i += 16384) {
      chain.addReference(wire.subarray(i, i + 16384));
      got = r.getReplyFrom(chain);
    }
    expect((got as Buffer).equals(payload)).toBe(true);
    expect(chain.length).toBe(0);
  });

  it('refuses to mix feed() and getReplyFrom() without reset()', () => {
    const r = new RespReader();
    r.feed(Buffer.from('+a'));
    expect(r.getReply()).toBe(NEED_MORE);
    // A partial line is buffered inside; the fed chunk itself is consumed.
    const chain = new ChainBuffer();
    chain.add('+b\r\n');
    r.reset();
    expect(r.getReplyFrom(chain)).toBe('b');
    expect(() => r.feed(Buffer.from('x'))).toThrow(/without reset/);
  });
});

describe('RespReader: protocol errors', () => {
  it('unknown type byte, hiredis wording, with offset and byte', () => {
    const e = protocolError('+OK\r\n?x\r\n');
    expect(e.message).toBe('Protocol error, got "?" as reply type byte at offset 5');
    expect(e.offset).toBe(5);
    expect(e.byte).toBe(0x3f);
    expect(e.code).toBe('ERR_PROTOCOL');
    expect(protocolError('\x00').message).toContain('got "\\x00" as reply type byte');
    expect(protocolError('\r\n').message).toContain('got "\\r" as reply type byte');
  });

  const cases: Array<[string, string, number, number | undefined]> = [
    ['non-digit bulk length', '$1x\r\n', 2, 0x78],
    ['empty bulk length', '$\r\n', 1, 13],
    ['negative bulk length other than -1', '$-2\r\n', 2, 0x32],
    ['-1 followed by junk', '$-12\r\n', 3, 0x32],
    ['negative aggregate length', '*-5\r\n', 2, 0x35],
    ['-1 for a map', '%-1\r\n', 1, 0x2d],
    ['overflowing length', '$99999999999999999999\r\n', 13, 0x39],
    ['bulk over the limit', '$536870913\r\n', 9, 0x33],
    ['missing CR after bulk data', '$1\r\nab\r\n', 5, 0x62],
    ['missing LF after bulk data', '$1\r\na\rb', 6, 0x62],
    ['bad integer', ':12a\r\n', 3, 0x61],
    ['empty integer', ':\r\n', 1, 13],
    ['integer beyond int64', ':9223372036854775808\r\n', 19, 0x38],
    ['bad boolean', '#x\r\n', 1, 0x78],
    ['long boolean', '#tt\r\n', 1, 0x74],
    ['bad double', ',1.2.3x\r\n', 1, 0x31],
    ['empty double', ',\r\n', 1, 13],
    ['bad null', '_x\r\n', 1, 0x78],
    ['bad big number', '(12a\r\n', 3, 0x61],
    ['empty big number', '(\r\n', 1, 13],
    ['CR without LF', '+OK\rx', 4, 0x78],
    ['LF without CR', '+OK\nx', 3, 0x0a],
    ['header CR without LF', '*1\rx', 3, 0x78],
    ['short verbatim', '=3\r\ntxt\r\n', 1, 0x33],
    ['verbatim without colon', '=5\r\ntxt-a\r\n', 7, 0x2d],
    ['nested type error', '*2\r\n:1\r\n@\r\n', 8, 0x40],
    // Found by the long fuzz: a failed bulk fast path must not leak its cursor.
    ['bulk header running into a simple string', '$0+xxx\r\n', 2, 0x2b],
  ];
  for (const [name, wire, offset, byte] of cases) {
    it(name, () => {
      const whole = protocolError(wire);
      expect(whole.offset).toBe(offset);
      expect(whole.byte).toBe(byte);
      expect(whole.message).toMatch(/^Protocol error, /);
      expect(whole.message).toContain(`at offset ${offset}`);
      // Byte by byte: the same error — offset, byte and message — reported no later than the whole.
      const r = new RespReader();
      let err: unknown;
      try {
        for (const c of Buffer.from(wire, 'latin1')) {
          r.feed(Buffer.from([c]));
          r.getReply();
        }
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).offset).toBe(offset);
      expect((err as ProtocolError).byte).toBe(byte);
      expect((err as ProtocolError).message).toBe(whole.message);
    });
  }

  it('limits are configurable', () => {
    expect(protocolError('$11\r\n', { maxBulkLength: 10 }).message).toContain('bulk string length out of range');
    expect(readAll('$10\r\n0123456789\r\n', { maxBulkLength: 10 })).toEqual(['0123456789']);
    expect(protocolError('*3\r\n', { maxAggregateLength: 2 }).message).toContain('aggregate length out of range');
    expect(protocolError('%3\r\n', { maxAggregateLength: 2 }).message).toContain('aggregate length out of range');
    expect(protocolError('*1\r\n*1\r\n*1\r\n:1\r\n', { maxDepth: 2 }).message).toContain('nesting deeper than 2');
    expect(readAll('*1\r\n*1\r\n:1\r\n', { maxDepth: 2 })).toEqual([[[1]]]);
    expect(protocolError('+' + 'x'.repeat(10) + '\r\n', { maxLineLength: 10 }).offset).toBe(10);
    expect(readAll('+' + 'x'.repeat(9) + '\r\n', { maxLineLength: 10 })).toEqual(['x'.repeat(9)]);
    expect(() => new RespReader({ maxDepth: -1 })).toThrow(RangeError);
  });

  it('default limits: depth 1024, header and number lines 64 KiB', () => {
    expect(protocolError('*1\r\n'.repeat(1025) + ':1\r\n').message).toContain('nesting deeper than 1024');
    const ok = ':' + '0'.repeat(65535) + '\r\n';
    expect(readAll(ok)).toEqual([0]);
    expect(protocolError(':' + '0'.repeat(65536) + '\r\n')).toMatchObject({ offset: 65536, message: expect.stringContaining('line longer than 65536 bytes') });
    expect(protocolError('$' + '0'.repeat(65536) + '\r\n').offset).toBe(65536);
    expect(protocolError(',' + '1'.repeat(65536) + '\r\n').offset).toBe(65536);
  });

  it('simple strings and errors have no line limit of their own by default (a long Lua status_reply)', () => {
    const long = 'y'.repeat(200_000);
    expect(readAll('+' + long + '\r\n')).toEqual([long]);
    expect(readAll('+' + long + '\r\n', { returnBuffers: true })).toEqual([Buffer.from(long)]);
    const err = readAll('-ERR ' + long + '\r\n')[0] as ReplyError;
    expect(err).toBeInstanceOf(ReplyError);
    expect(err.message).toBe('ERR ' + long);
    // In 16 KiB chunks and byte by byte (a shorter one) as well.
    const wire = Buffer.from('*2\r\n+' + long + '\r\n:1\r\n');
    const r = new RespReader();
    const got: unknown[] = [];
    for (let i = 0; i < wire.length; i += 16384) {
      r.feed(wire.subarray(i, i + 16384));
      for (let v = r.getReply(); v !== NEED_MORE; v = r.getReply()) got.push(v);
    }
    expect(got).toEqual([[long, 1]]);
    const mid = '+' + 'z'.repeat(70_000) + '\r\n';
    const b = new RespReader();
    let last: unknown = NEED_MORE;
    for (const c of Buffer.from(mid)) {
      b.feed(Buffer.from([c]));
      last = b.getReply();
    }
    expect(last).toBe('z'.repeat(70_000));
    // Still bounded: by maxBulkLength, or by maxLineLength when that is set.
    expect(protocolError('+' + 'y'.repeat(20) + '\r\n', { maxBulkLength: 10 }).offset).toBe(10);
    expect(protocolError('-' + 'y'.repeat(20) + '\r\n', { maxLineLength: 10 }).offset).toBe(10);
  });

  it('integers may carry a + sign, as the spec allows', () => {
    expect(readAll(':+1\r\n:-1\r\n:+0\r\n')).toEqual([1, -1, 0]);
    expect(readAll('*2\r\n:+7\r\n:+9223372036854775807\r\n')).toEqual([[7, 9223372036854775807n]]);
    expect(readAll(':+9223372036854775807\r\n', { largeIntegers: 'string' })).toEqual(['9223372036854775807']);
    expect(readAll(':+12\r\n', { builder: 'hiredis' })).toEqual([expect.objectContaining({ integer: 12 })]);
    expect(protocolError(':+\r\n')).toMatchObject({ offset: 2, byte: 13 });
    expect(protocolError(':+-1\r\n')).toMatchObject({ offset: 2, byte: 0x2d });
    expect(protocolError(':+9223372036854775808\r\n').message).toContain('integer out of range');
  });

  it('a line without CRLF is refused once past the limit, not buffered', () => {
    const r = new RespReader({ maxLineLength: 1000 });
    r.feed(Buffer.from('+'));
    expect(r.getReply()).toBe(NEED_MORE);
    let err: unknown;
    try {
      for (let i = 0; i < 100; i++) {
        r.feed(Buffer.alloc(100, 0x61));
        expect(r.getReply()).toBe(NEED_MORE);
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).offset).toBe(1000);
  });

  it('after an error the reader refuses input until reset()', () => {
    const r = new RespReader();
    r.feed(Buffer.from(':1\r\n&\r\n'));
    expect(r.getReply()).toBe(1);
    let first: unknown;
    try {
      r.getReply();
    } catch (e) {
      first = e;
    }
    expect(first).toBeInstanceOf(ProtocolError);
    expect(() => r.getReply()).toThrow(first as Error);
    expect(() => r.feed(Buffer.from('+OK\r\n'))).toThrow(first as Error);
    expect(() => r.getReplyFrom(new ChainBuffer())).toThrow(first as Error);
    r.reset();
    r.feed(Buffer.from('+OK\r\n'));
    expect(r.getReply()).toBe('OK');
  });

  it('offsets count across chunks and through the chain', () => {
    const r = new RespReader();
    r.feed(Buffer.from('+OK\r\n+O'));
    r.feed(Buffer.from('K\r\n:x'));
    expect(r.getReply()).toBe('OK');
    expect(r.getReply()).toBe('OK');
    expect(() => r.getReply()).toThrow(expect.objectContaining({ offset: 11 }));
    const chain = new ChainBuffer({ chunkSize: 3 });
    const c = new RespReader();
    chain.add('+OK\r\n+OK\r\n:x\r\n');
    expect(c.getReplyFrom(chain)).toBe('OK');
    expect(c.getReplyFrom(chain)).toBe('OK');
    expect(() => c.getReplyFrom(chain)).toThrow(expect.objectContaining({ offset: 11, byte: 0x78 }));
  });
});

describe('RespReader: feedFrom(chain)', () => {
  it('moves all bytes in, drains the chain, and replies come from getReply()', () => {
    const chain = new ChainBuffer({ chunkSize: 4 });
    const r = new RespReader({ returnBuffers: true });
    chain.add('*2\r\n$3\r\nab');
    r.feedFrom(chain);
    expect(chain.length).toBe(0);
    expect(r.getReply()).toBe(NEED_MORE);
    chain.add('c\r\n:5\r\n+x\r\n');
    r.feedFrom(chain);
    // Later writes to the chain do not disturb what the reader holds.
    chain.add(Buffer.alloc(100, 0x21));
    expect(r.getReply()).toEqual([Buffer.from('abc'), 5]);
    expect(r.getReply()).toEqual(Buffer.from('x'));
    expect(r.getReply()).toBe(NEED_MORE);
  });
});
