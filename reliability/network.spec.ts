/**
 * Network faults between a client and a real redis-server, through the
 * fault proxy of @reactor-ts/test-utils (issue 13): bytes dribbled, links
 * reset mid-stream, a blackhole (accepts, forwards nothing), half-open
 * links. The promise client and the callback API (hiredis-adapter) each go
 * through them. What is asserted is accounting, never speed, except the
 * deadlines the issue names (a command settles within 2x its timeout; the
 * client serves within 1 s of a blackhole's end):
 * - every promise / callback settles exactly once;
 * - the server's counter >= the successes reported, and <= successes +
 *   failures reported as "may have run" (Jepsen-style: nothing acknowledged
 *   is lost, nothing reported "not sent" ran);
 * - a transaction runs whole or not at all, and never captures a plain
 *   command (no plain command is answered QUEUED).
 * Short sizes in `pnpm test`; `pnpm test:reliability` runs the long ones
 * (and the 60 s blackhole).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createReactor, type Reactor } from '@reactor-ts/reactor';
import { ConnectionError, createClient, TimeoutError, type ClientOptions, type RedisClient } from '@reactor-ts/client';
import {
  REDIS_OK,
  redisAsyncCommand,
  redisAsyncConnectWithOptions,
  redisAsyncFree,
  redisAsyncSetConnectCallback,
  redisAttach,
  type RedisAsyncContext,
  type RedisAsyncOptions,
} from '@reactor-ts/hiredis-adapter';
import { integerOf, textOf } from '@reactor-ts/resp';
import { startFaultProxy, startRedis, type FaultProxy, type RedisServer } from '@reactor-ts/test-utils';
import { LONG, record, scale, TEST_TIMEOUT } from './src/figures.js';
import { Ledger, waitFor } from './src/settle.js';

let srv: RedisServer;
let admin: RedisClient;
let reactor: Reactor;
const clients: RedisClient[] = [];
const contexts: RedisAsyncContext[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  srv = await startRedis();
  reactor = createReactor();
  void reactor.eventloop();
  admin = await createClient({ url: srv.url, reactor }).connect();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  for (const ac of contexts.splice(0)) redisAsyncFree(ac);
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});
afterAll(async () => {
  await admin.disconnect();
  reactor.stopEventloop();
  reactor.release();
  await srv.stop();
});

async function proxy(seed = 1): Promise<FaultProxy> {
  const p = await startFaultProxy({ target: { port: srv.port }, seed });
  proxies.push(p);
  return p;
}

function client(p: FaultProxy, opts: ClientOptions = {}): RedisClient {
  const c = createClient({ url: p.url, reactor, ...opts });
  clients.push(c);
  return c;
}

/** A callback-API context through `p`; resolves once connected (or rejects). */
async function context(p: FaultProxy, opts: RedisAsyncOptions = {}): Promise<RedisAsyncContext> {
  const ac = redisAsyncConnectWithOptions({ host: '127.0.0.1', port: p.port, connectTimeout: 5000, ...opts });
  contexts.push(ac);
  const up = new Promise<void>((resolve, reject) =>
    redisAsyncSetConnectCallback(ac, (_c, s) => (s === REDIS_OK ? resolve() : reject(new Error(ac.errstr)))),
  );
  expect(redisAttach(reactor, ac)).toBe(REDIS_OK);
  await up;
  return ac;
}

/** redisAsyncCommand as a promise of its reply (null: the context failed first). */
function call(ac: RedisAsyncContext, ...argv: string[]): Promise<unknown> {
  return new Promise((resolve) => {
    const cb = (_c: unknown, r: unknown): void => resolve(r === null ? null : (integerOf(r) ?? textOf(r) ?? r));
    if (redisAsyncCommand(ac, cb, null, argv.join(' ')) !== REDIS_OK) {
      resolve(null);
    }
  });
}

async function counter(key: string): Promise<number> {
  return Number((await admin.get(key)) ?? 0);
}

const mayHaveRun = (e: unknown): boolean => (e as { mayHaveRun?: unknown }).mayHaveRun === true;

