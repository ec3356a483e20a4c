/**
 * Everything drawn over the input plane: the network evaluated on an n x n lattice of the plane
 * with one batched forward pass (the float32 WebAssembly kernel of src/playground/grid-wasm.ts,
 * or src/playground/batch.ts where WebAssembly SIMD is missing), then turned into pixels
 * through colour lookup tables into reused ImageData buffers. Nothing here allocates per frame.
 *
 * n is TF Playground's 100 for networks up to its largest (6 x 8 with 7 features: 3.9 million
 * multiply-adds per frame) and drops to 48 or 24 for the bigger networks this playground also
 * allows (10 x 32 is 95 million at n = 100), so they stay interactive; see {@link gridSide}.
 * (Sides whose square is a multiple of 16, the kernel's points per pass.)
 */
import { batchBuffers, forwardBatch, type BatchBuffers } from '../../../src/playground/batch.ts';
import { DOMAIN } from '../../../src/playground/datasets.ts';
import { featureColumns, type Feature } from '../../../src/playground/features.ts';
import { WasmGrid } from '../../../src/playground/grid-wasm.ts';
import type { Network } from '../../../src/playground/network.ts';
import { CLASS_LUTS, DIVERGING, LUT_SIZE, lutIndex } from './colors.ts';

/** (LUT_SIZE - 1) / 2: maps [-1, 1] onto LUT indices. */
const HALF_LUT = (LUT_SIZE - 1) / 2;

/** Points per side of the output heatmap for networks up to TF Playground's largest. */
export const GRID = 100;
/** Pixels per side of an input-feature thumbnail. */
export const THUMB = 50;
/** Most multiply-adds per frame spent on the grid before its resolution is halved. */
export const GRID_BUDGET = 6e6;

/** Plane coordinate of column c (row r) of an n x n grid; row 0 is the top, x2 = +DOMAIN. */
export const gridX1 = (c: number, n = GRID) => -DOMAIN + (2 * DOMAIN * (c + 0.5)) / n;
export const gridX2 = (r: number, n = GRID) => DOMAIN - (2 * DOMAIN * (r + 0.5)) / n;

/**
 * Grid side for a network: 100, or 48 / 24 when the multiply-adds per point times n^2 would
 * exceed {@link GRID_BUDGET}.
 */
export function gridSide(net: Network): number {
  const macs = net.layers.reduce((s, L) => s + L.nIn * L.nOut, 0);
  for (const n of [GRID, 48]) if (macs * n * n <= GRID_BUDGET) return n;
  return 24;
}

/** What the output heatmaps show. */
export interface OutputKind {
  task: 'classification' | 'regression';
  classes: number;
  discretize: boolean;
}

/** One neuron square on the network canvas, in CSS pixels. */
export interface NeuronBox {
  layer: number;
  unit: number;
  x: number;
  y: number;
}

/** A canvas with its reusable pixel buffer. */
interface Target {
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  pixels: Uint32Array;
}

const targets = new WeakMap<HTMLCanvasElement, Target>();

/** The drawing target of a canvas, sized w x h device pixels (set once, reused every frame). */
function target(canvas: HTMLCanvasElement, w: number, h: number): Target {
  let t = targets.get(canvas);
  if (!t || t.image.width !== w || t.image.height !== h) {
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('this browser gives no 2D canvas context');
    const image = ctx.createImageData(w, h);
    t = { ctx, image, pixels: new Uint32Array(image.data.buffer) };
    targets.set(canvas, t);
  }
  return t;
}

/** Clears a canvas drawn by this module (before a new layout draws different squares). */
export function clearCanvas(canvas: HTMLCanvasElement): void {
  const t = targets.get(canvas);
  if (t) t.pixels.fill(0);
  canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
}

/** The network evaluated over the plane. */
export class PlaneGrid {
  /** Points per side. */
  n = GRID;
  /** Scratch canvas whose ImageData holds one neuron square. */
  private readonly square = typeof document === 'undefined' ? ({} as HTMLCanvasElement) : document.createElement('canvas');
  private sampleIdx = new Int32Array(0);
  private sampleN = 0;
  private wasm: WasmGrid | null = null;
  private js?: BatchBuffers;
  private net?: Network;

