/**
 * More commands compared with redis-server byte for byte (see
 * differential.spec.ts): the conveniences beyond issue 7's list.
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

type Script = Array<Array<string | number>>;

const script: Script = [
  ['setnx', 'a', '1'],
  ['setnx', 'a', '2'],
  ['get', 'a'],
  ['setex', 'b', '0', 'x'],
  ['setex', 'b', 'x', 'x'],
  ['setex', 'b', '100', 'x'],
  ['ttl', 'b'],
  ['psetex', 'c', '100000', 'x'],
  ['pttl', 'nosuch'],
  ['getset', 'a', '5'],
  ['getset', 'fresh', '1'],
  ['rpush', 'list', 'x', 'y', 'z'],
  ['getset', 'list', 'x'],
  ['getdel', 'a'],
  ['getdel', 'a'],
  ['getdel', 'list'],
  ['hmset', 'h', 'a', '1', 'b', '2'],
  ['hmset', 'h', 'a'],
  ['hmget', 'h', 'a', 'nosuch', 'b'],
  ['hmget', 'nosuch', 'a'],
  ['hexists', 'h', 'a'],
  ['hexists', 'h', 'zz'],
  ['hkeys', 'h'],
  ['hvals', 'h'],
  ['hkeys', 'nosuch'],
  ['hincrby', 'h', 'a', '10'],
  ['hincrby', 'h', 'new', '-3'],
  ['hincrby', 'h', 'a', 'x'],
  ['hincrby', 'h', 'a', '1.5'],
  ['hset', 'h', 'text', 'abc'],
  ['hincrby', 'h', 'text', '1'],
  ['hincrby', 'h', 'big', '9223372036854775807'],
  ['hincrby', 'h', 'big', '1'],
  ['hincrby', 'fresh', 'f', '1'],
  ['hgetall', 'h'],
  ['lindex', 'list', '0'],
  ['lindex', 'list', '-1'],
  ['lindex', 'list', '5'],
  ['lindex', 'list', 'x'],
  ['lindex', 'nosuch', '0'],
  ['lindex', 'h', '0'],
  ['rename', 'nosuch', 'x'],
  ['rename', 'list', 'list2'],
  ['lrange', 'list2', '0', '-1'],
  ['exists', 'list'],
  ['rename', 'b', 'b2'],
  ['ttl', 'b2'],
  ['rename', 'b2', 'b2'],
  ['rename', 'h', 'list2'],
  ['type', 'list2'],
  ['zadd', 'z', '1', 'a', '2', 'b', '3', 'c'],
  ['zincrby', 'z', '1.5', 'a'],
  ['zincrby', 'z', 'x', 'a'],
  ['zincrby', 'z', '1', 'new'],
  ['zincrby', 'list2', '1', 'a'],
  ['zrank', 'z', 'a'],
  ['zrank', 'z', 'c'],
  ['zrank', 'z', 'nosuch'],
  ['zrank', 'nosuch', 'a'],
  ['zrevrange', 'z', '0', '-1'],
  ['zrevrange', 'z', '0', '1', 'withscores'],
  ['zrevrange', 'z', '0', '1', 'foo'],
  ['zrevrange', 'nosuch', '0', '-1'],
];

describe('more commands, byte for byte against redis-server', () => {
  const servers = withBothServers();

  for (const protocol of [2, 3] as const) {
    it(`RESP${protocol}`, async () => {
      const a = await RespConnection.open(servers.redis.port);
      const b = await RespConnection.open(servers.mini.port);
      try {
        for (const c of [a, b]) {
          await c.command('flushall');
          if (protocol === 3) await c.command('hello', '3');
        }
        for (const cmd of script) {
          const expected = await a.command(...cmd);
          const got = await b.command(...cmd);
          expect({ cmd: cmd.join(' '), reply: got }).toEqual({ cmd: cmd.join(' '), reply: expected });
        }
      } finally {
        a.close();
        b.close();
      }
    });
  }
});