describe('dribble: 1-7 byte pieces with random pauses', () => {
  it('promise client and callback API: INCRs fired at once and awaited one by one, all correct and in order', async () => {
    const fired = scale(2_000, 20_000);
    const awaited = scale(200, 2_000);
    const p = await proxy(7);
    p.dribble({ minBytes: 1, maxBytes: 7 });
    await admin.del('dribble', 'dribble-cb');
    const c = await client(p).connect();
    const all = await Promise.all(Array.from({ length: fired }, () => c.incr('dribble')));
    expect(all).toEqual(Array.from({ length: fired }, (_, i) => i + 1));
    for (let i = 0; i < awaited; i++) expect(await c.incr('dribble')).toBe(fired + i + 1);
    const ac = await context(p);
    const cb = await Promise.all(Array.from({ length: fired }, () => call(ac, 'INCR', 'dribble-cb')));
    expect(cb).toEqual(Array.from({ length: fired }, (_, i) => i + 1));
    for (let i = 0; i < awaited; i++) expect(await call(ac, 'INCR', 'dribble-cb')).toBe(fired + i + 1);
    record({ test: 'network: dribble 1-7 bytes', settled: 2 * (fired + awaited), lost: 0, note: `${fired} fired + ${awaited} awaited, each API, in order; ${p.stats().bytesToServer} bytes to the server` });
  }, TEST_TIMEOUT);
});

describe('resets mid-stream, reconnect on', () => {
  it('promise client: every promise settles; successes <= counter <= successes + may-have-run', async () => {
    const total = scale(5_000, 50_000);
    const resets = scale(10, 50);
    const p = await proxy(11);
    await admin.del('resets');
    const c = await client(p, { reconnect: { minDelayMs: 1, maxDelayMs: 20 } }).connect();
    // A budget of bytes per connection, drawn from the seed: each link dies
    // in the middle of something, after a few hundred commands.
    p.resetAfter({ min: 2_000, max: 12_000 });
    p.resetAll(); // the budgets apply to new connections: start one
    const ledger = new Ledger();
    let ok = 0;
    let maybe = 0;
    let notSent = 0;
    const wave = 250;
    for (let sent = 0; sent < total; sent += wave) {
      if (p.stats().resets >= resets) p.resetAfter(false);
      const ps = Array.from({ length: Math.min(wave, total - sent) }, () =>
        c.incr('resets').then(
          () => ok++,
          (e: unknown) => {
            if (!(e instanceof ConnectionError || e instanceof TimeoutError)) throw e;
            if (mayHaveRun(e)) maybe++;
            else notSent++;
          },
        ),
      );
      await Promise.all(ps.map((x) => ledger.track(x)));
    }
    p.resetAfter(false);
    const s = ledger.summary();
    expect(s).toEqual({ once: total, never: 0, twice: 0 });
    const n = await counter('resets');
    expect(n).toBeGreaterThanOrEqual(ok);
    expect(n).toBeLessThanOrEqual(ok + maybe);
    expect(await c.ping()).toBe('PONG');
    record({
      test: 'network: resets, promise client',
      faults: p.stats().resets,
      settled: total,
      lost: Math.max(0, ok - n),
      note: `counter ${n}: ${ok} ok <= ${n} <= ${ok} + ${maybe} may-have-run; ${notSent} not sent`,
    });
  }, TEST_TIMEOUT);

  it('callback API: a new context after each reset; successes <= counter <= successes + nulls', async () => {
    const total = scale(5_000, 50_000);
    const resets = scale(10, 50);
    const p = await proxy(12);
    await admin.del('resets-cb');
    p.resetAfter({ min: 2_000, max: 12_000 });
    let ok = 0;
    let nulls = 0;
    let settled = 0;
    const wave = 250;
    let ac: RedisAsyncContext | null = null;
    for (let sent = 0; sent < total; ) {
      if (p.stats().resets >= resets) p.resetAfter(false);
      if (ac === null || ac.err !== 0) {
        try {
          ac = await context(p);
        } catch {
          ac = null;
          continue; // reset during the handshake: try again
        }
      }
      const n = Math.min(wave, total - sent);
      sent += n;
      const replies = await Promise.all(Array.from({ length: n }, () => call(ac!, 'INCR', 'resets-cb')));
      for (const r of replies) {
        settled++;
        if (typeof r === 'number') ok++;
        else nulls++;
      }
    }
    p.resetAfter(false);
    expect(settled).toBe(total);
    const n = await counter('resets-cb');
    expect(n).toBeGreaterThanOrEqual(ok);
    expect(n).toBeLessThanOrEqual(ok + nulls);
    record({ test: 'network: resets, callback API', faults: p.stats().resets, settled, lost: Math.max(0, ok - n), note: `counter ${n}: ${ok} ok <= ${n} <= ${ok} + ${nulls} null replies` });
  }, TEST_TIMEOUT);

  it('MULTI + 10 INCR + EXEC in a loop, small offline queue: whole or nothing, no plain command answered QUEUED', async () => {
    const loops = scale(200, 2_000);
    const p = await proxy(13);
    await admin.del('tx-counter', 'tx-plain');
    // Room for two waiting transactions (12 commands each) and a few plain commands.
    const c = await client(p, { reconnect: { minDelayMs: 1, maxDelayMs: 20 }, offlineQueueLimit: 30 }).connect();
    p.resetAfter({ min: 1_500, max: 8_000 });
    p.resetAll();
    let ran = 0;
    let maybe = 0;
    let refused = 0;
    let plainOk = 0;
    let queuedAnswers = 0;
    for (let i = 0; i < loops; i += 3) {
      if (p.stats().resets >= scale(20, 100)) p.resetAfter(false);
      const work: Array<Promise<void>> = [];
      for (let k = 0; k < 3; k++) {
        const tx = c.multi();
        for (let j = 0; j < 10; j++) tx.incr('tx-counter');
        work.push(
          tx.exec().then(
            (r) => {
              expect(r).toHaveLength(10);
              ran++;
            },
            (e: unknown) => {
              if (mayHaveRun(e)) maybe++;
              else refused++;
            },
          ),
        );
        work.push(
          c.incr('tx-plain').then(
            (r) => {
              if (r as unknown === 'QUEUED') queuedAnswers++;
              plainOk++;
            },
            () => undefined,
          ),
        );
      }
      await Promise.all(work);
    }
    p.resetAfter(false);
    const n = await counter('tx-counter');
    expect(n % 10).toBe(0);
    expect(queuedAnswers).toBe(0);
    expect(n / 10).toBeGreaterThanOrEqual(ran);
    // A transaction reported "not sent" never ran: only may-have-run ones add.
    expect(n / 10).toBeLessThanOrEqual(ran + maybe);
    expect(await counter('tx-plain')).toBeGreaterThanOrEqual(plainOk);
    record({
      test: 'network: MULTI/EXEC under resets',
      faults: p.stats().resets,
      settled: Math.ceil(loops / 3) * 6,
      lost: Math.max(0, ran * 10 - n),
      note: `counter ${n} (multiple of 10): ${ran} EXEC ok, ${maybe} may-have-run, ${refused} not sent (full queue, closed link); 0 plain answered QUEUED`,
    });
  }, TEST_TIMEOUT);
});

