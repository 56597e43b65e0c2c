/**
 * Regression tests of issue 13 ("nothing split, lost or stuck"): each one
 * failed on the client as it was before the fix it names. They run against
 * a real redis-server, through the fault proxy of @reactor-ts/test-utils
 * where the network has to misbehave (a blackhole is a server that accepts
 * connections and never answers; resetAll() cuts every connection).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, startRedis, type FaultProxy } from '@reactor-ts/test-utils';
import {
  ClientClosedError,
  CommandRefusedError,
  ConnectionError,
  OfflineQueueFullError,
  ReplyError,
  TimeoutError,
  type RedisClient,
} from './index.js';
import { backoffDelay, resolveReconnect } from './backoff.js';
import { clientSuite, waitFor } from '../test/helpers.js';

const t = clientSuite({ enableDebug: true });
const proxies: FaultProxy[] = [];

async function proxy(): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: { port: t.srv.port } });
  proxies.push(p);
  return p;
}

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

/** Settles `p` and says how: for asserting on rejections without unhandled ones. */
async function outcome<T>(p: Promise<T>): Promise<{ ok: T } | { err: Error }> {
  return p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err: err as Error }),
  );
}

/** `p`, or a rejection once `ms` passed with it still pending (so a hang fails fast). */
function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

async function clientId(c: RedisClient): Promise<number> {
  return (await c.command('CLIENT', 'ID')) as number;
}

describe('1: a batch is never split', () => {
  it('a transaction larger than the room left in the offline queue is refused whole', async () => {
    const c = t.client({ offlineQueueLimit: 5 });
    await c.connect().then(() => c.del('tx-split', 'tx-other'));
    await c.disconnect();
    const d = t.client({ offlineQueueLimit: 5 });
    const tx = d.multi();
    for (let i = 0; i < 10; i++) tx.incr('tx-split');
    const r = await outcome(tx.exec());
    expect('err' in r && r.err).toBeInstanceOf(OfflineQueueFullError);
    expect(d.offlineQueueLength).toBe(0);
    await d.connect();
    // Nothing of it was sent: the link is not inside MULTI.
    expect(await d.incr('tx-other')).toBe(1);
    expect(await d.get('tx-split')).toBeNull();
    const again = d.multi();
    for (let i = 0; i < 3; i++) again.incr('tx-split');
    expect(await again.exec()).toEqual([1, 2, 3]);
  });

  it('a pipeline that does not fit is refused whole, and one that fits waits whole', async () => {
    const d = t.client({ offlineQueueLimit: 5 });
    const big = d.pipeline();
    for (let i = 0; i < 6; i++) big.incr('pipe-split');
    const small = d.pipeline().del('pipe-split').incr('pipe-split');
    const [rb, rs] = [outcome(big.exec()), outcome(small.exec())];
    expect(d.offlineQueueLength).toBe(2);
    await d.connect();
    expect(((await rb) as { err: Error }).err).toBeInstanceOf(OfflineQueueFullError);
    expect(await rs).toEqual({ ok: [expect.any(Number), 1] });
  });

  it('a transaction with an argument the encoder refuses sends nothing', async () => {
    const c = await t.client().connect();
    await c.del('tx-bad');
    const tx = c.multi().incr('tx-bad');
    tx.command('SET', 'tx-bad-2', { not: 'an argument' } as unknown as string);
    tx.incr('tx-bad');
    const r = await outcome(tx.exec());
    expect('err' in r && r.err).toBeInstanceOf(CommandRefusedError);
    expect(await c.incr('tx-bad-other')).toBeGreaterThan(0);
    expect(await c.get('tx-bad')).toBeNull();
  });

  it('MULTI through command() is refused: it would capture other callers\u2019 commands', async () => {
    const c = await t.client().connect();
    const r = await outcome(c.command('MULTI'));
    expect('err' in r && r.err).toBeInstanceOf(CommandRefusedError);
    expect(await c.incr('after-raw-multi')).toBeGreaterThan(0);
  });
});

