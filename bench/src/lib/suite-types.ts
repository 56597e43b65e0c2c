/**
 * What a suite is and what it returns: the types every part of the bench
 * shares (harness, ratios, results, report, chart, compare). Kept apart
 * from harness.ts so that those modules can read rows without importing the
 * harness, which itself uses ratios.ts.
 */

export interface RunOptions {
  /** A short smoke run: one round, short timings, smaller corpora. */
  quick: boolean;
}

/** One implementation's figures on one workload. */
export interface Row {
  workload: string;
  impl: string;
  /** Unit of `value`, e.g. 'ops/s', 'replies/s', 'msg/s', 'MB/s', 'MiB' (for memory, lower is better). */
  unit: string;
  /** Median over the rounds. */
  value: number;
  /** Every round's figure. */
  samples: number[];
  /** For units where less is better (memory, latency): ratios are inverted. */
  lowerIsBetter?: boolean;
}

export interface SuiteResult {
  suite: string;
  /** Name of our implementation in `rows` (the numerator of every ratio). */
  ours: string;
  rows: Row[];
  /** Free-form lines printed under the table (targets, caveats). */
  notes?: string[];
}

export interface Suite {
  name: string;
  description: string;
  run(opts: RunOptions): Promise<SuiteResult>;
}
