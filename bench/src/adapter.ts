/**
 * bench/adapter: the promise client (`ours`) and the hiredis-style callback
 * API (`reactor-ts callback`: redisAsyncConnect + redisAttach on a reactor
 * in the child) beside ioredis 6 (auto-pipelining off and on), node-redis 6
 * and redis-benchmark, against one redis-server the suite starts. The table's
 * ratios are the promise client's; the notes give both APIs' against the
 * issue's targets. The callback API runs every workload but multi100.
 *
 * Workloads (INCR on a fresh key each run; the counter is checked after):
 *   sync      20,000 INCR, each awaited before the next
 *   burst     200,000 INCR issued at once (Promise.all)
 *   pipe100   200,000 INCR in explicit pipelines of 100, one after another
 *   pipe1000  200,000 INCR in explicit pipelines of 1000
 *   multi100  200,000 INCR in MULTI/EXEC transactions of 100, one after another
 *   burst-rss peak RSS of the process running `burst` (lower is better)
 *   burst-rss-growth  that peak minus the RSS just before the burst: the
 *             burst's own cost, without the runtime (node + tsx) every child pays
 *   <w>-cpu   the client process's CPU time (user + system) per command in
 *             workload <w>, lower is better: steadier than ops/s on a shared
 *             machine, since time spent waiting for a CPU is not counted
 *
 * Besides the default promise client, `reactor-ts busy-poll` is the same
 * client with the default reactor's busy polling on (opt-in; sync, pipe100,
 * multi100), and `node:net bare` is no client at all (sync and burst): the
 * floor under any Node client, for sync rate and burst RSS.
 *
 * Every client runs in a child process of its own (this same file, started
 * with `--child`), so RSS figures belong to one client and no client warms
 * the JIT or the heap for another. redis-benchmark (-c 1, -P 1 / -P 100)
 * is the ceiling for sync / burst.
 */
import { performance } from 'node:perf_hooks';
import { startRedis } from '@reactor-ts/test-utils';
import type { RedisReply } from '@reactor-ts/resp';
import { BareConnection, encode } from './lib/bare.js';
import { ioredisBatches, nodeRedisBatches, reactorTsBatches } from './lib/incr-batches.js';
import { collect, runIfChild, runSelfAsChild } from './lib/child.js';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

/** Our hiredis-style callback API (redisAsyncConnect + redisAttach), run by a reactor in the child. */
const CALLBACK = 'reactor-ts callback';
/** The promise client with the default reactor's busy polling on (createClient({ busyPollMicros })). */
const BUSY = 'reactor-ts busy-poll';
/** The busy-poll window BUSY uses, µs (as Linux's recommended busy_poll value). */
const BUSY_POLL_MICROS = 50;
/**
 * No client at all: node:net, one pre-encoded INCR, replies counted by their
 * CRLF, a promise per command, net's onread buffer. The floor under any
 * Node client: its sync rate, and its peak RSS in the burst (it writes once
 * per command, so its burst rate means nothing).
 */
const BARE = 'node:net bare';
const IMPLS = ['reactor-ts', CALLBACK, BUSY, 'ioredis', 'ioredis-auto', 'node-redis', BARE] as const;
type Impl = (typeof IMPLS)[number];
const WORKLOADS = ['sync', 'burst', 'pipe100', 'pipe1000', 'multi100'] as const;
type Workload = (typeof WORKLOADS)[number];
/** Which workloads each of ours-but-not-the-default runs (the rest run all). */
const ONLY: Partial<Record<Impl, ReadonlySet<Workload>>> = {
  // The callback API has no MULTI helper; the issue's workloads are the others.
  [CALLBACK]: new Set(['sync', 'burst', 'pipe100', 'pipe1000']),
  // Busy polling shortens round trips: the workloads made of them.
  [BUSY]: new Set(['sync', 'pipe100', 'multi100']),
  [BARE]: new Set(['sync', 'burst']),
};

