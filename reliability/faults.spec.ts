/**
 * Faults against a real redis-server (started per test on a free port by
 * @reactor-ts/test-utils). Single faults already covered elsewhere are not
 * repeated here (see reliability/README.md for the map); these tests put
 * several kinds of in-flight work under ONE fault and count every
 * settlement, and check the counter across a restart with persistence on.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import {
  ClientClosedError,
  ConnectionError,
  createClient,
  defineScript,
  ReplyError,
  TimeoutError,
  type RedisClient,
} from '@reactor-ts/client';
import {
  REDIS_ERR_EOF,
  REDIS_ERR_IO,
  REDIS_ERR_TIMEOUT,
  REDIS_OK,
  redisAppendCommand,
  redisAsyncCommand,
  redisAsyncConnect,
  redisAsyncSetDisconnectCallback,
  redisAsyncSetTimeout,
  redisAttach,
  redisConnect,
  redisFree,
  redisGetReply,
  type RedisAsyncContext,
} from '@reactor-ts/hiredis-adapter';
import { startRedis, type RedisServer } from '@reactor-ts/test-utils';
import { record, scale, TEST_TIMEOUT } from './src/figures.js';
import { Ledger, waitFor } from './src/settle.js';

let reactor: Reactor;
const clients: RedisClient[] = [];
const servers: RedisServer[] = [];

function client(srv: RedisServer, opts: Parameters<typeof createClient>[0] = {}): RedisClient {
  const c = createClient({ url: srv.url, reactor, ...opts });
  clients.push(c);
  return c;
}

async function server(opts: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
  const s = await startRedis(opts);
  servers.push(s);
  return s;
}

/** A callback-API context on the shared reactor; resolves once connected. */
async function context(srv: RedisServer): Promise<RedisAsyncContext> {
  const ac = redisAsyncConnect('127.0.0.1', srv.port);
  expect(redisAttach(reactor, ac)).toBe(REDIS_OK);
  await new Promise<void>((resolve, reject) => {
    redisAsyncCommand(ac, (_c, r) => (r === null ? reject(new Error(ac.errstr)) : resolve()), null, 'PING');
  });
  return ac;
}

beforeEach(() => {
  reactor = createReactor();
  void reactor.eventloop();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  reactor.stopEventloop();
  reactor.release();
});

