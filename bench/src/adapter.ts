/**
 * bench/adapter: the promise client beside ioredis 5 (auto-pipelining off
 * and on), node-redis 5 and redis-benchmark, against one redis-server the
 * suite starts.
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
 * Every client runs in a child process of its own (this same file, started
 * with `--child`), so RSS figures belong to one client and no client warms
 * the JIT or the heap for another. redis-benchmark (-c 1, -P 1 / -P 100)
 * is the ceiling for sync / burst.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { startRedis } from '@reactor-ts/test-utils';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

const IMPLS = ['reactor-ts', 'ioredis', 'ioredis-auto', 'node-redis'] as const;
type Impl = (typeof IMPLS)[number];
const WORKLOADS = ['sync', 'burst', 'pipe100', 'pipe1000', 'multi100'] as const;
type Workload = (typeof WORKLOADS)[number];

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
  if (impl === 'reactor-ts') {
    const { createClient } = await import('@reactor-ts/hiredis-adapter');
    const c = await createClient({ url: `redis://127.0.0.1:${port}` }).connect();
    return {
      incr: (k) => c.incr(k),
      pipelineIncr: (k, n) => {
        const p = c.pipeline();
        for (let i = 0; i < n; i++) p.incr(k);
        return p.exec();
      },
      multiIncr: async (k, n) => {
        const m = c.multi();
        for (let i = 0; i < n; i++) m.incr(k);
        return (await m.exec()) ?? [];
      },
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
      pipelineIncr: async (k, n) => {
        const p = c.pipeline();
        for (let i = 0; i < n; i++) p.incr(k);
        return ((await p.exec()) ?? []).map(([, v]) => v);
      },
      multiIncr: async (k, n) => {
        const m = c.multi();
        for (let i = 0; i < n; i++) m.incr(k);
        return ((await m.exec()) ?? []).map(([, v]) => v);
      },
      get: (k) => c.get(k),
      close: async () => void (await c.quit()),
    };
  }
  const { createClient } = await import('redis');
  const c = createClient({ url: `redis://127.0.0.1:${port}` });
  await c.connect();
  return {
    incr: (k) => c.incr(k),
    pipelineIncr: (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return m.execAsPipeline() as Promise<unknown[]>;
    },
    multiIncr: (k, n) => {
      const m = c.multi();
      for (let i = 0; i < n; i++) m.incr(k);
      return m.exec() as Promise<unknown[]>;
    },
    get: (k) => c.get(k),
    close: async () => c.close(),
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

/** Spawns this file as a child; resolves with its result. */
function runChild(impl: Impl, workload: Workload, port: number, n: number): Promise<ChildResult> {
  const self = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', '--conditions=source', self, '--child', impl, workload, String(port), String(n)];
  return collect(process.execPath, args, 120_000).then((out) => {
    const line = out.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(line) as ChildResult;
    } catch {
      throw new Error(`${impl}/${workload} child failed:\n${out}`);
    }
  });
}

function collect(cmd: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
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

/** The targets, as pass/short lines. */
function notes(rows: Row[]): string[] {
  const v = (w: string, i: string): number => rows.find((r) => r.workload === w && r.impl === i)?.value ?? NaN;
  const ours = (w: string): number => v(w, 'reactor-ts');
  const peerBurst = Math.max(v('burst', 'ioredis'), v('burst', 'ioredis-auto'), v('burst', 'node-redis'));
  const peerRss = Math.min(v('burst-rss', 'ioredis'), v('burst-rss', 'ioredis-auto'), v('burst-rss', 'node-redis'));
  const peerCpu = Math.min(v('burst-cpu', 'ioredis'), v('burst-cpu', 'ioredis-auto'), v('burst-cpu', 'node-redis'));
  const peerGrowth = Math.min(v('burst-rss-growth', 'ioredis'), v('burst-rss-growth', 'ioredis-auto'), v('burst-rss-growth', 'node-redis'));
  const line = (what: string, got: number, want: number): string =>
    `${got >= want ? 'met  ' : 'SHORT'} ${what}: ${got.toFixed(2)}× (target ${want}×)`;
  return [
    line('sync vs redis-benchmark -c1 -P1', ours('sync') / v('sync', 'redis-benchmark -c1 -P1'), 0.9),
    line('burst vs fastest of ioredis/node-redis', ours('burst') / peerBurst, 2),
    line('burst vs redis-benchmark -c1 -P100', ours('burst') / v('burst', 'redis-benchmark -c1 -P100'), 0.5),
    line('burst peak RSS, lowest peer ÷ ours', peerRss / ours('burst-rss'), 2),
    line('burst RSS growth, lowest peer ÷ ours', peerGrowth / ours('burst-rss-growth'), 2),
    line('burst CPU per command, fastest peer ÷ ours', peerCpu / ours('burst-cpu'), 2),
    'Each client runs in its own child process; RSS is the child\'s peak (process.resourceUsage().maxRSS).',
  ];
}

export const suite: Suite = {
  name: 'adapter',
  description: 'promise client vs ioredis / node-redis / redis-benchmark: sync, burst, pipelines, peak RSS',
  run,
};

// Child mode: `adapter.ts --child <impl> <workload> <port> <n>`.
const argv = process.argv;
const at = argv.indexOf('--child');
if (at !== -1 && fileURLToPath(import.meta.url) === argv[1]) {
  const [impl, workload, port, n] = argv.slice(at + 1) as [Impl, Workload, string, string];
  child(impl, workload, Number(port), Number(n)).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
