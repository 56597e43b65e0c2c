import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { createPool, PoolExhaustedError, type RedisPool } from './index.js';

let srv: RedisServer;
let reactor: Reactor;
const pools: RedisPool[] = [];

function pool(opts: Parameters<typeof createPool>[0] = {}): RedisPool {
  const p = createPool({ url: srv.url, reactor, ...opts });
  pools.push(p);
  return p;
}

beforeAll(async () => {
  srv = await startRedis();
  reactor = createReactor();
  void reactor.eventloop();
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.disconnect()));
  reactor.stopEventloop();
  reactor.release();
  await srv.stop();
});

describe('pool', () => {
  it('spreads commands over its connections (least pending)', async () => {
    const p = await pool({ size: 4 }).connect();
    await p.del('pc');
    const issued = Array.from({ length: 4000 }, () => p.incr('pc'));
    // Every connection carries a share of the burst.
    for (const conn of p.connections) expect(conn.inFlight).toBeGreaterThan(500);
    const replies = await Promise.all(issued);
    expect(new Set(replies).size).toBe(4000);
    expect(await p.get('pc')).toBe('4000');
  });

  it('lends a connection for BLPOP while other commands keep flowing', async () => {
    const p = await pool({ size: 2 }).connect();
    await p.del('queue');
    const popped = p.withConnection((conn) => conn.command('BLPOP', 'queue', '5'));
    // The blocked connection is lent out, so these go to the other one.
    expect(p.available).toBe(1);
    expect(await p.ping()).toBe('PONG');
    await p.rpush('queue', 'job-1');
    expect(await popped).toEqual(['queue', 'job-1']);
    expect(p.available).toBe(2);
  });

  it('bounds the wait queue and the wait, with clear errors', async () => {
    const p = await pool({ size: 1, maxWaiting: 1, acquireTimeout: 100 }).connect();
    const held = await p.acquire();
    const waiting = p.acquire();
    const full = await p.acquire().catch((e: unknown) => e);
    expect(full).toBeInstanceOf(PoolExhaustedError);
    expect((full as PoolExhaustedError).code).toBe('ERR_POOL_QUEUE_FULL');
    const timedOut = await waiting.catch((e: unknown) => e);
    expect((timedOut as PoolExhaustedError).code).toBe('ERR_POOL_TIMEOUT');
    expect((timedOut as Error).message).toMatch(/within 100 ms/);
    p.release(held);
    expect(() => p.release(held)).toThrow(/not lent out/);
  });

  it('hands a released connection to the next borrower', async () => {
    const p = await pool({ size: 1 }).connect();
    const first = await p.acquire();
    const second = p.acquire();
    p.release(first);
    expect(await second).toBe(first);
    p.release(first);
  });

  it('replaces a connection that closed for good instead of sending to it', async () => {
    const p = await pool({ size: 2 }).connect();
    const dead = p.connections[0]!;
    await dead.disconnect();
    const replies = await Promise.all(Array.from({ length: 100 }, () => p.ping()));
    expect(replies.every((r) => r === 'PONG')).toBe(true);
    // Lending also never hands out the dead one.
    const a = await p.acquire();
    const b = await p.acquire();
    expect([a, b]).not.toContain(dead);
    expect(await a.ping()).toBe('PONG');
    expect(await b.ping()).toBe('PONG');
    p.release(a);
    p.release(b);
  });

  it('runs a MULTI/EXEC only on a free connection, waiting while all are lent', async () => {
    const p = await pool({ size: 1 }).connect();
    await p.set('pm', '0');
    const held = await p.acquire();
    await held.command('WATCH', 'pm');
    const tx = p.multi().incr('pm').exec();
    // The borrower's WATCH must not void the pool's transaction: it waits.
    await held.set('pm', '10');
    p.release(held); // UNWATCH, then the transaction goes out
    expect(await tx).toEqual([11]);
  });

  it('runs watchRetry on a borrowed connection: concurrent increments all land', async () => {
    const p = await pool({ size: 3 }).connect();
    await p.set('pw', '0');
    const bump = () =>
      p.watchRetry(['pw'], async (conn) => conn.multi().set('pw', String(Number(await conn.get('pw')) + 1)), { attempts: 1000 });
    await Promise.all(Array.from({ length: 60 }, bump));
    expect(await p.get('pw')).toBe('60');
  });
});
