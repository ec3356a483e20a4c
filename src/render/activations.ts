/**
 * Pictures of one captured activation (issue 3, `nnlens activations`):
 * - a 4-D activation as a mosaic of its feature maps, one tile per channel with its number, each
 *   map stretched to its own min..max (as in Yosinski et al. 2015, "Understanding Neural Networks
 *   Through Deep Visualization", whose toolbox shows conv5 this way), so a weak but structured map
 *   still shows its structure; maps that are constant are drawn grey, and all-zero (dead) channels
 *   get a red number;
 * - a 2-D activation `[N, units]` as a bar chart of one sample's units;
 * - a 3-D activation (sequence or 1-D conv) as a channels x positions heatmap.
 * Inputs are plain arrays: the channel layout is resolved by the caller (inspect/activations.ts).
 */
import { colormap } from './colormap.ts';
import { heatmapSvg } from './heatmap.ts';
import { createImage, pngDataUri, setPixel, type RgbaImage } from './raster.ts';
import { compactNumber, escapeXml, fitText, niceTicks, r2, svgOpen, textWidth } from './svg.ts';

/** Options of {@link featureMapMosaic}. */
export interface MosaicOptions {
  /** Most maps drawn, channels 0.. first (default 256). */
  maxMaps?: number;
  /** Widest mosaic in pixels before tiles shrink (default 1400). */
  maxWidth?: number;
}

/** A mosaic raster and where each tile is. */
export interface FeatureMosaic {
  image: RgbaImage;
  /** Channels drawn (0..shown-1) and channels in all. */
  shown: number;
  channels: number;
  cols: number;
  rows: number;
  /** Horizontal pitch of a tile's cell (at least wide enough for its number), and the tile size. */
  cellW: number;
  tileW: number;
  tileH: number;
  label: number;
  gap: number;
  /** Per drawn channel: the map was constant (drawn grey). */
  constant: boolean[];
  /** Block-averaging factor applied to large maps (1 = none). */
  shrink: number;
}

/** Space between tiles, and the band above each tile for its channel number. */
const GAP = 4, LABEL = 12;

/**
 * Lays out `c` feature maps of `h` x `w` (planes, channel-major) as a near-square grid of tiles.
 * Small maps are enlarged by whole factors (nearest neighbour: one cell per activation), large
 * ones block-averaged, so tiles end up 28 to 128 px.
 * @example featureMapMosaic(planes, 64, 56, 56)
 */
export function featureMapMosaic(planes: Float32Array, c: number, h: number, w: number, o: MosaicOptions = {}): FeatureMosaic {
  const shown = Math.min(c, o.maxMaps ?? 256);
  const maxWidth = o.maxWidth ?? 1400;
  const cols = Math.max(1, Math.ceil(Math.sqrt((shown * h) / w)));
  const rows = Math.ceil(shown / cols);
  // Tile side: as large as the width allows, at most 128 px, at least 28 px (about four digits).
  const side = Math.max(28, Math.min(128, Math.floor(maxWidth / cols) - GAP));
  const big = Math.max(h, w);
  const shrink = big > side ? Math.ceil(big / side) : 1;
  const sh = Math.ceil(h / shrink), sw = Math.ceil(w / shrink);
  const zoom = shrink > 1 ? 1 : Math.max(1, Math.floor(side / big));
  const tileW = sw * zoom, tileH = sh * zoom;
  const cellW = Math.max(tileW, 26);
  const img = createImage(cols * (cellW + GAP) + GAP, rows * (tileH + LABEL + GAP) + GAP);
  const cmap = colormap('viridis');
  const constant: boolean[] = [];
  const plane = new Float32Array(sh * sw);
  for (let k = 0; k < shown; k++) {
    // Block-average into sh x sw (a no-op copy when shrink is 1).
    plane.fill(0);
    const cnt = new Float32Array(sh * sw);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = planes[(k * h + y) * w + x]!;
      if (!Number.isFinite(v)) continue;
      const j = Math.floor(y / shrink) * sw + Math.floor(x / shrink);
      plane[j]! += v; cnt[j]!++;
    }
    let lo = Infinity, hi = -Infinity;
    for (let j = 0; j < plane.length; j++) {
      plane[j] = cnt[j] ? plane[j]! / cnt[j]! : NaN;
      if (Number.isFinite(plane[j]!)) { lo = Math.min(lo, plane[j]!); hi = Math.max(hi, plane[j]!); }
    }
    const flat = !(hi > lo);
    constant.push(flat);
    const x0 = GAP + (k % cols) * (cellW + GAP), y0 = GAP + Math.floor(k / cols) * (tileH + LABEL + GAP) + LABEL;
    for (let y = 0; y < tileH; y++) for (let x = 0; x < tileW; x++) {
      const v = plane[Math.floor(y / zoom) * sw + Math.floor(x / zoom)]!;
      if (flat || !Number.isFinite(v)) setPixel(img, x0 + x, y0 + y, 208, 215, 222);
      else { const [r, g, b] = cmap((v - lo) / (hi - lo)); setPixel(img, x0 + x, y0 + y, r, g, b); }
    }
  }
  return { image: img, shown, channels: c, cols, rows, cellW, tileW, tileH, label: LABEL, gap: GAP, constant, shrink };
}

