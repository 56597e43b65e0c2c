// The reply views read the same wire bytes the same way whichever builder
// made the value: hiredis-shaped RedisReply objects or native JS values.
import { describe, expect, it } from 'vitest';
import { NEED_MORE, RespReader } from './reader.js';
import { errorText, integerOf, isPush, itemsOf, textOf } from './reply-view.js';

/** The one reply in `wire`, built by `builder`. */
function read(wire: string, builder: 'native' | 'hiredis', stringMode: 'string' | 'buffer' = 'string'): unknown {
  const r = new RespReader({ builder, stringMode });
  r.feed(Buffer.from(wire, 'latin1'));
  const v = r.getReply();
  expect(v).not.toBe(NEED_MORE);
  return v;
}

describe.each(['native', 'hiredis'] as const)('reply views over the %s builder', (builder) => {
  it('textOf reads bulk and simple strings, and nothing else', () => {
    expect(textOf(read('$5\r\nhello\r\n', builder))).toBe('hello');
    expect(textOf(read('$5\r\nhello\r\n', builder, 'buffer'))).toBe('hello');
    expect(textOf(read('+OK\r\n', builder))).toBe('OK');
    expect(textOf(read(':1\r\n', builder))).toBeNull();
    expect(textOf(read('*0\r\n', builder))).toBeNull();
  });

  it('integerOf reads integers, itemsOf arrays and pushes', () => {
    expect(integerOf(read(':42\r\n', builder))).toBe(42);
    expect(integerOf(read('$2\r\n42\r\n', builder))).toBeNull();
    const items = itemsOf(read('*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n:3\r\n', builder));
    expect(items?.map((x, i) => (i < 2 ? textOf(x) : integerOf(x)))).toEqual(['message', 'ch', 3]);
    expect(itemsOf(read('>2\r\n$9\r\nsubscribe\r\n:1\r\n', builder))).toHaveLength(2);
    expect(itemsOf(read('+OK\r\n', builder))).toBeNull();
  });

  it('isPush tells a push frame from an array; errorText reads error replies only', () => {
    expect(isPush(read('>1\r\n$4\r\ninfo\r\n', builder))).toBe(true);
    expect(isPush(read('*1\r\n$4\r\ninfo\r\n', builder))).toBe(false);
    expect(isPush(null)).toBe(false);
    expect(errorText(read('-ERR no such key\r\n', builder))).toBe('ERR no such key');
    expect(errorText(read('+ERR is not an error\r\n', builder))).toBeNull();
  });
});
