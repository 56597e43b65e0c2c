/**
 * The bench convention every suite follows.
 *
 * A suite is one file `bench/src/<name>.ts` that exports `suite: Suite`; the
 * runner (main.ts) discovers it by file name, so adding a suite needs no
 * registration. A suite measures our implementation beside its peers *in the
 * same run* and returns rows; the runner prints each workload's median, the
 * min–max over rounds, and the ratio of ours to every peer (ours / peer, so
 * 2.00× means ours does twice the work per second) with the range of the
 * per-round ratios (ratios.ts). Rows go on to the results JSON, the Markdown
 * report and one SVG chart per suite (results.ts, report.ts, chart.ts).
 * Suites report what they are doing with `progress()` (progress.ts).
 *
 * CPU-bound suites hand their workloads to `runCpuWorkloads`, which uses
 * tinybench and interleaves the implementations round by round so a noisy
 * neighbour slows every contender alike. Network suites run their load
 * generator in a separate process and build rows themselves.
 */
import { Bench } from 'tinybench';
import { progress } from './progress.js';
import { byWorkload, fmtNumber, fmtRatioRange, peerRatio } from './ratios.js';
import type { Row, RunOptions, SuiteResult } from './suite-types.js';

export { progress } from './progress.js';

export type { Row, RunOptions, Suite, SuiteResult } from './suite-types.js';

/** A CPU-bound workload: the same job done by each implementation. */
export interface CpuWorkload {
  name: string;
  /** Unit for the rows; default 'ops/s'. */
  unit?: string;
  /** Units of work one call performs (e.g. replies parsed per call); default 1. */
  perCall?: number;
  /** name → function doing one unit-batch of the work. Ours must be one of them. */
  impls: Record<string, () => unknown>;
}

export interface CpuOptions {
  /** Rounds per workload (each round runs every impl once, order rotated); default 5, quick 1. */
  rounds?: number;
  /** Milliseconds per impl per round; default 400, quick 60. */
  timeMs?: number;
  /**
   * Fewest calls per impl per round, even past timeMs; default 10, quick 3.
   * (tinybench's own default, 64, made a round of a 100 ms call last 6 s.)
   */
  minCalls?: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs each workload's implementations interleaved with tinybench; returns rows. */
export async function runCpuWorkloads(
  suite: string,
  ours: string,
  workloads: CpuWorkload[],
  opts: RunOptions,
  cpu: CpuOptions = {},
): Promise<SuiteResult> {
  const rounds = cpu.rounds ?? (opts.quick ? 1 : 5);
  const time = cpu.timeMs ?? (opts.quick ? 60 : 400);
  const iterations = cpu.minCalls ?? (opts.quick ? 3 : 10);
  const rows: Row[] = [];
  for (const [wi, w] of workloads.entries()) {
    const names = Object.keys(w.impls);
    if (!names.includes(ours)) throw new Error(`workload ${w.name}: no implementation named ${ours}`);
    const samples = new Map<string, number[]>(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      // Rotate the order each round so no implementation always runs first (cold) or last.
      const order = names.map((_, i) => names[(i + r) % names.length]!);
      for (const name of order) {
        progress(`${w.name} · ${name} · round ${r + 1}/${rounds} · workload ${wi + 1}/${workloads.length}`);
        const bench = new Bench({
          time,
          iterations,
          warmupTime: Math.min(50, time / 2),
          warmupIterations: Math.min(16, iterations),
          throws: true,
        });
        bench.add(name, w.impls[name]!);
        await bench.run();
        const task = bench.tasks[0]!;
        const res = task.result;
        if (res.state !== 'completed') throw new Error(`${suite}/${w.name}/${name}: ${res.state}`);
        samples.get(name)!.push(res.throughput.mean * (w.perCall ?? 1));
      }
    }
    for (const name of names) {
      const s = samples.get(name)!;
      rows.push({ workload: w.name, impl: name, unit: w.unit ?? 'ops/s', value: median(s), samples: s });
    }
  }
  progress('');
  return { suite, ours, rows };
}

/** ours / peer, inverted for lower-is-better units. */
export function ratio(ours: Row, peer: Row): number {
  return peerRatio(ours, peer).ratio;
}

/** The terminal table: one line per workload × impl, with ratios of ours to each peer. */
export function formatSuite(res: SuiteResult): string {
  const lines: string[] = [`\n== ${res.suite} (ours: ${res.ours}) ==`];
  const header = ['workload', 'impl', 'median', 'min–max', 'ours ÷ this (per-round range)'];
  const table: string[][] = [header];
  for (const rows of byWorkload(res.rows).values()) {
    const ours = rows.find((r) => r.impl === res.ours);
    for (const r of rows) {
      const lo = Math.min(...r.samples);
      const hi = Math.max(...r.samples);
      let rel = '';
      if (r === ours) rel = '—';
      else if (ours) {
        rel = fmtRatioRange(peerRatio(ours, r));
      }
      table.push([r.workload, r.impl, `${fmtNumber(r.value)} ${r.unit}`, `${fmtNumber(lo)}–${fmtNumber(hi)}`, rel]);
    }
  }
  const widths = header.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  for (const row of table) lines.push(row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  for (const n of res.notes ?? []) lines.push(`  ${n}`);
  return lines.join('\n');
}