  /** Binds a network and its features (new buffers for a new network). */
  bind(net: Network, features: readonly Feature[]): void {
    if (this.net === net) return;
    const n = gridSide(net);
    const P = n * n;
    this.n = n;
    this.net = net;
    this.wasm = WasmGrid.create(net, P);
    this.js = this.wasm ? undefined : batchBuffers(net, P);
    const xs1 = new Float64Array(P);
    const xs2 = new Float64Array(P);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) { xs1[r * n + c] = gridX1(c, n); xs2[r * n + c] = gridX2(r, n); }
    this.layers()![0].set(featureColumns(features, xs1, xs2));
  }

  /** Activations per layer over the grid (feature-major), wherever they live. */
  private layers(): (Float32Array | Float64Array)[] | undefined {
    return this.wasm ? this.wasm.a : this.js?.a;
  }

  /** Runs the forward pass over all grid points with the network's current weights. */
  compute(): void {
    if (this.wasm) this.wasm.forward();
    else if (this.net && this.js) forwardBatch(this.net, this.js);
  }

  /**
   * Puts every neuron's heatmap square into the diagram canvas (over the links drawn there).
   * Hidden activations are clipped to [-1, 1] as in TF Playground;
   * output neurons show their class probability (or the regression value).
   * @param size side of a neuron square in CSS pixels
   */
  drawNeurons(canvas: HTMLCanvasElement, boxes: readonly NeuronBox[], size: number, cssW: number, cssH: number, out: OutputKind): void {
    const net = this.net;
    const a = this.layers();
    if (!net || !a) return;
    const dpr = globalThis.devicePixelRatio || 1;
    const W = Math.round(cssW * dpr);
    const H = Math.round(cssH * dpr);
    if (canvas.width !== W || canvas.height !== H) { canvas.width = W; canvas.height = H; }
    const S = Math.max(1, Math.round(size * dpr));
    // One square-sized buffer reused for every neuron: putImageData converts its whole ImageData
    // argument even when given a dirty rectangle, so a canvas-sized one would cost 50x more.
    const t = target(this.square, S, S);
    const ctx = canvas.getContext('2d')!;
    const n = this.n;
    const P = n * n;
    const px = t.pixels;
    // Grid index of each pixel row / column of a square (nearest sample).
    if (this.sampleIdx.length !== S || this.sampleN !== n) {
      this.sampleIdx = Int32Array.from({ length: S }, (_, i) => Math.min(n - 1, Math.floor(((i + 0.5) * n) / S)));
      this.sampleN = n;
    }
    const idx = this.sampleIdx;
    for (const b of boxes) {
      const { layer: l, unit: u } = b;
      if (l < 1 || l > net.depth || u >= net.sizes[l]) continue;
      const row = a[l];
      if (l === net.depth && out.task === 'classification') {
        const k = net.sizes[l];
        const lut = CLASS_LUTS[u % CLASS_LUTS.length];
        for (let j = 0; j < S; j++) {
          const rq = idx[j] * n;
          for (let i = 0; i < S; i++) px[j * S + i] = lut[Math.round(probability(row, P, rq + idx[i], k, u) * (LUT_SIZE - 1))];
        }
      } else {
        const off = u * P;
        for (let j = 0; j < S; j++) {
          const rq = off + idx[j] * n;
          for (let i = 0; i < S; i++) {
            // lutIndex(v) inlined: this loop runs for every pixel of every neuron each frame.
            const v = row[rq + idx[i]];
            px[j * S + i] = DIVERGING[v <= -1 ? 0 : v >= 1 ? LUT_SIZE - 1 : ((v + 1) * HALF_LUT + 0.5) | 0];
          }
        }
      }
      ctx.putImageData(t.image, Math.round(b.x * dpr), Math.round(b.y * dpr));
    }
  }

  /**
   * Draws the decision surface, one pixel per grid point: for two classes p(class 1) - p(class 0)
   * on the orange-blue scale; for more, the most likely class's colour, paler where the network is
   * less sure; for regression the output value.
   */
  drawOutput(canvas: HTMLCanvasElement, out: OutputKind): void {
    const net = this.net;
    const a = this.layers();
    if (!net || !a) return;
    const n = this.n;
    const t = target(canvas, n, n);
    const P = n * n;
    const logits = a[net.depth];
    const k = net.sizes[net.depth];
    const px = t.pixels;
    if (out.task === 'regression') {
      for (let q = 0; q < P; q++) {
        const v = logits[q];
        px[q] = DIVERGING[lutIndex(out.discretize ? Math.sign(v) : v)];
      }
    } else if (k === 2) {
      for (let q = 0; q < P; q++) {
        // p1 - p0 = tanh((z1 - z0) / 2) for a 2-way softmax.
        const v = Math.tanh((logits[P + q] - logits[q]) / 2);
        px[q] = DIVERGING[out.discretize ? (v < 0 ? 0 : v > 0 ? LUT_SIZE - 1 : LUT_SIZE >> 1) : ((v + 1) * HALF_LUT + 0.5) | 0];
      }
    } else {
      for (let q = 0; q < P; q++) {
        let best = 0;
        for (let j = 1; j < k; j++) if (logits[j * P + q] > logits[best * P + q]) best = j;
        const p = probability(logits, P, q, k, best);
        const conf = out.discretize ? 0.75 : Math.max(0, (p - 1 / k) / (1 - 1 / k));
        px[q] = CLASS_LUTS[best % CLASS_LUTS.length][Math.round(conf * (LUT_SIZE - 1))];
      }
    }
    t.ctx.putImageData(t.image, 0, 0);
  }
}

/**
 * Draws an input feature over the plane (it does not depend on the weights, so it is drawn once),
 * scaled by its largest |value| on the plane: x1 runs orange to blue left to right, x1^2 is blue
 * at both sides, and so on. (TF Playground clips raw values to [-1, 1], which shows x1 as two
 * flat halves.)
 */
export function drawFeature(canvas: HTMLCanvasElement, feature: Feature): void {
  const t = target(canvas, THUMB, THUMB);
  const vals = new Float64Array(THUMB * THUMB);
  let m = 0;
  for (let r = 0; r < THUMB; r++) {
    for (let c = 0; c < THUMB; c++) {
      const v = feature.f(gridX1(c, THUMB), gridX2(r, THUMB));
      vals[r * THUMB + c] = v;
      m = Math.max(m, Math.abs(v));
    }
  }
  for (let q = 0; q < vals.length; q++) t.pixels[q] = DIVERGING[lutIndex(vals[q] / (m || 1))];
  t.ctx.putImageData(t.image, 0, 0);
}

/** Softmax probability of class u at grid point q, logits feature-major with stride P. */
function probability(logits: Float32Array | Float64Array, P: number, q: number, k: number, u: number): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (logits[j * P + q] > m) m = logits[j * P + q];
  let s = 0;
  for (let j = 0; j < k; j++) s += Math.exp(logits[j * P + q] - m);
  return Math.exp(logits[u * P + q] - m) / s;
}
