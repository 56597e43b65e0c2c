/**
 * bench/adapter-features: the promise client's pipelines, transactions, Lua
 * and pub/sub beside ioredis 6 and node-redis 6, against one redis-server
 * the suite starts.
 *
 * Workloads (fresh keys per child; results are checked):
 *   pipe1000   pipelines of 1000 INCR, one after another (ops = commands)
 *   multi100   MULTI + 100 INCR + EXEC, one after another (ops = INCRs)
 *   evalsha    the article's doubling script by EVALSHA on a fresh (missing)
 *              key each call, 1000 in flight at a time (ops = calls)
 *   pubsub-rtt PUBLISH one message, wait until the subscriber (a second
 *              connection) has it, repeat (ops = round trips)
 *
 * `reactor-ts busy-poll` is our client with the default reactor's busy
 * polling on (opt-in, createClient({ busyPollMicros: 50 })). `node:net bare`
 * is no client at all (lib/bare.ts): bytes built with string templates
 * (once per key where the bytes repeat, per call for EVALSHA's fresh keys
 * and PUBLISH's payloads), replies as lines, a promise per call: the
 * ceiling any Node client works under in these workloads' shape.
 *
 * Every client runs in a child process of its own (this file, `--child`),
 * so no client warms the JIT or the heap for another; the order rotates
 * each round.
 */
import { performance } from 'node:perf_hooks';
import { startRedis } from '@reactor-ts/test-utils';
import { BareConnection, encode } from './lib/bare.js';
import { ioredisBatches, nodeRedisBatches, reactorTsBatches } from './lib/incr-batches.js';
import { runIfChild, runSelfAsChild } from './lib/child.js';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

/** The promise client with the default reactor's busy polling on (opt-in; see the reactor README). */
const BUSY = 'reactor-ts busy-poll';
const BUSY_POLL_MICROS = 50;
/** No client at all (lib/bare.ts): pre-encoded bytes, replies as lines. The ceiling for any Node client. */
const BARE = 'node:net bare';
const IMPLS = ['reactor-ts', BUSY, 'ioredis', 'node-redis', BARE] as const;
type Impl = (typeof IMPLS)[number];
const WORKLOADS = ['pipe1000', 'multi100', 'evalsha', 'pubsub-rtt'] as const;
type Workload = (typeof WORKLOADS)[number];

const DOUBLING =
  "local val = redis.call('get', KEYS[1]); if val then redis.call('set', KEYS[1], 2*val); return 2*val; end; return 0;";

const COUNTS: Record<Workload, { full: number; quick: number }> = {
  pipe1000: { full: 200_000, quick: 50_000 },
  multi100: { full: 200_000, quick: 20_000 },
  evalsha: { full: 100_000, quick: 20_000 },
  'pubsub-rtt': { full: 20_000, quick: 5_000 },
};

/**
 * Commands (pub/sub: a tenth as many round trips) each child runs before the
 * measured part, the same for every client: enough for the JIT to have
 * compiled every client's hot path (with a twentieth of it, MULTI/EXEC
 * measured up to a third more CPU per command for some clients).
 */
const WARM_UP = 20_000;

interface ChildResult {
  ops: number;
  ms: number;
  /** CPU time (user + system) the child spent in the measured part, µs. */
  cpuUs: number;
}

