import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ChainBuffer } from '@reactor-ts/buffer';
import { RequestError, RequestParser, type RequestParserOptions } from './request-parser.js';
import { encodeCommand } from './encoder.js';
import { splitArgs, splitPlain, splitQuoted } from './split-args.js';

/** Every command in `input` (latin1), as latin1 strings. */
function parseAll(input: string | Buffer, opts?: RequestParserOptions): string[][] {
  const p = new RequestParser(opts);
  p.feed(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  const out: string[][] = [];
  for (let argv = p.next(); argv !== null; argv = p.next()) out.push(argv.map((a) => a.toString('latin1')));
  return out;
}

/** The RequestError `input` raises (after any good commands before it). */
function errorOf(input: string, opts?: RequestParserOptions): RequestError {
  try {
    parseAll(input, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(RequestError);
    return e as RequestError;
  }
  throw new Error(`no error for ${JSON.stringify(input)}`);
}

describe('RequestParser: multibulk', () => {
  it('parses one command and a pipeline', () => {
    expect(parseAll('*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
    expect(parseAll('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n')).toEqual([
      ['SET', 'k', ''],
      ['GET', 'k'],
    ]);
  });

  it('keeps binary arguments exactly', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const p = new RequestParser();
    p.feed(encodeCommand(['SET', 'k', all]));
    const argv = p.next();
    expect(argv?.[2]?.equals(all)).toBe(true);
    expect(p.next()).toBeNull();
  });

  it('skips *0 and *-1 as Redis does', () => {
    expect(parseAll('*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n')).toEqual([['PING']]);
  });

  it('returns null until a command is complete, then resumes', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('*2\r\n$4\r\nEC'));
    expect(p.next()).toBeNull();
    p.feed(Buffer.from('HO\r\n$5\r\nhel'));
    expect(p.next()).toBeNull();
    expect(p.buffered).toBeGreaterThan(0);
    p.feed(Buffer.from('lo\r\n'));
    expect(p.next()?.map(String)).toEqual(['ECHO', 'hello']);
    expect(p.next()).toBeNull();
    expect(p.buffered).toBe(0);
  });

  it('does not check the CRLF after an argument, as Redis does not', () => {
    expect(parseAll('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n')).toEqual([['PING'], ['PING']]);
  });

  it('copies arguments by default, or gives views with copy: false', () => {
    const bytes = encodeCommand(['GET', 'key']);
    const p = new RequestParser();
    p.feed(bytes);
    const argv = p.next() as Buffer[];
    bytes.fill(0);
    expect(argv.map(String)).toEqual(['GET', 'key']);

    const bytes2 = encodeCommand(['GET', 'key']);
    const v = new RequestParser({ copy: false });
    v.feed(bytes2);
    const views = v.next() as Buffer[];
    expect((views[1] as Buffer).buffer).toBe(bytes2.buffer);
  });

  it('accepts Uint8Array input and reads from a ChainBuffer', () => {
    const p = new RequestParser();
    p.feed(new Uint8Array(encodeCommand(['PING'])));
    expect(p.next()?.map(String)).toEqual(['PING']);

    const chain = new ChainBuffer({ chunkSize: 8 });
    chain.add(encodeCommand(['SET', 'a-longer-key', 'v']));
    chain.add('PING\r\n');
    p.feedFrom(chain);
    expect(chain.length).toBe(0);
    expect(p.next()?.map(String)).toEqual(['SET', 'a-longer-key', 'v']);
    expect(p.next()?.map(String)).toEqual(['PING']);
    expect(p.next()).toBeNull();
  });
});

describe('RequestParser: inline', () => {
  it('splits on blanks, with or without CR', () => {
    expect(parseAll('PING\r\n')).toEqual([['PING']]);
    expect(parseAll('SET  k \t v\n')).toEqual([['SET', 'k', 'v']]);
    expect(parseAll('ECHO x\rPING\r\n')).toEqual([['ECHO', 'x', 'PING']]);
    expect(parseAll('ECHO a\x0bb\r\n')).toEqual([['ECHO', 'a\x0bb']]); // \v ends nothing unquoted
  });

  it('skips empty and blank lines', () => {
    expect(parseAll('\r\n\n   \r\nPING\n')).toEqual([['PING']]);
  });

  it('waits for the newline', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('SET k'));
    expect(p.next()).toBeNull();
    p.feed(Buffer.from(' v\r'));
    expect(p.next()).toBeNull();
    p.feed(Buffer.from('\n'));
    expect(p.next()?.map(String)).toEqual(['SET', 'k', 'v']);
  });

  it('double quotes with escapes', () => {
    expect(parseAll('SET k "a b"\r\n')).toEqual([['SET', 'k', 'a b']]);
    expect(parseAll('ECHO "\\n\\r\\t\\b\\a\\\\\\"\\q"\r\n')).toEqual([['ECHO', '\n\r\t\b\x07\\"q']]);
    expect(parseAll('ECHO "\\x41\\xfF\\x4g"\r\n')).toEqual([['ECHO', 'A\xffx4g']]);
    expect(parseAll('ECHO ""\r\n')).toEqual([['ECHO', '']]);
    expect(parseAll('ECHO a"b c"d\r\n'.replace('d', ' d'))).toEqual([['ECHO', 'ab c', 'd']]);
  });

  it("single quotes with \\' only", () => {
    expect(parseAll("ECHO 'it\\'s \\n'\r\n")).toEqual([['ECHO', "it's \\n"]]);
    expect(parseAll("ECHO ''\r\n")).toEqual([['ECHO', '']]);
  });

  it('unbalanced quotes: unterminated, or a closing quote not followed by a blank', () => {
    for (const bad of ['ECHO "abc\r\n', "ECHO 'abc\r\n", 'ECHO "a"b\r\n', "ECHO 'a'b\r\n", 'ECHO "abc\\"\r\n']) {
      const e = errorOf(bad);
      expect(e.message).toBe('Protocol error: unbalanced quotes in request');
      expect(e.code).toBe('ERR_PROTOCOL');
    }
  });

  it('a NUL byte ends the line, as in the C string sdssplitargs reads', () => {
    expect(parseAll('ECHO a\x00b c\r\n')).toEqual([['ECHO', 'a']]);
  });
});