describe('5: the connect deadline covers the ready check and the handshake', () => {
  it('connect() against a server that accepts and never answers fails on time, with the queued commands', async () => {
    const p = await proxy();
    p.blackhole();
    const c = t.client({ url: p.url, connectTimeout: 300 });
    const queued = outcome(c.incr('never'));
    const started = Date.now();
    const r = await within(3000, outcome(c.connect()));
    expect('err' in r && r.err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(3000);
    const q = await within(1000, queued);
    expect('err' in q && q.err).toBeInstanceOf(TimeoutError);
    expect((q as { err: TimeoutError }).err.mayHaveRun).toBe(false);
  });
});

describe('2: commandTimeout bounds a command waiting for a link', () => {
  it('with reconnect on, against a blackhole: the command fails within 2x its timeout', async () => {
    const p = await proxy();
    p.blackhole();
    const c = t.client({ url: p.url, reconnect: true, commandTimeout: 300, connectTimeout: 10_000 });
    void c.connect().catch(() => undefined);
    const started = Date.now();
    const r = await within(3000, outcome(c.incr('waits')));
    expect('err' in r && r.err).toBeInstanceOf(TimeoutError);
    expect(Date.now() - started).toBeLessThan(600);
  });
});

describe('4: a command timeout fails that promise only', () => {
  it('the link stays, the late reply is dropped, the next command gets its own reply', async () => {
    const c = await t.client({ commandTimeout: 1000 }).connect();
    const id = await clientId(c);
    await c.del('late');
    const slow = outcome(c.command('DEBUG', 'SLEEP', '1.5'));
    const r = await slow;
    expect('err' in r && r.err).toBeInstanceOf(TimeoutError);
    expect((r as { err: TimeoutError }).err.mayHaveRun).toBe(true);
    // Issued after the timeout, answered after DEBUG SLEEP's late "OK".
    expect(await c.incr('late')).toBe(1);
    expect(await clientId(c)).toBe(id);
    expect(c.state).toBe('ready');
  });

  it('closeOnTimeout: true closes the link as before', async () => {
    const c = await t.client({ commandTimeout: 300, closeOnTimeout: true, reconnect: true }).connect();
    const id = await clientId(c);
    const r = await outcome(c.command('DEBUG', 'SLEEP', '0.6'));
    expect('err' in r && r.err).toBeInstanceOf(TimeoutError);
    await waitFor(() => c.state === 'ready', 'the reconnect');
    expect(await clientId(c)).not.toBe(id);
  });
});

describe('3: reconnect forever by default, with hooks', () => {
  it('the default policy never gives up, and its delays are capped', () => {
    const p = resolveReconnect(true)!;
    expect(p.retries).toBe(Infinity);
    for (let a = 0; a < 200; a++) expect(backoffDelay(p, a)).toBeLessThanOrEqual(p.maxDelayMs);
  });

  it('keeps trying through more than 10 refused attempts and comes back', async () => {
    const srv = await startRedis();
    try {
      const c = await t.client({ url: srv.url, reconnect: { minDelayMs: 1, maxDelayMs: 5 } }).connect();
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice');
      // Nothing listens on the port: each attempt is refused at once, so
      // 300 ms are dozens of attempts (the old default gave up after 10).
      await new Promise((r) => setTimeout(r, 300));
      expect(c.state).toBe('reconnecting');
      await srv.start();
      await waitFor(() => c.state === 'ready', 'the client to come back');
      expect(await c.ping()).toBe('PONG');
      await c.disconnect();
    } finally {
      await srv.stop();
    }
  });

  it('retryStrategy decides each delay, and false stops', async () => {
    const p = await proxy();
    const seen: Array<[number, string]> = [];
    const c = await t
      .client({
        url: p.url,
        retryStrategy: (attempt, err) => {
          seen.push([attempt, err.name]);
          return attempt < 3 ? 1 : false;
        },
      })
      .connect();
    await p.close();
    await waitFor(() => c.state === 'closed', 'the client to give up');
    expect(seen.map(([a]) => a)).toEqual([0, 1, 2, 3]);
    expect(seen.every(([, name]) => name === 'ConnectionError' || name === 'TimeoutError')).toBe(true);
    const r = await outcome(c.ping());
    expect('err' in r && r.err).toBeInstanceOf(ClientClosedError);
  });

  it('reconnectOnError: a reply error the hook picks (READONLY) reopens the link', async () => {
    const c = await t
      .client({ reconnect: { minDelayMs: 1, maxDelayMs: 5 }, reconnectOnError: (err) => err.message.startsWith('READONLY') })
      .connect();
    const id = await clientId(c);
    const r = await outcome(c.command('EVAL', "return redis.error_reply('READONLY You can\\'t write against a read only replica.')", '0'));
    expect('err' in r && r.err).toBeInstanceOf(ReplyError);
    await waitFor(async () => c.state === 'ready' && (await clientId(c)) !== id, 'a new link');
  });
});

describe('8: quick recovery, machine-readable errors', () => {
  it('the first reconnect attempt is immediate', async () => {
    const p = await proxy();
    const c = await t.client({ url: p.url, reconnect: { minDelayMs: 2000, maxDelayMs: 4000 } }).connect();
    const id = await clientId(c);
    p.resetAll();
    // The old policy waited 1-2 s (half the first step and up) before trying.
    await waitFor(async () => c.state === 'ready' && (await clientId(c).catch(() => id)) !== id, 'the reconnect', 900);
  });

  it('usable within 50 ms of a blackhole healing (an attempt is always pending)', async () => {
    const p = await proxy();
    const c = await t.client({ url: p.url, reconnect: { minDelayMs: 1000, maxDelayMs: 2000 }, connectTimeout: 300 }).connect();
    p.blackhole();
    p.resetAll();
    await waitFor(() => c.state === 'reconnecting', 'the client to notice');
    // Longer than connectTimeout: attempts time out, and a timed-out attempt
    // is retried at once (it has waited already), not after the backoff.
    await new Promise((r) => setTimeout(r, 1000));
    const healed = Date.now();
    p.heal();
    await c.ping();
    expect(Date.now() - healed).toBeLessThan(250);
  });

  it('every connection error says whether the command may have run', async () => {
    const p = await proxy();
    const c = await t.client({ url: p.url }).connect();
    const inFlight = outcome(c.command('DEBUG', 'SLEEP', '0.3'));
    await waitFor(() => p.stats().bytesToServer > 0 && c.inFlight > 0, 'the command to be written');
    await new Promise((r) => setTimeout(r, 50));
    p.resetAll();
    const r = await inFlight;
    expect('err' in r && r.err).toBeInstanceOf(ConnectionError);
    const err = (r as { err: ConnectionError }).err;
    expect(err.mayHaveRun).toBe(true);
    expect(typeof err.code).toBe('string');
    const late = await outcome(c.ping());
    expect('err' in late && late.err).toBeInstanceOf(ClientClosedError);
    expect((late as { err: ClientClosedError }).err.mayHaveRun).toBe(false);
    const offline = t.client({ offlineQueueLimit: 0 });
    const full = await outcome(offline.ping());
    expect((full as { err: OfflineQueueFullError }).err.mayHaveRun).toBe(false);
  });
});

describe('6: the ready check under RESP3', () => {
  it('waits for a loading server with protocol 3 (INFO is a verbatim string)', async () => {
    const srv = await startRedis({
      enableDebug: true,
      args: ['--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'],
    });
    try {
      const c = t.client({ url: srv.url, protocol: 3, reconnect: { minDelayMs: 5, maxDelayMs: 50 } });
      await c.connect();
      await c.command('DEBUG', 'POPULATE', '2000');
      await c.command('SAVE');
      await srv.kill9();
      await waitFor(() => c.state === 'reconnecting', 'the client to notice the crash');
      const queued = outcome(c.incr('loaded-counter'));
      await srv.start();
      expect(await queued).toEqual({ ok: 1 });
      expect(await c.command('DBSIZE')).toBe(2001);
      await c.disconnect();
    } finally {
      await srv.stop();
    }
  });
});

describe('7: raw MONITOR and SUBSCRIBE', () => {
  it('command("MONITOR") and command("SUBSCRIBE") are refused with a pointer to the proper API', async () => {
    const c = await t.client().connect();
    const m = await outcome(c.command('MONITOR'));
    expect('err' in m && m.err).toBeInstanceOf(CommandRefusedError);
    expect((m as { err: Error }).err.message).toMatch(/monitor\(\)/);
    const s = await outcome(c.command('subscribe', 'ch'));
    expect('err' in s && s.err).toBeInstanceOf(CommandRefusedError);
    expect((s as { err: Error }).err.message).toMatch(/subscribe\(\)/);
    const pl = await outcome(c.pipeline().command('PSUBSCRIBE', 'x*').ping().exec());
    expect('err' in pl && pl.err).toBeInstanceOf(CommandRefusedError);
    expect(await c.ping()).toBe('PONG');
    await c.disconnect();
  });

  it('a callback the context calls more than once (SUBSCRIBE on Link.sendArgv) never reaches a promise twice', async () => {
    const c = await t.client().connect();
    // The raw link (for features riding on it) does not refuse SUBSCRIBE: its
    // promise takes the first confirmation; the null at close must not come
    // back as an unhandled rejection (vitest fails the file on one).
    const first = await c.link!.sendArgv(['SUBSCRIBE', 'raw-ch']);
    expect(first).toEqual(['subscribe', 'raw-ch', 1]);
    await c.disconnect();
    await new Promise((r) => setTimeout(r, 50));
  });

  it('monitor() streams the commands others run, and survives CLIENT KILL without a double settle', async () => {
    const c = await t.client().connect();
    const lines: string[] = [];
    const mon = await c.monitor((line) => lines.push(line));
    await c.set('monitored', 'yes');
    await waitFor(() => lines.some((l) => l.includes('"monitored"')), 'the SET to be seen');
    const list = (await c.command('CLIENT', 'LIST')) as string;
    const monId = /^id=(\d+) .*cmd=monitor/m.exec(list)?.[1];
    expect(monId).toBeDefined();
    await c.command('CLIENT', 'KILL', 'ID', monId!);
    await mon.closed;
    await mon.stop();
    expect(await c.ping()).toBe('PONG');
  });
});

describe('9: memory while offline', () => {
  it('a waiting command costs under 340 bytes (was ~390), and refusals past the limit share one error', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const n = 50_000;
    const c = t.client({ url: 'redis://127.0.0.1:1', reconnect: { minDelayMs: 1000, maxDelayMs: 1000 }, offlineQueueLimit: n });
    void c.connect().catch(() => undefined);
    const held: Array<Promise<unknown>> = new Array<Promise<unknown>>(n);
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < n; i++) held[i] = c.incr(`offline:${i}`);
    gc();
    const after = process.memoryUsage();
    const perCommand = (after.heapUsed + after.external - before.heapUsed - before.external) / n;
    const over = [c.ping(), c.ping()].map((p) => p.catch((e: unknown) => e));
    const [e1, e2] = await Promise.all(over);
    expect(e1).toBeInstanceOf(OfflineQueueFullError);
    expect(e2).toBe(e1);
    for (const p of held) p.catch(() => undefined);
    await c.disconnect();
    expect(perCommand).toBeLessThan(340);
  });
});
