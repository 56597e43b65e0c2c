/**
 * Suite `cluster`: the promise cluster client (createCluster) beside
 * ioredis's `Cluster` (auto-pipelining off and on) and node-redis's
 * `createCluster`, in the same run, on a local 3-master cluster
 * (startCluster, no replicas):
 *
 *   burst     200,000 INCR over 1,000 keys issued at once (ops/s)
 *   pipe1000  pipelines of 1,000 INCR, one per key, 200 of them (ops/s)
 *   reshard   100,000 INCR over 1,000 keys in bursts of 1,000 while the
 *             parent migrates 4 slots of those keys key by key (ops/s);
 *             failed commands per run are counted in the notes (0 is the
 *             figure a client should show; the overlap with the migration
 *             depends on each client's speed)
 *   burst-rss peak RSS of the child running `burst` (MiB, lower is better)
 *   *-cpu     the child's CPU time (user + system) per command in each
 *             workload (µs/op, lower is better): steadier than ops/s on a
 *             loaded machine, and the client's own cost without the servers'
 *
 * Each client runs in a child process of its own (this file with
 * `--child`); its counters are checked after each workload.
 *
 * The same work for every client: the same 1,000 keys, the same number of
 * INCR, awaited the same way (burst: all at once, one Promise.all; pipe1000:
 * one round of 1,000 at a time, each awaited before the next; reshard:
 * bursts of 1,000, each awaited), the same warm-up (child()). Only the
 * pipeline's shape differs, as each client's API allows:
 *   reactor-ts    one `pipeline()` of 1,000 INCR; the client splits it per
 *                 node (3 batches, one write per node) and puts the replies
 *                 back in order;
 *   ioredis       20 `pipeline()`s of 50 (one per hash tag: ioredis refuses
 *                 a pipeline whose keys are on two nodes), sent at once and
 *                 awaited together (Promise.all), replies flattened;
 *   node-redis    20 `multi().execAsPipeline()` of 50 (one per hash tag: it
 *                 sends a pipeline to its first key's node), the same way.
 * Grouping the peers' pipelines by node instead (3 of ~333, from their
 * public slot maps: ioredis `slots`, node-redis `getSlotMaster`) was tried
 * and was no faster for either (node-redis 3.6 vs 6.9 ms per round, ioredis
 * 18.2 vs 9.5, at load 5-6: within the noise), so the per-tag shape stays:
 * it is what a user of those clients writes.
 */
import { performance } from 'node:perf_hooks';
import { startCluster, type RedisCluster as LocalCluster } from '@reactor-ts/test-utils';
import { keySlot } from '@reactor-ts/hiredis-adapter';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runIfChild } from './lib/child.js';
import { median, progress, type Row, type Suite, type SuiteResult } from './lib/harness.js';

const IMPLS = ['reactor-ts', 'ioredis', 'ioredis-auto', 'node-redis'] as const;
type Impl = (typeof IMPLS)[number];
const WORKLOADS = ['burst', 'pipe1000', 'reshard'] as const;
type Workload = (typeof WORKLOADS)[number];

const COUNTS: Record<Workload, { full: number; quick: number }> = {
  burst: { full: 200_000, quick: 20_000 },
  pipe1000: { full: 200_000, quick: 20_000 },
  reshard: { full: 100_000, quick: 10_000 },
};

/** Pipelines of 1,000 each client runs before pipe1000 is timed (see child()). */
const PIPE_WARMUP = 30;

/** 1,000 keys over 20 hash tags, so a migrated slot carries load. */
const TAGS = Array.from({ length: 20 }, (_, i) => `b${i}`);
const KEYS = Array.from({ length: 1000 }, (_, i) => `{${TAGS[i % 20]}}:${i}`);

interface Driver {
  incr(key: string): Promise<unknown>;
  pipelineIncr(keys: string[]): Promise<unknown[]>;
  get(key: string): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
  close(): Promise<void>;
}

interface ChildResult {
  ops: number;
  ms: number;
  peakRssMiB: number;
  failed: number;
  /** The child's CPU time (user + system) per command during the workload, µs: stable under load, unlike ops/s. */
  cpuUsPerOp: number;
}

