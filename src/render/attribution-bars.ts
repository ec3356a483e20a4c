/**
 * Per-feature attributions of one row of a table as a horizontal bar chart (the SHAP "bar" /
 * "waterfall"-style view): one bar per feature from a zero line, sorted by |attribution| with the
 * largest on top, features that push towards the target in red and those that push away in blue
 * (the colours of the shap library's plots), each bar labelled with its value and each feature
 * with its name and the value it had in the row.
 */
import { compactNumber, escapeXml, fitText, niceTicks, r2, svgOpen, textWidth } from './svg.ts';

/** Options of {@link attributionBarsSvg}. */
export interface AttributionBarsOptions {
  title: string;
  caption?: string;
  /** The row's value of each feature, shown beside its name. */
  values?: ArrayLike<number>;
  /** Bars drawn at most (default 30); the rest are summed in a note. */
  maxBars?: number;
}

/** Colours: towards the target, away from it (shap's red and blue). */
export const POSITIVE = '#e0245e';
export const NEGATIVE = '#1e88e5';

/**
 * Features ordered by decreasing |attribution| (ties: original order).
 * @example rankFeatures([0.1, -2, 0.5]) // [1, 2, 0]
 */
export function rankFeatures(attributions: ArrayLike<number>): number[] {
  const idx = Array.from({ length: attributions.length }, (_, i) => i);
  const key = (i: number): number => (Number.isFinite(attributions[i]!) ? Math.abs(attributions[i]!) : -1);
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}

/**
 * The bar chart as SVG.
 * @example attributionBarsSvg(['age', 'income'], Float32Array.of(0.3, -0.1), { title: 'IG: class 1' })
 */
export function attributionBarsSvg(names: readonly string[], attributions: ArrayLike<number>, o: AttributionBarsOptions): string {
  const n = attributions.length;
  if (names.length !== n) throw new Error(`attribution bars: ${names.length} names for ${n} values`);
  const order = rankFeatures(attributions);
  const shown = order.slice(0, o.maxBars ?? 30);
  const rest = order.slice(shown.length);
  const label = (i: number): string => (o.values ? `${names[i]} = ${compactNumber(o.values[i]!)}` : names[i]!);
  const labelW = Math.min(260, Math.max(60, ...shown.map((i) => textWidth(label(i), 11)))) + 10;
  let lo = 0, hi = 0;
  for (const i of shown) { const v = attributions[i]!; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  if (lo === hi) hi = lo + 1;
  const ticks = niceTicks(lo, hi, 5);
  lo = Math.min(lo, ticks[0]!); hi = Math.max(hi, ticks[ticks.length - 1]!);
  const rowH = 20, plotW = 420, valueRoom = 56;
  const ML = 16 + labelW + valueRoom, MT = o.caption ? 60 : 42, MR = valueRoom + 16;
  const ph = shown.length * rowH;
  const notes = rest.length ? 1 : 0;
  const width = ML + plotW + MR, height = MT + ph + 44 + notes * 16;
  const X = (v: number): number => ML + ((v - lo) / (hi - lo)) * plotW;
  const out = [svgOpen(width, height)];
  out.push(`<text x="16" y="22" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(o.title, width - 32, 14, true))}</text>`);
  if (o.caption) out.push(`<text x="16" y="40" font-size="11" fill="#57606a">${escapeXml(fitText(o.caption, width - 32, 11))}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${r2(X(t))}" x2="${r2(X(t))}" y1="${MT - 4}" y2="${MT + ph}" stroke="${t === 0 ? '#57606a' : '#eaeef2'}"/>`);
    out.push(`<text x="${r2(X(t))}" y="${MT + ph + 16}" font-size="10" text-anchor="middle" fill="#57606a">${compactNumber(t)}</text>`);
  }
  shown.forEach((i, row) => {
    const v = attributions[i]!;
    const y = MT + row * rowH;
    out.push(`<text x="${16 + labelW - 6}" y="${r2(y + rowH / 2 + 4)}" font-size="11" text-anchor="end" fill="#1f2328">${escapeXml(fitText(label(i), labelW - 6, 11))}</text>`);
    if (!Number.isFinite(v)) return;
    const x0 = X(Math.min(0, v)), x1 = X(Math.max(0, v));
    out.push(`<rect x="${r2(x0)}" y="${r2(y + 3)}" width="${r2(Math.max(0.8, x1 - x0))}" height="${rowH - 6}" fill="${v >= 0 ? POSITIVE : NEGATIVE}"/>`);
    const text = `${v > 0 ? '+' : ''}${compactNumber(v)}`;
    out.push(v >= 0
      ? `<text x="${r2(x1 + 4)}" y="${r2(y + rowH / 2 + 4)}" font-size="10.5" fill="#1f2328">${escapeXml(text)}</text>`
      : `<text x="${r2(x0 - 4)}" y="${r2(y + rowH / 2 + 4)}" font-size="10.5" text-anchor="end" fill="#1f2328">${escapeXml(text)}</text>`);
  });
  out.push(`<text x="${r2(ML + plotW / 2)}" y="${MT + ph + 32}" font-size="11" text-anchor="middle" fill="#1f2328">attribution (red: towards the target, blue: away from it)</text>`);
  if (rest.length) {
    const sum = rest.reduce((s, i) => s + (attributions[i]! || 0), 0);
    out.push(`<text x="16" y="${MT + ph + 50}" font-size="10.5" fill="#57606a">${escapeXml(`${rest.length} more features with |attribution| <= ${compactNumber(Math.abs(attributions[rest[0]!]!))} (sum ${compactNumber(sum)})`)}</text>`);
  }
  out.push('</svg>\n');
  return out.join('\n');
}
