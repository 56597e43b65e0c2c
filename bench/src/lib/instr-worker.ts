/**
 * One instruction count, run under callgrind by the instructions suite:
 *
 *   valgrind --tool=callgrind node --single-threaded --import tsx \
 *     --conditions=source bench/src/lib/instr-worker.ts <suite> <workload> <impl> <iterations>
 *
 * Builds the suite's workloads, warms the one implementation up, then asks
 * callgrind to dump its counters (callgrind_control -d) right before and
 * right after <iterations> calls, and once more at once: the second dump is
 * the timed calls, the third what a dump itself costs, to be subtracted.
 */
import { execFileSync } from 'node:child_process';
import type { CpuWorkload } from './harness.js';

const [suiteName, workloadName, impl, itersArg] = process.argv.slice(2);
const iterations = Number(itersArg);
const WARMUP = 30;

async function workloads(name: string): Promise<CpuWorkload[]> {
  // The scale the instruction counts use: a tenth of the timed corpora (as --quick).
  if (name === 'resp') return (await import('../resp.js')).respWorkloads(0.1, workloadName);
  if (name === 'buffer') return (await import('../buffer.js')).lineWorkloads(true);
  throw new Error(`instr-worker: no workloads for suite ${name}`);
}

const w = (await workloads(suiteName!)).find((x) => x.name === workloadName);
const fn = w?.impls[impl!];
if (fn === undefined || !(iterations > 0)) throw new Error(`instr-worker: no ${impl} on ${workloadName} in ${suiteName}`);
for (let i = 0; i < WARMUP; i++) await fn();
const dump = (): void => void execFileSync('callgrind_control', ['-d', String(process.pid)], { stdio: 'ignore' });
dump();
for (let i = 0; i < iterations; i++) await fn();
dump();
dump();