async function makeDriver(impl: Impl, port: number): Promise<Driver> {
  if (impl === 'reactor-ts') {
    const { createCluster } = await import('@reactor-ts/client');
    const c = await createCluster({ rootNodes: [`redis://127.0.0.1:${port}`] }).connect();
    return {
      incr: (k) => c.incr(k),
      pipelineIncr: (keys) => {
        const p = c.pipeline();
        for (const k of keys) p.incr(k);
        return p.exec();
      },
      get: (k) => c.get(k),
      del: (keys) => Promise.all(keys.map((k) => c.command('DEL', k))),
      close: async () => void (await c.quit()),
    };
  }
  if (impl === 'ioredis' || impl === 'ioredis-auto') {
    const { Cluster } = await import('ioredis');
    const c = new Cluster([{ host: '127.0.0.1', port }], { enableAutoPipelining: impl === 'ioredis-auto', lazyConnect: true });
    await c.connect();
    return {
      incr: (k) => c.incr(k),
      // ioredis refuses a pipeline whose keys span nodes: one pipeline per hash tag (slot), all at once.
      pipelineIncr: async (keys) => {
        const parts = await Promise.all(byTag(keys).map(async (group) => {
          const p = c.pipeline();
          for (const k of group) p.incr(k);
          return ((await p.exec()) ?? []).map(([err, v]) => (err ? err : v));
        }));
        return parts.flat();
      },
      get: (k) => c.get(k),
      del: (keys) => Promise.all(keys.map((k) => c.del(k))),
      close: async () => void (await c.quit()),
    };
  }
  const { createCluster } = await import('redis');
  // node-redis 6 puts a 5 s deadline (an AbortSignal.timeout) on every command by default; the others have none, so it is off here as theirs is.
  const c = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }], commandOptions: { timeout: 0 } });
  await c.connect();
  return {
    incr: (k) => c.incr(k),
    // node-redis's cluster pipeline (multi().execAsPipeline()) goes to one node: one per hash tag, all at once.
    pipelineIncr: async (keys) => {
      const parts = await Promise.all(byTag(keys).map((group) => {
        const p = c.multi();
        for (const k of group) p.incr(k);
        return p.execAsPipeline() as Promise<unknown[]>;
      }));
      return parts.flat();
    },
    get: (k) => c.get(k),
    del: (keys) => Promise.all(keys.map((k) => c.del(k))),
    close: async () => void (await c.close()),
  };
}

/** `keys` grouped by hash tag (so by slot), for the peers whose pipelines must stay on one node. */
function byTag(keys: string[]): string[][] {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const tag = k.slice(0, k.indexOf('}') + 1);
    let g = groups.get(tag);
    if (g === undefined) groups.set(tag, (g = []));
    g.push(k);
  }
  return [...groups.values()];
}

/** The child: one client, one workload, one JSON line. */
async function child(impl: Impl, workload: Workload, port: number, n: number): Promise<void> {
  const d = await makeDriver(impl, port);
  await d.del(KEYS);
  // Warm-up, the same for every client: connections to every master, and
  // the JIT past the first calls of the path the workload times. Every
  // workload issues 1,000 INCR at once; pipe1000 also runs PIPE_WARMUP
  // pipelines of 1,000 first: on the loaded 2-core VM a client's pipeline
  // path takes 5 to 20 pipelines to be compiled, which would otherwise
  // weigh on a 20-pipeline quick run more than the client's speed does.
  const warm = KEYS.map((k) => `${k}:warm`);
  await Promise.all(warm.map((k) => d.incr(k)));
  if (workload === 'pipe1000') for (let i = 0; i < PIPE_WARMUP; i++) await d.pipelineIncr(warm);
  await d.del(warm);
  let failed = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (workload === 'burst') {
    await Promise.all(Array.from({ length: n }, (_, i) => d.incr(KEYS[i % 1000]!).catch(() => failed++)));
  } else if (workload === 'pipe1000') {
    for (let done = 0; done < n; done += 1000) {
      const out = await d.pipelineIncr(KEYS);
      failed += out.filter((v) => v instanceof Error).length;
    }
  } else {
    // Tell the parent to start migrating, then run the load.
    process.stdout.write('LOAD\n');
    for (let done = 0; done < n; done += 1000) await Promise.all(KEYS.map((k) => d.incr(k).catch(() => failed++)));
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerOp = (cpu.user + cpu.system) / n;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  if (failed === 0) {
    for (const k of [KEYS[0]!, KEYS[999]!]) {
      const v = Number(await d.get(k));
      if (v !== n / 1000) throw new Error(`${impl}/${workload}: ${k} is ${v}, expected ${n / 1000}`);
    }
  }
  await d.close();
  const res: ChildResult = { ops: n, ms, peakRssMiB, failed, cpuUsPerOp };
  process.stdout.write(`${JSON.stringify(res)}\n`);
}

/**
 * lib/child.ts's runSelfAsChild, plus `onLine` for each line the child
 * prints while it runs (the reshard workload's start signal).
 */
function runChild(args: string[], onLine: (line: string) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', fileURLToPath(import.meta.url), '--child', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let pending = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      pending += d.toString();
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
        onLine(pending.slice(0, nl).trim());
        pending = pending.slice(nl + 1);
      }
    });
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 300_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`cluster child ${args.join('/')} exited with ${code}:\n${out}`));
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`cluster child ${args.join('/')}: no result line:\n${out}`));
      }
    });
  });
}