/**
 * SVG of a feature-map mosaic: title, caption, the raster, and each tile's channel number (red
 * for channels in `dead`).
 * @example featureMosaicSvg(featureMapMosaic(p, c, h, w), 'layer1 [1,64,56,56]', stats.channels.map((s) => s.dead))
 */
export function featureMosaicSvg(m: FeatureMosaic, title: string, dead: readonly boolean[] = [], note = ''): string {
  const left = 16, top = 72;
  const what = [`${m.shown === m.channels ? `all ${m.channels}` : `channels 0-${m.shown - 1} of ${m.channels}`} feature maps`, note, m.shrink > 1 ? `block-averaged ${m.shrink}x${m.shrink} for display` : ''].filter(Boolean).join(', ');
  const legend = 'each map stretched to its own min..max (dark = low, yellow = high); grey: constant map; red number: all zero (dead)';
  const width = Math.max(m.image.width + 2 * left, textWidth(what, 10.5) + 2 * left, textWidth(legend, 10.5) + 2 * left, textWidth(title, 14, true) + 2 * left);
  const height = top + m.image.height + 12;
  const out = [
    svgOpen(width, height),
    `<text x="${left}" y="24" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(title, width - 2 * left, 14, true))}</text>`,
    `<text x="${left}" y="42" font-size="10.5" fill="#57606a">${escapeXml(what)}</text>`,
    `<text x="${left}" y="57" font-size="10.5" fill="#57606a">${escapeXml(legend)}</text>`,
    `<image x="${left}" y="${top}" width="${m.image.width}" height="${m.image.height}" image-rendering="optimizeSpeed" style="image-rendering:pixelated" href="${pngDataUri(m.image)}"/>`,
  ];
  for (let k = 0; k < m.shown; k++) {
    const x = left + m.gap + (k % m.cols) * (m.cellW + m.gap);
    const y = top + m.gap + Math.floor(k / m.cols) * (m.tileH + m.label + m.gap) + m.label - 3;
    out.push(`<text x="${x}" y="${y}" font-size="9" fill="${dead[k] ? '#cf222e' : '#57606a'}"${dead[k] ? ' font-weight="bold"' : ''}>${k}</text>`);
  }
  out.push('</svg>\n');
  return out.join('\n');
}

/** Options of {@link unitBarsSvg}. */
export interface BarsOptions {
  title: string;
  caption?: string;
  /** Axis label of the units (default `unit`). */
  unitName?: string;
}

/**
 * Bar chart of one sample's units of a 2-D activation: one bar per unit from zero (blue above,
 * orange below), red ticks under units that are exactly zero.
 * @example unitBarsSvg(Float32Array.of(0.5, 0, -1), { title: 'dense_1 [1,3]' })
 */
