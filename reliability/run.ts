/**
 * The long reliability run: `pnpm test:reliability`.
 *
 * Runs vitest on reliability/ with RELIABILITY_LONG=1 (1,000,000 fuzz inputs
 * per parser, 10,000 connections, 5,000,000 soak commands, 100,000
 * connect/disconnect cycles, ...), collects the figures each test appended
 * to a results file, and prints them as a Markdown table. Exits with
 * vitest's status. RELIABILITY_LONG=0 runs the short (CI) sizes instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figures } from './src/figures.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'reactor-ts-reliability-'));
const results = path.join(dir, 'results.jsonl');
const long = process.env['RELIABILITY_LONG'] ?? '1';
const t0 = Date.now();

const run = spawnSync(path.join(root, 'node_modules/.bin/vitest'), ['run', 'reliability', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RELIABILITY_LONG: long, RELIABILITY_RESULTS: results },
});

const rows: Figures[] = existsSync(results)
  ? readFileSync(results, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Figures)
  : [];
rmSync(dir, { recursive: true, force: true });

const n = (x: number | undefined): string => (x === undefined ? '' : x.toLocaleString('en'));
const sum = (k: 'inputs' | 'faults' | 'connections' | 'settled' | 'lost'): number => rows.reduce((a, r) => a + (r[k] ?? 0), 0);

const lines = [
  `Reliability run (${long === '1' ? 'long' : 'short'}), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  '',
  '| test | inputs tried | faults injected | connections held | callbacks settled | bytes lost | notes |',
  '|---|---:|---:|---:|---:|---:|---|',
  ...rows.map((r) => `| ${r.test} | ${n(r.inputs)} | ${n(r.faults)} | ${n(r.connections)} | ${n(r.settled)} | ${n(r.lost)} | ${r.note ?? ''} |`),
  `| **total** | **${n(sum('inputs'))}** | **${n(sum('faults'))}** | **${n(sum('connections'))}** | **${n(sum('settled'))}** | **${n(sum('lost'))}** | |`,
];
lines.push('', 'bytes lost: acknowledged writes missing afterwards, checked by a counter or GET where the test has them (blank: nothing acknowledged to check).');
console.log(`\n${lines.join('\n')}\n`);
if (sum('lost') !== 0) {
  console.error('data was lost');
  process.exitCode = 1;
}
process.exitCode = run.status ?? 1;
