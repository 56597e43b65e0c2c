/**
 * The Markdown report for a results file: the machine and versions, then per
 * suite its chart, a table of every row (median, min–max, ours ÷ this with
 * the per-round range) and the suite's notes.
 */
import type { ResultsFile, SuiteRecord } from './results.js';
import { byWorkload, fmtNumber, fmtRatio, fmtRatioRange, peerRatio, suiteRatios } from './ratios.js';

/** Markdown table cell: pipes escaped, line breaks flattened. */
function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function suiteSection(s: SuiteRecord, chart: string | null): string[] {
  const out: string[] = [`## ${s.suite}`, '', cell(s.description), ''];
  out.push(
    `Ours: **${cell(s.ours)}**. Ran ${s.date}, ${(s.durationMs / 1000).toFixed(0)} s${s.quick ? ' (quick)' : ''}, load average ${s.loadavg.map((x) => x.toFixed(2)).join(' ')}.`,
    '',
  );
  if (chart !== null) out.push(`![${cell(s.suite)}: ours ÷ each peer](${chart})`, '');
  out.push('| workload | impl | median | min–max | rounds | ours ÷ this (per-round range) |', '|---|---|--:|--:|--:|--:|');
  for (const rows of byWorkload(s.rows).values()) {
    const ours = rows.find((r) => r.impl === s.ours);
    for (const r of rows) {
      let rel = '';
      if (r === ours) rel = '—';
      else if (ours) {
        rel = fmtRatioRange(peerRatio(ours, r), true);
      }
      const impl = r === ours ? `**${cell(r.impl)}**` : cell(r.impl);
      const unit = r.lowerIsBetter ? `${r.unit} ↓` : r.unit;
      out.push(
        `| ${cell(r.workload)} | ${impl} | ${fmtNumber(r.value)} ${cell(unit)} | ${fmtNumber(Math.min(...r.samples))}–${fmtNumber(Math.max(...r.samples))} | ${r.samples.length} | ${rel} |`,
      );
    }
  }
  out.push('');
  if (s.notes && s.notes.length > 0) {
    out.push('Notes:', '', ...s.notes.map((n) => `- ${n.trim()}`), '');
  }
  return out;
}

/**
 * One line per suite and peer: over that suite's workloads, the geometric
 * mean of ours ÷ peer and the lowest and highest workload ratio.
 */
function summaryTable(res: ResultsFile): string[] {
  const out = ['| suite | peer | workloads | geometric mean of ours ÷ peer | lowest | highest |', '|---|---|--:|--:|--:|--:|'];
  for (const s of res.suites) {
    const byPeer = new Map<string, number[]>();
    for (const r of suiteRatios(s)) {
      if (!Number.isFinite(r.ratio) || r.ratio <= 0) continue;
      byPeer.set(r.peer, [...(byPeer.get(r.peer) ?? []), r.ratio]);
    }
    for (const [peer, xs] of byPeer) {
      const geo = Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
      out.push(`| ${cell(s.suite)} | ${cell(peer)} | ${xs.length} | **${fmtRatio(geo)}** | ${fmtRatio(Math.min(...xs))} | ${fmtRatio(Math.max(...xs))} |`);
    }
  }
  return out;
}

/**
 * chartFor maps a suite name to the relative path of its SVG (or null for
 * none), so the same function serves dated reports and latest.md.
 */
export function renderMarkdown(res: ResultsFile, chartFor: (suite: string) => string | null): string {
  const m = res.machine;
  const out: string[] = [
    `# reactor-ts benchmarks${res.quick ? ' (quick smoke run — not figures to quote)' : ''}`,
    '',
    `Run ${res.date} with \`${res.command}\` at ${res.commit}.`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memGiB} GiB, ${m.os}; load average at start ${m.loadavg.map((x) => x.toFixed(2)).join(' ')}`,
    `- Node ${res.node}`,
    `- Versions: ${Object.entries(res.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
    'How to read: every ratio is ours ÷ that peer, so **> 1× means ours is better** (more work per second; for units marked ↓ — memory, CPU time per op — the ratio is peer ÷ ours, so > 1× still means ours is better). The ratio is that of the medians over rounds; the range in brackets is the lowest and highest ratio within one round (each round runs every implementation back to back). Charts use a log₂ axis centred on 1×.',
    '',
  ];
  const failed = Object.entries(res.failures);
  if (failed.length > 0) {
    out.push('**Failed suites:**', '', ...failed.map(([k, v]) => `- ${k}: ${cell(v)}`), '');
  }
  if (res.suites.length > 0) {
    out.push('## Summary', '', 'Per suite and peer, over all its workloads (throughput and ↓ rows alike):', '', ...summaryTable(res), '');
  }
  for (const s of res.suites) out.push(...suiteSection(s, chartFor(s.suite)));
  return `${out.join('\n').trimEnd()}\n`;
}
