/**
 * `pnpm bench [suite ...] [--quick] [--out <dir>] [--keep-latest]
 *             [--compare <old.json> [--against <new.json>] [--threshold <pct>]]
 *             [--render <results.json>] [--list]`
 *
 * Runs every suite (or the named ones) one after another, with a status
 * line while each runs, prints a table per suite with the ratio of ours to
 * each peer, and always writes the results (see lib/output.ts):
 * `<out>/<stamp>.json` with every sample, a Markdown report and one SVG
 * chart per suite; a full (non-quick) run also merges its suites into
 * `latest.*` unless --keep-latest. (`--json`, which used to switch writing
 * on, is still accepted and does nothing.)
 *
 * --compare <old.json>  after the run, print what changed against that
 *                       file, worst first; with --against <new.json> no
 *                       suite runs and the two files are compared.
 * --threshold <pct>     what counts as a change for --compare (default 10).
 * --render <file>       no run: redraw <file>'s .md and .svg beside it in --out.
 *
 * Paths on the command line are relative to where pnpm was started
 * (INIT_CWD), not bench/.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compareResults, formatComparison } from './lib/compare.js';
import { formatSuite } from './lib/harness.js';
import { updateLatest, writeJson, writeReport } from './lib/output.js';
import { beginSuite, endSuite } from './lib/progress.js';
import {
  RESULTS_FORMAT,
  gitCommit,
  machineInfo,
  packageVersions,
  readResults,
  stamp,
  type ResultsFile,
} from './lib/results.js';
import { defaultSuiteNames, loadSuite, suiteNames } from './suites.js';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const userPath = (p: string): string => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
const shown = (p: string): string => {
  const rel = path.relative(process.env.INIT_CWD ?? process.cwd(), p);
  return rel.startsWith('..') ? p : rel;
};

// A leading `--` is pnpm's separator (`pnpm bench -- --quick`), handed on
// to us: dropped, or parseArgs would take every option after it for a suite name.
const argv = process.argv.slice(2);
const { values, positionals } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    out: { type: 'string' },
    'keep-latest': { type: 'boolean', default: false },
    compare: { type: 'string' },
    against: { type: 'string' },
    threshold: { type: 'string', default: '10' },
    render: { type: 'string' },
  },
});

const outDir = values.out !== undefined ? userPath(values.out) : path.join(BENCH_DIR, 'results');
const threshold = Number(values.threshold) / 100;
if (!Number.isFinite(threshold) || threshold < 0) {
  console.error(`--threshold wants a percentage, got '${values.threshold}'`);
  process.exit(2);
}

function printComparison(beforeFile: string, after: ResultsFile, afterLabel: string): void {
  const before = readResults(userPath(beforeFile));
  const changes = compareResults(before, after, threshold);
  console.log(formatComparison(changes, threshold, { before: `${beforeFile} (${before.date})`, after: afterLabel }));
}

if (values.list) {
  console.log(suiteNames().join('\n'));
  process.exit(0);
}
if (values.render !== undefined) {
  const res = readResults(userPath(values.render));
  const base = path.basename(values.render, '.json');
  for (const f of writeReport(outDir, base, res)) console.log(`wrote ${shown(f)}`);
  process.exit(0);
}
if (values.against !== undefined) {
  if (values.compare === undefined) {
    console.error('--against needs --compare <old.json>');
    process.exit(2);
  }
  printComparison(values.compare, readResults(userPath(values.against)), values.against);
  process.exit(0);
}

const available = suiteNames();
const wanted = positionals.length > 0 ? positionals : defaultSuiteNames();
for (const name of wanted) {
  if (!available.includes(name)) {
    console.error(`unknown suite '${name}'; available: ${available.join(', ')}`);
    process.exit(2);
  }
}

const started = new Date();
const base = stamp(started) + (values.quick ? '-quick' : '');
const jsonFile = path.join(outDir, `${base}.json`);
const run: ResultsFile = {
  format: RESULTS_FORMAT,
  date: started.toISOString(),
  quick: values.quick,
  command: ['pnpm bench', ...process.argv.slice(2)].join(' '),
  machine: machineInfo(),
  node: process.version,
  commit: gitCommit(BENCH_DIR),
  versions: packageVersions(BENCH_DIR),
  suites: [],
  failures: {},
};

for (const [i, name] of wanted.entries()) {
  const suite = await loadSuite(name);
  console.log(`\n# ${name}: ${suite.description}`);
  const t0 = Date.now();
  const date = new Date().toISOString();
  const loadavg = os.loadavg().map((x) => Math.round(x * 100) / 100);
  beginSuite(name, i + 1, wanted.length);
  try {
    const res = await suite.run({ quick: values.quick });
    endSuite();
    run.suites.push({ ...res, description: suite.description, date, durationMs: Date.now() - t0, quick: values.quick, loadavg });
    console.log(formatSuite(res));
  } catch (err) {
    endSuite();
    run.failures[name] = err instanceof Error ? err.message : String(err);
    console.error(`suite ${name} failed:`, err);
  }
  // Written after every suite, so a long run that dies keeps what it measured.
  writeJson(jsonFile, run);
}

const written = [jsonFile, ...writeReport(outDir, base, run)];
if (!values.quick && !values['keep-latest'] && run.suites.length > 0) written.push(...updateLatest(outDir, run));
console.log(`\nwrote ${written.map(shown).join(', ')}`);
if (values.compare !== undefined) printComparison(values.compare, run, `this run (${run.date})`);
const failed = Object.keys(run.failures);
if (failed.length > 0) console.error(`\nfailed suites: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