/** What a child reports on its last stdout line. */
interface ChildResult {
  ops: number;
  ms: number;
  peakRssMiB: number;
  /** RSS right before the workload started. */
  startRssMiB: number;
  /** CPU time (user + system) of the child per command, in µs. */
  cpuUsPerOp: number;
  counter: number;
}

/** The uniform face each client gets in a child. */
interface Driver {
  incr(key: string): Promise<unknown>;
  pipelineIncr(key: string, n: number): Promise<unknown[]>;
  /** n INCR in one MULTI/EXEC; EXEC's replies. */
  multiIncr(key: string, n: number): Promise<unknown[]>;
  get(key: string): Promise<unknown>;
  close(): Promise<void>;
}

async function makeDriver(impl: Impl, port: number): Promise<Driver> {
  if (impl === BARE) return bareDriver(port);
  if (impl === 'reactor-ts' || impl === BUSY) {
    const { createClient } = await import('@reactor-ts/client');
    const busyPollMicros = impl === BUSY ? BUSY_POLL_MICROS : 0;
    const c = await createClient({ url: `redis://127.0.0.1:${port}`, busyPollMicros }).connect();
    return {
      incr: (k) => c.incr(k),
      ...reactorTsBatches(c),
      get: (k) => c.get(k),
      close: async () => void (await c.quit()),
    };
  }
  if (impl === 'ioredis' || impl === 'ioredis-auto') {
    const { Redis } = await import('ioredis');
    const c = new Redis({ host: '127.0.0.1', port, enableAutoPipelining: impl === 'ioredis-auto', lazyConnect: true });
    await c.connect();
    return {
      incr: (k) => c.incr(k),
      ...ioredisBatches(c),
      get: (k) => c.get(k),
      close: async () => void (await c.quit()),
    };
  }
  const { createClient } = await import('redis');
  // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
  const c = createClient({ url: `redis://127.0.0.1:${port}`, commandOptions: { timeout: 0 } });
  await c.connect();
  return {
    incr: (k) => c.incr(k),
    ...nodeRedisBatches(c),
    get: (k) => c.get(k),
    close: async () => c.close(),
  };
}

/** BARE (see lib/bare.ts): INCR and GET as bytes encoded once per key; sync and burst only. */
async function bareDriver(port: number): Promise<Driver> {
  const conn = await BareConnection.open(port);
  const encoded = new Map<string, string>();
  const bytes = (cmd: string, key: string): string => {
    let b = encoded.get(cmd + key);
    if (b === undefined) encoded.set(cmd + key, (b = encode(cmd, key)));
    return b;
  };
  const unsupported = (): Promise<never> => Promise.reject(new Error(`${BARE} runs sync and burst only`));
  return {
    incr: (k) => conn.one(bytes('INCR', k)),
    pipelineIncr: unsupported,
    multiIncr: unsupported,
    // '$len' then the value (the key exists whenever the suite reads it).
    get: async (k) => (await conn.many(bytes('GET', k), 2))[1],
    close: async () => conn.close(),
  };
}

const COUNTS: Record<Workload, { full: number; quick: number }> = {
  sync: { full: 20_000, quick: 5_000 },
  burst: { full: 200_000, quick: 50_000 },
  pipe100: { full: 200_000, quick: 50_000 },
  pipe1000: { full: 200_000, quick: 50_000 },
  multi100: { full: 200_000, quick: 50_000 },
};

