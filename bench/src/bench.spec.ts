/**
 * `pnpm bench --quick` end to end: every suite runs and the run leaves a
 * well-formed results JSON, Markdown report and one SVG chart per suite.
 * Nothing here looks at a figure's size: speed is the bench's business.
 *
 * The slow suites (each client in its own child process) run in separate
 * runner processes in parallel, so the whole check stays within a couple
 * of minutes on a small machine. BENCH_SMOKE_SUITES=a,b runs only those.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readResults, type ResultsFile } from './lib/results.js';
import { checkXml } from './lib/wellformed.js';
import { defaultSuiteNames } from './suites.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const MAIN = path.join(ROOT, 'bench', 'src', 'main.ts');
/** Suites that spend their time starting child processes: each gets a runner of its own. */
const ALONE = [['adapter'], ['adapter-features', 'server'], ['cluster']];
const LIMIT_MS = 170_000;

function groups(wanted: string[]): string[][] {
  const out = ALONE.map((g) => g.filter((s) => wanted.includes(s))).filter((g) => g.length > 0);
  const rest = wanted.filter((s) => !out.flat().includes(s));
  return rest.length > 0 ? [...out, rest] : out;
}

interface Run {
  suites: string[];
  dir: string;
  code: number | null;
  output: string;
}

function runQuick(suites: string[], dir: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['--conditions=source', MAIN, '--quick', '--out', dir, ...suites], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, INIT_CWD: ROOT },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // Bounded: a hung suite kills its whole process group (tsx, node, its children).
    const timer = setTimeout(() => {
      output += `\n[killed after ${LIMIT_MS} ms]`;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, LIMIT_MS);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ suites, dir, code, output });
    });
  });
}

const wanted = process.env.BENCH_SMOKE_SUITES ? process.env.BENCH_SMOKE_SUITES.split(',') : defaultSuiteNames();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('pnpm bench --quick', () => {
  const runs: Run[] = [];
  const files: Array<{ dir: string; res: ResultsFile; base: string }> = [];

  it(
    'runs every suite and exits 0',
    async () => {
      runs.push(...(await Promise.all(groups(wanted).map((g, i) => runQuick(g, path.join(tmp, String(i)))))));
      for (const r of runs) expect(r.code, `${r.suites.join(',')}:\n${r.output.slice(-3000)}`).toBe(0);
    },
    LIMIT_MS + 20_000,
  );

  it('writes a results JSON per run with every suite, machine, versions and samples', () => {
    expect(runs.length).toBeGreaterThan(0);
    for (const r of runs) {
      const json = readdirSync(r.dir).filter((f) => f.endsWith('.json'));
      expect(json).toHaveLength(1);
      expect(json[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-quick\.json$/);
      const res = readResults(path.join(r.dir, json[0]!));
      files.push({ dir: r.dir, res, base: json[0]!.replace(/\.json$/, '') });
      expect(res.quick).toBe(true);
      expect(res.failures).toEqual({});
      expect(res.suites.map((s) => s.suite).sort()).toEqual([...r.suites].sort());
      expect(res.machine.cores).toBeGreaterThan(0);
      expect(res.node).toBe(process.version);
      for (const pkg of ['@reactor-ts/resp', '@reactor-ts/buffer', 'bl', 'ioredis', 'redis', 'redis-parser', '@redis/client']) {
        expect(res.versions[pkg], pkg).toMatch(/^\d+\.\d+\.\d+/);
      }
      for (const s of res.suites) {
        expect(s.rows.length, s.suite).toBeGreaterThan(0);
        expect(s.rows.some((row) => row.impl === s.ours), `${s.suite} has rows for ours`).toBe(true);
        expect(new Set(s.rows.map((row) => row.impl)).size, `${s.suite} has peers`).toBeGreaterThan(1);
        for (const row of s.rows) {
          expect(row.samples.length, `${s.suite}/${row.workload}/${row.impl}`).toBeGreaterThan(0);
          expect(Number.isFinite(row.value) && row.value > 0, `${s.suite}/${row.workload}/${row.impl} = ${row.value}`).toBe(true);
        }
      }
      // Quick runs leave the checked-in standing alone.
      expect(existsSync(path.join(r.dir, 'latest.json'))).toBe(false);
    }
    expect(files.flatMap((f) => f.res.suites.map((s) => s.suite)).sort()).toEqual([...wanted].sort());
  });

  it('writes a Markdown report linking one well-formed SVG chart per suite', () => {
    expect(files.length).toBe(runs.length);
    for (const { dir, res, base } of files) {
      const md = readFileSync(path.join(dir, `${base}.md`), 'utf8');
      expect(md).toMatch(/^# reactor-ts benchmarks/);
      for (const s of res.suites) {
        expect(md).toContain(`## ${s.suite}\n`);
        const chart = `${base}-${s.suite}.svg`;
        expect(md).toContain(`](${chart})`);
        const doc = checkXml(readFileSync(path.join(dir, chart), 'utf8'));
        expect(doc.root).toBe('svg');
        expect(doc.elements.filter((e) => e.attrs.class === 'ref'), `${chart} has the 1× line`).toHaveLength(1);
        const bars = doc.elements.filter((e) => e.name === 'g' && e.attrs.class === 'bar').length;
        expect(bars, `${chart} has bars`).toBeGreaterThan(0);
      }
    }
  });
});
