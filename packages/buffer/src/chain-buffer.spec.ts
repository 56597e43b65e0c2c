import { describe, it, expect } from 'vitest';
import { ChainBuffer, BufferOverflowError } from './index.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const text = (buf: Buffer | null): string | null => (buf === null ? null : buf.toString('latin1'));

/** A buffer whose chunks are exactly the given pieces (added by reference). */
function chain(...pieces: string[]): ChainBuffer {
  const cb = new ChainBuffer({ chunkSize: 4 });
  for (const p of pieces) cb.addReference(b(p));
  return cb;
}

function contents(cb: ChainBuffer): string {
  return Buffer.concat(cb.peek()).toString('latin1');
}

describe('ChainBuffer add / length', () => {
  it('starts empty', () => {
    const cb = new ChainBuffer();
    expect(cb.length).toBe(0);
    expect(cb.peek()).toEqual([]);
    expect(cb.writeAtMost().length).toBe(0);
  });

  it('copies bytes and strings, spilling into new chunks when the tail is full', () => {
    const cb = new ChainBuffer({ chunkSize: 4 });
    cb.add(b('abc'));
    cb.add('defgh');
    cb.add(new Uint8Array([105, 106]));
    expect(cb.length).toBe(10);
    expect(contents(cb)).toBe('abcdefghij');
    expect(cb.peek().map((v) => v.length)).toEqual([4, 4, 2]);
  });

  it('copies: later changes to the source do not show', () => {
    const cb = new ChainBuffer();
    const src = b('hello');
    cb.add(src);
    src[0] = 0x58;
    expect(contents(cb)).toBe('hello');
  });

  it('encodes strings as UTF-8, including ones larger than a chunk', () => {
    const cb = new ChainBuffer({ chunkSize: 8 });
    const s = 'héllo wörld ✓ 🎉'.repeat(5);
    cb.add(s);
    expect(Buffer.concat(cb.peek()).toString('utf8')).toBe(s);
    expect(cb.length).toBe(Buffer.byteLength(s));
  });

  it('ignores empty appends', () => {
    const cb = new ChainBuffer();
    cb.add('');
    cb.add(new Uint8Array(0));
    cb.addReference(new Uint8Array(0));
    expect(cb.length).toBe(0);
    expect(cb.peek()).toEqual([]);
  });
});

describe('ChainBuffer when empty', () => {
  it('answers every read without throwing, and rejects reads past the end', () => {
    const cb = new ChainBuffer();
    expect(cb.readLine()).toBeNull();
    expect(cb.search('x')).toBe(-1);
    expect(cb.pullup(0).length).toBe(0);
    expect(cb.remove(0).length).toBe(0);
    expect(cb.writeAtMost(5).length).toBe(0);
    cb.drain(0);
    cb.clear();
    expect(() => cb.byteAt(0)).toThrow(RangeError);
    expect(() => cb.pullup(1)).toThrow(RangeError);
    expect(cb.length).toBe(0);
  });

  it('is empty again after everything is drained, with views still intact', () => {
    const cb = new ChainBuffer({ chunkSize: 8 });
    cb.add('abcdefghij');
    const views = cb.peek();
    cb.drain(10);
    expect(cb.length).toBe(0);
    expect(cb.peek()).toEqual([]);
    expect(cb.readLine()).toBeNull();
    expect(Buffer.concat(views).toString()).toBe('abcdefghij');
  });
});

