/**
 * Figures shared by the reliability specs and the runner (run.ts).
 *
 * Each spec records what it did — inputs tried, faults injected, connections
 * held, callbacks settled, bytes lost — as one JSON line appended to the file
 * named by RELIABILITY_RESULTS (the runner sets it; a plain `vitest run`
 * leaves it unset and only prints). Appending lines keeps the forked test
 * workers from needing any coordination.
 */
import { appendFileSync } from 'node:fs';

/** True for the long run (`pnpm test:reliability` sets RELIABILITY_LONG=1). */
export const LONG = process.env['RELIABILITY_LONG'] === '1';

/** `short` in the normal test run, `long` in the long one. */
export function scale(short: number, long: number): number {
  return LONG ? long : short;
}

/** Per-test time limit: vitest's 60 s in the normal run, 15 minutes in the long one. */
export const TEST_TIMEOUT = LONG ? 900_000 : 60_000;

/** The columns of the runner's table; every field is a count. */
export interface Figures {
  /** Which test, e.g. 'fuzz: RequestParser'. */
  test: string;
  inputs?: number;
  faults?: number;
  connections?: number;
  settled?: number;
  /**
   * Acknowledged writes missing afterwards, checked against a counter or a
   * GET (left out where a test has no acknowledged data to check): must be 0.
   */
  lost?: number;
  /** Free text for the table's last column (outcome counts, bounds). */
  note?: string;
}

/** Prints the figures and appends them to the results file, if any. */
export function record(f: Figures): void {
  console.log(`[reliability] ${JSON.stringify(f)}`);
  const file = process.env['RELIABILITY_RESULTS'];
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify(f)}\n`);
}
