/**
 * One instruction count, run under callgrind by the instructions suite:
 *
 *   valgrind --tool=callgrind --instr-atstart=no node --single-threaded \
 *     bench/dist/lib/instr-worker.js <suite> <workload> <iterations> <batches> <impl>...
 *
 * (or `--import tsx --conditions=source bench/src/lib/instr-worker.ts ...`:
 * the same counts, give or take the batch-to-batch spread, but tsx's own
 * start-up costs ~8 s of CPU per child under valgrind.)
 *
 * Builds the suite's workloads once, then for each implementation in turn:
 * warms it up, turns callgrind's instrumentation on (callgrind_control
 * --instr=on: start-up, corpus building and warm-up run uninstrumented, ~3x
 * faster, and are not counted anyway), dumps the counters (callgrind_control
 * -d) before and after each of <batches> batches of <iterations> calls and
 * once more at once, and turns instrumentation off again. So implementation
 * k (from 0) owns dumps k*(batches+2)+1 .. (k+1)*(batches+2): the first
 * closes what came before, then the batches, the last what a dump itself
 * costs. One child per workload, not per implementation, because node's
 * start-up under valgrind is most of a child's time; the counts are the same
 * either way within the batch-to-batch spread (each implementation has its
 * own code and closures; the corpus is built once per workload in both
 * cases). The suite keeps the cheapest batch: with node --single-threaded,
 * TurboFan compiles on the main thread, and a function (re)optimised inside
 * a batch bills that batch for the compiler — that was most of the 7,050
 * instructions per 1 KiB bulk once reported for the reader (issue 19).
 */
import { execFileSync } from 'node:child_process';
import type { CpuWorkload } from './harness.js';

const [suiteName, workloadName, itersArg, batchesArg, ...implNames] = process.argv.slice(2);
const iterations = Number(itersArg);
/** Timed batches per implementation; the suite keeps the cheapest. */
const BATCHES = Number(batchesArg);
/**
 * Calls before counting. A chunked corpus at this scale feeds only 4 to 100
 * chunks per call, so the paths a chunk's end takes (a reply split across
 * chunks) ran only a few hundred times after 30 calls and TurboFan compiled
 * them inside the counted batches: 10k 1 KiB bulks in 16 KiB chunks as
 * Buffers counted 1,925 instructions per reply for the reader after 30 calls,
 * ~700 once those paths are compiled (what a long-lived connection runs).
 * INSTR_WARMUP overrides it.
 */
const WARMUP = Number(process.env.INSTR_WARMUP ?? 300);

async function workloads(name: string): Promise<CpuWorkload[]> {
  // The scale the instruction counts use: a tenth of the timed corpora (as --quick).
  if (name === 'resp') return (await import('../resp.js')).respWorkloads(0.1, workloadName);
  if (name === 'buffer') return (await import('../buffer.js')).lineWorkloads(true);
  throw new Error(`instr-worker: no workloads for suite ${name}`);
}

const w = (await workloads(suiteName!)).find((x) => x.name === workloadName);
if (w === undefined || !(iterations > 0) || !(BATCHES > 0) || implNames.length === 0) {
  throw new Error(`instr-worker: bad arguments (${process.argv.slice(2).join(' | ')})`);
}
const fns = implNames.map((impl) => {
  const fn = w.impls[impl];
  if (fn === undefined) throw new Error(`instr-worker: no ${impl} on ${workloadName} in ${suiteName}`);
  return fn;
});
const control = (arg: string): void => void execFileSync('callgrind_control', [arg, String(process.pid)], { stdio: 'ignore' });
for (const fn of fns) {
  for (let i = 0; i < WARMUP; i++) await fn();
  control('--instr=on');
  control('-d');
  for (let b = 0; b < BATCHES; b++) {
    for (let i = 0; i < iterations; i++) await fn();
    control('-d');
  }
  control('-d');
  control('--instr=off');
}
