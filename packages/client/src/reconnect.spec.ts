import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { ConnectionError, createClient, type RedisClient } from './index.js';
import { waitFor } from '../test/helpers.js';

// The servers here run without persistence: after kill9 + start the dataset
// is empty, so any INCR found afterwards was executed after the restart.

let reactor: Reactor;
const clients: RedisClient[] = [];

function client(srv: RedisServer, opts: Parameters<typeof createClient>[0] = {}): RedisClient {
  const c = createClient({ url: srv.url, reactor, reconnect: { retries: 200, minDelayMs: 10, maxDelayMs: 100 }, ...opts });
  clients.push(c);
  return c;
}

/** Settles every promise; counts how each ended. */
async function tally(ps: Array<Promise<unknown>>): Promise<{ ok: unknown[]; failed: unknown[] }> {
  const ok: unknown[] = [];
  const failed: unknown[] = [];
  await Promise.all(ps.map((p) => p.then((v) => ok.push(v), (e: unknown) => failed.push(e))));
  return { ok, failed };
}

beforeAll(() => {
  reactor = createReactor();
  void reactor.eventloop();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.disconnect()));
  reactor.stopEventloop();
  reactor.release();
});

describe('reconnect', () => {
  it('queues commands while the server is down and delivers each once after it is back', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv).connect();
      await c.set('k', '0');
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice the crash');
      const queued = Array.from({ length: 100 }, () => c.incr('k'));
      expect(c.offlineQueueLength).toBe(100);
      await srv.start();
      // A fresh dataset: the first INCR answers 1, so no command ran twice or got lost.
      expect(await Promise.all(queued)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      expect(await c.get('k')).toBe('100');
      expect(c.state).toBe('ready');
    } finally {
      await srv.stop();
    }
  });

  // CLIENT PAUSE WRITE holds the tail of a burst on the server, unexecuted,
  // so the link can be cut with those commands certainly in flight.
  async function pausedTail(srv: RedisServer, c: RedisClient, key: string, n: number) {
    const admin = await client(srv, { reconnect: false }).connect();
    expect(await Promise.all(Array.from({ length: 1000 }, () => c.incr(key)))).toEqual(
      Array.from({ length: 1000 }, (_, i) => i + 1),
    );
    await admin.command('CLIENT', 'PAUSE', '20000', 'WRITE');
    const tail = Array.from({ length: n }, () => c.incr(key));
    const settled = tally(tail);
    await waitFor(() => c.inFlight === n, 'the tail to be written');
    await new Promise((r) => setTimeout(r, 50)); // and read by the server
    return { admin, settled };
  }

  it('rejects in-flight commands with ConnectionError and never re-sends them', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv).connect();
      const { settled } = await pausedTail(srv, c, 'n', 5000);
      await srv.kill9();
      const { ok, failed } = await settled;
      expect(ok).toEqual([]);
      expect(failed.length).toBe(5000);
      for (const e of failed) expect(e).toBeInstanceOf(ConnectionError);
      await srv.start();
      await waitFor(() => c.state === 'ready', 'the reconnect');
      // Nothing was re-sent to the new server (its dataset starts empty).
      expect(await c.get('n')).toBeNull();
    } finally {
      await srv.stop();
    }
  });

  it('after CLIENT KILL the counter is exactly what the API reported', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv).connect();
      const id = (await c.command('CLIENT', 'ID')) as number;
      const { admin, settled } = await pausedTail(srv, c, 'ck', 5000);
      await admin.command('CLIENT', 'KILL', 'ID', id);
      await admin.command('CLIENT', 'UNPAUSE');
      const { ok, failed } = await settled;
      expect(ok).toEqual([]);
      expect(failed.length).toBe(5000);
      for (const e of failed) expect(e).toBeInstanceOf(ConnectionError);
      await waitFor(() => c.state === 'ready', 'the reconnect');
      // The server kept its data: the 1000 answered INCRs, and none of the
      // rejected ones (they died with the link, and were not re-sent).
      expect(await c.get('ck')).toBe('1000');
    } finally {
      await srv.stop();
    }
  });

  it('re-sends in-flight commands when resendOnReconnect is on: the counter adds up', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv, { resendOnReconnect: true }).connect();
      const { settled } = await pausedTail(srv, c, 'r', 5000);
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice the crash');
      await srv.start();
      const { ok, failed } = await settled;
      expect(failed).toEqual([]);
      // Re-sent once each, in order, to the fresh server.
      expect(ok).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
      expect(await c.get('r')).toBe('5000');
    } finally {
      await srv.stop();
    }
  });

  it('without reconnect, a crash mid-burst settles every command and closes the client', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv, { reconnect: false }).connect();
      const burst = Array.from({ length: 100_000 }, () => c.incr('nr'));
      const settled = tally(burst);
      await burst[100];
      await srv.kill9();
      const { ok, failed } = await settled;
      expect(ok.length + failed.length).toBe(100_000);
      for (const e of failed) expect(e).toBeInstanceOf(ConnectionError);
      expect(c.state).toBe('closed');
      await expect(c.ping()).rejects.toThrow(/closed/);
    } finally {
      await srv.stop();
    }
  });

  it('waits for a restarted server to finish loading its dataset before sending the queue (ready check)', async () => {
    // A dataset loaded slowly (key-load-delay, µs per key) while Redis serves
    // events every 1 KiB, so the reconnect lands during loading.
    const srv = await startRedis({
      enableDebug: true,
      args: ['--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'],
    });
    try {
      const c = await client(srv).connect();
      await c.command('DEBUG', 'POPULATE', '2000');
      await c.command('SAVE');
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice the crash');
      const queued = c.incr('loaded-counter');
      const settled = tally([queued]);
      await srv.start();
      const { ok, failed } = await settled;
      expect(failed).toEqual([]);
      expect(ok).toEqual([1]);
      expect(await c.command('DBSIZE')).toBe(2001);
    } finally {
      await srv.stop();
    }
  });

  it('gives up after the policy retries and rejects what it held', async () => {
    const srv = await startRedis();
    const c = await client(srv, { reconnect: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } }).connect();
    await srv.stop();
    await waitFor(() => c.state === 'reconnecting' || c.state === 'closed', 'the client to notice');
    const late = c.ping().catch((e: unknown) => e);
    const err = await late;
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toMatch(/command not sent/);
    expect(c.state).toBe('closed');
  });
});
