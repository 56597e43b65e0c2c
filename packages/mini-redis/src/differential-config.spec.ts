/**
 * CONFIG SET of the parameters that change behaviour here, against
 * redis-server 7.0: the encoding thresholds as OBJECT ENCODING (and the
 * small-collection SCAN and intset orders) follow them, their aliases, the
 * accepted forms and the error words. Thresholds are set before the values
 * are made: Redis converts a value only when it is next written, while
 * mini-redis derives the encoding from the contents (see the README).
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { differential, withBothServers } from '../test/differential.js';

const RESET: Array<Array<string | number>> = [
  ['config', 'set', 'hash-max-listpack-entries', 512, 'hash-max-listpack-value', 64, 'zset-max-listpack-entries', 128, 'zset-max-listpack-value', 64],
  ['config', 'set', 'set-max-intset-entries', 512, 'list-max-listpack-size', -2, 'timeout', 0],
];

differential('CONFIG SET of the encoding thresholds, like redis-server 7.0', {
  'hash: entries and value length': [
    ['config', 'set', 'hash-max-listpack-entries', 2],
    ['config', 'get', 'hash-max-listpack-entries'],
    ['config', 'get', 'hash-max-ziplist-entries'],
    ['hset', 'h', 'a', 1, 'b', 2],
    ['object', 'encoding', 'h'],
    ['hset', 'h', 'c', 3],
    ['object', 'encoding', 'h'],
    ['config', 'set', 'hash-max-ziplist-value', '4'],
    ['config', 'get', 'hash-max-listpack-value'],
    ['hset', 'h2', 'f', 'abcd'],
    ['object', 'encoding', 'h2'],
    ['hset', 'h3', 'f', 'abcde'],
    ['object', 'encoding', 'h3'],
    ['config', 'set', 'hash-max-listpack-value', '1kb'],
    ['config', 'get', 'hash-max-listpack-value'],
    ['config', 'set', 'hash-max-listpack-entries', '1kb'],
    ['config', 'set', 'hash-max-listpack-entries', -1],
    ...RESET,
  ],
  'set: intset entries, and the order an intset gives': [
    ['config', 'set', 'set-max-intset-entries', 3],
    ['sadd', 's', 3, 1, 2],
    ['object', 'encoding', 's'],
    ['smembers', 's'],
    ['sscan', 's', 0],
    ['sadd', 's', 0],
    ['object', 'encoding', 's'],
    ['config', 'set', 'set-max-intset-entries', 'x'],
    ['config', 'set', 'set-max-listpack-entries', 3],
    ...RESET,
  ],
  'zset: entries and member length': [
    ['config', 'set', 'zset-max-listpack-entries', 1],
    ['zadd', 'z', 1, 'a'],
    ['object', 'encoding', 'z'],
    ['zadd', 'z', 2, 'b'],
    ['object', 'encoding', 'z'],
    ['config', 'set', 'zset-max-listpack-entries', 128, 'zset-max-ziplist-value', 2],
    ['zadd', 'z2', 1, 'ab'],
    ['object', 'encoding', 'z2'],
    ['zadd', 'z3', 1, 'abc'],
    ['object', 'encoding', 'z3'],
    ['config', 'get', 'zset-max-listpack-value'],
    ...RESET,
  ],
  'list-max-listpack-size and timeout: accepted ranges and words': [
    ['config', 'set', 'list-max-listpack-size', 5],
    ['config', 'get', 'list-max-listpack-size'],
    ['config', 'get', 'list-max-ziplist-size'],
    ['config', 'set', 'list-max-ziplist-size', '-6'],
    ['config', 'get', 'list-max-listpack-size'],
    ['config', 'set', 'list-max-listpack-size', 'big'],
    ['rpush', 'l', 'a', 'b', 'c'],
    ['object', 'encoding', 'l'],
    ['config', 'set', 'timeout', 30],
    ['config', 'get', 'timeout'],
    ['config', 'set', 'timeout', -1],
    ['config', 'set', 'timeout', '5.0'],
    ['config', 'set', 'timeout', ' 5'],
    ...RESET,
    ['config', 'get', 'timeout'],
  ],
});

describe('CONFIG SET timeout, like redis-server 7.0', () => {
  const servers = withBothServers();

  it('an idle client is closed after `timeout` seconds; a subscriber and a blocked client are not', async () => {
    for (const port of [servers.redis.port, servers.mini.port]) {
      const ctl = await RespConnection.open(port);
      const idle = await RespConnection.open(port);
      const sub = await RespConnection.open(port);
      const blocked = await RespConnection.open(port);
      try {
        expect(await sub.command('subscribe', 'ch')).toContain('subscribe');
        expect(await idle.command('ping')).toBe('+PONG\r\n');
        blocked.send('*3\r\n$5\r\nblpop\r\n$7\r\nnothing\r\n$1\r\n0\r\n');
        expect(await ctl.command('config', 'set', 'timeout', 1)).toBe('+OK\r\n');
        // Both servers check once a second: closed within a few seconds, never before one.
        const t0 = Date.now();
        await idle.until((c) => c.isClosed, 8000, 'the idle client to be closed');
        expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
        expect(sub.isClosed).toBe(false);
        expect(blocked.isClosed).toBe(false);
        // ctl was idle too, and is gone as well.
        await ctl.until((c) => c.isClosed, 8000, 'the idle control connection to be closed');
        const again = await RespConnection.open(port);
        expect(await again.command('config', 'set', 'timeout', 0)).toBe('+OK\r\n');
        again.close();
        expect(await sub.command('ping')).toContain('pong');
      } finally {
        for (const c of [ctl, idle, sub, blocked]) c.close();
      }
    }
  }, 30_000);
});