describe('ChainBuffer addReference', () => {
  it('appends without copying', () => {
    const cb = new ChainBuffer();
    const src = b('hello');
    cb.addReference(src);
    src[0] = 0x4a;
    expect(contents(cb)).toBe('Jello');
    expect(cb.peek()[0]?.buffer).toBe(src.buffer);
  });

  it('accepts a plain Uint8Array window of a larger ArrayBuffer', () => {
    const whole = new Uint8Array([0, 1, 2, 3, 4, 5]);
    const cb = new ChainBuffer();
    cb.addReference(whole.subarray(2, 5));
    expect([...Buffer.concat(cb.peek())]).toEqual([2, 3, 4]);
  });

  it('copies a short buffer into an owned tail with room instead of linking it', () => {
    const cb = new ChainBuffer();
    cb.add('+OK\r\n');
    cb.addReference(b('$3\r\nfoo\r\n'));
    cb.add(':1\r\n');
    expect(cb.peek().map((v) => v.toString())).toEqual(['+OK\r\n$3\r\nfoo\r\n:1\r\n']);
  });

  it('links buffers over 1 KiB, or when the tail is not owned or is full', () => {
    const cb = new ChainBuffer({ chunkSize: 8 });
    cb.add('ab');
    const big = Buffer.alloc(1025, 0x61);
    cb.addReference(big);
    expect(cb.peek()[1]?.buffer).toBe(big.buffer);
    const small = b('xy');
    cb.addReference(small); // tail is big's chunk: not owned
    expect(cb.peek()[2]?.buffer).toBe(small.buffer);
    cb.add('12345678'); // new owned chunk, full
    const other = b('zz');
    cb.addReference(other);
    expect(cb.peek().at(-1)?.buffer).toBe(other.buffer);
    expect(contents(cb)).toBe('ab' + 'a'.repeat(1025) + 'xy12345678zz');
  });

  it('is never written to by a following add', () => {
    const cb = new ChainBuffer();
    const big = Buffer.alloc(8, 0x61);
    cb.addReference(big.subarray(0, 4));
    cb.add('xyz');
    expect(big.toString()).toBe('aaaaaaaa');
    expect(contents(cb)).toBe('aaaaxyz');
  });
});

describe('ChainBuffer drain / remove', () => {
  it('drains across chunks', () => {
    const cb = chain('ab', 'cde', 'f');
    cb.drain(3);
    expect(contents(cb)).toBe('def');
    cb.drain(3);
    expect(cb.length).toBe(0);
    cb.drain(0);
    expect(cb.length).toBe(0);
  });

  it('remove copies out and drains', () => {
    const cb = chain('ab', 'cde', 'f');
    const out = cb.remove(4);
    expect(text(out)).toBe('abcd');
    expect(contents(cb)).toBe('ef');
    expect(text(cb.remove(0))).toBe('');
    expect(text(cb.remove(2))).toBe('ef');
    expect(cb.length).toBe(0);
  });

  it('remove returns memory the caller owns (not the referenced bytes)', () => {
    const src = b('abcdef');
    const cb = new ChainBuffer();
    cb.addReference(src);
    const out = cb.remove(3);
    out[0] = 0x5a;
    expect(src.toString()).toBe('abcdef');
  });

  it('keeps working after draining to empty and appending again', () => {
    const cb = new ChainBuffer({ chunkSize: 4 });
    for (let round = 0; round < 10; round++) {
      cb.add(`r${round}xyz`);
      expect(text(cb.remove(cb.length))).toBe(`r${round}xyz`);
    }
  });
});