export function unitBarsSvg(values: ArrayLike<number>, o: BarsOptions): string {
  const n = values.length;
  const ML = 60, MR = 20, MT = o.caption ? 56 : 40, MB = 44;
  const pw = Math.min(1200, Math.max(360, n * 10)), ph = 260;
  let lo = 0, hi = 0;
  for (let i = 0; i < n; i++) { const v = values[i]!; if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
  if (hi === lo) hi = lo + 1;
  const ticks = niceTicks(lo, hi, 5);
  lo = Math.min(lo, ticks[0]!); hi = Math.max(hi, ticks[ticks.length - 1]!);
  const Y = (v: number) => MT + ((hi - v) / (hi - lo)) * ph;
  const bw = pw / n;
  const width = ML + pw + MR, height = MT + ph + MB;
  const out = [svgOpen(width, height)];
  out.push(`<text x="${ML}" y="22" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(fitText(o.title, width - ML - 10, 14, true))}</text>`);
  if (o.caption) out.push(`<text x="${ML}" y="39" font-size="10.5" fill="#57606a">${escapeXml(fitText(o.caption, width - ML - 10, 10.5))}</text>`);
  for (const t of ticks) {
    out.push(`<line x1="${ML}" x2="${ML + pw}" y1="${r2(Y(t))}" y2="${r2(Y(t))}" stroke="${t === 0 ? '#57606a' : '#eaeef2'}"/>`);
    out.push(`<text x="${ML - 6}" y="${r2(Y(t) + 3.5)}" font-size="10" text-anchor="end" fill="#57606a">${compactNumber(t)}</text>`);
  }
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const x = ML + i * bw;
    if (v === 0) { out.push(`<rect x="${r2(x)}" y="${r2(MT + ph + 2)}" width="${r2(Math.max(0.6, bw))}" height="3" fill="#cf222e"/>`); continue; }
    if (!Number.isFinite(v)) continue;
    const y0 = Y(Math.max(0, v)), y1 = Y(Math.min(0, v));
    out.push(`<rect x="${r2(x + (bw > 3 ? 0.5 : 0))}" y="${r2(y0)}" width="${r2(Math.max(0.6, bw > 3 ? bw - 1 : bw))}" height="${r2(Math.max(0.5, y1 - y0))}" fill="${v > 0 ? '#3569a8' : '#e07b39'}"/>`);
  }
  out.push(`<line x1="${ML}" x2="${ML + pw}" y1="${MT + ph}" y2="${MT + ph}" stroke="#57606a"/>`);
  for (const t of niceTicks(0, Math.max(1, n - 1), Math.min(10, n)).filter((t) => Number.isInteger(t) && t < n)) {
    const x = ML + (t + 0.5) * bw;
    out.push(`<line x1="${r2(x)}" x2="${r2(x)}" y1="${MT + ph + 5}" y2="${MT + ph + 9}" stroke="#57606a"/><text x="${r2(x)}" y="${MT + ph + 20}" font-size="10" text-anchor="middle" fill="#57606a">${t}</text>`);
  }
  out.push(`<text x="${r2(ML + pw / 2)}" y="${MT + ph + 36}" font-size="11" text-anchor="middle" fill="#1f2328">${escapeXml(o.unitName ?? 'unit')} (${n}); blue &gt; 0, orange &lt; 0, red tick: exactly 0</text>`);
  out.push('</svg>\n');
  return out.join('\n');
}

/**
 * A 3-D activation of one sample as a channels x positions heatmap.
 * @example sequenceHeatmapSvg(rows, 64, 100, 'lstm [1,100,64]')
 */
export function sequenceHeatmapSvg(values: ArrayLike<number>, channels: number, positions: number, title: string, caption?: string): string {
  return heatmapSvg(values, channels, positions, { title, caption, colormap: 'viridis', symmetric: false, yLabel: `channel (${channels})`, xLabel: `position (${positions})` });
}
