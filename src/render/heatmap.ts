/**
 * A 2-D matrix as a heatmap with a colour bar: each cell one colour, drawn as an embedded
 * raster so a 1000 x 1000 kernel stays a small file. Signed data uses a diverging colormap
 * centred on zero by default, so the sign of a weight reads at a glance.
 */
import { colormap, type ColormapName } from './colormap.ts';
import { createImage, pngDataUri, scaleNearest, setPixel, type RgbaImage } from './raster.ts';
import { compactNumber, escapeXml, fitText, niceTicks, r2, svgOpen, textWidth } from './svg.ts';

/** Options of {@link heatmapSvg}. */
export interface HeatmapOptions {
  title?: string;
  caption?: string;
  /** Colormap name (default `bwr`). */
  colormap?: ColormapName;
  /** Scale symmetric around 0 (default true for diverging maps). */
  symmetric?: boolean;
  /** Axis labels. */
  xLabel?: string;
  yLabel?: string;
  /** Largest side of the plotted image in pixels (default 640). */
  size?: number;
}

/** Largest rows/columns drawn one cell per entry; bigger matrices are block-averaged down to this. */
export const MAX_CELLS = 1024;

/**
 * Block-averages a rows x cols matrix so that neither side exceeds `max`.
 * @example downsample(m, 2000, 10, 1024) // -> { rows: 1000, cols: 10, data }
 */
export function downsample(data: ArrayLike<number>, rows: number, cols: number, max = MAX_CELLS): { data: Float32Array; rows: number; cols: number } {
  const fr = Math.ceil(rows / max), fc = Math.ceil(cols / max);
  if (fr === 1 && fc === 1) return { data: Float32Array.from(data), rows, cols };
  const R = Math.ceil(rows / fr), C = Math.ceil(cols / fc);
  const out = new Float32Array(R * C), n = new Float32Array(R * C);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = data[r * cols + c]!;
    if (!Number.isFinite(v)) continue;
    const k = Math.floor(r / fr) * C + Math.floor(c / fc);
    out[k]! += v; n[k]!++;
  }
  for (let k = 0; k < out.length; k++) out[k] = n[k] ? out[k]! / n[k]! : NaN;
  return { data: out, rows: R, cols: C };
}

/**
 * Colours a row-major matrix into an image, one pixel per entry, scaled to [lo, hi]: the data's
 * range, or symmetric around 0 (the default for diverging maps), or `range` when given. NaN is grey.
 * @example const { image } = matrixImage(cam, 7, 7, { colormap: 'jet', range: [0, 1] })
 */
export function matrixImage(values: ArrayLike<number>, rows: number, cols: number, o: { colormap?: ColormapName; symmetric?: boolean; range?: [number, number] } = {}): { image: RgbaImage; lo: number; hi: number } {
  const name = o.colormap ?? 'bwr';
  const cmap = colormap(name);
  let lo = Infinity, hi = -Infinity;
  if (o.range) [lo, hi] = o.range;
  else for (let i = 0; i < rows * cols; i++) { const v = values[i]!; if (Number.isFinite(v)) { if (v < lo) lo = v; if (v > hi) hi = v; } }
  if (!Number.isFinite(lo)) { lo = 0; hi = 1; }
  if (!o.range && (o.symmetric ?? (name === 'bwr' || name === 'diverging'))) { const a = Math.max(Math.abs(lo), Math.abs(hi)) || 1; lo = -a; hi = a; }
  if (hi === lo) hi = lo + 1;
  const image = createImage(cols, rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const [R, G, B] = cmap((values[r * cols + c]! - lo) / (hi - lo));
    setPixel(image, c, r, R, G, B);
  }
  return { image, lo, hi };
}

/**
 * SVG heatmap of a row-major `rows` x `cols` matrix.
 * @example heatmapSvg(kernel.float32(), 784, 128, { title: 'dense/kernel' })
 */
export function heatmapSvg(values: ArrayLike<number>, rows: number, cols: number, o: HeatmapOptions = {}): string {
  const m = downsample(values, rows, cols);
  const name = o.colormap ?? 'bwr';
  const cmap = colormap(name);
  const { image: img, lo, hi } = matrixImage(m.data, m.rows, m.cols, { colormap: name, symmetric: o.symmetric });
  const size = o.size ?? 640;
  const cell = Math.max(1, Math.floor(size / Math.max(m.rows, m.cols)));
  const scaled = scaleNearest(img, cell);
  // Very flat matrices (10 x 1000) get stretched along their short side so cells stay visible.
  const w = scaled.width, h = Math.max(scaled.height, Math.min(size / 4, scaled.height * 8));
  const left = 64, top = o.caption ? 52 : 38, barW = 16, right = 70;
  const width = Math.max(left + w + 24 + barW + right, left + textWidth(o.title ?? '', 14, true) + 16);
  const height = top + h + 48;
  const out = [svgOpen(width, height)];
  if (o.title) out.push(`<text x="${left}" y="22" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(o.title, width - left - 10, 14, true))}</text>`);
  if (o.caption) out.push(`<text x="${left}" y="39" font-size="10.5" fill="#57606a">${escapeXml(fitText(o.caption, width - left - 10, 10.5))}</text>`);
  out.push(`<image x="${left}" y="${top}" width="${w}" height="${r2(h)}" preserveAspectRatio="none" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${pngDataUri(scaled)}"/>`);
  out.push(`<rect x="${left}" y="${top}" width="${w}" height="${r2(h)}" fill="none" stroke="#57606a"/>`);
  out.push(`<text x="${r2(left + w / 2)}" y="${r2(top + h + 20)}" font-size="11" text-anchor="middle" fill="#1f2328">${escapeXml(o.xLabel ?? `columns (${cols})`)}</text>`);
  out.push(`<text transform="translate(${left - 14},${r2(top + h / 2)}) rotate(-90)" font-size="11" text-anchor="middle" fill="#1f2328">${escapeXml(o.yLabel ?? `rows (${rows})`)}</text>`);
  if (m.rows !== rows || m.cols !== cols) {
    out.push(`<text x="${left}" y="${r2(top + h + 38)}" font-size="10" fill="#57606a">block-averaged to ${m.rows} x ${m.cols} cells for display</text>`);
  }
  // Colour bar.
  const bx = left + w + 24, steps = 64, bh = h;
  for (let i = 0; i < steps; i++) {
    const [R, G, B] = cmap(1 - (i + 0.5) / steps);
    out.push(`<rect x="${bx}" y="${r2(top + (i * bh) / steps)}" width="${barW}" height="${r2(bh / steps + 0.5)}" fill="rgb(${R},${G},${B})"/>`);
  }
  out.push(`<rect x="${bx}" y="${top}" width="${barW}" height="${r2(bh)}" fill="none" stroke="#57606a"/>`);
  for (const t of niceTicks(lo, hi, 5)) {
    const y = top + ((hi - t) / (hi - lo)) * bh;
    out.push(`<line x1="${bx + barW}" x2="${bx + barW + 4}" y1="${r2(y)}" y2="${r2(y)}" stroke="#57606a"/><text x="${bx + barW + 7}" y="${r2(y + 3.5)}" font-size="10" fill="#57606a">${compactNumber(t)}</text>`);
  }
  out.push('</svg>\n');
  return out.join('\n');
}
