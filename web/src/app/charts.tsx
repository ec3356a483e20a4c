/**
 * The app's small SVG charts: class probabilities, signed feature bars (attributions, attention),
 * line charts (training curves) and histograms (weights). Each is one `<svg>` with a viewBox, so
 * it scales to its panel and exports as a standalone file.
 */
import { forwardRef } from 'react';
import { compactNumber, niceTicks } from '../../../src/render/svg.ts';

/** A number for people: 4 significant digits, exponent form for tiny or huge values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(2);
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** One bar of {@link BarChart}. */
export interface Bar { key: string; label: string; value: number; text: string; color?: string; testid?: string }

/**
 * Horizontal bars from 0 to `max` (probabilities), label on the left, value on the right.
 * @example <BarChart bars={top.map((c) => ({ key: c.index, label: c.label, value: c.probability, text: pct(c.probability) }))} />
 */
export const BarChart = forwardRef<SVGSVGElement, { bars: Bar[]; max?: number; width?: number }>(function BarChart({ bars, max = 1, width = 320 }, ref) {
  const row = 20, labelW = Math.min(130, 8 + 6.5 * Math.max(4, ...bars.map((b) => b.label.length))), valueW = 54;
  const plotW = width - labelW - valueW;
  const h = bars.length * row + 6;
  return (
    <svg ref={ref} viewBox={`0 0 ${width} ${h}`} width="100%" className="chart" fontFamily={FONT}>
      {bars.map((b, i) => {
        const y = 3 + i * row;
        const w = Math.max(0, Math.min(1, b.value / max)) * plotW;
        return (
          <g key={b.key} data-testid={b.testid} data-value={b.value}>
            <text x={labelW - 6} y={y + 13} fontSize={11.5} textAnchor="end" fill="#1f2328">{b.label.length > 20 ? `${b.label.slice(0, 19)}\u2026` : b.label}</text>
            <rect x={labelW} y={y + 2} width={plotW} height={row - 6} fill="#f0f2f5" rx={2} />
            <rect x={labelW} y={y + 2} width={Math.max(w, 1)} height={row - 6} fill={b.color ?? '#3569a8'} rx={2} />
            <text x={labelW + plotW + 6} y={y + 13} fontSize={11} fill="#57606a" style={{ fontVariantNumeric: 'tabular-nums' }}>{b.text}</text>
          </g>
        );
      })}
    </svg>
  );
});

/** One item of {@link SignedBars}. */
export interface SignedItem { name: string; value: number; detail?: string }

/**
 * Bars from a centre line, positive to the right (red: pushes toward the target class) and
 * negative to the left (blue), sorted by magnitude.
 */
export const SignedBars = forwardRef<SVGSVGElement, { items: SignedItem[]; width?: number; positive?: string; negative?: string; testid?: string }>(function SignedBars({ items, width = 420, positive = '#cf4a3c', negative = '#3569a8', testid }, ref) {
  const sorted = [...items].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  const row = 19, valueW = 60, maxLabel = 30;
  const label = (i: SignedItem) => { const t = `${i.name}${i.detail ? ` = ${i.detail}` : ''}`; return t.length > maxLabel ? `${t.slice(0, maxLabel - 1)}\u2026` : t; };
  const labelW = 10 + 6.2 * Math.max(6, ...items.map((i) => label(i).length));
  const plotW = width - labelW - valueW, mid = labelW + plotW / 2;
  const m = Math.max(1e-12, ...items.map((i) => Math.abs(i.value)));
  const h = sorted.length * row + 8;
  return (
    <svg ref={ref} viewBox={`0 0 ${width} ${h}`} width="100%" className="chart" fontFamily={FONT} data-testid={testid}>
      <line x1={mid} x2={mid} y1={2} y2={h - 4} stroke="#8c959f" />
      {sorted.map((it, i) => {
        const y = 4 + i * row, w = (Math.abs(it.value) / m) * (plotW / 2 - 4);
        return (
          <g key={it.name} data-feature={it.name} data-value={it.value}>
            <text x={labelW - 6} y={y + 12} fontSize={11} textAnchor="end" fill="#1f2328"><title>{`${it.name}${it.detail ? ` = ${it.detail}` : ''}`}</title>{label(it).split(' = ')[0]}{label(it).includes(' = ') && <tspan fill="#8c959f">{` = ${label(it).split(' = ')[1]}`}</tspan>}</text>
            <rect x={it.value >= 0 ? mid : mid - w} y={y + 2} width={Math.max(w, 0.5)} height={row - 6} fill={it.value >= 0 ? positive : negative} rx={2} />
            <text x={labelW + plotW + 6} y={y + 12} fontSize={10.5} fill="#57606a" style={{ fontVariantNumeric: 'tabular-nums' }}>{fmt(it.value)}</text>
          </g>
        );
      })}
    </svg>
  );
});

