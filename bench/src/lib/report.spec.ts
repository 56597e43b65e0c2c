import { describe, expect, it } from 'vitest';
import { renderChart } from './chart.js';
import { compareResults, formatComparison } from './compare.js';
import { formatSuite, type Row, type SuiteResult } from './harness.js';
import { fmtElapsed, statusLine } from './progress.js';
import { peerRatio, suiteRatios } from './ratios.js';
import { renderMarkdown } from './report.js';
import { RESULTS_FORMAT, mergeLatest, stamp, validateResults, type ResultsFile, type SuiteRecord } from './results.js';
import { checkXml } from './wellformed.js';

const row = (workload: string, impl: string, samples: number[], extra: Partial<Row> = {}): Row => ({
  workload,
  impl,
  unit: 'ops/s',
  value: [...samples].sort((a, b) => a - b)[samples.length >> 1]!,
  samples,
  ...extra,
});

function suite(name: string, rows: Row[], ours = 'us'): SuiteRecord {
  return {
    suite: name,
    ours,
    rows,
    notes: ['a note | with a pipe'],
    description: `the ${name} suite`,
    date: '2026-11-24T06:00:00.000Z',
    durationMs: 1234,
    quick: false,
    loadavg: [1, 2, 3],
  };
}

function results(suites: SuiteRecord[], date = '2026-11-24T06:00:00.000Z'): ResultsFile {
  return {
    format: RESULTS_FORMAT,
    date,
    quick: false,
    command: 'pnpm bench',
    machine: { cpu: 'Test CPU', cores: 2, memGiB: 8, os: 'Linux test', loadavg: [1, 2, 3] },
    node: 'v20.0.0',
    commit: 'abc123',
    versions: { ioredis: '5.9.2', '@reactor-ts/resp': '0.1.0' },
    suites,
    failures: {},
  };
}

const cpu = suite('cpu', [
  row('parse <ints> & "more"', 'us', [200, 210, 190]),
  row('parse <ints> & "more"', 'them', [100, 100, 100]),
  row('parse <ints> & "more"', 'other', [400, 420, 380]),
  row('memory', 'us', [10, 10, 10], { unit: 'MiB', lowerIsBetter: true }),
  row('memory', 'them', [40, 30, 20], { unit: 'MiB', lowerIsBetter: true }),
]);

describe('ratios', () => {
  it('is ours ÷ peer on medians, with the per-round range', () => {
    const p = peerRatio(cpu.rows[0]!, cpu.rows[1]!);
    expect(p.ratio).toBeCloseTo(2);
    expect(p.min).toBeCloseTo(1.9);
    expect(p.max).toBeCloseTo(2.1);
    expect(p.paired).toBe(true);
  });

  it('inverts lower-is-better units so > 1 still means ours is better', () => {
    const p = peerRatio(cpu.rows[3]!, cpu.rows[4]!);
    expect(p.ratio).toBeCloseTo(3);
    expect([p.min, p.max]).toEqual([2, 4]);
  });

  it('falls back to the extremes when rounds are not paired, and brackets the bar', () => {
    const p = peerRatio(row('w', 'us', [10, 20]), row('w', 'them', [5, 10, 20]));
    expect(p.paired).toBe(false);
    expect(p.min).toBeCloseTo(0.5);
    expect(p.max).toBeCloseTo(4);
    expect(p.min).toBeLessThanOrEqual(p.ratio);
    expect(p.max).toBeGreaterThanOrEqual(p.ratio);
  });

  it('lists one ratio per workload and peer, skipping workloads without ours', () => {
    const res: SuiteResult = { suite: 's', ours: 'us', rows: [...cpu.rows, row('peers only', 'them', [1])] };
    expect(suiteRatios(res).map((r) => `${r.workload}/${r.peer}`)).toEqual([
      'parse <ints> & "more"/them',
      'parse <ints> & "more"/other',
      'memory/them',
    ]);
  });

  it('show no range when there was one round', () => {
    const one: SuiteResult = { suite: 's', ours: 'us', rows: [row('w', 'us', [3]), row('w', 'them', [2])] };
    expect(formatSuite(one)).toMatch(/them\s+2\.00\s+ops\/s\s+2\.00–2\.00\s+1\.50×$/m);
  });

  it('appear in the terminal table with their range', () => {
    const table = formatSuite(cpu);
    expect(table).toContain('2.00× (1.90×–2.10×)');
    expect(table).toContain('3.00× (2.00×–4.00×)');
  });
});