describe('kill -9 with work of every kind in flight', () => {
  it('pipeline, MULTI, subscriptions, blocking pops on both APIs: each settles exactly once', async () => {
    const srv = await server({ enableDebug: true });
    const ledger = new Ledger();
    const N = scale(100_000, 200_000);
    const c = await client(srv).connect();
    const sub = await client(srv).connect();
    const ac = await context(srv);
    const acSub = await context(srv);
    let disconnects = 0;
    redisAsyncSetDisconnectCallback(ac, () => disconnects++);
    redisAsyncSetDisconnectCallback(acSub, () => disconnects++);

    // Subscriptions first (they must be live when the server dies).
    await sub.subscribe('news', () => undefined);
    const subIdx = ledger.expect();
    let subNulls = 0;
    await new Promise<void>((resolve) => {
      redisAsyncCommand(acSub, (_c, r) => {
        if (r === null) {
          subNulls++;
          ledger.settle(subIdx, new Error('null'));
        } else resolve();
      }, null, 'SUBSCRIBE news');
    });

    // Each connection's work starts with DEBUG SLEEP: whichever the server
    // reads first holds it, and a connection's commands run in order, so
    // nothing below is answered before the kill (no timing assumed).
    const work: Array<Promise<void>> = [ledger.track(c.sendArgv(['DEBUG', 'SLEEP', '30']))];
    for (let i = 0; i < N; i++) work.push(ledger.track(c.sendArgv(['INCR', 'pipe'])));
    const tx = c.multi();
    for (let i = 0; i < 100; i++) tx.incr('tx');
    work.push(ledger.track(tx.exec()));
    work.push(ledger.track(c.pipeline().incr('p').get('p').exec()));
    work.push(ledger.track(c.sendArgv(['BLPOP', 'nothing', '0'])));
    // Callback API: MULTI ... EXEC and a blocking pop.
    for (const cmd of ['DEBUG SLEEP 30', 'MULTI', ...Array.from({ length: 100 }, () => 'INCR cbtx'), 'EXEC', 'BLPOP nothing 0']) {
      const i = ledger.expect();
      redisAsyncCommand(ac, (_c, r) => ledger.settle(i, r === null ? new Error('null') : undefined), null, cmd);
    }
    await new Promise((r) => setTimeout(r, 200));
    await srv.kill9();

    await Promise.all(work);
    await waitFor(() => ledger.summary().once === ledger.total, 'every settlement');
    await new Promise((r) => setTimeout(r, 100));
    const s = ledger.summary();
    expect(s).toEqual({ once: ledger.total, never: 0, twice: 0 });
    expect(ledger.ok).toBe(0);
    // DEBUG SLEEP, N INCR, the transaction, the pipeline and BLPOP
    expect(ledger.errors.get('ConnectionError')).toBe(N + 4);
    expect(subNulls).toBe(1);
    expect(disconnects).toBe(2);
    expect([REDIS_ERR_EOF, REDIS_ERR_IO]).toContain(ac.err);
    // Without reconnect the clients are closed for good, with a clear error,
    // and the process carries on.
    await waitFor(() => c.state === 'closed', 'the client to close');
    await expect(c.get('x')).rejects.toBeInstanceOf(ClientClosedError);
    record({ test: 'faults: kill -9, everything in flight', faults: 1, settled: ledger.total, note: `${N} pipelined INCR + MULTI/EXEC + pipeline + BLPOP (promise), MULTI..EXEC + BLPOP + SUBSCRIBE (callback): ${s.once} settled once, 0 twice, 0 never` });
  }, TEST_TIMEOUT);

  it('blocking context: 10,000 appended commands, kill -9 mid-way: each redisGetReply returns once, then null', async () => {
    const srv = await server({ enableDebug: true });
    const c = redisConnect('127.0.0.1', srv.port);
    expect(c.err).toBe(0);
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      if (i === 1000) expect(redisAppendCommand(c, 'DEBUG SLEEP 30')).toBe(REDIS_OK);
      else expect(redisAppendCommand(c, 'INCR b')).toBe(REDIS_OK);
    }
    // A timer cannot fire while this thread is blocked: the kill comes from
    // a separate process started before the calls.
    const killer = spawn('sh', ['-c', `sleep 0.5; kill -9 ${srv.pid}`], { stdio: 'ignore' });
    let replies = 0;
    let nulls = 0;
    for (let i = 0; i < N; i++) {
      const r = redisGetReply(c);
      if (r === null) {
        nulls++;
        break;
      }
      replies++;
    }
    // Redis runs what one read brought in (INCRs up to DEBUG SLEEP) before it
    // writes their replies, so the replies of the INCRs just before the
    // sleep die with the server (780 of 1000 arrive here): at most 1000
    // replies, then exactly one null.
    expect(replies).toBeLessThanOrEqual(1000);
    expect(nulls).toBe(1);
    expect([REDIS_ERR_EOF, REDIS_ERR_IO]).toContain(c.err);
    expect(redisGetReply(c)).toBeNull();
    redisFree(c);
    await new Promise((resolve) => killer.once('exit', resolve));
    record({ test: 'faults: kill -9, blocking context', faults: 1, settled: replies + nulls, note: `${replies} replies, then one null with err set; no hang` });
  }, TEST_TIMEOUT);
});

