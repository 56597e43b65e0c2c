/**
 * One SVG bar chart per suite: for every workload, one horizontal bar per
 * peer showing ours ÷ that peer, drawn from the 1× line on a log₂ axis (so
 * 2× faster and 2× slower are the same length, on opposite sides). The
 * whisker on each bar spans the lowest to highest per-round ratio (see
 * ratios.ts); a bar right of the 1× line means ours is better.
 *
 * Hand-written SVG, no dependencies: a white background (readable in dark
 * mode), system fonts, a <title> on every bar with its exact figures.
 */
import type { SuiteResult } from './suite-types.js';
import { byWorkload, fmtRatio, peerRatio, type PeerRatio } from './ratios.js';

/** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#000000', '#999999'];
const FONT = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
const WIDTH = 960;
const BAR = 14;
const BAR_GAP = 3;
const GROUP_GAP = 12;
const LABEL_MAX_CHARS = 54;
/** Average glyph width of the 13 px label font, for layout without measuring text. */
const CHAR_W = 7.4;

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

interface Group {
  workload: string;
  lowerIsBetter: boolean;
  unit: string;
  bars: PeerRatio[];
}

function groups(res: SuiteResult): Group[] {
  const out: Group[] = [];
  for (const [workload, rows] of byWorkload(res.rows)) {
    const ours = rows.find((r) => r.impl === res.ours);
    if (!ours) continue;
    const bars = rows.filter((r) => r !== ours).map((r) => peerRatio(ours, r));
    if (bars.length > 0) out.push({ workload, lowerIsBetter: ours.lowerIsBetter === true, unit: ours.unit, bars });
  }
  return out;
}

/** log₂ axis bounds: whole powers of two around every finite value and 1, at least ½…2. */
function domain(gs: Group[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const g of gs) {
    for (const b of g.bars) {
      for (const v of [b.min, b.max, b.ratio]) {
        if (Number.isFinite(v) && v > 0) {
          lo = Math.min(lo, Math.log2(v));
          hi = Math.max(hi, Math.log2(v));
        }
      }
    }
  }
  return [Math.min(-1, Math.floor(lo)), Math.max(1, Math.ceil(hi))];
}

function tickLabel(exp: number): string {
  const v = 2 ** exp;
  return v >= 1 ? `${v}×` : `1/${2 ** -exp}×`;
}

export interface ChartOptions {
  /** A line under the title, e.g. the date and machine. */
  subtitle?: string;
}

