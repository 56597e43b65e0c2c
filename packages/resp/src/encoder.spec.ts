import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { ChainBuffer } from '@reactor-ts/buffer';
import { appendCommand, encodeCommand, formatCommand } from './encoder.js';
import { formatDouble } from './format.js';

/** The wire bytes as a latin1 string, so each byte is one character. */
const wire = (b: Buffer): string => b.toString('latin1');

/** A reference encoder: obviously correct, slow. */
function reference(argv: Array<string | Uint8Array>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const bytes = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

describe('encodeCommand', () => {
  it('encodes string arguments', () => {
    expect(wire(encodeCommand(['SET', 'key', 'value']))).toBe(
      '*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n',
    );
  });

  it('encodes an empty command and empty arguments', () => {
    expect(wire(encodeCommand([]))).toBe('*0\r\n');
    expect(wire(encodeCommand(['ECHO', '']))).toBe('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n');
    expect(wire(encodeCommand(['ECHO', Buffer.alloc(0)]))).toBe('*2\r\n$4\r\nECHO\r\n$0\r\n\r\n');
  });

  it('counts UTF-8 bytes, not UTF-16 units', () => {
    expect(wire(encodeCommand(['é']))).toBe('*1\r\n$2\r\n\xc3\xa9\r\n');
    expect(encodeCommand(['€'])).toEqual(Buffer.from('*1\r\n$3\r\n€\r\n'));
    expect(encodeCommand(['😀'])).toEqual(Buffer.from('*1\r\n$4\r\n😀\r\n'));
    // a lone surrogate goes out as U+FFFD, as Buffer.from does
    expect(encodeCommand(['a\ud800b'])).toEqual(reference(['a\ud800b']));
    const long = 'ü'.repeat(100) + 'x';
    expect(encodeCommand([long])).toEqual(reference([long]));
  });

  it('sends Buffers and Uint8Arrays byte for byte', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(encodeCommand(['SET', 'k', all])).toEqual(reference(['SET', 'k', all]));
    const u8 = new Uint8Array([0, 13, 10, 255]);
    expect(wire(encodeCommand([u8]))).toBe('*1\r\n$4\r\n\x00\r\n\xff\r\n');
    const view = all.subarray(10, 20);
    expect(encodeCommand([view])).toEqual(reference([view]));
  });

  it('writes numbers and bigints in decimal', () => {
    expect(wire(encodeCommand(['INCRBY', 'n', 42]))).toBe('*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$2\r\n42\r\n');
    expect(wire(encodeCommand([-7, 0, 1.5, 12345678901]))).toBe(
      '*4\r\n$2\r\n-7\r\n$1\r\n0\r\n$3\r\n1.5\r\n$11\r\n12345678901\r\n',
    );
    expect(wire(encodeCommand([Infinity, -Infinity]))).toBe('*2\r\n$3\r\ninf\r\n$4\r\n-inf\r\n');
    expect(wire(encodeCommand([2n ** 70n]))).toBe('*1\r\n$22\r\n1180591620717411303424\r\n');
  });

  it('refuses NaN and other types with a TypeError naming the argument', () => {
    expect(() => encodeCommand(['SET', NaN])).toThrow(/argument 1 is NaN/);
    const bad = [null, undefined, {}, true, Symbol('x')];
    for (const b of bad) {
      expect(() => encodeCommand(['GET', b as unknown as string])).toThrow(TypeError);
    }
    expect(() => encodeCommand(['GET', null as unknown as string])).toThrow(/argument 1 .* got null/);
  });

  it('handles lengths across every digit boundary', () => {
    for (const n of [9, 10, 99, 100, 999, 1000, 9999, 10000, 99999, 100000, 1_000_000]) {
      const s = 'a'.repeat(n);
      expect(encodeCommand(['X', s]).equals(reference(['X', s]))).toBe(true);
    }
  });

  it('encodes many arguments (scratch growth)', () => {
    const argv = Array.from({ length: 1000 }, (_, i) => `arg${i}`);
    expect(encodeCommand(argv)).toEqual(reference(argv));
    expect(encodeCommand(['PING'])).toEqual(reference(['PING']));
  });

  it('never reuses memory of an earlier result (slab views stay intact)', () => {
    const kept: Array<[Buffer, Buffer]> = [];
    for (let i = 0; i < 5000; i++) {
      const argv = ['SET', `key:${i}`, 'v'.repeat(i % 300), i % 7 === 0 ? 'ü'.repeat(i % 90) : 'x'];
      kept.push([encodeCommand(argv), reference(argv)]);
    }
    for (const [got, want] of kept) expect(got.equals(want)).toBe(true);
  });

  it('falls back to exact UTF-8 lengths for non-ASCII at every string size', () => {
    for (const n of [1, 47, 48, 49, 100, 1000, 2700, 2800, 5000]) {
      for (const s of ['é'.repeat(n), 'a'.repeat(n - 1) + '€', '\ud83d'.repeat(n)]) {
        expect(encodeCommand(['SET', s, 'k']).equals(reference(['SET', s, 'k']))).toBe(true);
      }
    }
  });

  it('matches the reference encoder on any arguments (property)', () => {
    const arg = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.uint8Array({ maxLength: 80 }),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 12 }), (argv) => {
        expect(encodeCommand(argv)).toEqual(reference(argv));
      }),
      { numRuns: 500 },
    );
  });
});

