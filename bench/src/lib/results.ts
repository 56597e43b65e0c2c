/**
 * The results file: `bench/results/<stamp>.json`, one per run, and
 * `latest.json`, the merge of the newest full (non-quick) run of every suite.
 *
 * It carries everything needed to redraw the report and charts or compare
 * two runs later: the machine, Node and every package version (ours and the
 * peers'), and every sample of every row.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Row, SuiteResult } from './suite-types.js';

export const RESULTS_FORMAT = 1;

export interface Machine {
  cpu: string;
  cores: number;
  memGiB: number;
  os: string;
  /** 1, 5 and 15 minute load averages when the run started (a busy machine lowers every figure). */
  loadavg: number[];
}

/** One suite's result as stored: the suite's own result plus when and how it ran. */
export interface SuiteRecord extends SuiteResult {
  description: string;
  /** ISO time the suite started. */
  date: string;
  durationMs: number;
  quick: boolean;
  /** Load averages just before the suite started. */
  loadavg: number[];
}

export interface ResultsFile {
  format: typeof RESULTS_FORMAT;
  /** ISO time the run started (for latest.json: the newest suite's run). */
  date: string;
  quick: boolean;
  /** The command line, for the report. */
  command: string;
  machine: Machine;
  node: string;
  /** git describe of the checkout, '-dirty' when it had local changes. */
  commit: string;
  /** name → version, ours (@reactor-ts/*) and every peer, plus redis-server. */
  versions: Record<string, string>;
  suites: SuiteRecord[];
  /** Suites that threw: name → message. */
  failures: Record<string, string>;
}

export function machineInfo(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

function readVersion(pkgJson: string): string | null {
  try {
    const v = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: unknown }).version;
    return typeof v === 'string' ? v : null;
  } catch {
    return null;
  }
}

function firstLine(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).split('\n')[0]!.trim();
  } catch {
    return null;
  }
}

/**
 * Versions of every dependency of the bench package as installed
 * (bench/node_modules/<name>/package.json), tinybench, and the Redis tools.
 */
