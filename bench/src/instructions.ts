/**
 * instructions: instruction counts under callgrind for the reader and
 * ChainBuffer microbenchmarks, the figure that does not move with a noisy
 * neighbour (issue 19). Each (workload, implementation) runs in a child
 * process under `valgrind --tool=callgrind` with V8 single-threaded; the
 * child (lib/instr-worker.ts) warms up, then has callgrind dump its counters
 * around a fixed number of calls, so start-up, corpus building and JIT
 * warm-up are not counted. The rows are instructions per reply (resp) or per
 * chunk (buffer), lower is better: the ratio is peer ÷ ours.
 *
 * Also the promise client's typed methods against `command()` (issue 15:
 * "typed costs nothing"): one SET awaited at a time, and pipelines of 100
 * SETs, on a redis-server the suite starts, counted per command by
 * lib/sync-worker.ts (SYNC_OP set / pipe100) over the whole client path
 * (encode, write, read, settle); the ratio is command() ÷ typed.
 *
 * Slow (each child takes a minute or two, most of it node's start-up under
 * valgrind): --quick counts Buffer mode in 16 KiB chunks against
 * redis-parser and the floor (resp.ts), and the readLine workload; a full run adds whole inputs,
 * string mode and node-redis 6. Without valgrind the suite reports nothing.
 *
 * Run: npx tsx --conditions=source bench/src/main.ts instructions [--quick]
 * (INSTR_ONLY=client: the client rows alone; or resp, buffer, a workload's text)
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@reactor-ts/test-utils';
import { progress, type Row, type RunOptions, type Suite, type SuiteResult } from './lib/harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, 'lib', 'instr-worker.ts');
const syncWorker = path.join(here, 'lib', 'sync-worker.ts');
/** Timed batches per child, as lib/instr-worker.ts runs them. */
const BATCHES = 3;

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
  const lines = ['line: readLine (each line as a Buffer)', ...(quick ? [] : ['line: search CRLF + drain'])];
  for (const workload of lines) {
    out.push({ suite: 'buffer', workload, impls: ['ChainBuffer', 'bl', 'Buffer.concat'], perCall: 1000, unit: 'instr/chunk', iterations: 20 });
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

/** Instructions of `iterations` calls of one implementation, from the child's counter dumps. `port`: the client rows' redis-server. */
function count(t: Target, impl: string, port: number): Promise<number> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reactor-ts-callgrind-'));
  const child =
    t.suite === 'client'
      ? [syncWorker, impl, String(port), String(t.iterations), 'callgrind', String(BATCHES)]
      : [worker, t.suite, t.workload, impl, String(t.iterations), String(BATCHES)];
  const args = ['--tool=callgrind', `--callgrind-out-file=${path.join(dir, 'cg.out')}`, process.execPath, '--single-threaded', '--import', 'tsx', '--conditions=source', ...child];
  // sync-worker.ts takes its operation from SYNC_OP (the workload's first word).
  const env = t.suite === 'client' ? { ...process.env, SYNC_OP: t.workload.split(':')[0] } : process.env;
  return new Promise((resolve, reject) => {
    execFile('valgrind', args, { cwd: path.join(here, '..'), env, maxBuffer: 16 * 1024 * 1024 }, (err, _out, stderr) => {
      try {
        if (err) throw new Error(`callgrind run failed (${t.workload}, ${impl}): ${stderr.slice(-2000)}`);
        // cg.out.1: start → first dump; .2 .. .BATCHES+1: the timed batches;
        // the last: one dump's own cost. The cheapest batch is the one no
        // TurboFan compilation landed in (see instr-worker.ts).
        const totals = new Map<number, number>();
        for (const f of readdirSync(dir)) {
          const m = /\.(\d+)$/.exec(f);
          if (m === null) continue;
          const t2 = /^(?:totals|summary): (\d+)/m.exec(readFileSync(path.join(dir, f), 'utf8'));
          if (t2 !== null) totals.set(Number(m[1]), Number(t2[1]));
        }
        const batches: number[] = [];
        for (let k = 2; k < 2 + BATCHES; k++) {
          const v = totals.get(k);
          if (v !== undefined) batches.push(v);
        }
        const overhead = totals.get(2 + BATCHES);
        if (batches.length !== BATCHES || overhead === undefined) throw new Error(`callgrind dumps missing (${t.workload}, ${impl})`);
        resolve(Math.max(0, Math.min(...batches) - overhead));
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
    const jobs: Array<{ t: Target; impl: string }> = [];
    // INSTR_ONLY=<text>: only the workloads (or suite: resp, buffer, client) naming it, e.g. INSTR_ONLY=client.
    const only = process.env.INSTR_ONLY;
    for (const t of targets(opts.quick)) {
      if (only !== undefined && t.suite !== only && !t.workload.includes(only)) continue;
      for (const impl of t.impls) jobs.push({ t, impl });
    }
    // The client rows' server (loopback, free port), stopped when the counts are in.
    const srv = await startRedis();
    // Two children at a time: counts do not depend on load, wall time does.
    let next = 0;
    let done = 0;
    const rows: Row[] = [];
    const failures: string[] = [];
    const lane = async (): Promise<void> => {
      while (next < jobs.length) {
        const { t, impl } = jobs[next++]!;
        let n: number;
        try {
          n = await count(t, impl, srv.port);
        } catch (err) {
          // One failed child costs its row, not the other counts.
          failures.push(`${t.workload}, ${impl}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
          continue;
        }
        const per = n / (t.iterations * t.perCall);
        // Ours is always the first implementation listed: name it 'ours' so every ratio is against it.
        rows.push({ workload: t.workload, impl: impl === t.impls[0] ? 'ours' : impl, unit: t.unit, value: per, samples: [per], lowerIsBetter: true });
        progress(`${++done}/${jobs.length} counted (${t.workload}, ${impl})`);
      }
    };
    try {
      await Promise.all([lane(), lane()]);
    } finally {
      await srv.stop();
    }
    // Back in target order, ours first in each workload.
    const order = new Map(jobs.map((j, i) => [`${j.t.workload}|${j.impl === j.t.impls[0] ? 'ours' : j.impl}`, i]));
    result.rows = rows.sort((a, b) => order.get(`${a.workload}|${a.impl}`)! - order.get(`${b.workload}|${b.impl}`)!);
    result.notes = [
      "instructions per reply (resp) or per chunk (buffer) under callgrind, node --single-threaded; 'ours' is reactor-ts's RespReader or ChainBuffer.",
      "client rows: instructions per command of the promise client's whole path (lib/sync-worker.ts); 'ours' is the typed method (client.set, pipeline().set), command() the same client with command('SET', ...): command() ÷ ours ≈ 1.0 is \"typed costs nothing\".",
      'corpora at a tenth of the timed suites (as --quick); counts are of the timed calls only (warm-up, start-up and the dumps subtracted).',
      ...failures.map((f) => `not counted: ${f}`),
    ];
    return result;
  },
};