/** The uniform face each client gets in a child. */
interface Driver {
  pipelineIncr(key: string, n: number): Promise<unknown[]>;
  multiIncr(key: string, n: number): Promise<unknown[]>;
  scriptLoad(src: string): Promise<string>;
  evalsha(sha: string, key: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  /** Subscribes a second connection; `onMessage` gets each payload. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  close(): Promise<void>;
}

/**
 * BARE: each batch's bytes encoded once per key and reused (a pipeline or a
 * transaction of INCR on one key is the same bytes every time), replies taken
 * as lines. Line counts: INCR 1; MULTI + n INCR + EXEC is +OK, n QUEUED,
 * `*n` and n integers; a pub/sub message is 7 lines (`*3`, then three bulk
 * strings of two lines each).
 */
async function bareDriver(port: number): Promise<Driver> {
  const conn = await BareConnection.open(port);
  let sub: BareConnection | null = null;
  const cache = new Map<string, string>();
  const once = (id: string, make: () => string): string => {
    let b = cache.get(id);
    if (b === undefined) cache.set(id, (b = make()));
    return b;
  };
  return {
    pipelineIncr: (k, n) => conn.many(once(`p${n}:${k}`, () => encode('INCR', k).repeat(n)), n),
    multiIncr: async (k, n) => {
      const lines = await conn.many(once(`m${n}:${k}`, () => encode('MULTI') + encode('INCR', k).repeat(n) + encode('EXEC')), 2 * n + 2);
      return lines.slice(n + 2);
    },
    scriptLoad: async (src) => {
      const [, sha] = await conn.many(encode('SCRIPT', 'LOAD', src), 2);
      return sha!;
    },
    evalsha: (sha, k) => conn.one(encode('EVALSHA', sha, '1', k)),
    get: async (k) => (await conn.many(encode('GET', k), 2))[1],
    publish: (ch, m) => conn.one(encode('PUBLISH', ch, m)),
    subscribe: async (ch, on) => {
      const s = await BareConnection.open(port);
      sub = s;
      // SUBSCRIBE's confirmation: *3, two bulk strings, :1.
      await s.many(encode('SUBSCRIBE', ch), 6);
      let line = 0;
      s.unsolicited = (l) => {
        if (++line === 7) {
          line = 0;
          on(l);
        }
      };
    },
    close: async () => {
      conn.close();
      sub?.close();
    },
  };
}

async function makeDriver(impl: Impl, port: number): Promise<Driver> {
  if (impl === BARE) return bareDriver(port);
  const url = `redis://127.0.0.1:${port}`;
  if (impl === 'reactor-ts' || impl === BUSY) {
    const { createClient } = await import('@reactor-ts/client');
    const busyPollMicros = impl === BUSY ? BUSY_POLL_MICROS : 0;
    const c = await createClient({ url, busyPollMicros }).connect();
    const sub = createClient({ url, busyPollMicros });
    return {
      ...reactorTsBatches(c),
      scriptLoad: (src) => c.scriptLoad(src),
      evalsha: (sha, k) => c.evalsha(sha, [k]),
      get: (k) => c.get(k),
      publish: (ch, m) => c.publish(ch, m),
      subscribe: async (ch, on) => void (await sub.subscribe(ch, on)),
      close: async () => {
        await Promise.all([c.quit(), sub.state === 'idle' ? undefined : sub.quit()]);
      },
    };
  }
  if (impl === 'ioredis') {
    const { Redis } = await import('ioredis');
    const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
    await c.connect();
    let sub: InstanceType<typeof Redis> | null = null;
    return {
      ...ioredisBatches(c),
      scriptLoad: async (src) => String(await c.script('LOAD', src)),
      evalsha: (sha, k) => c.evalsha(sha, 1, k),
      get: (k) => c.get(k),
      publish: (ch, m) => c.publish(ch, m),
      subscribe: async (ch, on) => {
        sub = new Redis({ host: '127.0.0.1', port });
        sub.on('message', (_ch: string, m: string) => on(m));
        await sub.subscribe(ch);
      },
      close: async () => {
        await c.quit();
        if (sub !== null) await sub.quit();
      },
    };
  }
  const { createClient } = await import('redis');
  // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
  const c = createClient({ url, commandOptions: { timeout: 0 } });
  await c.connect();
  let sub: typeof c | null = null;
  return {
    ...nodeRedisBatches(c),
    scriptLoad: (src) => c.scriptLoad(src),
    evalsha: (sha, k) => c.evalSha(sha, { keys: [k] }),
    get: (k) => c.get(k),
    publish: (ch, m) => c.publish(ch, m),
    subscribe: async (ch, on) => {
      sub = c.duplicate();
      await sub.connect();
      await sub.subscribe(ch, (m: string) => on(m));
    },
    close: async () => {
      c.destroy();
      sub?.destroy();
    },
  };
}

/** The child: one client, one workload, one JSON line. */
async function child(impl: Impl, workload: Workload, port: number, n: number): Promise<void> {
  const d = await makeDriver(impl, port);
  const key = `bench:f:${impl}:${workload}:${process.pid}`;
  let check: () => Promise<void> = async () => {};
  let body: (n: number) => Promise<void>;
  if (workload === 'pipe1000' || workload === 'multi100') {
    const size = workload === 'pipe1000' ? 1000 : 100;
    const batch = workload === 'pipe1000' ? d.pipelineIncr.bind(d) : d.multiIncr.bind(d);
    let k = `${key}:warm`;
    body = async (count) => {
      for (let done = 0; done < count; done += size) await batch(k, Math.min(size, count - done));
    };
    await body(WARM_UP);
    k = key;
    check = async () => {
      if (Number(await d.get(key)) !== n) throw new Error(`${impl}/${workload}: counter is ${String(await d.get(key))}, expected ${n}`);
    };
  } else if (workload === 'evalsha') {
    const sha = await d.scriptLoad(DOUBLING);
    let i = 0;
    body = async (count) => {
      for (let done = 0; done < count; done += 1000) {
        const m = Math.min(1000, count - done);
        const calls: Array<Promise<unknown>> = [];
        for (let j = 0; j < m; j++) calls.push(d.evalsha(sha, `${key}:${i++}`));
        const replies = await Promise.all(calls);
        if (replies.some((r) => Number(r) !== 0)) throw new Error(`${impl}/evalsha: a missing key did not give 0`);
      }
    };
    await body(WARM_UP);
  } else {
    let expect = 0;
    let wake: (() => void) | null = null;
    let bad: string | null = null;
    await d.subscribe(key, (m) => {
      if (Number(m) !== expect) bad ??= `got message ${m}, expected ${expect}`;
      expect++;
      const w = wake;
      wake = null;
      w?.();
    });
    let seq = 0;
    body = async (count) => {
      for (let i = 0; i < count; i++) {
        const arrived = new Promise<void>((r) => (wake = r));
        await Promise.all([d.publish(key, String(seq++)), arrived]);
      }
      if (bad !== null) throw new Error(`${impl}/pubsub-rtt: ${bad}`);
    };
    await body(WARM_UP / 10);
  }
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await body(n);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await check();
  await d.close();
  const res: ChildResult = { ops: n, ms, cpuUs: cpu.user + cpu.system };
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

function runChild(impl: Impl, workload: Workload, port: number, n: number): Promise<ChildResult> {
  return runSelfAsChild<ChildResult>(import.meta.url, [impl, workload, String(port), String(n)]);
}

async function run(opts: { quick: boolean }): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 3;
  const srv = await startRedis();
  const samples = new Map<string, number[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const workload of WORKLOADS) {
        const n = opts.quick ? COUNTS[workload].quick : COUNTS[workload].full;
        const order = IMPLS.map((_, i) => IMPLS[(i + r) % IMPLS.length]!);
        for (const impl of order) {
          progress(`adapter-features ${workload} ${impl} round ${r + 1}/${rounds}`);
          const res = await runChild(impl, workload, srv.port, n);
          const add = (w: string, v: number): void => {
            const k = `${w}\u0000${impl}`;
            samples.set(k, [...(samples.get(k) ?? []), v]);
          };
          add(workload, (res.ops / res.ms) * 1000);
          add(`${workload} client-cpu`, res.cpuUs / res.ops);
        }
      }
    }
  } finally {
    progress('');
    await srv.stop();
  }
  const rows: Row[] = [];
  for (const [k, s] of samples) {
    const [workload, impl] = k.split('\u0000') as [string, string];
    const cpu = workload.endsWith('client-cpu');
    rows.push({ workload, impl, unit: cpu ? 'µs/op' : 'ops/s', value: median(s), samples: s, ...(cpu ? { lowerIsBetter: true } : {}) });
  }
  return { suite: 'adapter-features', ours: 'reactor-ts', rows, notes: notes(rows) };
}