describe('ChainBuffer search', () => {
  it('finds separators inside one chunk', () => {
    const cb = chain('hello\r\nworld');
    expect(cb.search('\r\n')).toBe(5);
    expect(cb.search('o')).toBe(4);
    expect(cb.search('o', 5)).toBe(8);
    expect(cb.search(b('world'))).toBe(7);
    expect(cb.search(new Uint8Array([0x77]))).toBe(7);
  });

  it('finds a separator split across two chunks', () => {
    expect(chain('abc\r', '\ndef').search('\r\n')).toBe(3);
  });

  it('finds a separator split across three chunks', () => {
    expect(chain('xx<', '=', '>yy').search('<=>')).toBe(2);
    expect(chain('a', 'b', 'c', 'd').search('abcd')).toBe(0);
  });

  it('skips a false start that straddles chunks', () => {
    expect(chain('ab\r', 'x\r', '\n').search('\r\n')).toBe(4);
    expect(chain('aab', 'aa', 'abx').search('aaab')).toBe(3);
  });

  it('returns -1 when absent', () => {
    expect(chain('abc', 'def').search('\r\n')).toBe(-1);
    expect(chain('abc\r').search('\r\n')).toBe(-1);
    expect(chain('abc', 'd\r').search('\r\n')).toBe(-1);
  });

  it('returns -1 when the buffer is shorter than the separator (C underflow regression)', () => {
    expect(new ChainBuffer().search('\r\n')).toBe(-1);
    expect(chain('\r').search('\r\n')).toBe(-1);
    expect(chain('ab').search('abc')).toBe(-1);
    expect(chain('a', 'b').search('abcdefgh')).toBe(-1);
  });

  it('honours from, including past the end', () => {
    const cb = chain('a\r\nb', '\r', '\nc');
    expect(cb.search('\r\n', 0)).toBe(1);
    expect(cb.search('\r\n', 2)).toBe(4);
    expect(cb.search('\r\n', 5)).toBe(-1);
    expect(cb.search('\r\n', 100)).toBe(-1);
  });

  it('treats an empty separator as matching at from', () => {
    const cb = chain('abc');
    expect(cb.search('')).toBe(0);
    expect(cb.search('', 3)).toBe(3);
    expect(cb.search('', 4)).toBe(-1);
  });

  it('does not match stale bytes past the end of a reused chunk', () => {
    const cb = new ChainBuffer({ chunkSize: 64 });
    cb.add('x'.repeat(40) + '\r\n' + 'y'.repeat(20));
    cb.drain(cb.length);
    cb.add('z'.repeat(35));
    expect(cb.search('\r\n')).toBe(-1);
    expect(cb.search('y')).toBe(-1);
  });

  it('works after a partial drain (offset inside the front chunk)', () => {
    const cb = chain('xxab\r', '\nzz');
    cb.drain(2);
    expect(cb.search('\r\n')).toBe(2);
    expect(cb.search('z')).toBe(4);
  });
});

describe('ChainBuffer readLine', () => {
  it('returns lines without CRLF and consumes them', () => {
    const cb = chain('one\r\ntw', 'o\r', '\n\r\nthree');
    expect(text(cb.readLine())).toBe('one');
    expect(text(cb.readLine())).toBe('two');
    expect(text(cb.readLine())).toBe('');
    expect(cb.readLine()).toBeNull();
    expect(contents(cb)).toBe('three');
  });

  it('returns null until the line is complete, then finds a CRLF split by appends', () => {
    const cb = new ChainBuffer({ chunkSize: 4 });
    cb.add('partial line');
    expect(cb.readLine()).toBeNull();
    cb.add('\r');
    expect(cb.readLine()).toBeNull();
    cb.add('\nrest');
    expect(text(cb.readLine())).toBe('partial line');
    expect(contents(cb)).toBe('rest');
  });

  it('ignores a lone LF or CR', () => {
    const cb = chain('a\nb\rc\r\n');
    expect(text(cb.readLine())).toBe('a\nb\rc');
  });

  it('rescans correctly after drain moved the front', () => {
    const cb = new ChainBuffer();
    cb.add('abcdef');
    expect(cb.readLine()).toBeNull();
    cb.drain(4);
    cb.add('\r\n');
    expect(text(cb.readLine())).toBe('ef');
  });
});

describe('ChainBuffer pullup', () => {
  it('returns a view of the front chunk when no copy is needed', () => {
    const src = b('abcdef');
    const cb = new ChainBuffer();
    cb.addReference(src);
    const v = cb.pullup(3);
    expect(text(v)).toBe('abc');
    expect(v.buffer).toBe(src.buffer);
    expect(cb.length).toBe(6);
  });

  it('copies when spanning, and the front then is one chunk', () => {
    const cb = chain('ab', 'cd', 'ef', 'gh');
    const v = cb.pullup(5);
    expect(text(v)).toBe('abcde');
    expect(cb.length).toBe(8);
    expect(cb.peek().map((x) => x.toString())).toEqual(['abcde', 'f', 'gh']);
    const again = cb.pullup(4);
    expect(again.buffer).toBe(v.buffer);
    expect(again.byteOffset).toBe(v.byteOffset);
    expect(text(again)).toBe('abcd');
  });

  it('pulls up the whole buffer and keeps appending after it', () => {
    const cb = chain('ab', 'cd');
    expect(text(cb.pullup(4))).toBe('abcd');
    cb.add('ef');
    expect(contents(cb)).toBe('abcdef');
    expect(text(cb.pullup(0))).toBe('');
  });

  it('handles pullups larger than chunkSize', () => {
    const cb = new ChainBuffer({ chunkSize: 4 });
    cb.add('0123456789');
    expect(text(cb.pullup(9))).toBe('012345678');
    expect(contents(cb)).toBe('0123456789');
  });
});