/** The child: one client, one workload, one JSON line. */
async function child(impl: Impl, workload: Workload, port: number, n: number): Promise<void> {
  if (impl === CALLBACK) return callbackChild(workload, port, n);
  const d = await makeDriver(impl, port);
  const key = `bench:${impl}:${workload}:${process.pid}`;
  // Warm-up on another key: connection set up, JIT past the first calls.
  await Promise.all(Array.from({ length: 2000 }, () => d.incr(`${key}:warm`)));
  for (let i = 0; i < 2000; i++) await d.incr(`${key}:warm`);
  const startRssMiB = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let last: unknown;
  if (workload === 'sync') {
    for (let i = 0; i < n; i++) last = await d.incr(key);
  } else if (workload === 'burst') {
    const replies = await Promise.all(Array.from({ length: n }, () => d.incr(key)));
    last = replies[n - 1];
  } else if (workload === 'multi100') {
    for (let done = 0; done < n; done += 100) {
      const replies = await d.multiIncr(key, Math.min(100, n - done));
      last = replies[replies.length - 1];
    }
  } else {
    const size = workload === 'pipe100' ? 100 : 1000;
    for (let done = 0; done < n; done += size) {
      const replies = await d.pipelineIncr(key, Math.min(size, n - done));
      last = replies[replies.length - 1];
    }
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerOp = (cpu.user + cpu.system) / n;
  const counter = Number(await d.get(key));
  if (Number(last) !== n || counter !== n) throw new Error(`${impl}/${workload}: counter ${counter}, last reply ${String(last)}, expected ${n}`);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  await d.close();
  const res: ChildResult = { ops: n, ms, peakRssMiB, startRssMiB, cpuUsPerOp, counter };
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

/**
 * The callback API's child: a reactor created here runs the context
 * (`reactor.eventloop()`), and commands are issued as a hiredis program
 * would — the next one (sync) or the next batch (pipelines) from the
 * callback of the previous reply, the burst all at once with one shared
 * callback counting replies. A promise settles once per phase only, so the
 * timed part is callbacks end to end.
 */
async function callbackChild(workload: Workload, port: number, n: number): Promise<void> {
  const { createReactor } = await import('@reactor-ts/reactor');
  const h = await import('@reactor-ts/hiredis-adapter');
  const { REDIS_REPLY_ERROR } = await import('@reactor-ts/resp');
  const reactor = createReactor();
  const ac = h.redisAsyncConnect('127.0.0.1', port);
  if (h.redisAttach(reactor, ac) !== h.REDIS_OK) throw new Error(`redisAttach failed: ${ac.errstr}`);
  const closed = new Promise<void>((resolve) => {
    h.redisAsyncSetDisconnectCallback(ac, () => {
      reactor.stopEventloop();
      resolve();
    });
  });
  const loop = reactor.eventloop();
  const failed = (what: string, reply: RedisReply | null): Error =>
    new Error(`${CALLBACK}/${workload}: ${what} failed: ${reply === null ? ac.errstr : String(reply.str)}`);

  /** `total` INCR on `key`, `batch` at a time, each batch issued from the callback ending the previous one; the last reply. */
  const incrs = (key: string, total: number, batch: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const argv = ['INCR', key];
      let replies = 0;
      const onReply = (_ac: unknown, reply: RedisReply | null): void => {
        if (reply === null || reply.type === REDIS_REPLY_ERROR) return reject(failed('INCR', reply));
        replies++;
        if (replies === total) resolve(Number(reply.integer));
        else if (replies % batch === 0) issue();
      };
      const issue = (): void => {
        const m = Math.min(batch, total - replies);
        for (let i = 0; i < m; i++) {
          if (h.redisAsyncCommandArgv(ac, onReply, null, argv) !== h.REDIS_OK) return reject(failed('INCR', null));
        }
      };
      issue();
    });
  const get = (key: string): Promise<string | null> =>
    new Promise((resolve, reject) => {
      h.redisAsyncCommandArgv(ac, (_ac, reply) => (reply === null ? reject(failed('GET', reply)) : resolve(reply.str)), null, ['GET', key]);
    });

  const key = `bench:callback:${workload}:${process.pid}`;
  // The same warm-up as the promise clients: a burst of 2000, then 2000 one by one.
  await incrs(`${key}:warm`, 2000, 2000);
  await incrs(`${key}:warm`, 2000, 1);
  const batch = workload === 'sync' ? 1 : workload === 'burst' ? n : workload === 'pipe100' ? 100 : 1000;
  const startRssMiB = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const last = await incrs(key, n, batch);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const counter = Number(await get(key));
  if (last !== n || counter !== n) throw new Error(`${CALLBACK}/${workload}: counter ${counter}, last reply ${last}, expected ${n}`);
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  h.redisAsyncDisconnect(ac);
  await closed;
  await loop;
  reactor.release();
  const res: ChildResult = { ops: n, ms, peakRssMiB, startRssMiB, cpuUsPerOp: (cpu.user + cpu.system) / n, counter };
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

function runChild(impl: Impl, workload: Workload, port: number, n: number): Promise<ChildResult> {
  return runSelfAsChild<ChildResult>(import.meta.url, [impl, workload, String(port), String(n)]);
}

/** redis-benchmark -c 1 -P <pipeline> -t incr: requests per second. */
async function redisBenchmark(port: number, pipeline: number, n: number): Promise<number> {
  const out = await collect('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '1', '-P', String(pipeline), '-t', 'incr', '-n', String(n), '--csv'], 120_000);
  const line = out.split('\n').find((l) => l.startsWith('"INCR"'));
  const rps = line === undefined ? NaN : Number(line.split(',')[1]!.replace(/"/g, ''));
  if (!Number.isFinite(rps)) throw new Error(`could not read redis-benchmark output:\n${out}`);
  return rps;
}

async function run(opts: { quick: boolean }): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 3;
  const srv = await startRedis();
  const samples = new Map<string, number[]>();
  const add = (workload: string, impl: string, v: number): void => {
    const k = `${workload}\u0000${impl}`;
    const list = samples.get(k) ?? [];
    list.push(v);
    samples.set(k, list);
  };
  try {
    for (let r = 0; r < rounds; r++) {
      for (const workload of WORKLOADS) {
        const n = opts.quick ? COUNTS[workload].quick : COUNTS[workload].full;
        // Rotate who goes first each round.
        const order = IMPLS.map((_, i) => IMPLS[(i + r) % IMPLS.length]!);
        for (const impl of order) {
          if (ONLY[impl] !== undefined && !ONLY[impl].has(workload)) continue;
          progress(`adapter ${workload} ${impl} round ${r + 1}/${rounds}`);
          const res = await runChild(impl, workload, srv.port, n);
          add(workload, impl, (res.ops / res.ms) * 1000);
          add(`${workload}-cpu`, impl, res.cpuUsPerOp);
          if (workload === 'burst') {
            add('burst-rss', impl, res.peakRssMiB);
            add('burst-rss-growth', impl, res.peakRssMiB - res.startRssMiB);
          }
        }
      }
      progress(`adapter redis-benchmark round ${r + 1}/${rounds}`);
      add('sync', 'redis-benchmark -c1 -P1', await redisBenchmark(srv.port, 1, opts.quick ? 20_000 : 100_000));
      add('burst', 'redis-benchmark -c1 -P100', await redisBenchmark(srv.port, 100, opts.quick ? 200_000 : 1_000_000));
    }
  } finally {
    progress('');
    await srv.stop();
  }
  const rows: Row[] = [];
  for (const [k, s] of samples) {
    const [workload, impl] = k.split('\u0000') as [string, string];
    const rss = workload.startsWith('burst-rss');
    const cpu = workload.endsWith('-cpu');
    const unit = rss ? 'MiB' : cpu ? 'µs/op' : 'ops/s';
    rows.push({ workload, impl, unit, value: median(s), samples: s, ...(rss || cpu ? { lowerIsBetter: true } : {}) });
  }
  return { suite: 'adapter', ours: 'reactor-ts', rows, notes: notes(rows) };
}

/** The issue's targets, as pass/short lines: for the promise client (`ours`), then for the callback API. */
function notes(rows: Row[]): string[] {
  const v = (w: string, i: string): number => rows.find((r) => r.workload === w && r.impl === i)?.value ?? NaN;
  const peers = ['ioredis', 'ioredis-auto', 'node-redis'];
  const rb = (w: string): number => v(w, w === 'sync' ? 'redis-benchmark -c1 -P1' : 'redis-benchmark -c1 -P100');
  const best = (w: string): number => Math.max(...peers.map((p) => v(w, p)));
  const least = (w: string): number => Math.min(...peers.map((p) => v(w, p)));
  const line = (what: string, got: number, want: number): string =>
    `${got >= want ? 'met  ' : 'SHORT'} ${what}: ${got.toFixed(2)}× (target ${want}×)`;
  const targets = (impl: string, label: string): string[] => [
    line(`${label} sync vs redis-benchmark -c1 -P1`, v('sync', impl) / v('sync', 'redis-benchmark -c1 -P1'), 0.9),
    line(`${label} burst vs fastest of ioredis/node-redis`, v('burst', impl) / best('burst'), 2),
    line(`${label} burst vs redis-benchmark -c1 -P100`, v('burst', impl) / v('burst', 'redis-benchmark -c1 -P100'), 0.5),
    line(`${label} burst peak RSS, lowest peer ÷ ours`, least('burst-rss') / v('burst-rss', impl), 2),
    line(`${label} burst RSS growth, lowest peer ÷ ours`, least('burst-rss-growth') / v('burst-rss-growth', impl), 2),
    line(`${label} burst CPU per command, fastest peer ÷ ours`, least('burst-cpu') / v('burst-cpu', impl), 2),
  ];
  const pipes = ['pipe100', 'pipe1000'].map(
    (w) => `      [callback] ${w} vs fastest of ioredis/node-redis: ${(v(w, CALLBACK) / best(w)).toFixed(2)}×; vs the promise client: ${(v(w, CALLBACK) / v(w, 'reactor-ts')).toFixed(2)}×`,
  );
  return [
    ...targets('reactor-ts', '[promise]'),
    ...targets(CALLBACK, '[callback]'),
    line(`[promise, busy-poll ${BUSY_POLL_MICROS} µs] sync vs redis-benchmark -c1 -P1`, v('sync', BUSY) / rb('sync'), 0.9),
    `      [promise, busy-poll] sync CPU per command vs the default promise client: ${(v('sync-cpu', 'reactor-ts') / v('sync-cpu', BUSY)).toFixed(2)}× (above 1×: leaner)`,
    `      [${BARE}] sync vs redis-benchmark -c1 -P1: ${(v('sync', BARE) / rb('sync')).toFixed(2)}× (no client at all: the floor under any Node client without busy polling)`,
    `      [${BARE}] burst peak RSS, lowest peer ÷ bare: ${(least('burst-rss') / v('burst-rss', BARE)).toFixed(2)}× (200,000 promises and this runtime, with no client: the floor under any promise-per-command client)`,
    ...pipes,
    `"ours" in the table is the promise client (createClient); "${CALLBACK}" is the hiredis-style API (redisAsyncConnect + redisAttach +`,
    'redisAsyncCommandArgv, reactor.eventloop() in the child): sync issues each INCR from the previous reply\'s callback, burst issues all at once',
    'with one shared callback, pipelines issue each batch from the callback ending the previous one. Its ratios are the [callback] lines (same run\'s medians).',
    'Each client runs in its own child process; RSS is the child\'s peak (process.resourceUsage().maxRSS).',
    `"${BUSY}" is the promise client with createClient({ busyPollMicros: ${BUSY_POLL_MICROS} }) (opt-in, off by default; see the reactor README, "Busy polling").`,
    `"${BARE}": node:net, a pre-encoded INCR, replies counted by CRLF, one promise per command; no client.`,
  ];
}

export const suite: Suite = {
  name: 'adapter',
  description: 'promise client and callback API vs ioredis / node-redis / redis-benchmark: sync, burst, pipelines, peak RSS',
  run,
};

// Child mode: `adapter.ts --child <impl> <workload> <port> <n>`.
runIfChild(import.meta.url, ([impl, workload, port, n]) => child(impl as Impl, workload as Workload, Number(port), Number(n)));
