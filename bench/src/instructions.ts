/**
 * instructions: instruction counts under callgrind for the reader and
 * ChainBuffer microbenchmarks, the figure that does not move with a noisy
 * neighbour (issue 19). Each workload runs in a child process under
 * `valgrind --tool=callgrind --instr-atstart=no` with V8 single-threaded; the
 * child (lib/instr-worker.ts) warms each implementation up in turn, then
 * switches instrumentation on and has callgrind dump its counters around a
 * fixed number of calls, so start-up, corpus building and JIT warm-up are
 * neither counted nor slowed down by instrumentation. The rows are
 * instructions per reply (resp) or per chunk (buffer), lower is better: the
 * ratio is peer ÷ ours.
 *
 * Also the promise client's typed methods against `command()` (issue 15:
 * "typed costs nothing"): one SET awaited at a time, and pipelines of 100
 * SETs, on a redis-server the suite starts, counted per command by
 * lib/sync-worker.ts (SYNC_OP set / pipe100) over the whole client path
 * (encode, write, read, settle); the ratio is command() ÷ typed. These
 * children still run one per implementation, under tsx, instrumented from
 * the start (sync-worker.ts dumps around its own batches).
 *
 * Time: the children run the compiled bench (bench/dist, built first with
 * `tsc -b`: tsx's start-up alone cost ~8 s of CPU per child under valgrind),
 * one per workload rather than per implementation (start-up is most of a
 * child's time), two at a time. A full run is 28 children, each ~7-15 s of
 * CPU (the four line workloads ~30 s): about 7 min of CPU, which took 26 min
 * wall on the shared 2-core box at load 12-17 with other callgrind runs
 * beside it (2026-12-03; the old one-child-per-row, instrument-everything
 * run took ~3 h), plus the four client children (below); --quick is 7
 * children plus those four. The run prints its own time.
 * Counts are load-independent, except that a whole process sometimes lands
 * in a mode ~10% cheaper or dearer on allocation-heavy rows (seen on 1 KiB
 * bulks in string mode: 13.67M vs 12.3M per batch for both reactor-ts and
 * redis-parser; GC heuristics that read the clock, most likely): every
 * implementation of a workload shares its child, so the ratios hold.
 *
 * --quick counts Buffer mode in 16 KiB chunks against redis-parser and the
 * floor (resp.ts), and the readLine workload; a full run adds whole inputs,
 * string mode, node-redis 6 and search + drain. Without valgrind the suite
 * reports nothing.
 *
 * Run: npx tsx --conditions=source bench/src/main.ts instructions [--quick]
 * (INSTR_ONLY=client: the client rows alone; or resp, buffer, a workload's text)
 */
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@reactor-ts/test-utils';
import { progress, type Row, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.join(here, '..');
/** The compiled worker (see the header: not tsx). */
const worker = path.join(benchDir, 'dist', 'lib', 'instr-worker.js');
const syncWorker = path.join(here, 'lib', 'sync-worker.ts');
/** Timed batches per implementation, as lib/instr-worker.ts runs them. */
const BATCHES = 3;
/** A child that hangs costs its workload's rows, not the run (a full child takes ~1-4 min). */
const CHILD_TIMEOUT_MS = 15 * 60_000;
/** Children at a time: counts do not depend on load, wall time does (2 cores here). */
const LANES = 2;

interface Target {
  suite: 'resp' | 'buffer' | 'client';
  workload: string;
  impls: string[];
  /** Operations per call (replies or chunks), as the workload's perCall. */
  perCall: number;
  unit: string;
  iterations: number;
}

const SHAPES: Array<[string, number]> = [
  ['100k integers', 10_000],
  ['100k +OK', 10_000],
  ['10k 1 KiB bulks', 1_000],
  ['100 1 MiB bulks', 10],
  ['10k LRANGE 100 x 10 B', 1_000],
  ['10k nested arrays', 1_000],
];

function targets(quick: boolean): Target[] {
  const out: Target[] = [];
  const modes = quick ? ['Buffer'] : ['Buffer', 'string'];
  // floor: the values alone, no parsing (resp.ts): what no reader can go below.
  const peers = quick ? ['reactor-ts', 'redis-parser', 'floor'] : ['reactor-ts', 'redis-parser', 'node-redis', 'floor'];
  for (const mode of modes) {
    for (const [shape, perCall] of SHAPES) {
      for (const feed of quick ? ['16 KiB chunks'] : ['16 KiB chunks', 'whole']) {
        out.push({ suite: 'resp', workload: `${shape}, ${feed}, ${mode}`, impls: peers, perCall, unit: 'instr/reply', iterations: 5 });
      }
    }
  }
  // The typed methods' cost (sync-worker.ts): `iterations` operations per batch, perCall commands each.
  // Ours only: the question is typed ÷ command() on the same client (the peers' sync rows are sync-worker's INCR).
  const typed = ['reactor-ts', 'command()'];
  out.push({ suite: 'client', workload: 'set: one SET awaited at a time', impls: typed, perCall: 1, unit: 'instr/command', iterations: 2000 });
  out.push({ suite: 'client', workload: 'pipe100: pipelines of 100 SET', impls: typed, perCall: 100, unit: 'instr/command', iterations: 20 });
  // One pass over the corpus per batch (lineWorkloads(true): 20,000 short chunks, 400 long ones).
  const lines: Array<[string, number, number]> = [['line: readLine (each line as a Buffer)', 1000, 20]];
  if (!quick) {
    lines.push(['line: search CRLF + drain', 1000, 20]);
    lines.push(['line: readLine (each line as a Buffer), long lines', 100, 4]);
    lines.push(['line: search CRLF + drain, long lines', 100, 4]);
  }
  for (const [workload, perCall, iterations] of lines) {
    out.push({ suite: 'buffer', workload, impls: ['ChainBuffer', 'bl', 'Buffer.concat'], perCall, unit: 'instr/chunk', iterations });
  }
  return out;
}

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The bench as the children run it: compiled, and current (incremental, seconds when nothing changed). */
function build(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', benchDir], { stdio: 'inherit' });
}

/** Every dump's total instructions in dir, by its number. */
function dumpTotals(dir: string): Map<number, number> {
  const totals = new Map<number, number>();
  for (const f of readdirSync(dir)) {
    const m = /\.(\d+)$/.exec(f);
    if (m === null) continue;
    const t2 = /^(?:totals|summary): (\d+)/m.exec(readFileSync(path.join(dir, f), 'utf8'));
    if (t2 !== null) totals.set(Number(m[1]), Number(t2[1]));
  }
  return totals;
}

/**
 * The cheapest batch minus a dump's own cost, for the implementation whose
 * dumps start after dump `base`: base+1 closes what came before, then the
 * BATCHES batches, then one dump's own cost. The cheapest batch is the one
 * no TurboFan compilation landed in (see instr-worker.ts).
 */
function cheapest(totals: Map<number, number>, base: number): number | undefined {
  const batches: number[] = [];
  for (let b = base + 2; b < base + 2 + BATCHES; b++) {
    const v = totals.get(b);
    if (v !== undefined) batches.push(v);
  }
  const overhead = totals.get(base + 2 + BATCHES);
  return batches.length === BATCHES && overhead !== undefined ? Math.max(0, Math.min(...batches) - overhead) : undefined;
}

/** A client row's count: one child per implementation, sync-worker.ts under tsx, instrumented throughout. */
function countClient(t: Target, impl: string, port: number): Promise<number | undefined> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reactor-ts-callgrind-'));
  const args = [
    '--tool=callgrind',
    `--callgrind-out-file=${path.join(dir, 'cg.out')}`,
    process.execPath,
    '--single-threaded',
    '--import',
    'tsx',
    '--conditions=source',
    ...[syncWorker, impl, String(port), String(t.iterations), 'callgrind', String(BATCHES)],
  ];
  // sync-worker.ts takes its operation from SYNC_OP (the workload's first word).
  const env = { ...process.env, SYNC_OP: t.workload.split(':')[0] };
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { cwd: benchDir, env, maxBuffer: 16 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS }, (err, _out, stderr) => {
      try {
        if (err) throw new Error(`callgrind run failed (${t.workload}, ${impl}): ${stderr.slice(-2000)}`);
        resolve(cheapest(dumpTotals(dir), 0));
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/**
 * Instructions of `iterations` calls of each implementation (in t.impls
 * order), from one child's counter dumps; a missing count is undefined.
 */
function count(t: Target): Promise<Array<number | undefined>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reactor-ts-callgrind-'));
  const args = [
    '--tool=callgrind',
    '--instr-atstart=no',
    `--callgrind-out-file=${path.join(dir, 'cg.out')}`,
    process.execPath,
    '--single-threaded',
    // Math.random and V8's hash seeds the same in every child.
    '--random-seed=42',
    worker,
    t.suite,
    t.workload,
    String(t.iterations),
    String(BATCHES),
    ...t.impls,
  ];
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { cwd: benchDir, maxBuffer: 16 * 1024 * 1024, timeout: CHILD_TIMEOUT_MS }, (err, _out, stderr) => {
      try {
        if (err) throw new Error(`callgrind run failed (${t.workload}): ${stderr.slice(-2000)}`);
        // Implementation k owns dumps k*(BATCHES+2)+1 .. (k+1)*(BATCHES+2).
        const totals = dumpTotals(dir);
        resolve(t.impls.map((_impl, k) => cheapest(totals, k * (BATCHES + 2))));
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

export const suite: Suite = {
  name: 'instructions',
  description: 'callgrind instruction counts per reply / chunk for the reader and ChainBuffer (lower is better)',
  async run(opts: RunOptions): Promise<SuiteResult> {
    const result: SuiteResult = { suite: 'instructions', ours: 'ours', rows: [] };
    if (!hasValgrind()) {
      result.notes = ['valgrind (callgrind_control) not found: no instruction counts.'];
      return result;
    }
    const started = Date.now();
    build();
    // INSTR_ONLY=<text>: only the workloads (or suite: resp, buffer, client) naming it, e.g. INSTR_ONLY=client.
    const only = process.env.INSTR_ONLY;
    const jobs = targets(opts.quick).filter((t) => only === undefined || t.suite === only || t.workload.includes(only));
    // The client rows' server (loopback, free port), stopped when the counts are in.
    const srv = jobs.some((t) => t.suite === 'client') ? await startRedis() : null;
    let next = 0;
    let done = 0;
    const rows: Row[] = [];
    const failures: string[] = [];
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const t = jobs[next++]!;
        progress(`${done}/${jobs.length} workloads counted · ${t.workload}`);
        let counts: Array<number | undefined>;
        try {
          if (t.suite === 'client') {
            counts = [];
            for (const impl of t.impls) counts.push(await countClient(t, impl, srv!.port));
          } else {
            counts = await count(t);
          }
        } catch (err) {
          // One failed child costs its workload's rows, not the other counts.
          failures.push(`${t.workload}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
          continue;
        }
        t.impls.forEach((impl, k) => {
          const n = counts[k];
          if (n === undefined) {
            failures.push(`${t.workload}, ${impl}: callgrind dumps missing`);
            return;
          }
          const per = n / (t.iterations * t.perCall);
          // Ours is always the first implementation listed: name it 'ours' so every ratio is against it.
          rows.push({ workload: t.workload, impl: k === 0 ? 'ours' : impl, unit: t.unit, value: per, samples: [per], lowerIsBetter: true });
        });
        done++;
      }
    };
    try {
      await Promise.all(Array.from({ length: LANES }, lane));
    } finally {
      await srv?.stop();
    }
    // Back in target order, ours first in each workload.
    const order = new Map(jobs.flatMap((t, i) => t.impls.map((impl, k) => [`${t.workload}|${k === 0 ? 'ours' : impl}`, i * 100 + k] as const)));
    result.rows = rows.sort((a, b) => order.get(`${a.workload}|${a.impl}`)! - order.get(`${b.workload}|${b.impl}`)!);
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const children = jobs.reduce((n, t) => n + (t.suite === 'client' ? t.impls.length : 1), 0);
    result.notes = [
      "instructions per reply (resp) or per chunk (buffer) under callgrind, node --single-threaded; 'ours' is reactor-ts's RespReader or ChainBuffer.",
      "client rows: instructions per command of the promise client's whole path (lib/sync-worker.ts); 'ours' is the typed method (client.set, pipeline().set), command() the same client with command('SET', ...): command() ÷ ours ≈ 1.0 is \"typed costs nothing\".",
      'corpora at a tenth of the timed suites (as --quick); counts are of the timed calls only (warm-up, start-up and the dumps subtracted), cheapest of 3 batches.',
      `one child per workload (its implementations in turn; client rows one per implementation), ${LANES} at a time: ${children} children in ${minutes} min (load average at the end ${os.loadavg()[0]!.toFixed(1)}).`,
      ...failures.map((f) => `not counted: ${f}`),
    ];
    return result;
  },
};