/** One line of {@link LineChart}. */
export interface Line { name: string; color: string; xs: number[]; ys: number[] }

/** A line chart with nice ticks on both axes and a legend. */
export const LineChart = forwardRef<SVGSVGElement, { lines: Line[]; title: string; xLabel?: string; width?: number; height?: number }>(function LineChart({ lines, title, xLabel = 'step', width = 320, height = 180 }, ref) {
  const ML = 44, MR = 10, MT = 24, MB = 30;
  const xs = lines.flatMap((l) => l.xs), ys = lines.flatMap((l) => l.ys).filter(Number.isFinite);
  let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  if (!(x1 > x0)) x1 = x0 + 1;
  if (!(y1 > y0)) { y0 -= 0.5; y1 += 0.5; }
  const yt = niceTicks(y0, y1, 4), xt = niceTicks(x0, x1, 5);
  y0 = Math.min(y0, yt[0]!); y1 = Math.max(y1, yt[yt.length - 1]!);
  const X = (v: number) => ML + ((v - x0) / (x1 - x0)) * (width - ML - MR);
  const Y = (v: number) => MT + ((y1 - v) / (y1 - y0)) * (height - MT - MB);
  return (
    <svg ref={ref} viewBox={`0 0 ${width} ${height}`} width="100%" className="chart" fontFamily={FONT}>
      <text x={ML} y={14} fontSize={12} fontWeight={600} fill="#1f2328">{title}</text>
      {yt.map((t) => <g key={t}><line x1={ML} x2={width - MR} y1={Y(t)} y2={Y(t)} stroke="#eaeef2" /><text x={ML - 5} y={Y(t) + 3.5} fontSize={9.5} textAnchor="end" fill="#57606a">{compactNumber(t)}</text></g>)}
      {xt.filter((t) => t >= x0 && t <= x1).map((t) => <text key={t} x={X(t)} y={height - MB + 13} fontSize={9.5} textAnchor="middle" fill="#57606a">{compactNumber(t)}</text>)}
      <text x={(ML + width - MR) / 2} y={height - 4} fontSize={10} textAnchor="middle" fill="#57606a">{xLabel}</text>
      {lines.map((l) => (
        <polyline key={l.name} fill="none" stroke={l.color} strokeWidth={1.6} points={l.xs.map((x, i) => `${X(x).toFixed(1)},${Y(l.ys[i]!).toFixed(1)}`).join(' ')} />
      ))}
      {lines.length > 1 && lines.map((l, i) => (
        <g key={l.name}><rect x={width - MR - 90} y={MT + 2 + i * 13} width={10} height={3} fill={l.color} /><text x={width - MR - 76} y={MT + 7 + i * 13} fontSize={9.5} fill="#1f2328">{l.name}</text></g>
      ))}
    </svg>
  );
});

/** A histogram of bin counts over edges. */
export const HistogramChart = forwardRef<SVGSVGElement, { edges: number[]; counts: number[]; width?: number; height?: number }>(function HistogramChart({ edges, counts, width = 420, height = 150 }, ref) {
  const ML = 40, MR = 8, MT = 8, MB = 22;
  const lo = edges[0]!, hi = edges[edges.length - 1]!, top = Math.max(1, ...counts);
  const X = (v: number) => ML + ((v - lo) / (hi - lo || 1)) * (width - ML - MR);
  const Y = (c: number) => MT + (1 - c / top) * (height - MT - MB);
  const yt = niceTicks(0, top, 3).filter(Number.isInteger);
  return (
    <svg ref={ref} viewBox={`0 0 ${width} ${height}`} width="100%" className="chart" fontFamily={FONT} data-testid="histogram">
      {yt.map((t) => <g key={t}><line x1={ML} x2={width - MR} y1={Y(t)} y2={Y(t)} stroke="#eaeef2" /><text x={ML - 4} y={Y(t) + 3.5} fontSize={9.5} textAnchor="end" fill="#57606a">{compactNumber(t)}</text></g>)}
      {counts.map((c, i) => <rect key={i} x={X(edges[i]!) + 0.3} y={Y(c)} width={Math.max(0.5, X(edges[i + 1]!) - X(edges[i]!) - 0.6)} height={Y(0) - Y(c)} fill="#3569a8" />)}
      {lo < 0 && hi > 0 && <line x1={X(0)} x2={X(0)} y1={MT} y2={Y(0)} stroke="#cf4a3c" strokeDasharray="3 2" />}
      {niceTicks(lo, hi, 5).filter((t) => t >= lo && t <= hi).map((t) => <text key={t} x={X(t)} y={height - 6} fontSize={9.5} textAnchor="middle" fill="#57606a">{compactNumber(t)}</text>)}
    </svg>
  );
});