describe('MULTI/EXEC under resets, callback API', () => {
  it('MULTI + 10 INCR + EXEC per context write: the counter is a multiple of 10, bounded by the EXECs answered', async () => {
    const loops = scale(200, 2_000);
    const p = await proxy(14);
    await admin.del('tx-cb');
    p.resetAfter({ min: 1_500, max: 8_000 });
    let ran = 0;
    let maybe = 0;
    let ac: RedisAsyncContext | null = null;
    for (let i = 0; i < loops; i += 3) {
      if (p.stats().resets >= scale(20, 100)) p.resetAfter(false);
      if (ac === null || ac.err !== 0) {
        try {
          ac = await context(p);
        } catch {
          ac = null;
          i -= 3;
          continue;
        }
      }
      const execs: Array<Promise<unknown>> = [];
      for (let k = 0; k < 3; k++) {
        void call(ac, 'MULTI');
        for (let j = 0; j < 10; j++) void call(ac, 'INCR', 'tx-cb');
        execs.push(call(ac, 'EXEC'));
      }
      for (const r of await Promise.all(execs)) {
        if (r === null) maybe++;
        else ran++;
      }
    }
    p.resetAfter(false);
    const n = await counter('tx-cb');
    expect(n % 10).toBe(0);
    expect(n / 10).toBeGreaterThanOrEqual(ran);
    expect(n / 10).toBeLessThanOrEqual(ran + maybe);
    record({ test: 'network: MULTI/EXEC under resets, callback API', faults: p.stats().resets, settled: Math.ceil(loops / 3) * 3 * 12, lost: Math.max(0, ran * 10 - n), note: `counter ${n} (multiple of 10): ${ran} EXEC answered, ${maybe} null` });
  }, TEST_TIMEOUT);
});

