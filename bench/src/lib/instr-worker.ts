/**
 * One instruction count, run under callgrind by the instructions suite:
 *
 *   valgrind --tool=callgrind node --single-threaded --import tsx \
 *     --conditions=source bench/src/lib/instr-worker.ts <suite> <workload> <impl> <iterations> <batches>
 *
 * Builds the suite's workloads, warms the one implementation up, then asks
 * callgrind to dump its counters (callgrind_control -d) before and after
 * each of <batches> batches of <iterations> calls, and once more at once:
 * dumps 2 .. batches+1 are the batches, the last what a dump itself costs.
 * The suite keeps the cheapest batch: with node --single-threaded, TurboFan
 * compiles on the main thread, and a function (re)optimised inside a batch
 * bills that batch for the compiler — that was most of the 7,050
 * instructions per 1 KiB bulk once reported for the reader (issue 19).
 */
import { execFileSync } from 'node:child_process';
import type { CpuWorkload } from './harness.js';

const [suiteName, workloadName, impl, itersArg, batchesArg] = process.argv.slice(2);
const iterations = Number(itersArg);
/** Timed batches; the suite keeps the cheapest. */
const BATCHES = Number(batchesArg ?? 1);
const WARMUP = 30;

async function workloads(name: string): Promise<CpuWorkload[]> {
  // The scale the instruction counts use: a tenth of the timed corpora (as --quick).
  if (name === 'resp') return (await import('../resp.js')).respWorkloads(0.1, workloadName);
  if (name === 'buffer') return (await import('../buffer.js')).lineWorkloads(true);
  throw new Error(`instr-worker: no workloads for suite ${name}`);
}

const w = (await workloads(suiteName!)).find((x) => x.name === workloadName);
const fn = w?.impls[impl!];
if (fn === undefined || !(iterations > 0) || !(BATCHES > 0)) throw new Error(`instr-worker: no ${impl} on ${workloadName} in ${suiteName}`);
for (let i = 0; i < WARMUP; i++) await fn();
const dump = (): void => void execFileSync('callgrind_control', ['-d', String(process.pid)], { stdio: 'ignore' });
dump();
for (let b = 0; b < BATCHES; b++) {
  for (let i = 0; i < iterations; i++) await fn();
  dump();
}
dump();
