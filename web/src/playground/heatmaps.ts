/**
 * Everything drawn over the input plane: the network evaluated on a GRID x GRID lattice with one
 * batched forward pass (the WebAssembly kernel of src/playground/grid-wasm.ts, bit-identical to
 * src/playground/batch.ts, which is the fallback), then turned into pixels through colour lookup
 * tables into reused ImageData buffers. Nothing here allocates per frame.
 */
import { batchBuffers, forwardBatch, type BatchBuffers } from '../../../src/playground/batch.ts';
import { DOMAIN } from '../../../src/playground/datasets.ts';
import { fastExp, fastTanh } from '../../../src/playground/fastmath.ts';
import { featureColumns, type Feature } from '../../../src/playground/features.ts';
import { WasmGrid } from '../../../src/playground/grid-wasm.ts';
import type { Network } from '../../../src/playground/network.ts';
import { CLASS_LUTS, DIVERGING, LUT_SIZE, lutIndex } from './colors.ts';

/** Points per side of the output heatmap (TF Playground's density). */
export const GRID = 100;
/** Pixels per side of a neuron thumbnail: every (GRID / THUMB)-th grid point. */
export const THUMB = 50;

/** Plane coordinates of grid column c / row r (row 0 is the top, x2 = +DOMAIN). */
export const gridX1 = (c: number) => -DOMAIN + (2 * DOMAIN * (c + 0.5)) / GRID;
export const gridX2 = (r: number) => DOMAIN - (2 * DOMAIN * (r + 0.5)) / GRID;

/** What the output heatmap shows. */
export interface OutputKind {
  task: 'classification' | 'regression';
  classes: number;
  discretize: boolean;
}

/** A canvas with its reusable pixel buffer. */
interface Target {
  ctx: CanvasRenderingContext2D;
  image: ImageData;
  pixels: Uint32Array;
}

const targets = new WeakMap<HTMLCanvasElement, Target>();

/** The drawing target of a canvas, sized w x h (the canvas's backing store is set to that size once). */
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

/** The network evaluated over the plane. */
export class PlaneGrid {
  private wasm: WasmGrid | null = null;
  private js?: BatchBuffers;
  private net?: Network;

  /** Binds a network and its features (new buffers for a new network). */
  bind(net: Network, features: readonly Feature[]): void {
    if (this.net === net) return;
    const P = GRID * GRID;
    this.net = net;
    this.wasm = WasmGrid.create(net, P);
    this.js = this.wasm ? undefined : batchBuffers(net, P);
    const xs1 = new Float64Array(P);
    const xs2 = new Float64Array(P);
    for (let r = 0; r < GRID; r++) for (let c = 0; c < GRID; c++) { xs1[r * GRID + c] = gridX1(c); xs2[r * GRID + c] = gridX2(r); }
    this.layers()![0].set(featureColumns(features, xs1, xs2));
  }

  /** Activations per layer over the grid (feature-major), wherever they live. */
  private layers(): Float64Array[] | undefined {
    return this.wasm ? this.wasm.a : this.js?.a;
  }

  /** True when the sums run in WebAssembly (shown in the performance readout). */
  get usesWasm(): boolean {
    return this.wasm !== null;
  }

  /** Runs the forward pass over all grid points with the network's current weights. */
  compute(): void {
    if (this.wasm) this.wasm.forward();
    else if (this.net && this.js) forwardBatch(this.net, this.js);
  }

  /**
   * Draws neuron `u` of layer `l` (1 = first hidden layer) as a THUMB x THUMB heatmap: hidden
   * activations clipped to [-1, 1] as in TF Playground, output neurons as class probability (or
   * the regression value).
   */
  drawNeuron(canvas: HTMLCanvasElement, l: number, u: number, out: OutputKind): void {
    const net = this.net;
    const a = this.layers();
    if (!net || !a || l < 1 || l > net.depth || u >= net.sizes[l]) return;
    const t = target(canvas, THUMB, THUMB);
    const P = GRID * GRID;
    const step = GRID / THUMB;
    const row = a[l];
    const px = t.pixels;
    if (l === net.depth && out.task === 'classification') {
      const k = net.sizes[l];
      const lut = CLASS_LUTS[u % CLASS_LUTS.length];
      for (let r = 0; r < THUMB; r++) {
        for (let c = 0; c < THUMB; c++) {
          const q = r * step * GRID + c * step;
          px[r * THUMB + c] = lut[Math.round(probability(row, P, q, k, u) * (LUT_SIZE - 1))];
        }
      }
    } else {
      const off = u * P;
      for (let r = 0; r < THUMB; r++) {
        for (let c = 0; c < THUMB; c++) px[r * THUMB + c] = DIVERGING[lutIndex(row[off + r * step * GRID + c * step])];
      }
    }
    t.ctx.putImageData(t.image, 0, 0);
  }

  /**
   * Draws the decision surface at full GRID x GRID: for two classes p(class 1) - p(class 0) on
   * the orange-blue scale; for more, the most likely class's colour, paler where the network is
   * less sure; for regression the output value.
   */
  drawOutput(canvas: HTMLCanvasElement, out: OutputKind): void {
    const net = this.net;
    const a = this.layers();
    if (!net || !a) return;
    const t = target(canvas, GRID, GRID);
    const P = GRID * GRID;
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
        const v = fastTanh((logits[P + q] - logits[q]) / 2);
        px[q] = DIVERGING[lutIndex(out.discretize ? Math.sign(v) : v)];
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
      const v = feature.f(gridX1(c * (GRID / THUMB)), gridX2(r * (GRID / THUMB)));
      vals[r * THUMB + c] = v;
      m = Math.max(m, Math.abs(v));
    }
  }
  for (let q = 0; q < vals.length; q++) t.pixels[q] = DIVERGING[lutIndex(vals[q] / (m || 1))];
  t.ctx.putImageData(t.image, 0, 0);
}

/** Softmax probability of class u at grid point q, logits feature-major with stride P. */
function probability(logits: Float64Array, P: number, q: number, k: number, u: number): number {
  let m = -Infinity;
  for (let j = 0; j < k; j++) if (logits[j * P + q] > m) m = logits[j * P + q];
  let s = 0;
  for (let j = 0; j < k; j++) s += fastExp(logits[j * P + q] - m);
  return fastExp(logits[u * P + q] - m) / s;
}