export function renderChart(res: SuiteResult, opts: ChartOptions = {}): string {
  const gs = groups(res);
  const peers = [...new Set(gs.flatMap((g) => g.bars.map((b) => b.peer)))];
  const colour = (peer: string): string => COLOURS[peers.indexOf(peer) % COLOURS.length]!;
  const longest = Math.max(10, ...gs.map((g) => Math.min(LABEL_MAX_CHARS, g.workload.length + (g.lowerIsBetter ? 2 : 0))));
  const left = Math.min(420, Math.ceil(longest * CHAR_W) + 24);
  const right = WIDTH - 70;
  const [lo, hi] = domain(gs);
  const x = (v: number): number => left + ((Math.log2(v) - lo) / (hi - lo)) * (right - left);

  // Legend: one swatch per peer, wrapped to the width.
  const legend: string[] = [];
  let lx = 20;
  let ly = 74;
  for (const p of peers) {
    const w = 18 + `ours ÷ ${p}`.length * CHAR_W + 22;
    if (lx + w > WIDTH - 20) {
      lx = 20;
      ly += 20;
    }
    legend.push(
      `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${colour(p)}"/>`,
      `<text x="${lx + 18}" y="${ly}" class="legend">ours ÷ ${escapeXml(p)}</text>`,
    );
    lx += w;
  }
  const plotTop = ly + 34;

  const body: string[] = [];
  const bands: string[] = [];
  let y = plotTop;
  for (const [gi, g] of gs.entries()) {
    const h = g.bars.length * (BAR + BAR_GAP) - BAR_GAP;
    // A faint band behind every other workload guides the eye from label to bars.
    if (gi % 2 === 1) bands.push(`<rect x="10" y="${y - GROUP_GAP / 2}" width="${WIDTH - 20}" height="${h + GROUP_GAP}" class="band"/>`);
    const label = truncate(g.workload, LABEL_MAX_CHARS) + (g.lowerIsBetter ? ' ↓' : '');
    const tip = g.lowerIsBetter ? `${g.workload} (${g.unit}, lower is better: ratio is peer ÷ ours)` : `${g.workload} (${g.unit})`;
    body.push(
      `<text x="${left - 10}" y="${(y + h / 2 + 4.5).toFixed(1)}" class="label" text-anchor="end"><title>${escapeXml(tip)}</title>${escapeXml(label)}</text>`,
    );
    for (const b of g.bars) {
      const cy = y + BAR / 2;
      const tipBar = `${g.workload}: ours ÷ ${b.peer} = ${fmtRatio(b.ratio)} (rounds ${fmtRatio(b.min)}–${fmtRatio(b.max)})`;
      if (!Number.isFinite(b.ratio) || b.ratio <= 0) {
        body.push(`<text x="${x(1) + 6}" y="${cy + 4}" class="value">n/a<title>${escapeXml(tipBar)}</title></text>`);
        y += BAR + BAR_GAP;
        continue;
      }
      const x0 = Math.min(x(1), x(b.ratio));
      const w = Math.max(1, Math.abs(x(b.ratio) - x(1)));
      const wl = x(Math.max(b.min, 2 ** lo));
      const wr = x(Math.min(b.max, 2 ** hi));
      const valueX = Math.max(x(1), x(b.ratio), wr) + 6;
      body.push(
        `<g class="bar"><title>${escapeXml(tipBar)}</title>`,
        `<rect x="${x0.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${colour(b.peer)}"/>`,
        `<line x1="${wl.toFixed(1)}" y1="${cy}" x2="${wr.toFixed(1)}" y2="${cy}" class="whisker"/>`,
        `<line x1="${wl.toFixed(1)}" y1="${cy - 4}" x2="${wl.toFixed(1)}" y2="${cy + 4}" class="whisker"/>`,
        `<line x1="${wr.toFixed(1)}" y1="${cy - 4}" x2="${wr.toFixed(1)}" y2="${cy + 4}" class="whisker"/>`,
        `<text x="${valueX.toFixed(1)}" y="${cy + 4}" class="value">${escapeXml(fmtRatio(b.ratio))}</text>`,
        `</g>`,
      );
      y += BAR + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const plotBottom = Math.max(y, plotTop + 20);

  const axis: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const tx = x(2 ** e).toFixed(1);
    if (e !== 0) axis.push(`<line x1="${tx}" y1="${plotTop - 6}" x2="${tx}" y2="${plotBottom}" class="grid"/>`);
    axis.push(`<text x="${tx}" y="${plotBottom + 18}" class="tick" text-anchor="middle">${tickLabel(e)}</text>`);
  }
  const one = x(1).toFixed(1);
  axis.push(
    `<line x1="${one}" y1="${plotTop - 12}" x2="${one}" y2="${plotBottom}" class="ref"/>`,
    `<text x="${one}" y="${plotTop - 16}" class="tick" text-anchor="middle">1.0× (same)</text>`,
    `<text x="${(left + right) / 2}" y="${plotBottom + 40}" class="axis" text-anchor="middle">ours ÷ peer (log scale): right of 1.0× ours is better, left of it the peer is</text>`,
    `<text x="${(left + right) / 2}" y="${plotBottom + 58}" class="axis" text-anchor="middle">bar: ratio of medians · whisker: lowest–highest per-round ratio · ↓ lower-is-better unit, ratio is peer ÷ ours</text>`,
  );
  const height = plotBottom + 74;
  const title = `${res.suite}: ${res.ours} ÷ each peer`;

  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<style>`,
    `text { font-family: ${FONT}; fill: #222; }`,
    `.title { font-size: 18px; font-weight: 600; } .subtitle { font-size: 12px; fill: #555; }`,
    `.legend, .label { font-size: 13px; } .value { font-size: 12px; font-variant-numeric: tabular-nums; }`,
    `.tick { font-size: 12px; fill: #444; } .axis { font-size: 12px; fill: #555; }`,
    `.grid { stroke: #e3e3e3; stroke-width: 1; } .ref { stroke: #222; stroke-width: 1.5; }`,
    `.whisker { stroke: #222; stroke-width: 1.2; } .band { fill: #f4f6f8; }`,
    `</style>`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="30" class="title">${escapeXml(title)}</text>`,
    `<text x="20" y="50" class="subtitle">${escapeXml(opts.subtitle ?? '')}</text>`,
    ...legend,
    ...bands,
    ...axis,
    ...body,
    `</svg>`,
    ``,
  ].join('\n');
}