describe('appendCommand (encoding in place into a ChainBuffer)', () => {
  const arg = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.uint8Array({ maxLength: 80 }),
    fc.integer(),
  );

  it('appends exactly encodeCommand\'s bytes, after whatever was queued, at any chunk size (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arg, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        fc.uint8Array({ maxLength: 20 }),
        (commands, chunkSize, before) => {
          const out = new ChainBuffer({ chunkSize });
          out.add(before);
          for (const argv of commands) appendCommand(out, argv);
          const want = Buffer.concat([Buffer.from(before), ...commands.map((argv) => encodeCommand(argv))]);
          expect(out.remove(out.length).equals(want)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('handles non-ASCII and long strings on both sides of the in-place limit', () => {
    for (const n of [1, 47, 48, 100, 2700, 2800, 5000, 100_000]) {
      for (const s of ['é'.repeat(n), 'a'.repeat(n - 1) + '€', 'a'.repeat(n)]) {
        const out = new ChainBuffer({ chunkSize: 1024 });
        out.add('x');
        appendCommand(out, ['SET', s, 'k']);
        expect(out.remove(out.length).equals(Buffer.concat([Buffer.from('x'), reference(['SET', s, 'k'])]))).toBe(true);
      }
    }
  });

  it('a bad argument throws the TypeError encodeCommand throws and appends nothing', () => {
    const out = new ChainBuffer();
    out.add('kept');
    const bad = ['SET', 'k', { no: 1 }] as unknown as string[];
    expect(() => appendCommand(out, bad)).toThrow(TypeError);
    expect(() => encodeCommand(bad)).toThrow(TypeError);
    appendCommand(out, ['PING']);
    expect(out.remove(out.length).toString()).toBe('kept*1\r\n$4\r\nPING\r\n');
  });
});

describe('formatCommand', () => {
  it('splits on spaces and interpolates %s', () => {
    expect(wire(formatCommand('SET %s %s', 'foo', 'bar'))).toBe(wire(encodeCommand(['SET', 'foo', 'bar'])));
  });

  it('keeps an interpolated value with spaces as one argument', () => {
    expect(wire(formatCommand('SET %s %s', 'my key', 'a b c'))).toBe(
      wire(encodeCommand(['SET', 'my key', 'a b c'])),
    );
  });

  it('makes no empty arguments from runs of spaces, but %s of "" is an argument', () => {
    expect(wire(formatCommand('  SET   a   b  '))).toBe(wire(encodeCommand(['SET', 'a', 'b'])));
    expect(wire(formatCommand('SET a %s', ''))).toBe(wire(encodeCommand(['SET', 'a', ''])));
  });

  it('joins literal text and values inside one argument', () => {
    expect(wire(formatCommand('GET key:%s:%d', 'user', 7))).toBe(wire(encodeCommand(['GET', 'key:user:7'])));
    expect(formatCommand('SET k%b x', Buffer.from([0, 255]))).toEqual(
      encodeCommand(['SET', Buffer.from([0x6b, 0, 255]), 'x']),
    );
  });

  it('%b sends one Buffer, Uint8Array or string as is', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(formatCommand('SET bin %b', all)).toEqual(encodeCommand(['SET', 'bin', all]));
    expect(formatCommand('SET bin %b', new Uint8Array([1, 2]))).toEqual(encodeCommand(['SET', 'bin', Buffer.from([1, 2])]));
    expect(formatCommand('SET bin %b', 'text')).toEqual(encodeCommand(['SET', 'bin', 'text']));
  });

  it('%d and its C aliases take integers and bigints', () => {
    expect(wire(formatCommand('INCRBY n %d', -12))).toBe(wire(encodeCommand(['INCRBY', 'n', '-12'])));
    for (const spec of ['%i', '%ld', '%lld', '%hd', '%zd', '%lu', '%llu', '%u']) {
      expect(wire(formatCommand(`X ${spec}`, 5))).toBe(wire(encodeCommand(['X', '5'])));
    }
    expect(wire(formatCommand('X %lld', 2n ** 63n - 1n))).toBe(wire(encodeCommand(['X', '9223372036854775807'])));
    expect(wire(formatCommand('X %d', 2 ** 60))).toBe(wire(encodeCommand(['X', '1152921504606846976'])));
    expect(wire(formatCommand('X %d', -0))).toBe(wire(encodeCommand(['X', '0'])));
  });

  it('%d refuses non-integers; %u refuses negatives', () => {
    expect(() => formatCommand('X %d', 1.5)).toThrow(/must be an integer, got 1.5/);
    expect(() => formatCommand('X %d', NaN)).toThrow(TypeError);
    expect(() => formatCommand('X %d', Infinity)).toThrow(TypeError);
    expect(() => formatCommand('X %d', '5' as unknown as number)).toThrow(/must be an integer, got string/);
    expect(() => formatCommand('X %u', -1)).toThrow(/must not be negative/);
  });

  it('%f %e %g print as C printf does', () => {
    expect(wire(formatCommand('X %f %.2f %e %g %g %g %g', 1.5, 3.14159, 12345.678, 1e6, 100, 0.0001, 1e-5))).toBe(
      wire(encodeCommand(['X', '1.500000', '3.14', '1.234568e+04', '1e+06', '100', '0.0001', '1e-05'])),
    );
    expect(formatDouble(Infinity, 'f', 6)).toBe('inf');
    expect(formatDouble(-Infinity, 'g', 6)).toBe('-inf');
    expect(formatDouble(NaN, 'g', 6)).toBe('nan');
    expect(formatDouble(NaN, 'G', 6)).toBe('NAN');
    expect(formatDouble(0, 'g', 6)).toBe('0');
    expect(formatDouble(123456789, 'g', 6)).toBe('1.23457e+08');
    expect(formatDouble(0.5, 'g', 6)).toBe('0.5');
    expect(formatDouble(100000, 'g', 6)).toBe('100000');
    expect(formatDouble(1e21, 'f', 0)).toBe('1000000000000000000000');
    expect(formatDouble(2.5, 'lf'.slice(1), 1)).toBe('2.5');
    expect(() => formatCommand('X %f', 'a' as unknown as number)).toThrow(/must be a number/);
  });

  it('%% is a literal percent; a trailing % is literal too', () => {
    expect(wire(formatCommand('SET k 100%%'))).toBe(wire(encodeCommand(['SET', 'k', '100%'])));
    expect(wire(formatCommand('SET k 5%'))).toBe(wire(encodeCommand(['SET', 'k', '5%'])));
    expect(wire(formatCommand('SET %% x'))).toBe(wire(encodeCommand(['SET', '%', 'x'])));
  });

  it('rejects unsupported specifiers with their position', () => {
    for (const bad of ['%x', '%X', '%o', '%c', '%p', '%n', '%5d', '%-d', '% d', '%ls', '%.2d', '%hf', '%q']) {
      expect(() => formatCommand(`GET ${bad}`, 1), bad).toThrow(TypeError);
    }
    expect(() => formatCommand('GET %x', 1)).toThrow("invalid format specifier '%x' at offset 4 in \"GET %x\"");
  });

  it('rejects too few and too many values', () => {
    expect(() => formatCommand('SET %s %s', 'a')).toThrow('formatCommand: "SET %s %s" takes 2 value(s), got 1');
    expect(() => formatCommand('PING', 'extra')).toThrow(/takes 0 value\(s\), got 1/);
  });

  it('rejects values of the wrong type with a hint', () => {
    expect(() => formatCommand('GET %s', 5)).toThrow(/use %d/);
    expect(() => formatCommand('GET %s', Buffer.from('x'))).toThrow(/use %b/);
    expect(() => formatCommand('GET %b', 5)).toThrow(/must be a Buffer, Uint8Array or string/);
  });

  it('UTF-8 in the format itself', () => {
    expect(formatCommand('SET ключ %s', 'значение')).toEqual(encodeCommand(['SET', 'ключ', 'значение']));
  });
});