describe('ChainBuffer peek / writeAtMost / byteAt / clear', () => {
  it('peek returns views in order and does not drain', () => {
    const cb = chain('ab', 'cd');
    cb.add('ef');
    expect(cb.peek().map((x) => x.toString())).toEqual(['ab', 'cd', 'ef']);
    expect(cb.length).toBe(6);
  });

  it('writeAtMost returns the front chunk, capped at max', () => {
    const cb = chain('abc', 'de');
    expect(text(cb.writeAtMost())).toBe('abc');
    expect(text(cb.writeAtMost(2))).toBe('ab');
    expect(text(cb.writeAtMost(0))).toBe('');
    cb.drain(3);
    expect(text(cb.writeAtMost(10))).toBe('de');
    expect(cb.length).toBe(2);
  });

  it('byteAt reads across chunks', () => {
    const cb = chain('ab', 'c', 'de');
    cb.drain(1);
    expect([0, 1, 2, 3].map((i) => cb.byteAt(i))).toEqual([...b('bcde')]);
  });

  it('clear drops everything and the buffer stays usable', () => {
    const cb = new ChainBuffer({ chunkSize: 4 });
    for (let i = 0; i < 100; i++) cb.add('chunk');
    cb.clear();
    expect(cb.length).toBe(0);
    expect(cb.peek()).toEqual([]);
    cb.add('again\r\n');
    expect(text(cb.readLine())).toBe('again');
  });
});

describe('ChainBuffer pooling never corrupts bytes handed out', () => {
  it('views from peek survive drain and reuse', () => {
    const cb = new ChainBuffer({ chunkSize: 8, poolSize: 4 });
    cb.add('AAAAAAAABBBBBBBB');
    const views = cb.peek();
    cb.drain(cb.length);
    cb.add('CCCCCCCCDDDDDDDDEEEEEEEE');
    expect(views.map((v) => v.toString())).toEqual(['AAAAAAAA', 'BBBBBBBB']);
    expect(contents(cb)).toBe('CCCCCCCCDDDDDDDDEEEEEEEE');
  });

  it('views from writeAtMost and pullup survive drain and reuse', () => {
    const cb = new ChainBuffer({ chunkSize: 8, poolSize: 4 });
    cb.add('0123456789');
    const w = cb.writeAtMost(4);
    const p = cb.pullup(10);
    cb.drain(10);
    for (let i = 0; i < 10; i++) cb.add('zzzzzzzz');
    expect(w.toString()).toBe('0123');
    expect(p.toString()).toBe('0123456789');
  });

  it('copies from remove/readLine survive reuse', () => {
    const cb = new ChainBuffer({ chunkSize: 8, poolSize: 4 });
    cb.add('line one\r\nline two\r\n');
    const one = cb.readLine();
    const two = cb.remove(8);
    cb.drain(2);
    for (let i = 0; i < 10; i++) cb.add('########');
    expect(text(one)).toBe('line one');
    expect(text(two)).toBe('line two');
  });

  it('a shared tail keeps taking appends without touching viewed bytes', () => {
    const cb = new ChainBuffer({ chunkSize: 16 });
    cb.add('abc');
    const v = cb.writeAtMost();
    cb.drain(3);
    cb.add('defgh');
    expect(v.toString()).toBe('abc');
    expect(contents(cb)).toBe('defgh');
  });
});

