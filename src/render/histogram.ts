/**
 * Histogram charts as SVG: one panel per tensor (small multiples), bars over nice axis ticks,
 * a dashed line at zero, and the tensor's statistics under its title.
 */
import { escapeXml, compactNumber, fitText, niceTicks, r2, svgOpen } from './svg.ts';

/** One panel: a title, bin edges and counts, and an optional line of statistics. */
export interface HistogramPanel {
  title: string;
  edges: number[];
  counts: number[];
  caption?: string;
}

const PW = 420, PH = 230, ML = 52, MR = 14, MT = 40, MB = 34;

function panelSvg(p: HistogramPanel, x0: number, y0: number): string {
  const out: string[] = [];
  const lo = p.edges[0]!, hi = p.edges[p.edges.length - 1]!;
  const maxC = Math.max(1, ...p.counts);
  const pw = PW - ML - MR, ph = PH - MT - MB;
  const X = (v: number) => x0 + ML + ((v - lo) / (hi - lo)) * pw;
  // Counts are whole numbers: no tick steps below 1.
  const yTicks = niceTicks(0, Math.max(maxC, 4), 4).filter((t) => Number.isInteger(t));
  const top = Math.max(maxC, yTicks[yTicks.length - 1]!);
  const Y = (c: number) => y0 + MT + ph - (c / top) * ph;
  out.push(`<text x="${r2(x0 + ML)}" y="${r2(y0 + 16)}" font-size="12" font-weight="bold" fill="#1f2328">${escapeXml(fitText(p.title, PW - ML - MR, 12, true))}</text>`);
  if (p.caption) out.push(`<text x="${r2(x0 + ML)}" y="${r2(y0 + 31)}" font-size="10" fill="#57606a">${escapeXml(fitText(p.caption, PW - ML - MR, 10))}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${r2(x0 + ML)}" x2="${r2(x0 + ML + pw)}" y1="${r2(Y(t))}" y2="${r2(Y(t))}" stroke="#eaeef2"/>`);
    out.push(`<text x="${r2(x0 + ML - 5)}" y="${r2(Y(t) + 3.5)}" font-size="10" text-anchor="end" fill="#57606a">${compactNumber(t)}</text>`);
  }
  const bw = pw / p.counts.length;
  p.counts.forEach((c, i) => {
    if (c === 0) return;
    const h = (c / top) * ph;
    out.push(`<rect x="${r2(x0 + ML + i * bw + 0.5)}" y="${r2(Y(c))}" width="${r2(Math.max(0.8, bw - 1))}" height="${r2(h)}" fill="#3569a8"/>`);
  });
  if (lo < 0 && hi > 0) out.push(`<line x1="${r2(X(0))}" x2="${r2(X(0))}" y1="${r2(y0 + MT)}" y2="${r2(y0 + MT + ph)}" stroke="#c2512f" stroke-dasharray="3 3"/>`);
  out.push(`<line x1="${r2(x0 + ML)}" x2="${r2(x0 + ML + pw)}" y1="${r2(y0 + MT + ph)}" y2="${r2(y0 + MT + ph)}" stroke="#57606a"/>`);
  for (const t of niceTicks(lo, hi, 5)) {
    if (t < lo || t > hi) continue;
    out.push(`<line x1="${r2(X(t))}" x2="${r2(X(t))}" y1="${r2(y0 + MT + ph)}" y2="${r2(y0 + MT + ph + 4)}" stroke="#57606a"/>`);
    out.push(`<text x="${r2(X(t))}" y="${r2(y0 + MT + ph + 16)}" font-size="10" text-anchor="middle" fill="#57606a">${compactNumber(t)}</text>`);
  }
  return out.join('\n');
}

/**
 * Histograms of several tensors, in a grid of up to `columns` panels per row.
 * @example histogramSvg([{ title: 'fc.weight', ...histogram(values, 50) }])
 */
export function histogramSvg(panels: HistogramPanel[], columns = 3): string {
  const cols = Math.max(1, Math.min(columns, panels.length));
  const rows = Math.ceil(panels.length / cols);
  const out = [svgOpen(cols * PW + 16, rows * PH + 16)];
  panels.forEach((p, i) => out.push(panelSvg(p, 8 + (i % cols) * PW, 8 + Math.floor(i / cols) * PH)));
  out.push('</svg>\n');
  return out.join('\n');
}