function notes(rows: Row[]): string[] {
  const v = (w: string, i: string): number => rows.find((r) => r.workload === w && r.impl === i)?.value ?? NaN;
  const target = (impl: string, label: string) => (w: Workload): string => {
    const got = v(w, impl) / Math.max(v(w, 'ioredis'), v(w, 'node-redis'));
    return `${got >= 1.5 ? 'met  ' : 'SHORT'} ${label}${w} vs the faster of ioredis/node-redis: ${got.toFixed(2)}× (target 1.5×)`;
  };
  return [
    ...WORKLOADS.map(target('reactor-ts', '')),
    ...WORKLOADS.map(target(BUSY, `[busy-poll ${BUSY_POLL_MICROS} µs] `)),
    ...WORKLOADS.map((w) => {
      const got = v(w, BARE) / Math.max(v(w, 'ioredis'), v(w, 'node-redis'));
      return `      [${BARE}] ${w} vs the faster of ioredis/node-redis: ${got.toFixed(2)}× (no client, only the workload's own bytes and promises: the ceiling without busy polling)`;
    }),
    ...WORKLOADS.map((w) => {
      const got = Math.min(v(`${w} client-cpu`, 'ioredis'), v(`${w} client-cpu`, 'node-redis')) / v(`${w} client-cpu`, 'reactor-ts');
      return `      ${w} client CPU per op, the leaner peer ÷ ours: ${got.toFixed(2)}×`;
    }),
    'Each client runs in its own child process. "client-cpu" is that process\'s CPU time per op (steadier than ops/s on a shared machine);',
    'pubsub-rtt is latency-bound (one message in flight); evalsha is bound by the server running the script.',
    `"${BUSY}" is the promise client with createClient({ busyPollMicros: ${BUSY_POLL_MICROS} }) (opt-in, off by default; see the reactor README, "Busy polling").`,
  ];
}

export const suite: Suite = {
  name: 'adapter-features',
  description: 'promise client vs ioredis / node-redis: pipeline of 1000, MULTI/EXEC of 100, EVALSHA, PUBLISH→message round trips',
  run,
};

// Child mode: `adapter-features.ts --child <impl> <workload> <port> <n>`.
runIfChild(import.meta.url, ([impl, workload, port, n]) => child(impl as Impl, workload as Workload, Number(port), Number(n)));