describe('inline fast path (splitPlain) and sdssplitargs (splitQuoted) agree', () => {
  const show = (args: Buffer[] | null): string[] | null => (args === null ? null : args.map((a) => a.toString('latin1')));
  // every byte but the quotes: blanks of all kinds, NUL, backslash, high bytes
  const plainByte = fc.integer({ min: 0, max: 255 }).filter((b) => b !== 0x22 && b !== 0x27);
  const plainLine = fc.array(fc.oneof(plainByte, fc.constantFrom(0x20, 0x20, 0x09, 0x0b, 0x0c, 0x0d, 0x5c)), { maxLength: 60 });

  it('on random lines of safe bytes and blanks, copies and views alike', () => {
    fc.assert(
      fc.property(plainLine, fc.nat(8), (bytes, pad) => {
        const line = Buffer.from(bytes);
        const slow = show(splitQuoted(line));
        expect(show(splitPlain(line, 0, line.length, true))).toEqual(slow);
        // inside a bigger buffer, as the parser sees a line in a chunk
        const chunk = Buffer.concat([Buffer.alloc(pad, 0x41), line, Buffer.from('\nXYZ')]);
        expect(show(splitPlain(chunk, pad, pad + line.length, false))).toEqual(slow);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives up on a quote before any NUL; splitArgs then takes the full path', () => {
    fc.assert(
      fc.property(plainLine, fc.constantFrom(0x22, 0x27), fc.nat(60), (bytes, quote, at) => {
        bytes.splice(at % (bytes.length + 1), 0, quote);
        const line = Buffer.from(bytes);
        const nul = line.indexOf(0);
        const quoteFirst = nul === -1 || line.indexOf(quote) < nul;
        if (quoteFirst) expect(splitPlain(line, 0, line.length, true)).toBeNull();
        expect(show(splitArgs(line))).toEqual(show(splitQuoted(line)));
      }),
      { numRuns: 1000 },
    );
  });

  it('the parser gives the same commands for plain lines fed whole or byte by byte', () => {
    fc.assert(
      fc.property(
        // no LF inside a line, and no '*' first (that would be multibulk)
        fc.array(plainLine.map((b) => b.filter((x) => x !== 0x0a && x !== 0x2a)), { minLength: 1, maxLength: 8 }),
        (lines) => {
        const input = Buffer.concat(lines.map((l) => Buffer.concat([Buffer.from(l), Buffer.from('\r\n')])));
        const expected = lines.map((l) => show(splitQuoted(Buffer.from(l)))).filter((a) => a !== null && a.length > 0);
        expect(parseAll(input)).toEqual(expected);
        expect(parseAll(input, { copy: false })).toEqual(expected);
        const p = new RequestParser();
        const got: string[][] = [];
        for (const b of input) {
          p.feed(Buffer.from([b]));
          for (let argv = p.next(); argv !== null; argv = p.next()) got.push(argv.map((a) => a.toString('latin1')));
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('examples: \\v and \\f separate only between arguments, a NUL ends the line', () => {
    const plain = (s: string): string[] | null => show(splitPlain(Buffer.from(s, 'latin1'), 0, s.length, true));
    expect(plain('PING')).toEqual(['PING']);
    expect(plain('  SET\tk  v\r')).toEqual(['SET', 'k', 'v']);
    expect(plain('\va\vb c')).toEqual(['a\vb', 'c']);
    expect(plain('a\\b')).toEqual(['a\\b']);
    expect(plain('a\0b "c')).toEqual(['a']);
    expect(plain('a "b"')).toBeNull();
    expect(plain('')).toEqual([]);
  });
});

describe('RequestParser: errors (Redis texts)', () => {
  it('invalid multibulk length', () => {
    for (const bad of ['*x\r\n', '*+1\r\n', '*01\r\n', '*\r\n', '*-0\r\n', '*2147483648\r\n', '*1a\r\n', '*99999999999999999999\r\n', '*-9223372036854775809\r\n']) {
      expect(errorOf(bad).message, bad).toBe('Protocol error: invalid multibulk length');
    }
    expect(parseAll('*-9223372036854775808\r\n')).toEqual([]); // a valid long long, <= 0: skipped
    expect(errorOf('*3\r\n', { maxMultibulkLength: 2 }).message).toBe('Protocol error: invalid multibulk length');
  });

  it("expected '$', got 'X'", () => {
    expect(errorOf('*1\r\nx4\r\n').message).toBe("Protocol error: expected '$', got 'x'");
    expect(errorOf('*2\r\n$1\r\na\r\n:1\r\n').message).toBe("Protocol error: expected '$', got ':'");
  });

  it('invalid bulk length', () => {
    for (const bad of ['$-1', '$+4', '$04', '$', '$x', '$536870913', '$1.5']) {
      expect(errorOf(`*1\r\n${bad}\r\n`).message, bad).toBe('Protocol error: invalid bulk length');
    }
    expect(errorOf('*1\r\n$11\r\n', { maxBulkLength: 10 }).message).toBe('Protocol error: invalid bulk length');
    expect(parseAll('*1\r\n$10\r\n0123456789\r\n', { maxBulkLength: 10 })).toEqual([['0123456789']]);
  });

  it('too big inline request / mbulk count string / bulk count string', () => {
    const big = 'x'.repeat(64 * 1024 + 1);
    expect(errorOf(big).message).toBe('Protocol error: too big inline request');
    expect(errorOf('*' + '1'.repeat(64 * 1024 + 1)).message).toBe('Protocol error: too big mbulk count string');
    expect(errorOf('*1\r\n$' + '1'.repeat(64 * 1024)).message).toBe('Protocol error: too big bulk count string');
    // at the limit it still waits for more
    expect(parseAll('x'.repeat(64 * 1024))).toEqual([]);
    expect(errorOf('PING PING', { maxInlineSize: 8 }).message).toBe('Protocol error: too big inline request');
    // a complete line longer than the limit that arrived at once is accepted, as in Redis
    expect(parseAll('ECHO ' + 'y'.repeat(20) + '\n', { maxInlineSize: 8 })).toEqual([['ECHO', 'y'.repeat(20)]]);
  });

  it('query buffer limit', () => {
    const p = new RequestParser({ maxQueryBuffer: 100 });
    p.feed(Buffer.from('*1\r\n$200\r\n'));
    p.feed(Buffer.alloc(95, 0x61));
    expect(() => p.next()).toThrow(RequestError);
    try {
      p.next();
    } catch (e) {
      expect((e as RequestError).code).toBe('ERR_QUERY_BUFFER_LIMIT');
    }
  });

  it('query buffer limit counts held arguments, so empty ones cannot pile up', () => {
    const p = new RequestParser({ maxQueryBuffer: 10_000 });
    p.feed(Buffer.from('*100000\r\n'));
    let thrown: unknown;
    try {
      for (let i = 0; i < 1000 && thrown === undefined; i++) {
        p.feed(Buffer.from('$0\r\n\r\n'));
        p.next();
      }
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(RequestError);
    expect((thrown as RequestError).code).toBe('ERR_QUERY_BUFFER_LIMIT');
  });

  it('an error is sticky until reset()', () => {
    const p = new RequestParser();
    p.feed(Buffer.from('*x\r\n'));
    expect(() => p.next()).toThrow('Protocol error: invalid multibulk length');
    p.feed(Buffer.from('PING\r\n'));
    expect(() => p.next()).toThrow('Protocol error: invalid multibulk length');
    p.reset();
    p.feed(Buffer.from('PING\r\n'));
    expect(p.next()?.map(String)).toEqual(['PING']);
  });
});

describe('RequestParser: chunking', () => {
  it('any split of a pipeline gives the same commands (property)', () => {
    const arg = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 60 }), fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)));
    const command = fc.array(arg, { minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (cmds, cutSeeds) => {
        const wire = Buffer.concat(cmds.map((c) => encodeCommand(c)));
        const cuts = [...new Set(cutSeeds.map((s) => s % (wire.length + 1)))].sort((a, b) => a - b);
        const p = new RequestParser();
        const got: Buffer[][] = [];
        let prev = 0;
        for (const cut of [...cuts, wire.length]) {
          p.feed(wire.subarray(prev, cut));
          prev = cut;
          for (let argv = p.next(); argv !== null; argv = p.next()) got.push(argv);
        }
        const want = cmds.map((c) => c.map((a) => (typeof a === 'string' ? Buffer.from(a) : a)));
        expect(got).toEqual(want);
        expect(p.buffered).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('byte-by-byte feeding, multibulk and inline mixed', () => {
    const wire = Buffer.concat([
      encodeCommand(['SET', 'key', 'v'.repeat(100)]),
      Buffer.from('ECHO "hi there" \'x\'\r\n\r\n'),
      encodeCommand(['GET', 'key']),
    ]);
    const p = new RequestParser();
    const got: string[][] = [];
    for (const byte of wire) {
      p.feed(Buffer.from([byte]));
      for (let argv = p.next(); argv !== null; argv = p.next()) got.push(argv.map(String));
    }
    expect(got).toEqual([['SET', 'key', 'v'.repeat(100)], ['ECHO', 'hi there', 'x'], ['GET', 'key']]);
  });

  it('a 32 MiB argument in 16 KiB chunks arrives whole', () => {
    const big = Buffer.alloc(32 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
    const wire = encodeCommand(['SET', 'big', big]);
    const p = new RequestParser();
    let argv: Buffer[] | null = null;
    for (let o = 0; o < wire.length; o += 16384) {
      p.feed(wire.subarray(o, o + 16384));
      argv = p.next() ?? argv;
    }
    expect(argv?.length).toBe(3);
    expect(argv?.[2]?.equals(big)).toBe(true);
  });
});

describe('RequestParser: fuzz (bounded)', () => {
  it('random and mutated input ends in commands, null or a RequestError, never anything else', () => {
    const seeds = [
      encodeCommand(['SET', 'key', 'value']),
      encodeCommand(['MSET', 'a', '1', 'b', Buffer.from([0, 13, 10])]),
      Buffer.from('ECHO "a\\x41 b" \'c\\\'d\'\r\nPING\r\n'),
      Buffer.from('*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n'),
    ];
    let rnd = 12345;
    const next = (n: number): number => {
      rnd = (rnd * 1103515245 + 12345) & 0x7fffffff;
      return rnd % n;
    };
    const alphabet = Buffer.from('*$\r\n-+0123456789 "\'\\xaAzZ\x00\x7f\xff');
    for (let round = 0; round < 20_000; round++) {
      let input: Buffer;
      if (round % 2 === 0) {
        input = Buffer.from(seeds[next(seeds.length)] as Buffer);
        for (let m = next(4) + 1; m > 0; m--) input[next(input.length)] = alphabet[next(alphabet.length)] as number;
      } else {
        input = Buffer.from(Array.from({ length: next(40) }, () => alphabet[next(alphabet.length)] as number));
      }
      const p = new RequestParser({ maxBulkLength: 1000, maxInlineSize: 200 });
      let at = 0;
      try {
        while (at < input.length) {
          const step = next(8) + 1;
          p.feed(input.subarray(at, at + step));
          at += step;
          for (let guard = 0; guard < 1000 && p.next() !== null; guard++);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(RequestError);
      }
      expect(p.buffered).toBeLessThanOrEqual(input.length);
    }
  });
});
