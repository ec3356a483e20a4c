/**
 * Sanity check of an attribution method by cascading model-parameter randomization (Adebayo et al.
 * 2018, "Sanity Checks for Saliency Maps", arXiv:1810.03292, Sec. 3.1): the weights of the model's
 * layers are re-initialized one layer at a time, from the top (output) layer down, cumulatively;
 * after each layer the map is computed again and compared with the original map by Spearman rank
 * correlation (of absolute values for input-space maps, as the paper's Fig. 2 does; CAM maps are
 * non-negative already). A method whose map stays the same while the model's parameters are
 * destroyed explains the input, not the model: it fails the check.
 *
 * "Re-initialize" follows the paper: each layer's weight tensors (rank >= 2: kernels and dense
 * matrices) are replaced by seeded Gaussian values with the tensor's own standard deviation, so
 * activations keep their scale; biases and normalization statistics stay (a random running
 * variance could be negative). The randomized model is a clone: ONNX initializers are replaced in a
 * cloned value map, Keras layer weights on cloned nodes (which the Keras lowering reads).
 */
import { NnlensError } from '../errors.ts';
import type { Model, Node, Param, ValueInfo } from '../graph/ir.ts';
import { Tensor } from '../graph/tensor.ts';
import { Engine } from '../engine/engine.ts';
import type { Attribution, AttributionResult, ExplainContext } from './method.ts';
import { Random } from '../data/random.ts';

/** One row of the report: the layers randomized so far (this one and all above it). */
export interface SanityRow {
  /** The layer randomized at this step. */
  layer: string;
  op: string;
  /** Weights re-initialized in this layer. */
  params: number;
  /** Spearman rank correlation with the original map (mean over items). */
  spearman: number;
}

/** The result of the cascading randomization test. */
export interface SanityReport {
  method: string;
  rows: SanityRow[];
  /** Correlation below which the map counts as changed. */
  threshold: number;
  passes: boolean;
  verdict: string;
}

/** Options of {@link cascadingRandomization}. */
export interface SanityOptions {
  /** Seed of the re-initialization (default 0). */
  seed?: number;
  /** Pass threshold on the final correlation (default 0.5). */
  threshold?: number;
  /** Called after each layer (progress). */
  onRow?: (row: SanityRow, step: number, total: number) => void;
}

/**
 * Spearman rank correlation: Pearson correlation of the ranks, ties given their average rank.
 * NaN when either side is constant.
 * @example spearman([1, 2, 3], [10, 20, 15]) === 0.5
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`spearman: ${a.length} vs ${b.length} values`);
  const ra = ranks(a), rb = ranks(b);
  const n = ra.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += ra[i]!; mb += rb[i]!; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = ra[i]! - ma, y = rb[i]! - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/** Ranks 1..n with ties averaged. */
function ranks(v: ArrayLike<number>): Float64Array {
  const n = v.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
  const r = new Float64Array(n);
  for (let s = 0; s < n;) {
    let e = s;
    while (e + 1 < n && v[idx[e + 1]!] === v[idx[s]!]) e++;
    const avg = (s + e) / 2 + 1;
    for (let k = s; k <= e; k++) r[idx[k]!] = avg;
    s = e + 1;
  }
  return r;
}

/** Whether a param is a weight the test re-initializes (a float32 kernel or matrix). */
function isWeight(p: Param): boolean {
  return p.tensor.dtype === 'float32' && p.tensor.shape.length >= 2 && p.tensor.size > 1;
}

/**
 * The layers with weights, from the output down (the order of the cascade).
 * @example parametricLayers(model).map((n) => n.name) // ['fc', 'layer4.1.conv2', ...]
 */
export function parametricLayers(model: Model): Node[] {
  return model.graph.nodes.filter((n) => n.params.some(isWeight)).reverse();
}

/**
 * A clone of `model` whose `layers` have re-initialized weights: N(0, std(w)^2), seeded per layer.
 * The original model is not touched.
 * @example const random = randomizeLayers(model, parametricLayers(model).slice(0, 2), 0)
 */