describe('ChainBuffer reserve / commit (writing in place)', () => {
  const write = (cb: ChainBuffer, text: string, room = text.length): void => {
    const buf = cb.reserve(room);
    buf.write(text, cb.reservedOffset, 'latin1');
    cb.commit(text.length);
  };

  it('writes into the tail when it has room, else into a fresh chunk; bytes come out in order', () => {
    const cb = new ChainBuffer({ chunkSize: 8 });
    cb.add('abc');
    write(cb, 'defg'); // fits the tail's 5 free bytes
    expect(cb.peek().length).toBe(1);
    write(cb, 'hij'); // 1 byte left in the tail: a fresh chunk
    expect(cb.peek().map(String)).toEqual(['abcdefg', 'hij']);
    write(cb, 'x'.repeat(20)); // longer than a chunk: a chunk of its own
    expect(cb.remove(cb.length).toString()).toBe(`abcdefghij${'x'.repeat(20)}`);
  });

  it('only committed bytes become readable; commit(0) and an unused fresh chunk leave nothing behind', () => {
    const cb = new ChainBuffer({ chunkSize: 8 });
    const buf = cb.reserve(6);
    buf.write('hello!', cb.reservedOffset);
    cb.commit(5);
    expect(cb.length).toBe(5);
    cb.reserve(8); // the tail has 3 free: a fresh chunk, abandoned by commit(0)
    cb.commit(0);
    expect(cb.peek().map(String)).toEqual(['hello']);
    cb.reserve(2);
    cb.reserve(3); // replaces the first reservation
    expect(() => cb.commit(4)).toThrow(RangeError);
    cb.reserve(3);
    cb.commit(0);
    expect(cb.remove(5).toString()).toBe('hello');
  });

  it('refuses bad calls and a commit after the buffer changed, and keeps maxSize', () => {
    const cb = new ChainBuffer({ chunkSize: 8, maxSize: 10 });
    expect(() => cb.commit(1)).toThrow(RangeError);
    expect(() => cb.reserve(0)).toThrow(RangeError);
    expect(() => cb.reserve(1.5)).toThrow(RangeError);
    expect(() => cb.reserve(11)).toThrow(BufferOverflowError);
    cb.reserve(4);
    cb.add('zz');
    expect(() => cb.commit(1)).toThrow(/changed after reserve/);
    expect(cb.remove(cb.length).toString()).toBe('zz');
    cb.add('abc');
    cb.reserve(4);
    cb.drain(1);
    expect(() => cb.commit(1)).toThrow(/changed after reserve/);
    expect(cb.remove(cb.length).toString()).toBe('bc');
  });
});