export function packageVersions(benchDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const manifest = JSON.parse(readFileSync(path.join(benchDir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const names = Object.keys(manifest.dependencies ?? {}).filter((n) => n !== '@reactor-ts/test-utils');
  for (const name of [...names, 'tinybench'].sort()) {
    const candidates = [path.join(benchDir, 'node_modules', name), path.join(benchDir, '..', 'node_modules', name)];
    for (const dir of candidates) {
      const v = readVersion(path.join(dir, 'package.json'));
      if (v !== null) {
        out[name] = v;
        break;
      }
    }
  }
  const redis = firstLine('redis-server', ['--version']);
  const m = redis === null ? null : /v=(\S+)/.exec(redis);
  if (m) out['redis-server'] = m[1]!;
  const rb = firstLine('redis-benchmark', ['--version']);
  if (rb !== null) out['redis-benchmark'] = rb.replace(/^redis-benchmark\s*/, '');
  return out;
}

export function gitCommit(cwd: string): string {
  return firstLine('git', ['-C', cwd, 'describe', '--always', '--dirty']) ?? 'unknown';
}

// ---- validation: a results file read back must have the shape above ----

function fail(where: string, what: string): never {
  throw new TypeError(`results file: ${where}: ${what}`);
}
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(o: Record<string, unknown>, k: string, where: string): string {
  if (typeof o[k] !== 'string') fail(where, `${k} must be a string`);
  return o[k] as string;
}
function num(o: Record<string, unknown>, k: string, where: string): number {
  if (typeof o[k] !== 'number') fail(where, `${k} must be a number`);
  return o[k] as number;
}
function numbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' || x === null)) fail(where, 'must be an array of numbers');
  // JSON turns NaN and Infinity into null; read them back as NaN.
  return (v as Array<number | null>).map((x) => (x === null ? NaN : x));
}

function checkRow(v: unknown, where: string): Row {
  if (!isObject(v)) fail(where, 'must be an object');
  const row: Row = {
    workload: str(v, 'workload', where),
    impl: str(v, 'impl', where),
    unit: str(v, 'unit', where),
    value: v.value === null ? NaN : num(v, 'value', where),
    samples: numbers(v.samples, `${where}.samples`),
  };
  if (v.lowerIsBetter !== undefined) {
    if (typeof v.lowerIsBetter !== 'boolean') fail(where, 'lowerIsBetter must be a boolean');
    row.lowerIsBetter = v.lowerIsBetter;
  }
  return row;
}

function checkSuite(v: unknown, where: string): SuiteRecord {
  if (!isObject(v)) fail(where, 'must be an object');
  if (!Array.isArray(v.rows)) fail(where, 'rows must be an array');
  const notes = v.notes;
  if (notes !== undefined && (!Array.isArray(notes) || !notes.every((n) => typeof n === 'string'))) fail(where, 'notes must be strings');
  const rec: SuiteRecord = {
    suite: str(v, 'suite', where),
    ours: str(v, 'ours', where),
    rows: v.rows.map((r, i) => checkRow(r, `${where}.rows[${i}]`)),
    description: str(v, 'description', where),
    date: str(v, 'date', where),
    durationMs: num(v, 'durationMs', where),
    quick: v.quick === true,
    loadavg: numbers(v.loadavg ?? [], `${where}.loadavg`),
  };
  if (notes !== undefined) rec.notes = notes as string[];
  return rec;
}

/** Checks an parsed JSON value against the ResultsFile shape; throws TypeError naming the first problem. */
export function validateResults(v: unknown): ResultsFile {
  if (!isObject(v)) fail('top', 'must be an object');
  if (v.format !== RESULTS_FORMAT) fail('top', `format must be ${RESULTS_FORMAT}`);
  const m = v.machine;
  if (!isObject(m)) fail('machine', 'must be an object');
  const machine: Machine = {
    cpu: str(m, 'cpu', 'machine'),
    cores: num(m, 'cores', 'machine'),
    memGiB: num(m, 'memGiB', 'machine'),
    os: str(m, 'os', 'machine'),
    loadavg: numbers(m.loadavg, 'machine.loadavg'),
  };
  if (!isObject(v.versions) || !Object.values(v.versions).every((x) => typeof x === 'string')) fail('versions', 'must map names to strings');
  if (!Array.isArray(v.suites)) fail('top', 'suites must be an array');
  if (!isObject(v.failures) || !Object.values(v.failures).every((x) => typeof x === 'string')) fail('failures', 'must map names to strings');
  return {
    format: RESULTS_FORMAT,
    date: str(v, 'date', 'top'),
    quick: v.quick === true,
    command: str(v, 'command', 'top'),
    machine,
    node: str(v, 'node', 'top'),
    commit: str(v, 'commit', 'top'),
    versions: v.versions as Record<string, string>,
    suites: v.suites.map((s, i) => checkSuite(s, `suites[${i}]`)),
    failures: v.failures as Record<string, string>,
  };
}

export function readResults(file: string): ResultsFile {
  return validateResults(JSON.parse(readFileSync(file, 'utf8')) as unknown);
}

/**
 * latest.json after a run: the run's suites replace their namesakes in the
 * previous latest (kept when a run covered only some suites); the header
 * (machine, versions, commit) is the new run's.
 */
export function mergeLatest(previous: ResultsFile | null, run: ResultsFile): ResultsFile {
  const mine = new Set(run.suites.map((s) => s.suite));
  const kept = (previous?.suites ?? []).filter((s) => !mine.has(s.suite));
  const suites = [...kept, ...run.suites].sort((a, b) => a.suite.localeCompare(b.suite));
  const failures = { ...(previous?.failures ?? {}) };
  for (const name of mine) delete failures[name];
  Object.assign(failures, run.failures);
  return { ...run, suites, failures };
}

/** A file-name-safe UTC stamp: 2026-11-24T06-30-05Z. */
export function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