export function randomizeLayers(model: Model, layers: Node[], seed = 0): Model {
  const names = new Set(layers.map((n) => n.name));
  const replaced = new Map<string, Tensor>();
  const order = parametricLayers(model).map((n) => n.name);
  const nodes = model.graph.nodes.map((n) => {
    if (!names.has(n.name)) return n;
    const layerSeed = seed * 7919 + order.indexOf(n.name) + 1;
    const params = n.params.map((p, k) => {
      if (!isWeight(p)) return p;
      const t = replaced.get(p.name) ?? reinit(p.tensor, layerSeed * 31 + k);
      replaced.set(p.name, t);
      return { ...p, tensor: t };
    });
    return { ...n, params };
  });
  const values = new Map<string, ValueInfo>();
  for (const [k, v] of model.graph.values) values.set(k, replaced.has(k) && v.initializer ? { ...v, initializer: replaced.get(k) } : v);
  return { ...model, graph: { ...model.graph, nodes, values } };
}

function reinit(t: Tensor, seed: number): Tensor {
  const w = t.float32();
  let mean = 0;
  for (const v of w) mean += v;
  mean /= w.length;
  let varSum = 0;
  for (const v of w) varSum += (v - mean) ** 2;
  const std = Math.sqrt(varSum / w.length) || 1e-2;
  const rng = new Random(seed);
  return Tensor.of('float32', t.shape, Float32Array.from(w, () => std * rng.normal()));
}

/** The values compared: |attribution| for input-space maps, the map itself for CAM maps. */
function comparable(r: AttributionResult): Float32Array {
  return r.space === 'input' ? r.map.data.map(Math.abs) : r.map.data;
}

function meanCorrelation(a: AttributionResult, b: AttributionResult): number {
  const N = a.map.shape[0]!, per = a.map.data.length / N;
  const ca = comparable(a), cb = comparable(b);
  let s = 0;
  for (let n = 0; n < N; n++) {
    const r = spearman(ca.subarray(n * per, (n + 1) * per), cb.subarray(n * per, (n + 1) * per));
    // A map that became constant (all zero after the ReLU, say) no longer ranks anything like the original.
    s += Number.isNaN(r) ? 0 : r;
  }
  return s / N;
}

/**
 * Runs the cascade: the original map from `ctx.engine`, then one rebuilt engine per randomized
 * layer. `ctx` keeps its input, target and layer; only the model changes.
 * @throws NnlensError when the model has no weights or the original map is constant
 * @example const report = await cascadingRandomization(ctx, createMethod('gradcam'), {})
 */
export async function cascadingRandomization(ctx: ExplainContext, method: Attribution<object>, options: object, o: SanityOptions = {}): Promise<SanityReport> {
  const model = ctx.engine.model;
  const layers = parametricLayers(model);
  if (layers.length === 0) throw new NnlensError(model.path, 'the model has no weight tensors to randomize');
  const original = await method.attribute(ctx, options);
  const flat = comparable(original);
  if (flat.every((v) => v === flat[0])) {
    throw new NnlensError(model.path, `the original ${method.name} map is constant (${flat[0]}), so randomization cannot change its ranking; pick another layer, target or input`);
  }
  const threshold = o.threshold ?? 0.5;
  const rows: SanityRow[] = [];
  for (let k = 0; k < layers.length; k++) {
    const randomized = randomizeLayers(model, layers.slice(0, k + 1), o.seed ?? 0);
    const engine = Engine.fromModel(randomized);
    try {
      const r = await method.attribute({ ...ctx, engine }, options);
      const layer = layers[k]!;
      const row = { layer: layer.name, op: layer.op, params: layer.params.filter(isWeight).reduce((s, p) => s + p.tensor.size, 0), spearman: meanCorrelation(original, r) };
      rows.push(row);
      o.onRow?.(row, k + 1, layers.length);
    } finally {
      await engine.dispose();
    }
  }
  const last = rows[rows.length - 1]!.spearman;
  const passes = Math.abs(last) < threshold;
  const verdict = passes
    ? `passes: the rank correlation with the original map fell to ${last.toFixed(3)} (below ${threshold}) once all ${rows.length} layers were randomized`
    : `FAILS: the map does not depend on the model's parameters (rank correlation still ${last.toFixed(3)} after randomizing all ${rows.length} layers; threshold ${threshold})`;
  return { method: method.name, rows, threshold, passes, verdict };
}
