import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { ConnectionError, createClient, type RedisClient } from './index.js';

// The servers here run without persistence: after kill9 + start the dataset
// is empty, so any INCR found afterwards was executed after the restart.

let reactor: Reactor;
const clients: RedisClient[] = [];

function client(srv: RedisServer, opts: Parameters<typeof createClient>[0] = {}): RedisClient {
  const c = createClient({ url: srv.url, reactor, reconnect: { retries: 200, minDelayMs: 10, maxDelayMs: 100 }, ...opts });
  clients.push(c);
  return c;
}

async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
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

  it('rejects in-flight commands with ConnectionError and never re-sends them', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv).connect();
      const burst = Array.from({ length: 100_000 }, () => c.incr('n'));
      const settled = tally(burst);
      // Let part of the burst be answered, then crash the server under it.
      await burst[1000];
      await srv.kill9();
      const { ok, failed } = await settled;
      expect(ok.length + failed.length).toBe(100_000);
      expect(failed.length).toBeGreaterThan(0);
      for (const e of failed) expect(e).toBeInstanceOf(ConnectionError);
      // Resolved replies are 1..ok.length in order: none doubled before the crash.
      expect(ok).toEqual(Array.from({ length: ok.length }, (_, i) => i + 1));
      await srv.start();
      await waitFor(() => c.state === 'ready', 'the reconnect');
      // Nothing was re-sent to the new server.
      expect(await c.get('n')).toBeNull();
    } finally {
      await srv.stop();
    }
  });

  it('re-sends in-flight commands when resendOnReconnect is on: the counter adds up', async () => {
    const srv = await startRedis();
    try {
      const c = await client(srv, { resendOnReconnect: true }).connect();
      const burst = Array.from({ length: 50_000 }, () => c.incr('r'));
      const settled = tally(burst);
      await burst[500];
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice the crash');
      await srv.start();
      const { ok, failed } = await settled;
      expect(failed).toEqual([]);
      expect(ok.length).toBe(50_000);
      // Whatever the crashed server answered is lost with it; everything it did
      // not answer ran exactly once on the new one.
      const answeredBefore = (ok as number[]).findIndex((v, i) => i > 0 && v <= (ok[i - 1] as number));
      const after = Number(await c.get('r'));
      expect(answeredBefore === -1 ? 0 : 50_000 - answeredBefore).toBe(after);
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
