// Unit tests for the tour's pure helpers: the step-8 line splitter and
// reply formatter, and the byte escaping of step 1.
import { RespReader, NEED_MORE, type RedisReply } from '@reactor-ts/resp';
import { describe, expect, it } from 'vitest';
import { escapeBytes, timingLine } from './output.js';
import { formatReply, splitLine } from './server.js';

function hiredisReply(wire: string): RedisReply {
  const reader = new RespReader({ builder: 'hiredis' });
  reader.feed(Buffer.from(wire));
  const r = reader.getReply();
  if (r === NEED_MORE) throw new Error('incomplete');
  return r as RedisReply;
}

describe('splitLine', () => {
  it('splits on whitespace and keeps quoted groups', () => {
    expect(splitLine('  INCR   hits ')).toEqual(['INCR', 'hits']);
    expect(splitLine('SET k "a b"')).toEqual(['SET', 'k', 'a b']);
    expect(splitLine("SET k 'a b'")).toEqual(['SET', 'k', 'a b']);
    expect(splitLine('SET k "line\\nbreak \\"q\\""')).toEqual(['SET', 'k', 'line\nbreak "q"']);
    expect(splitLine('ECHO ""')).toEqual(['ECHO', '']);
    expect(splitLine('')).toEqual([]);
  });

  it('returns null for an unbalanced quote', () => {
    expect(splitLine('SET k "open')).toBeNull();
    expect(splitLine("SET k 'open")).toBeNull();
  });
});

describe('formatReply (redis-cli style)', () => {
  it('formats the scalar kinds', () => {
    expect(formatReply(hiredisReply('+OK\r\n'))).toBe('OK');
    expect(formatReply(hiredisReply('-ERR nope\r\n'))).toBe('(error) ERR nope');
    expect(formatReply(hiredisReply(':42\r\n'))).toBe('(integer) 42');
    expect(formatReply(hiredisReply('$-1\r\n'))).toBe('(nil)');
    expect(formatReply(hiredisReply('$3\r\na"b\r\n'))).toBe('"a\\"b"');
  });

  it('numbers array elements, nested arrays indented under their number', () => {
    expect(formatReply(hiredisReply('*0\r\n'))).toBe('(empty array)');
    expect(formatReply(hiredisReply('*2\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n'))).toBe(
      ['1) "a"', '2) 1) (integer) 1', '   2) (integer) 2'].join('\n'),
    );
  });
});

describe('escapeBytes', () => {
  it('prints RESP as the article does', () => {
    expect(escapeBytes(Buffer.from('*1\r\n$4\r\nPING\r\n'))).toBe('*1\\r\\n$4\\r\\nPING\\r\\n');
    expect(escapeBytes(Buffer.from([0x00, 0x5c, 0xff]))).toBe('\\x00\\\\\\xff');
  });

  it('times in whole milliseconds, like the C program', () => {
    expect(timingLine(1000, 12.6)).toBe('after 1000 exec redis command, used 13 ms');
  });
});