describe('ChainBuffer maxSize', () => {
  it('refuses an append that would overflow, storing none of it', () => {
    const cb = new ChainBuffer({ chunkSize: 4, maxSize: 10 });
    cb.add('12345678');
    const err = (() => {
      try {
        cb.add('abc');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BufferOverflowError);
    expect(err).toBeInstanceOf(RangeError);
    expect((err as BufferOverflowError).code).toBe('ERR_BUFFER_OVERFLOW');
    expect(contents(cb)).toBe('12345678');
    expect(() => cb.addReference(b('abc'))).toThrow(BufferOverflowError);
    expect(() => cb.add(b('abc'))).toThrow(BufferOverflowError);
    expect(() => cb.add('€')).toThrow(BufferOverflowError); // 3 bytes in UTF-8
    expect(cb.length).toBe(8);
    cb.add('ab');
    expect(cb.length).toBe(10);
    cb.drain(5);
    cb.add('cdefg');
    expect(contents(cb)).toBe('678abcdefg');
  });
});

describe('ChainBuffer bad calls', () => {
  const bad: Array<[string, (cb: ChainBuffer) => unknown, typeof TypeError | typeof RangeError]> = [
    ['drain past length', (cb) => cb.drain(6), RangeError],
    ['drain negative', (cb) => cb.drain(-1), RangeError],
    ['drain fraction', (cb) => cb.drain(1.5), RangeError],
    ['drain NaN', (cb) => cb.drain(NaN), RangeError],
    ['drain string', (cb) => cb.drain('1' as unknown as number), TypeError],
    ['remove past length', (cb) => cb.remove(6), RangeError],
    ['pullup past length', (cb) => cb.pullup(6), RangeError],
    ['pullup negative', (cb) => cb.pullup(-2), RangeError],
    ['byteAt past end', (cb) => cb.byteAt(5), RangeError],
    ['byteAt negative', (cb) => cb.byteAt(-1), RangeError],
    ['writeAtMost negative', (cb) => cb.writeAtMost(-1), RangeError],
    ['writeAtMost string', (cb) => cb.writeAtMost('2' as unknown as number), TypeError],
    ['byteAt string', (cb) => cb.byteAt('0' as unknown as number), TypeError],
    ['byteAt fraction', (cb) => cb.byteAt(0.5), RangeError],
    ['search fractional from', (cb) => cb.search('a', 0.5), RangeError],
    ['search string from', (cb) => cb.search('a', '1' as unknown as number), TypeError],
    ['search negative from', (cb) => cb.search('a', -1), RangeError],
    ['search non-byte sep', (cb) => cb.search(42 as unknown as string), TypeError],
    ['add number', (cb) => cb.add(42 as unknown as string), TypeError],
    ['add null', (cb) => cb.add(null as unknown as string), TypeError],
    ['add array', (cb) => cb.add([1, 2] as unknown as Uint8Array), TypeError],
    ['add Uint16Array', (cb) => cb.add(new Uint16Array(2) as unknown as Uint8Array), TypeError],
    ['addReference string', (cb) => cb.addReference('x' as unknown as Uint8Array), TypeError],
  ];
  for (const [name, call, type] of bad) {
    it(`${name} throws ${type.name} and leaves the buffer intact`, () => {
      const cb = chain('ab', 'cde');
      expect(() => call(cb)).toThrow(type);
      expect(cb.length).toBe(5);
      expect(contents(cb)).toBe('abcde');
      expect(text(cb.remove(5))).toBe('abcde');
    });
  }

  it('error messages name the call and the problem', () => {
    const cb = chain('abc');
    expect(() => cb.drain(4)).toThrow(/drain\(4\): only 3 bytes/);
    expect(() => cb.add(7 as unknown as string)).toThrow(/ChainBuffer.add: expected a Uint8Array or string, got 7/);
  });

  it('rejects bad options', () => {
    expect(() => new ChainBuffer({ chunkSize: 0 })).toThrow(RangeError);
    expect(() => new ChainBuffer({ chunkSize: 1.5 })).toThrow(RangeError);
    expect(() => new ChainBuffer({ poolSize: -1 })).toThrow(RangeError);
    expect(() => new ChainBuffer({ maxSize: -1 })).toThrow(RangeError);
    expect(() => new ChainBuffer({ maxSize: Infinity })).not.toThrow();
  });
});

describe('ChainBuffer readLine ownership', () => {
  it('returns a view of referenced bytes when the line lies in one such chunk', () => {
    const src = b('hello\r\nworld\r\n');
    const cb = new ChainBuffer();
    cb.addReference(src);
    const line = cb.readLine();
    expect(text(line)).toBe('hello');
    expect(line?.buffer).toBe(src.buffer);
    expect(line?.byteOffset).toBe(src.byteOffset);
  });

  it('a line inside an owned chunk is a view that later appends, drains and pooling never touch', () => {
    const cb = new ChainBuffer({ chunkSize: 16, poolSize: 4 });
    cb.add('owned\r\nmore');
    const owned = cb.readLine();
    const again = cb.pullup(4);
    // Same memory: a view, not a copy.
    expect(owned?.buffer).toBe(again.buffer);
    for (let i = 0; i < 50; i++) {
      cb.add('zzzzzzzzzz\r\n');
      cb.drain(cb.length);
    }
    expect(text(owned)).toBe('owned');
  });

  it('returns a copy when the line spans chunks', () => {
    const first = b('ab');
    const second = b('c\r\n');
    const spanning = new ChainBuffer();
    spanning.addReference(first);
    spanning.addReference(second);
    const line = spanning.readLine();
    expect(text(line)).toBe('abc');
    first.fill(0x78);
    second.fill(0x78);
    expect(text(line)).toBe('abc');
  });
});