describe('renderChart', () => {
  it('is well-formed SVG with one bar per workload and peer, a 1× line and a legend', () => {
    const svg = renderChart(cpu, { subtitle: 'machine <x> & y' });
    const doc = checkXml(svg);
    expect(doc.root).toBe('svg');
    expect(doc.elements[0]!.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const bars = doc.elements.filter((e) => e.name === 'g' && e.attrs.class === 'bar');
    expect(bars).toHaveLength(3);
    expect(doc.elements.filter((e) => e.attrs.class === 'ref')).toHaveLength(1);
    expect(doc.elements.filter((e) => e.attrs.class === 'legend')).toHaveLength(2);
    expect(svg).toContain('ours ÷ them');
    expect(svg).toContain('parse &lt;ints&gt; &amp; &quot;more&quot;');
    expect(svg).toContain('machine &lt;x&gt; &amp; y');
    expect(svg).toContain('2.00×');
  });

  it('puts bars above 1× right of the reference line and below it left', () => {
    const doc = checkXml(renderChart(cpu));
    const ref = Number(doc.elements.find((e) => e.attrs.class === 'ref')!.attrs.x1);
    // Each bar group opens with its <g class="bar">, then its title, then the bar's rect.
    const rects = doc.elements.flatMap((e, i) => (e.name === 'g' && e.attrs.class === 'bar' ? [doc.elements[i + 2]!] : []));
    expect(rects.every((r) => r.name === 'rect')).toBe(true);
    // Bars in order: us÷them (2×, right), us÷other (0.5×, left), memory us÷them (3×, right).
    const [a, b, c] = rects.map((r) => ({ x: Number(r.attrs.x), w: Number(r.attrs.width) }));
    expect(a!.x).toBeCloseTo(ref, 0);
    expect(b!.x + b!.w).toBeCloseTo(ref, 0);
    expect(c!.x).toBeCloseTo(ref, 0);
    expect(c!.w).toBeGreaterThan(a!.w);
  });

  it('survives non-finite ratios and a suite with no peers', () => {
    const odd: SuiteResult = { suite: 'odd', ours: 'us', rows: [row('w', 'us', [0]), row('w', 'them', [0])] };
    expect(checkXml(renderChart(odd)).root).toBe('svg');
    expect(checkXml(renderChart({ suite: 'alone', ours: 'us', rows: [row('w', 'us', [1])] })).root).toBe('svg');
  });
});

describe('renderMarkdown', () => {
  it('has the machine, versions, a chart link and a table row per impl', () => {
    const md = renderMarkdown(results([cpu]), (s) => `latest-${s}.svg`);
    expect(md).toContain('Test CPU, 2 cores, 8 GiB, Linux test');
    expect(md).toContain('ioredis 5.9.2');
    expect(md).toContain('![cpu: ours ÷ each peer](latest-cpu.svg)');
    expect(md).toContain('| memory | **us** | 10.00 MiB ↓ |');
    expect(md).toContain('**2.00×** (1.90×–2.10×)');
    expect(md).toContain('- a note | with a pipe');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| workload') && !l.startsWith('| suite') && !l.startsWith('| cpu')).length).toBe(5);
  });

  it('summarises each suite and peer with the geometric mean over workloads', () => {
    const md = renderMarkdown(results([cpu]), () => null);
    // them: 2× on parse, 3× on memory → √6; other: 0.5× on parse only.
    expect(md).toContain(`| cpu | them | 2 | **${Math.sqrt(6).toFixed(2)}×** | 2.00× | 3.00× |`);
    expect(md).toContain('| cpu | other | 1 | **0.50×** | 0.50× | 0.50× |');
  });

  it('lists failed suites', () => {
    const res = { ...results([]), failures: { net: 'redis-server not found' } };
    expect(renderMarkdown(res, () => null)).toContain('- net: redis-server not found');
  });
});

describe('compareResults', () => {
  const before = results([cpu]);
  const after = results([
    suite('cpu', [
      row('parse <ints> & "more"', 'us', [150, 150, 150]), // ours 25% slower: worse
      row('parse <ints> & "more"', 'them', [50, 50, 50]), // but ratio 2 → 3: better
      row('parse <ints> & "more"', 'other', [500, 500, 500]), // ratio 0.5 → 0.3: worse
      row('memory', 'us', [10, 10, 10], { unit: 'MiB', lowerIsBetter: true }), // unchanged
      row('new one', 'us', [1]),
    ]),
  ]);
  const changes = compareResults(before, after, 0.1);

  it('judges ours on its median and peers on the ratio, worst first', () => {
    expect(changes.map((c) => [c.workload, c.impl, c.verdict])).toEqual([
      ['parse <ints> & "more"', 'other', 'worse'],
      ['parse <ints> & "more"', 'us', 'worse'],
      ['memory', 'us', 'same'],
      ['parse <ints> & "more"', 'them', 'better'],
      ['new one', 'us', 'new'],
      ['memory', 'them', 'gone'],
    ]);
    expect(changes[1]!.score).toBeCloseTo(-0.25);
    expect(changes[3]!.oldRatio).toBeCloseTo(2);
    expect(changes[3]!.newRatio).toBeCloseTo(3);
  });

  it('inverts lower-is-better units', () => {
    const b = results([suite('m', [row('rss', 'us', [10], { lowerIsBetter: true })])]);
    const a = results([suite('m', [row('rss', 'us', [20], { lowerIsBetter: true })])]);
    expect(compareResults(b, a)[0]!.verdict).toBe('worse');
    expect(compareResults(a, b)[0]!.verdict).toBe('better');
  });

  it('prints a marker column with the worst first', () => {
    const text = formatComparison(changes, 0.1, { before: 'old.json', after: 'new.json' });
    const lines = text.split('\n');
    expect(lines[3]).toMatch(/^\s*suite/);
    expect(lines[4]).toMatch(/^▼ WORSE\s+cpu\s+parse <ints> & "more"\s+other/);
    expect(lines[4]).toContain('0.50× → 0.30×');
    expect(lines[4]).toContain('-40.0%');
    expect(text).toContain('2 worse, 1 better beyond ±10%');
    expect(text).toContain('-25.0%');
  });
});

describe('results files', () => {
  it('validate round-trips through JSON, NaN included', () => {
    const res = results([suite('s', [row('w', 'us', [NaN, 1])])]);
    const back = validateResults(JSON.parse(JSON.stringify(res)) as unknown);
    expect(back.suites[0]!.rows[0]!.samples[0]).toBeNaN();
    expect(back.machine.cpu).toBe('Test CPU');
  });

  it('validation names the first problem', () => {
    const res = JSON.parse(JSON.stringify(results([cpu]))) as { suites: Array<{ rows: Array<Record<string, unknown>> }> };
    res.suites[0]!.rows[1]!.samples = 'nope';
    expect(() => validateResults(res)).toThrow(/suites\[0\]\.rows\[1\]\.samples/);
    expect(() => validateResults({ format: 99 })).toThrow(/format/);
  });

  it('latest keeps suites a partial run did not cover and replaces the ones it did', () => {
    const old = { ...results([suite('a', []), suite('b', [])]), failures: { b: 'old failure', c: 'still failing' } };
    const run = { ...results([suite('b', [row('w', 'us', [5])])], '2026-11-25T00:00:00.000Z') };
    const merged = mergeLatest(old, run);
    expect(merged.suites.map((s) => [s.suite, s.rows.length])).toEqual([
      ['a', 0],
      ['b', 1],
    ]);
    expect(merged.failures).toEqual({ c: 'still failing' });
    expect(merged.date).toBe('2026-11-25T00:00:00.000Z');
  });

  it('stamps are file-name safe', () => {
    expect(stamp(new Date('2026-11-24T06:30:05.123Z'))).toBe('2026-11-24T06-30-05Z');
  });
});

describe('progress line', () => {
  it('shows suite, position, elapsed times and the step without repeating the suite name', () => {
    const line = statusLine(
      { suite: 'resp', index: 2, total: 8, suiteStart: 0, runStart: -60_000, text: 'resp 10k bulks · node-redis · round 1/3', ticks: 0 },
      42_000,
    );
    expect(line).toBe('⠋ [2/8] resp 0:42 · total 1:42 │ 10k bulks · node-redis · round 1/3');
    expect(fmtElapsed(3_725_000)).toBe('1:02:05');
  });
});
