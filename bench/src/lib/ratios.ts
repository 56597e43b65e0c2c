/**
 * Ratios of ours to each peer, the figure every report, chart and comparison
 * is built on.
 *
 * The headline ratio is the ratio of the two medians (what the terminal
 * table has always printed). Its spread comes from the rounds: suites run
 * every implementation once per round, back to back, so sample i of ours and
 * sample i of a peer were measured under the same load; the min–max of those
 * per-round ratios is the whisker. When the sample counts differ (the rounds
 * were not paired) the spread falls back to the extremes, ours' worst against
 * the peer's best and the other way round, which is wider.
 */
import type { Row, SuiteResult } from './suite-types.js';

/** One peer beside ours on one workload. */
export interface PeerRatio {
  workload: string;
  peer: string;
  /** ours ÷ peer on medians, inverted for lower-is-better units: > 1 means ours is better. */
  ratio: number;
  /** Lowest and highest per-round ratio (or the extremes, see `paired`); always bracket `ratio`. */
  min: number;
  max: number;
  /** True when min/max come from per-round pairs, false when from the samples' extremes. */
  paired: boolean;
}

/** The ratio of a to b in the "ours is better when > 1" sense. */
function better(ours: number, peer: number, lowerIsBetter: boolean): number {
  return lowerIsBetter ? peer / ours : ours / peer;
}

export function peerRatio(ours: Row, peer: Row): PeerRatio {
  const low = ours.lowerIsBetter === true || peer.lowerIsBetter === true;
  const ratio = better(ours.value, peer.value, low);
  let min: number;
  let max: number;
  const paired = ours.samples.length > 0 && ours.samples.length === peer.samples.length;
  if (paired) {
    const per = ours.samples.map((o, i) => better(o, peer.samples[i]!, low));
    min = Math.min(...per);
    max = Math.max(...per);
  } else {
    const a = better(Math.min(...ours.samples), Math.max(...peer.samples), low);
    const b = better(Math.max(...ours.samples), Math.min(...peer.samples), low);
    min = Math.min(a, b);
    max = Math.max(a, b);
  }
  // A ratio of medians can, in odd cases, fall outside the per-round range; widen so whiskers bracket the bar.
  if (Number.isFinite(ratio)) {
    min = Math.min(min, ratio);
    max = Math.max(max, ratio);
  }
  return { workload: ours.workload, peer: peer.impl, ratio, min, max, paired };
}

/** Rows grouped by workload, in first-seen order. */
export function byWorkload(rows: readonly Row[]): Map<string, Row[]> {
  const out = new Map<string, Row[]>();
  for (const r of rows) {
    const list = out.get(r.workload) ?? [];
    list.push(r);
    out.set(r.workload, list);
  }
  return out;
}

/** Every (workload, peer) ratio of a suite, in row order; workloads without a row for ours are skipped. */
export function suiteRatios(res: SuiteResult): PeerRatio[] {
  const out: PeerRatio[] = [];
  for (const rows of byWorkload(res.rows).values()) {
    const ours = rows.find((r) => r.impl === res.ours);
    if (!ours) continue;
    for (const r of rows) if (r !== ours) out.push(peerRatio(ours, r));
  }
  return out;
}

/** Compact number: 1.23M, 45.6k, 789, 1.23. */
export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return n.toFixed(0);
  return n.toFixed(2);
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  return r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
}

/** "2.00× (1.90×–2.10×)", or "2.00×" when every round agreed (one round). */
export function fmtRatioRange(p: PeerRatio, bold = false): string {
  const head = bold ? `**${fmtRatio(p.ratio)}**` : fmtRatio(p.ratio);
  return fmtRatio(p.min) === fmtRatio(p.max) ? head : `${head} (${fmtRatio(p.min)}–${fmtRatio(p.max)})`;
}
