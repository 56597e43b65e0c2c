/**
 * Files a run leaves in the results directory (bench/results by default):
 *
 *   <stamp>.json            every figure of this run (see results.ts)
 *   <stamp>.md              the report, linking
 *   <stamp>-<suite>.svg     one chart per suite
 *   latest.json / latest.md / latest-<suite>.svg
 *                           the standing: every suite's newest full run,
 *                           merged; quick runs never touch these
 *
 * <stamp> is the UTC start time (2026-11-24T06-30-05Z), with `-quick` for
 * quick runs. Only the latest.* files are meant to be checked in.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderChart } from './chart.js';
import { renderMarkdown } from './report.js';
import { mergeLatest, readResults, type ResultsFile } from './results.js';

function subtitle(res: ResultsFile, date: string): string {
  const m = res.machine;
  return `${date.slice(0, 16).replace('T', ' ')} UTC · ${m.cpu}, ${m.cores} cores · Node ${res.node}${res.quick ? ' · QUICK smoke run' : ''}`;
}

/** Writes `<base>.md` and `<base>-<suite>.svg` for every suite of res; returns the paths written. */
export function writeReport(dir: string, base: string, res: ResultsFile): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const chartName = (suite: string): string => `${base}-${suite}.svg`;
  for (const s of res.suites) {
    const file = path.join(dir, chartName(s.suite));
    writeFileSync(file, renderChart(s, { subtitle: subtitle(res, s.date) }));
    written.push(file);
  }
  const md = path.join(dir, `${base}.md`);
  writeFileSync(md, renderMarkdown(res, (suite) => (res.suites.some((s) => s.suite === suite) ? chartName(suite) : null)));
  written.push(md);
  return written;
}

export function writeJson(file: string, res: ResultsFile): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(res, null, 2)}\n`);
}

/** Merges the run into latest.json and redraws latest.md and every latest-<suite>.svg. */
export function updateLatest(dir: string, run: ResultsFile): string[] {
  const file = path.join(dir, 'latest.json');
  let previous: ResultsFile | null = null;
  if (existsSync(file)) {
    try {
      previous = readResults(file);
    } catch (err) {
      // An unreadable latest.json (older format, hand edit) is replaced, not fatal.
      console.error(`note: replacing unreadable ${file}: ${(err as Error).message}`);
    }
  }
  const merged = mergeLatest(previous, run);
  writeJson(file, merged);
  return [file, ...writeReport(dir, 'latest', merged)];
}