describe('blackhole with commandTimeout 500', () => {
  async function blackhole(ms: number): Promise<void> {
    const p = await proxy(21);
    const c = await client(p, { commandTimeout: 500, reconnect: true }).connect();
    const ac = await context(p, { commandTimeout: 500 });
    p.blackhole();
    const started = Date.now();
    let worst = 0;
    let worstCb = 0;
    let settled = 0;
    const pending: Array<Promise<void>> = [];
    // One command every 100 ms of the blackhole, on each API.
    while (Date.now() - started < ms) {
      const t0 = Date.now();
      pending.push(
        c.incr('hole').then(
          () => undefined,
          (e: unknown) => {
            expect(e).toBeInstanceOf(TimeoutError);
          },
        ).finally(() => {
          settled++;
          worst = Math.max(worst, Date.now() - t0);
        }),
      );
      if (ac.err === 0) {
        pending.push(
          call(ac, 'INCR', 'hole-cb').then(() => {
            settled++;
            worstCb = Math.max(worstCb, Date.now() - t0);
          }),
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await Promise.all(pending);
    p.heal();
    const healed = Date.now();
    expect(await c.incr('hole')).toBeGreaterThan(0);
    const back = Date.now() - healed;
    // The callback API fails its context on a deadline (hiredis's way): a new one serves.
    const ac2 = await context(p);
    expect(typeof (await call(ac2, 'PING'))).toBe('string');
    const backCb = Date.now() - healed;
    expect(worst).toBeLessThanOrEqual(1000);
    expect(worstCb).toBeLessThanOrEqual(1000);
    expect(back).toBeLessThan(1000);
    expect(backCb).toBeLessThan(1000);
    record({
      test: `network: blackhole ${ms / 1000} s`,
      faults: 1,
      settled,
      note: `slowest settle ${worst} ms (promise), ${worstCb} ms (callback), timeout 500; serving ${back} ms (promise) / ${backCb} ms (callback) after the heal`,
    });
  }

  it('5 s (1.5 s in the short run): every command settles within 2x its timeout; served within 1 s of the heal', async () => {
    await blackhole(scale(1_500, 5_000));
  }, TEST_TIMEOUT);

  it.runIf(LONG)('60 s: the same, and the client never gives up', async () => {
    await blackhole(60_000);
  }, TEST_TIMEOUT);
});

describe('half-open and silent servers', () => {
  it('half-open: pending commands fail at once, nothing is sent twice', async () => {
    const p = await proxy(31);
    await admin.del('half', 'half-cb');
    const c = await client(p, { reconnect: { minDelayMs: 1, maxDelayMs: 20 } }).connect();
    const ac = await context(p);
    expect(await c.incr('half')).toBe(1);
    expect(await call(ac, 'INCR', 'half-cb')).toBe(1);
    // Held by a blackhole, then the client side gets a FIN and its writes are dropped.
    p.blackhole();
    const ps = Array.from({ length: 100 }, () => c.incr('half').then(() => 'ok', (e: unknown) => e));
    const cbs = Array.from({ length: 100 }, () => call(ac, 'INCR', 'half-cb'));
    await new Promise((r) => setTimeout(r, 50));
    const cut = Date.now();
    p.halfClose();
    const outcomes = await Promise.all(ps);
    const cbOutcomes = await Promise.all(cbs);
    const failedIn = Date.now() - cut;
    expect(outcomes.every((o) => o instanceof ConnectionError && o.mayHaveRun)).toBe(true);
    expect(cbOutcomes.every((r) => r === null)).toBe(true);
    expect(failedIn).toBeLessThan(1000);
    p.heal();
    await waitFor(() => c.state === 'ready', 'the reconnect');
    // The dropped writes never reached the server, and none was re-sent.
    expect(await c.incr('half')).toBe(2);
    expect(await counter('half-cb')).toBe(1);
    record({ test: 'network: half-open', faults: 1, settled: 200, lost: 0, note: `200 pending failed ${failedIn} ms after the FIN; counters unchanged (nothing re-sent)` });
  }, TEST_TIMEOUT);

  it('accepts and never answers: connect() and queued commands fail within their deadlines, both APIs', async () => {
    const p = await proxy(41);
    p.blackhole();
    const c = client(p, { connectTimeout: 300, commandTimeout: 400 });
    const t0 = Date.now();
    const queued = c.incr('silent').catch((e: unknown) => e);
    const conn = await c.connect().catch((e: unknown) => e);
    const connMs = Date.now() - t0;
    expect(conn).toBeInstanceOf(TimeoutError);
    expect(await queued).toBeInstanceOf(TimeoutError);
    const qMs = Date.now() - t0;
    const ac = redisAsyncConnectWithOptions({ host: '127.0.0.1', port: p.port, connectTimeout: 300, commandTimeout: 400 });
    contexts.push(ac);
    const cbQueued = call(ac, 'INCR', 'silent');
    const status = new Promise<number>((resolve) => redisAsyncSetConnectCallback(ac, (_c, s) => resolve(s)));
    const t1 = Date.now();
    redisAttach(reactor, ac);
    expect(await status).not.toBe(REDIS_OK);
    expect(await cbQueued).toBeNull();
    const cbMs = Date.now() - t1;
    expect(connMs).toBeLessThan(1000);
    expect(qMs).toBeLessThan(1000);
    expect(cbMs).toBeLessThan(1000);
    record({ test: 'network: accepts, never answers', faults: 1, settled: 4, note: `connect failed after ${connMs} ms (deadline 300), queued command ${qMs} ms (400); callback API ${cbMs} ms` });
  }, TEST_TIMEOUT);
});

/** The little of node-redis 5 the comparison uses (it is the bench's dependency, not ours). */
interface NodeRedis {
  on(event: 'error', fn: () => void): void;
  connect(): Promise<unknown>;
  subscribe(channel: string, fn: (message: string) => void): Promise<void>;
  readonly isReady: boolean;
  destroy(): void;
}

describe('pub/sub under resets of the subscriber', () => {
  /** A subscriber under test: subscribe with a listener, and whether it is subscribed right now. */
  interface Subscriber {
    ready(): boolean;
  }

  /**
   * Publishes `total` numbered messages, resetting the proxy's connections
   * `resets` times evenly among them; returns what PUBLISH said per message
   * (receivers) and the messages received, in arrival order.
   */
  async function run(p: FaultProxy, sub: Subscriber, got: number[], channel: string, total: number, resets: number) {
    const receivers = new Array<number>(total);
    const every = Math.floor(total / (resets + 1));
    let done = 0;
    for (let i = 0; i < total; i++) {
      receivers[i] = (await admin.publish(channel, String(i))) as number;
      if (i > 0 && i % every === 0 && done < resets) {
        p.resetAll();
        done++;
      }
    }
    await waitFor(() => sub.ready(), 'the last resubscribe');
    for (let tries = 0; ((await admin.command('PUBSUB', 'NUMSUB', channel)) as unknown[])[1] !== 1; tries++) {
      if (tries > 2000) throw new Error('no resubscription');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await admin.publish(channel, String(total))).toBe(1);
    await waitFor(() => got.at(-1) === total, 'the last message');
    got.pop();
    const seen = new Set(got);
    return {
      ordered: got.every((m, i) => i === 0 || m > got[i - 1]!),
      duplicates: got.length - seen.size,
      received: got.length,
      whileDown: receivers.filter((r) => r === 0).length,
      inFlight: receivers.filter((r, i) => r === 1 && !seen.has(i)).length,
      strays: receivers.filter((r, i) => r === 0 && seen.has(i)).length,
      resets: done,
    };
  }

  it('resubscribed after each reset; no duplicate, no reordering; lost only around the resets (beside node-redis)', async () => {
    const total = scale(2_000, 5_000);
    const resets = 10;
    const p = await proxy(51);
    const sub = await client(p, { reconnect: { minDelayMs: 1, maxDelayMs: 10 } }).connect();
    const got: number[] = [];
    await sub.subscribe('numbers', (m) => got.push(Number(m)));
    const ours = await run(p, { ready: () => sub.state === 'ready' }, got, 'numbers', total, resets);
    expect(ours.ordered).toBe(true);
    expect(ours.duplicates).toBe(0);
    // Nothing published to nobody arrives; what was delivered to the socket
    // as it was reset is the rest of the loss, a few messages per reset.
    expect(ours.strays).toBe(0);
    expect(ours.inFlight).toBeLessThanOrEqual(resets * 20);

    // node-redis 5 (the bench's copy) through the same faults, for comparison only.
    let theirs = 'node-redis not found';
    try {
      const { createRequire } = await import('node:module');
      const req = createRequire(new URL('../bench/package.json', import.meta.url));
      const { createClient: createNodeRedis } = req('redis') as { createClient: (o: object) => NodeRedis };
      const p2 = await proxy(52);
      const nr = createNodeRedis({ socket: { host: '127.0.0.1', port: p2.port, reconnectStrategy: () => 1 } });
      nr.on('error', () => undefined);
      await nr.connect();
      const got2: number[] = [];
      await nr.subscribe('numbers-nr', (m: string) => got2.push(Number(m)));
      const r = await run(p2, { ready: () => nr.isReady }, got2, 'numbers-nr', total, resets);
      nr.destroy();
      theirs = `node-redis: ${r.received} received, lost ${r.whileDown} + ${r.inFlight}, ${r.duplicates} duplicates, ${r.ordered ? 'in order' : 'REORDERED'}`;
    } catch (err) {
      theirs = `node-redis run failed: ${(err as Error).message}`;
    }
    record({
      test: 'network: pub/sub under resets',
      faults: ours.resets,
      settled: total,
      note: `ours: ${ours.received} of ${total} received in order, 0 duplicates, lost ${ours.whileDown} published while unsubscribed + ${ours.inFlight} in the reset sockets; ${theirs}`,
    });
  }, TEST_TIMEOUT);
});
