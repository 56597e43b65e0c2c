/**
 * DEBUG OBJECT and DEBUG SLEEP against redis-server 7.0 (started with
 * enable-debug-command): the same fields and values, apart from what has no
 * counterpart here (the object's address, the LRU clock's absolute value,
 * and the serialized length of containers and long strings, which
 * mini-redis writes with the plain RDB encodings, without listpacks or LZF).
 */
import { RespConnection } from '@reactor-ts/test-utils';
import { describe, expect, it } from 'vitest';
import { withBothServers } from '../test/differential.js';

/** A DEBUG OBJECT line without the address and the absolute LRU clock (and the serialized length unless `keepLength`). */
function comparable(line: string, keepLength: boolean): string {
  let out = line.replace(/Value at:\S+ /, '').replace(/ lru:\d+ /, ' ');
  if (!keepLength) out = out.replace(/ serializedlength:\d+/, '');
  return out;
}

describe('DEBUG like redis-server 7.0', () => {
  const servers = withBothServers({ redis: { enableDebug: true } });

  it('DEBUG OBJECT: encoding, refcount, idle time, quicklist fields; errors', async () => {
    const setup = [
      ['set', 'emb', 'bar'],
      ['set', 'int', '12345'],
      ['set', 'shared', '7'],
      ['set', 'raw', 'r'.repeat(100)],
      ['rpush', 'list', 'a', 'b', 'cc'],
      ['hset', 'hash', 'f', 'v'],
      ['sadd', 'ints', '1', '2'],
      ['zadd', 'z', '1', 'm'],
    ];
    const lines: string[][] = [];
    for (const port of [servers.redis.port, servers.mini.port]) {
      const c = await RespConnection.open(port);
      try {
        await c.command('flushall');
        for (const cmd of setup) await c.command(...cmd);
        const got: string[] = [];
        for (const key of ['emb', 'int', 'shared']) got.push(comparable(await c.command('debug', 'object', key), true));
        for (const key of ['raw', 'list', 'hash', 'ints', 'z']) got.push(comparable(await c.command('debug', 'object', key), false));
        for (const bad of [['debug', 'object', 'nokey'], ['debug', 'object'], ['debug', 'nosuch'], ['debug']]) got.push(await c.command(...bad));
        lines.push(got);
      } finally {
        c.close();
      }
    }
    expect(lines[1]).toEqual(lines[0]);
  });

  it('DEBUG SLEEP stops the whole server: a PING from another client is answered after the sleep ends', async () => {
    for (const port of [servers.redis.port, servers.mini.port]) {
      const a = await RespConnection.open(port);
      const b = await RespConnection.open(port);
      try {
        expect(await a.command('debug', 'sleep', '0')).toBe('+OK\r\n');
        expect(await a.command('debug', 'sleep', 'abc')).toBe('+OK\r\n');
        const order: string[] = [];
        const slept = a.command('debug', 'sleep', '0.3').then((r) => order.push(`a ${r}`));
        await new Promise((r) => setTimeout(r, 50));
        const ponged = b.command('ping').then((r) => order.push(`b ${r}`));
        await Promise.all([slept, ponged]);
        expect(order).toEqual(['a +OK\r\n', 'b +PONG\r\n']);
      } finally {
        a.close();
        b.close();
      }
    }
  });
});