describe('restart with reconnect', () => {
  it('subscriptions and scripts come back, queued commands run once, written ones are rejected and not re-sent', async () => {
    // Persistence on, fsync always: an INCR that was answered survives
    // kill -9, so the counter can be checked against the API's reports.
    const srv = await server({ enableDebug: true, args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const reconnect = { retries: 500, minDelayMs: 10, maxDelayMs: 100 };
    const c = await client(srv, { reconnect }).connect();
    const sub = await client(srv, { reconnect }).connect();
    const pub = await client(srv, { reconnect }).connect();
    const got: string[] = [];
    await sub.subscribe('ticks', (m) => got.push(m));
    const double = defineScript("return tonumber(redis.call('INCRBY', KEYS[1], ARGV[1]))", { numberOfKeys: 1 });
    expect(await double.run(c, ['scripted'], ['2'])).toBe(2);

    const rounds = scale(3, 10);
    const incr = { resolved: 0, rejectedWritten: 0, rejectedOther: 0, queuedDelivered: 0 };
    let faults = 0;
    const otherReasons = new Set<string>();
    for (let round = 0; round < rounds; round++) {
      // Answered INCRs.
      const answered = await Promise.all(Array.from({ length: 1000 }, () => c.incr('counter')));
      incr.resolved += answered.length;
      // Written and unanswered: behind a DEBUG SLEEP on the same link, so
      // none of them runs before the kill.
      const asleep = c.sendArgv(['DEBUG', 'SLEEP', '30']);
      asleep.catch(() => undefined);
      const inFlight = Promise.allSettled(Array.from({ length: 1000 }, () => c.incr('counter')));
      await waitFor(() => c.inFlight >= 1001, 'the burst to be written');
      await srv.kill9();
      faults++;
      const r1 = await inFlight;
      for (const r of r1) {
        if (r.status === 'fulfilled') incr.resolved++;
        else {
          expect(r.reason).toBeInstanceOf(ConnectionError);
          incr.rejectedWritten++;
        }
      }
      // Commands issued while the server is down wait in the offline queue.
      await waitFor(() => c.state === 'reconnecting', 'reconnecting');
      const queued = Promise.allSettled(Array.from({ length: 500 }, () => c.incr('counter')));
      expect(c.offlineQueueLength).toBe(500);
      await srv.start();
      const r2 = await queued;
      for (const r of r2) {
        if (r.status === 'fulfilled') {
          incr.resolved++;
          incr.queuedDelivered++;
        } else {
          incr.rejectedOther++;
          otherReasons.add(String((r.reason as Error).message));
        }
      }
      // The subscription is back: a message published now arrives.
      await waitFor(() => sub.state === 'ready' && pub.state === 'ready', 'the clients to reconnect');
      const want = `tick ${round}`;
      await waitFor(() => {
        void pub.publish('ticks', want).catch(() => undefined);
        return got.includes(want);
      }, 'a message after the restart', 15_000);
      // The script cache was lost with the server; the script runs anyway.
      expect(await double.run(c, ['scripted'], ['2'])).toBe(2 * (round + 2));
    }
    const counter = Number(await c.get('counter'));
    // Answered INCRs all landed, and nothing beyond what the API reported:
    // at most the written-and-rejected ones may have run (none here, as the
    // server slept through them), and no queued INCR ran twice.
    expect([...otherReasons]).toEqual([]);
    expect(incr.queuedDelivered).toBe(500 * rounds);
    expect(counter).toBeGreaterThanOrEqual(incr.resolved);
    expect(counter).toBeLessThanOrEqual(incr.resolved + incr.rejectedWritten);
    expect(counter).toBe(incr.resolved);
    record({
      test: 'faults: kill -9 + restart, reconnect on',
      faults,
      settled: incr.resolved + incr.rejectedWritten + incr.rejectedOther,
      lost: incr.resolved - counter,
      note: `counter ${counter} = ${incr.resolved} resolved (of which ${incr.queuedDelivered} offline-queued), ${incr.rejectedWritten} written+rejected not re-sent; subscription and script back each time`,
    });
  }, TEST_TIMEOUT);
});

describe('restart with reconnect: a server still loading its dataset', () => {
  // Found by this suite: the client flushed its offline queue onto the
  // first link up, and a restarted Redis still loading its dataset refused
  // it with "-LOADING ..." (1,000 of 5,000 queued INCRs in one long run).
  // Fixed by the client's ready check (INFO persistence until loading:0,
  // commit bfa4be5). Deterministic: a dataset loaded slowly (key-load-delay)
  // while Redis serves events every 1 KiB of RDB, so the reconnect lands
  // during loading.
  it('an INCR queued while the server was down is delivered once, even if the server comes back loading', async () => {
    const srv = await server({ enableDebug: true, args: ['--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024'] });
    const c = await client(srv, { reconnect: { retries: 1000, minDelayMs: 5, maxDelayMs: 20 } }).connect();
    // 2,000 keys at >= 1 ms each: loading takes over 2 s.
    await c.command('DEBUG', 'POPULATE', '2000');
    await c.command('SAVE');
    await srv.kill9();
    await waitFor(() => c.state === 'reconnecting', 'reconnecting');
    const queued = c.incr('loaded-counter');
    queued.catch(() => undefined);
    await srv.start();
    expect(await queued).toBe(1);
  }, TEST_TIMEOUT);
});

describe('a stalled server: deadlines fire, nothing waits forever', () => {
  it('DEBUG SLEEP: promise commandTimeout, callback redisAsyncSetTimeout, then both carry on', async () => {
    const srv = await server({ enableDebug: true });
    const c = await client(srv, { commandTimeout: 300, reconnect: { retries: 100, minDelayMs: 10, maxDelayMs: 50 } }).connect();
    const ac = await context(srv);
    redisAsyncSetTimeout(ac, 300);
    const ledger = new Ledger();
    // Each link's commands wait behind its own DEBUG SLEEP (2 s > 300 ms).
    const sleeping = c.sendArgv(['DEBUG', 'SLEEP', '2']);
    sleeping.catch(() => undefined);
    redisAsyncCommand(ac, null, null, 'DEBUG SLEEP 2');
    const ps = Array.from({ length: 100 }, () => c.sendArgv(['INCR', 'stall']));
    for (const p of ps) p.catch(() => undefined);
    const tracked = ps.map((p) => ledger.track(p));
    let cbNulls = 0;
    for (let i = 0; i < 100; i++) {
      const k = ledger.expect();
      redisAsyncCommand(ac, (_c, r) => {
        if (r === null) cbNulls++;
        ledger.settle(k, r === null ? new Error('null') : undefined);
      }, null, 'INCR stall');
    }
    await Promise.all(tracked);
    await waitFor(() => ledger.summary().once === ledger.total, 'the deadlines');
    for (const p of ps) await expect(p).rejects.toBeInstanceOf(TimeoutError);
    expect(cbNulls).toBe(100);
    expect(ac.err).toBe(REDIS_ERR_TIMEOUT);
    await expect(sleeping).rejects.toBeInstanceOf(TimeoutError);
    // The promise client reconnects and, once the server wakes (after up to
    // two 2 s sleeps), serves again; a PING sent meanwhile times out too.
    let pong: unknown = null;
    for (let i = 0; i < 40 && pong !== 'PONG'; i++) {
      await waitFor(() => c.state === 'ready', 'the reconnect');
      pong = await c.ping().catch((e: unknown) => (e instanceof TimeoutError || e instanceof ConnectionError ? null : Promise.reject(e)));
    }
    expect(pong).toBe('PONG');
    record({ test: 'faults: DEBUG SLEEP past deadlines', faults: 1, settled: ledger.total, note: '100 TimeoutError (promise) + 100 null with REDIS_ERR_TIMEOUT (callback); client back after the stall' });
  }, TEST_TIMEOUT);

  it('CLIENT PAUSE ALL: a deadline fires; once the pause ends the client is served again', async () => {
    const srv = await server();
    const admin = await client(srv).connect();
    const c = await client(srv, { commandTimeout: 300, reconnect: { retries: 100, minDelayMs: 10, maxDelayMs: 50 } }).connect();
    // (UNPAUSE from another client would itself wait under ALL: let it expire.)
    await admin.command('CLIENT', 'PAUSE', '1500', 'ALL');
    const pausedAt = Date.now();
    await expect(c.get('k')).rejects.toBeInstanceOf(TimeoutError);
    // A link made during the pause is "ready" (no handshake without a
    // password) but its commands time out too; once the pause is over they
    // are answered.
    await new Promise((r) => setTimeout(r, Math.max(0, 1600 - (Date.now() - pausedAt))));
    await waitFor(() => c.state === 'ready', 'the reconnect');
    expect(await c.ping()).toBe('PONG');
    record({ test: 'faults: CLIENT PAUSE', faults: 1, settled: 2 });
  }, TEST_TIMEOUT);
});

describe('refusals: clear errors, the process carries on', () => {
  it('maxclients, wrong password, ACL denial, CLIENT KILL, SCRIPT KILL', async () => {
    const srv = await server({ password: 'secret', users: [{ name: 'reader', password: 'r', rules: '~* &* -@all +get +ping' }], args: ['--maxclients', '4'] });
    const url = (auth: string): string => `redis://${auth}@127.0.0.1:${srv.port}`;
    let faults = 0;

    // wrong password
    await expect(client(srv, { url: url(':wrong') }).connect()).rejects.toThrow(/WRONGPASS|invalid username-password/);
    faults++;
    // ACL denial: a typed reply error; the connection stays usable
    const reader = await client(srv, { url: url('reader:r') }).connect();
    await expect(reader.set('k', 'v')).rejects.toSatisfy((e: unknown) => e instanceof ReplyError && /NOPERM/.test(e.message));
    expect(await reader.ping()).toBe('PONG');
    faults++;
    // CLIENT KILL of a client without reconnect: in-flight commands reject
    // with ConnectionError, later ones with ClientClosedError.
    const admin = await client(srv, { url: url(':secret') }).connect();
    const victim = await client(srv, { url: url(':secret') }).connect();
    const id = (await victim.command('CLIENT', 'ID')) as number;
    const blocked = victim.sendArgv(['BLPOP', 'nothing', '0']);
    blocked.catch(() => undefined);
    await waitFor(() => victim.inFlight === 1, 'the BLPOP to be written');
    expect(await admin.command('CLIENT', 'KILL', 'ID', String(id))).toBe(1);
    await expect(blocked).rejects.toBeInstanceOf(ConnectionError);
    await waitFor(() => victim.state === 'closed', 'the victim to close');
    await expect(victim.ping()).rejects.toBeInstanceOf(ClientClosedError);
    faults++;
    // SCRIPT KILL of a busy script: the caller gets a ReplyError, others BUSY then served
    const looper = await client(srv, { url: url(':secret') }).connect();
    const busy = looper.command('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
    busy.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    await expect(admin.ping()).rejects.toThrow(/BUSY/);
    expect(await admin.command('SCRIPT', 'KILL')).toBe('OK');
    await expect(busy).rejects.toSatisfy((e: unknown) => e instanceof ReplyError && /killed/i.test(e.message));
    expect(await looper.ping()).toBe('PONG');
    faults++;
    // maxclients (4): reader, admin, looper hold three; one more fits, the next is refused
    const fourth = await client(srv, { url: url(':secret') }).connect();
    await expect(client(srv, { url: url(':secret') }).connect()).rejects.toThrow(/max number of clients reached/);
    faults++;
    await fourth.disconnect();
    await waitFor(() => true, 'noop');
    // ... and once a slot frees, connections succeed again.
    await waitFor(() => fourth.state === 'closed', 'the fourth to close');
    let again: RedisClient | null = null;
    await waitFor(() => {
      if (again === null) {
        const a = client(srv, { url: url(':secret') });
        a.connect().then(() => (again = a), () => undefined);
      }
      return again !== null;
    }, 'a free slot', 10_000);
    expect(await (again as unknown as RedisClient).ping()).toBe('PONG');
    record({ test: 'faults: refusals', faults, settled: faults, note: 'WRONGPASS, NOPERM, CLIENT KILL → ConnectionError/ClientClosedError, SCRIPT KILL → ReplyError, maxclients → "max number of clients reached"' });
  }, TEST_TIMEOUT);
});