/** Moves 4 of the loaded slots, each to the next master, key by key. */
async function reshard(local: LocalCluster, round: number): Promise<void> {
  const masters = await local.masters();
  for (const tag of TAGS.slice((round * 4) % 20, (round * 4) % 20 + 4)) {
    const slot = keySlot(tag);
    const from = await local.masterOf(slot);
    const to = masters[(masters.findIndex((m) => m.port === from.port) + 1) % masters.length]!;
    await local.migrateSlot(slot, to.port, { keyDelayMs: 1 });
  }
}

async function run(opts: { quick: boolean }): Promise<SuiteResult> {
  const rounds = opts.quick ? 1 : 3;
  const local = await startCluster({ masters: 3, replicasPerMaster: 0 });
  const port = Number(local.addrs[0]!.split(':')[1]);
  const samples = new Map<string, number[]>();
  const add = (workload: string, impl: string, v: number): void => {
    const k = `${workload}\u0000${impl}`;
    samples.set(k, [...(samples.get(k) ?? []), v]);
  };
  let reshards = 0;
  /** Failed commands per reshard run, per client (a note, not a row: 0 is the good figure). */
  const failures = new Map<string, number[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      for (const workload of WORKLOADS) {
        const n = opts.quick ? COUNTS[workload].quick : COUNTS[workload].full;
        const order = IMPLS.map((_, i) => IMPLS[(i + r) % IMPLS.length]!);
        for (const impl of order) {
          progress(`cluster ${workload} ${impl} round ${r + 1}/${rounds}`);
          let migration: Promise<void> = Promise.resolve();
          const res = await runChild([impl, workload, String(port), String(n)], (line) => {
            if (line === 'LOAD') migration = reshard(local, reshards++);
          });
          await migration;
          if (res.failed > 0 && workload !== 'reshard') throw new Error(`${impl}/${workload}: ${res.failed} commands failed`);
          add(workload, impl, (res.ops / res.ms) * 1000);
          add(`${workload}-cpu`, impl, res.cpuUsPerOp);
          if (workload === 'reshard') failures.set(impl, [...(failures.get(impl) ?? []), res.failed]);
          if (workload === 'burst') add('burst-rss', impl, res.peakRssMiB);
        }
      }
    }
  } finally {
    progress('');
    await local.stop();
  }
  const rows: Row[] = [];
  for (const [k, s] of samples) {
    const [workload, impl] = k.split('\u0000') as [string, string];
    const rss = workload === 'burst-rss';
    const cpu = workload.endsWith('-cpu');
    rows.push({ workload, impl, unit: rss ? 'MiB' : cpu ? 'µs/op' : 'ops/s', value: median(s), samples: s, ...(rss || cpu ? { lowerIsBetter: true } : {}) });
  }
  return { suite: 'cluster', ours: 'reactor-ts', rows, notes: notes(rows, failures) };
}

function notes(rows: Row[], failures: Map<string, number[]>): string[] {
  const v = (w: string, i: string): number => rows.find((r) => r.workload === w && r.impl === i)?.value ?? NaN;
  const peers = ['ioredis', 'ioredis-auto', 'node-redis'];
  const best = (w: string): number => Math.max(...peers.map((p) => v(w, p)));
  const least = (w: string): number => Math.min(...peers.map((p) => v(w, p)));
  const line = (what: string, got: number, want: number): string => `${got >= want ? 'met  ' : 'SHORT'} ${what}: ${got.toFixed(2)}× (target ${want}×)`;
  return [
    line('burst vs the fastest of ioredis / ioredis-auto / node-redis', v('burst', 'reactor-ts') / best('burst'), 2),
    line('pipelines of 1,000 vs the fastest peer', v('pipe1000', 'reactor-ts') / best('pipe1000'), 1.5),
    line('burst peak RSS, lowest peer ÷ ours', least('burst-rss') / v('burst-rss', 'reactor-ts'), 1),
    `      reshard vs the fastest peer: ${(v('reshard', 'reactor-ts') / best('reshard')).toFixed(2)}×; failed commands per run: ${IMPLS.map((i) => `${i} ${(failures.get(i) ?? []).join('/')}`).join(', ')}`,
    'Each client runs in its own child process on the same local 3-master cluster; reshard moves 4 loaded slots key by key while the child runs.',
    'The peers\' pipelines must stay on one node (ioredis refuses others; node-redis sends them to the first key\'s node): their pipe1000 sends the 1,000 INCR as 20 pipelines (one per hash tag) at once; ours is one pipeline split per node by the client.',
    `Every client gets the same warm-up (1,000 INCR at once; before pipe1000 also ${PIPE_WARMUP} pipelines of 1,000 on other keys); the *-cpu rows are each child's CPU time per command.`,
  ];
}

export const suite: Suite = {
  name: 'cluster',
  description: 'createCluster vs ioredis Cluster / node-redis createCluster: burst, pipelines of 1,000, INCR under live resharding, peak RSS',
  run,
};

// Child mode: `cluster.ts --child <impl> <workload> <port> <n>`.
runIfChild(import.meta.url, ([impl, workload, port, n]) => child(impl as Impl, workload as Workload, Number(port), Number(n)));
