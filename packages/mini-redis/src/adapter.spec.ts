/**
 * Our own client stack (hiredis-adapter) against mini-redis, both on one
 * reactor, as the tour runs them: pipelines, transactions with WATCH, and
 * pub/sub through the callback API.
 */
import { createClient, ReplyError, type RedisClient } from '@reactor-ts/client';
import { REDIS_OK, redisAsyncCommand, redisAsyncConnect, redisAsyncFree, redisAttach } from '@reactor-ts/hiredis-adapter';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMiniRedis, type MiniRedis } from './server.js';

let reactor: Reactor;
let loop: Promise<void>;
let mini: MiniRedis;
const clients: RedisClient[] = [];

function client(): RedisClient {
  const c = createClient({ url: `redis://127.0.0.1:${mini.port}`, reactor });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  reactor = createReactor();
  loop = reactor.eventloop();
  mini = await startMiniRedis({ port: 0, reactor });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  await mini.close();
  reactor.release();
  await loop;
});

describe('hiredis-adapter against mini-redis on the same reactor', () => {
  it('pipeline: replies in order, error replies in place', async () => {
    const c = await client().connect();
    await c.command('FLUSHALL');
    await c.command('SET', 'text', 'v');
    const replies = await c.pipeline().command('INCR', 'n').command('INCR', 'n').command('GET', 'n').command('LPUSH', 'text', 'x').command('NOSUCH').exec();
    expect(replies.slice(0, 3)).toEqual([1, 2, '2']);
    expect((replies[3] as ReplyError).code).toBe('WRONGTYPE');
    expect((replies[4] as ReplyError).message).toMatch(/^ERR unknown command 'NOSUCH'/);
  });

  it('a pipeline of 10,000 commands', async () => {
    const c = await client().connect();
    const p = c.pipeline();
    for (let i = 0; i < 10_000; i++) p.command('RPUSH', 'big', String(i));
    const replies = await p.exec();
    expect(replies.at(-1)).toBe(10_000);
    expect(await c.command('LRANGE', 'big', '-2', '-1')).toEqual(['9998', '9999']);
  });

  it('MULTI/EXEC, EXECABORT, and WATCH retried after a conflict', async () => {
    const c = await client().connect();
    await c.command('SET', 'counter', '10');
    expect(await c.multi().command('INCR', 'counter').command('GET', 'counter').exec()).toEqual([11, '11']);
    await expect(c.multi().command('INCR', 'counter').command('NOSUCH').exec()).rejects.toThrow(/EXECABORT/);
    const other = await client().connect();
    let attempts = 0;
    const result = await c.watchRetry(['counter'], async (conn, attempt) => {
      attempts = attempt;
      const v = Number(await conn.command('GET', 'counter'));
      if (attempt === 1) await other.command('INCR', 'counter'); // someone else wins the race once
      return conn.multi().command('SET', 'counter', String(v * 2));
    });
    expect(attempts).toBe(2);
    expect(result).toEqual(['OK']);
    expect(await c.command('GET', 'counter')).toBe('24');
  });

  it('pub/sub through the callback API: subscribe confirmation, then messages', async () => {
    const sub = redisAsyncConnect('127.0.0.1', mini.port);
    const pub = redisAsyncConnect('127.0.0.1', mini.port);
    expect(redisAttach(reactor, sub)).toBe(REDIS_OK);
    expect(redisAttach(reactor, pub)).toBe(REDIS_OK);
    try {
      const got: unknown[] = [];
      await new Promise<void>((resolve) => {
        redisAsyncCommand(
          sub,
          (_ac, reply) => {
            const r = reply as { element: Array<{ str: string | null; integer: number | bigint }> } | null;
            if (r === null) return;
            got.push(r.element.map((e) => e.str ?? Number(e.integer)));
            if (got.length === 1) redisAsyncCommand(pub, null, null, 'PUBLISH news %s', 'hello');
            if (got.length === 2) resolve();
          },
          null,
          'SUBSCRIBE news',
        );
      });
      expect(got).toEqual([
        ['subscribe', 'news', 1],
        ['message', 'news', 'hello'],
      ]);
    } finally {
      redisAsyncFree(sub);
      redisAsyncFree(pub);
    }
  });
});
