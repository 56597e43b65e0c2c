/**
 * Regression tests of issue 13 for the callback API: the connect deadline
 * covers TCP and the whole handshake, against a server that accepts
 * connections and never answers (a blackholed fault proxy), and commands
 * queued meanwhile fail by their own deadlines.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { startFaultProxy, startRedis, type FaultProxy, type RedisServer } from '@reactor-ts/test-utils';
import {
  REDIS_ERR,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
  redisAsyncCommand,
  redisAsyncConnectWithOptions,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAttach,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from './index.js';

let srv: RedisServer;
let reactor: Reactor;
const proxies: FaultProxy[] = [];
const contexts: RedisAsyncContext[] = [];

beforeAll(async () => {
  srv = await startRedis({ password: 'pw' });
  reactor = createReactor();
  void reactor.eventloop();
});
afterEach(async () => {
  for (const ac of contexts.splice(0)) redisAsyncFree(ac);
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  reactor.stopEventloop();
  reactor.release();
  await srv.stop();
});

/** Connects through a blackholed proxy; resolves with the connect status, the time it took and the queued command's reply. */
async function againstBlackhole(opts: RedisAsyncOptions): Promise<{ status: number; ms: number; err: number; queued: unknown }> {
  const p = await startFaultProxy({ target: { port: srv.port } });
  proxies.push(p);
  p.blackhole();
  const ac = redisAsyncConnectWithOptions({ host: '127.0.0.1', port: p.port, ...opts });
  contexts.push(ac);
  const started = Date.now();
  const queued = new Promise<unknown>((resolve) => {
    expect(redisAsyncCommand(ac, (_c, r) => resolve(r), null, 'PING')).toBe(REDIS_OK);
  });
  const status = new Promise<number>((resolve) => redisAsyncSetConnectCallback(ac, (_c, s) => resolve(s)));
  expect(redisAttach(reactor, ac)).toBe(REDIS_OK);
  const guard = new Promise<number>((resolve) => setTimeout(() => resolve(-1), 3000).unref());
  const s = await Promise.race([status, guard]);
  const ms = Date.now() - started;
  const q = await Promise.race([queued, new Promise((resolve) => setTimeout(() => resolve('still pending'), 1000).unref())]);
  return { status: s, ms, err: ac.err, queued: q };
}

describe('5: the async context\u2019s connect deadline', () => {
  it('covers the handshake (AUTH) against a server that accepts and never answers', async () => {
    const r = await againstBlackhole({ connectTimeout: 200, password: 'pw' });
    expect(r.status).toBe(REDIS_ERR);
    expect(r.err).toBe(REDIS_ERR_TIMEOUT);
    expect(r.ms).toBeLessThan(2000);
    expect(r.queued).toBeNull();
  });

  it('covers HELLO 3 alone (no AUTH, no SELECT)', async () => {
    const r = await againstBlackhole({ connectTimeout: 200, protocol: 3 });
    expect(r.status).toBe(REDIS_ERR);
    expect(r.err).toBe(REDIS_ERR_TIMEOUT);
    expect(r.queued).toBeNull();
  });

  it('with no handshake at all: connected means the server answered, so the deadline still applies', async () => {
    const r = await againstBlackhole({ connectTimeout: 200 });
    expect(r.status).toBe(REDIS_ERR);
    expect(r.err).toBe(REDIS_ERR_TIMEOUT);
    expect(r.ms).toBeLessThan(2000);
    expect(r.queued).toBeNull();
  });
});
