/**
 * `--compare <old.json>`: what changed between two results files, worst
 * first, so a regression shows at a glance.
 *
 * For our own rows the verdict is on the figure itself (a median 10% worse
 * is a regression). For a peer's row it is on ours ÷ that peer: a peer's
 * own speed moves with the machine, but the ratio, measured in the same run,
 * says whether we lost ground. Both are normalised so that a negative
 * change is always worse, whichever way the unit runs.
 */
import type { ResultsFile } from './results.js';
import type { Row } from './suite-types.js';
import { byWorkload, fmtNumber, fmtRatio, peerRatio } from './ratios.js';

export type Verdict = 'worse' | 'better' | 'same' | 'new' | 'gone';

export interface Change {
  suite: string;
  workload: string;
  impl: string;
  unit: string;
  /** True for our implementation's row. */
  ours: boolean;
  oldValue: number | null;
  newValue: number | null;
  /** ours ÷ this impl, for peers' rows. */
  oldRatio: number | null;
  newRatio: number | null;
  /** Fractional change of what the verdict is on, > 0 better: the value for ours, the ratio for a peer. */
  score: number | null;
  verdict: Verdict;
}

function key(suite: string, workload: string, impl: string): string {
  return `${suite}\u0000${workload}\u0000${impl}`;
}

interface Entry {
  suite: string;
  row: Row;
  ours: boolean;
  ratio: number | null;
}

function index(res: ResultsFile): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const s of res.suites) {
    for (const rows of byWorkload(s.rows).values()) {
      const ours = rows.find((r) => r.impl === s.ours);
      for (const r of rows) {
        const ratio = ours && r !== ours ? peerRatio(ours, r).ratio : null;
        out.set(key(s.suite, r.workload, r.impl), { suite: s.suite, row: r, ours: r === ours, ratio });
      }
    }
  }
  return out;
}

/** Goodness of going from a to b: b/a − 1, inverted for lower-is-better. */
function gain(a: number, b: number, lowerIsBetter: boolean): number {
  return lowerIsBetter ? a / b - 1 : b / a - 1;
}

/** Every row of either file, compared; sorted worst first, then new and gone rows. */
export function compareResults(before: ResultsFile, after: ResultsFile, threshold = 0.1): Change[] {
  const a = index(before);
  const b = index(after);
  const out: Change[] = [];
  for (const [k, nb] of b) {
    const na = a.get(k);
    const base = { suite: nb.suite, workload: nb.row.workload, impl: nb.row.impl, unit: nb.row.unit, ours: nb.ours };
    if (!na) {
      out.push({ ...base, oldValue: null, newValue: nb.row.value, oldRatio: null, newRatio: nb.ratio, score: null, verdict: 'new' });
      continue;
    }
    let score: number;
    if (nb.ours || na.ratio === null || nb.ratio === null) score = gain(na.row.value, nb.row.value, nb.row.lowerIsBetter === true);
    else score = nb.ratio / na.ratio - 1;
    const verdict: Verdict = !Number.isFinite(score) ? 'same' : score < -threshold ? 'worse' : score > threshold ? 'better' : 'same';
    out.push({ ...base, oldValue: na.row.value, newValue: nb.row.value, oldRatio: na.ratio, newRatio: nb.ratio, score, verdict });
  }
  for (const [k, na] of a) {
    if (b.has(k)) continue;
    out.push({
      suite: na.suite,
      workload: na.row.workload,
      impl: na.row.impl,
      unit: na.row.unit,
      ours: na.ours,
      oldValue: na.row.value,
      newValue: null,
      oldRatio: na.ratio,
      newRatio: null,
      score: null,
      verdict: 'gone',
    });
  }
  const rank = (c: Change): number => (c.verdict === 'new' ? 1 : c.verdict === 'gone' ? 2 : 0);
  return out.sort((x, y) => rank(x) - rank(y) || (x.score ?? 0) - (y.score ?? 0));
}

const MARK: Record<Verdict, string> = { worse: '▼ WORSE', better: '▲ better', same: '', new: 'new', gone: 'gone' };

function pct(from: number | null, to: number | null): string {
  if (from === null || to === null || !Number.isFinite(from) || !Number.isFinite(to) || from === 0) return '';
  const p = (to / from - 1) * 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`;
}

/** The terminal table: marker, suite, workload, impl, old → new median (%), old → new ratio (%). */
export function formatComparison(changes: Change[], threshold: number, labels: { before: string; after: string }): string {
  const worse = changes.filter((c) => c.verdict === 'worse').length;
  const better = changes.filter((c) => c.verdict === 'better').length;
  const head = [
    `\n== compare: ${labels.before} → ${labels.after} ==`,
    `${worse} worse, ${better} better beyond ±${(threshold * 100).toFixed(0)}% (ours: on the median; peers: on ours ÷ peer), worst first`,
  ];
  const header = ['', 'suite', 'workload', 'impl', 'median before → after', 'Δ', 'ours ÷ this before → after', 'Δ ratio'];
  const table: string[][] = [header];
  for (const c of changes) {
    const v = (x: number | null): string => (x === null ? '—' : fmtNumber(x));
    const r = (x: number | null): string => (x === null ? '—' : fmtRatio(x));
    table.push([
      MARK[c.verdict],
      c.suite,
      c.workload,
      c.ours ? `${c.impl} (ours)` : c.impl,
      `${v(c.oldValue)} → ${v(c.newValue)} ${c.unit}`,
      pct(c.oldValue, c.newValue),
      c.ours ? '' : `${r(c.oldRatio)} → ${r(c.newRatio)}`,
      c.ours ? '' : pct(c.oldRatio, c.newRatio),
    ]);
  }
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return [...head, ...table.map((row) => row.map((cellText, i) => cellText.padEnd(widths[i]!)).join('  ').trimEnd())].join('\n');
}
