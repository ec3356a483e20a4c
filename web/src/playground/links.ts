/**
 * The links of the network diagram on one canvas: geometry computed once per layout, strokes
 * batched by quantized colour and width (one path per style, so a frame costs a few dozen stroke
 * calls rather than one per link), and hit-testing for the hover tooltip done arithmetically.
 *
 * A link of width w is drawn as w one-pixel curves stacked vertically, not as one wide stroke:
 * Chromium's software rasterizer (Skia, no GPU) draws 1 px curves on a fast hairline path, while
 * outlining wide curves costs about 40 us each (measured: 448 curves of width 0.5 to 3 px,
 * 18 ms per frame as wide strokes, 3 ms as stacked hairlines batched by style). An SVG with
 * one element per link was slower still: it re-rasterizes the whole layer whenever any link
 * changes (14 ms per frame at 6 x 8), and a 10 x 32 network has 9,500 links.
 */
import type { Network } from '../../../src/playground/network.ts';
import { DIVERGING, LUT_SIZE, lutIndex } from './colors.ts';
import { hiDpi } from './draw.ts';
import type { NodeBox } from './layout.ts';

/** Colour levels, and widths (1..WIDTHS px), links are quantized to. */
const COLORS = 33;
const WIDTHS = 10;

/** All links of a network laid out on the diagram. */
export class LinkLayer {
  readonly count: number;
  /** Network layer (1..depth), target neuron, source neuron, and weight index in params, per link. */
  readonly layer: Int32Array;
  readonly to: Int32Array;
  readonly from: Int32Array;
  readonly param: Int32Array;
  private readonly x1: Float32Array;
  private readonly y1: Float32Array;
  private readonly x2: Float32Array;
  private readonly y2: Float32Array;
  private readonly style: Int32Array;
  private readonly order: Int32Array;
  private readonly counts = new Int32Array(COLORS * WIDTHS + 1);
  /** False until the first draw; styles equal to the last draw's skip redrawing. */
  private drawn = false;
  private readonly start = new Int32Array(COLORS * WIDTHS + 1);
  private readonly cssColor: string[];

  /**
   * @param columns boxes per network layer: columns[0] the inputs actually used, then each layer's neurons
   * @param size side of a neuron square
   */
  constructor(net: Network, columns: readonly (readonly NodeBox[])[], size: number) {
    let count = 0;
    for (const L of net.layers) count += L.nIn * L.nOut;
    this.count = count;
    this.layer = new Int32Array(count);
    this.to = new Int32Array(count);
    this.from = new Int32Array(count);
    this.param = new Int32Array(count);
    this.x1 = new Float32Array(count);
    this.y1 = new Float32Array(count);
    this.x2 = new Float32Array(count);
    this.y2 = new Float32Array(count);
    this.style = new Int32Array(count);
    this.order = new Int32Array(count);
    let k = 0;
    net.layers.forEach((L, li) => {
      for (let o = 0; o < L.nOut; o++) {
        for (let i = 0; i < L.nIn; i++) {
          const a = columns[li][i];
          const b = columns[li + 1][o];
          this.layer[k] = li + 1;
          this.to[k] = o;
          this.from[k] = i;
          this.param[k] = L.w + o * L.nIn + i;
          this.x1[k] = a.x + size;
          this.y1[k] = a.y + size / 2;
          this.x2[k] = b.x;
          this.y2[k] = b.y + size / 2;
          k++;
        }
      }
    });
    this.cssColor = Array.from({ length: COLORS }, (_, c) => {
      const v = DIVERGING[Math.round((c / (COLORS - 1)) * (LUT_SIZE - 1))];
      return `rgb(${v & 255},${(v >>> 8) & 255},${(v >>> 16) & 255})`;
    });
  }

  /**
   * Draws every link: colour from `color(k)` in [-1, 1] (orange..blue), width in px from `width(k)`
   * (rounded to 1..10). Links are drawn thin first so thick (important) links stay on top.
   * Returns false, drawing nothing, when no link's quantized colour or width changed since the
   * last draw (unless `force`: the canvas was cleared).
   */
  draw(canvas: HTMLCanvasElement, cssW: number, cssH: number, color: (k: number) => number, width: (k: number) => number, force = false): boolean {
    const n = this.count;
    const counts = this.counts;
    counts.fill(0);
    let changed = force || !this.drawn;
    for (let k = 0; k < n; k++) {
      const c = Math.round((lutIndex(color(k)) / (LUT_SIZE - 1)) * (COLORS - 1));
      const w = Math.max(0, Math.min(WIDTHS - 1, Math.round(width(k)) - 1));
      const s = w * COLORS + c;
      if (this.style[k] !== s) changed = true;
      this.style[k] = s;
      counts[s + 1]++;
    }
    // Quantized styles as last time: the strokes on the canvas are already right. Late in
    // training most frames are like this, and then only the heatmap squares are redrawn.
    if (!changed) return false;
    this.drawn = true;
    const ctx = hiDpi(canvas, cssW, cssH);
    // Counting sort by style (width-major, so thin links come first).
    for (let s = 1; s < counts.length; s++) counts[s] += counts[s - 1];
    const start = this.start;
    start.set(counts);
    for (let k = 0; k < n; k++) this.order[start[this.style[k]]++] = k;
    ctx.lineWidth = 1;
    // Past a few thousand links, thickness is not readable anyway: one hairline each halves the cost.
    const thin = n > 3000;
    for (let s = 0; s < COLORS * WIDTHS; s++) {
      const from = counts[s];
      const to = counts[s + 1];
      if (from === to) continue;
      const lines = thin ? 1 : Math.floor(s / COLORS) + 1;
      ctx.beginPath();
      for (let j = from; j < to; j++) {
        const k = this.order[j];
        const x1 = this.x1[k], x2 = this.x2[k];
        const d = (x2 - x1) / 2;
        for (let h = 0; h < lines; h++) {
          const off = h - (lines - 1) / 2;
          const y1 = this.y1[k] + off, y2 = this.y2[k] + off;
          ctx.moveTo(x1, y1);
          ctx.bezierCurveTo(x1 + d, y1, x2 - d, y2, x2, y2);
        }
      }
      ctx.strokeStyle = this.cssColor[s % COLORS];
      ctx.stroke();
    }
    return true;
  }

  /**
   * The link under (mx, my), or -1. The curve from (x1, y1) to (x2, y2) with control points at
   * half the horizontal gap has x(t) = x1 + dx (1.5 t - 1.5 t^2 + t^3), increasing in t, and
   * y(t) = y1 + dy (3 t^2 - 2 t^3); t is found from mx by bisection.
   */
  hit(mx: number, my: number, tolerance = 4): number {
    let best = -1;
    let bestD = tolerance;
    for (let k = 0; k < this.count; k++) {
      const x1 = this.x1[k], x2 = this.x2[k];
      if (mx < x1 || mx > x2) continue;
      let lo = 0, hi = 1;
      const dx = x2 - x1;
      for (let it = 0; it < 20; it++) {
        const t = (lo + hi) / 2;
        if (x1 + dx * (1.5 * t - 1.5 * t * t + t * t * t) < mx) lo = t; else hi = t;
      }
      const t = (lo + hi) / 2;
      const y = this.y1[k] + (this.y2[k] - this.y1[k]) * (3 * t * t - 2 * t * t * t);
      const d = Math.abs(y - my);
      if (d < bestD) { bestD = d; best = k; }
    }
    return best;
  }
}
