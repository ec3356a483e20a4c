/**
 * Deletion and insertion metrics (Petsiuk et al. 2018, RISE, arXiv:1806.07421, Sec. 4.1): how fast
 * the target's probability falls when the most salient pixels are removed first (deletion: lower
 * area under the curve is better), and how fast it rises when they are inserted first into a
 * picture that lacks them (insertion: higher is better). As in the paper's code, removed pixels
 * become 0 and insertion starts from a blurred copy of the input; tables (where blurring means
 * nothing) insert into a row of zeros. Each curve has `steps` + 1 points (0 to 100% of the units),
 * every variant of every item runs batched through {@link scoreVariants}, and the area is the
 * trapezoid rule over the fraction of units changed.
 */
import { makeBaseline } from './gradient/baselines.ts';
import type { ExplainContext } from './method.ts';
import { scoreVariants } from './scores.ts';

/** How a target score becomes the probability the curves plot. */
export type ProbabilityOf = 'softmax' | 'sigmoid' | 'none';

/** The units pixels or features are removed by: each unit covers some elements of one item. */
export interface Units {
  count: number;
  /** Calls `f` with the flat element index (within one item) of every element of unit `u`. */
  forEach(u: number, f: (flat: number) => void): void;
}

/**
 * Pixels of a C x H x W image: removing a pixel removes all its channels.
 * @example pixelUnits(3, 224, 224, 'NCHW').count === 50176
 */
export function pixelUnits(C: number, H: number, W: number, layout: 'NCHW' | 'NHWC'): Units {
  const hw = H * W;
  return {
    count: hw,
    forEach: layout === 'NCHW'
      ? (u, f) => { for (let c = 0; c < C; c++) f(c * hw + u); }
      : (u, f) => { for (let c = 0; c < C; c++) f(u * C + c); },
  };
}

/** One unit per input element (table features). */
export function featureUnits(F: number): Units {
  return { count: F, forEach: (u, f) => f(u) };
}

/** Deletion and insertion curves and their areas, per item. */
export interface CausalCurves {
  steps: number;
  deletion: Float32Array[];
  insertion: Float32Array[];
  deletionAuc: number[];
  insertionAuc: number[];
}

/** Options of {@link deletionInsertion}. */
export interface CurveOptions {
  /** Number of removal steps (default 25: the paper's curves use a few dozen). */
  steps?: number;
  /** Probability from the target score (default: the score as it is). */
  probability?: ProbabilityOf;
}

/**
 * Unit order by decreasing saliency (ties: lower index first).
 * @example removalOrder(Float32Array.of(0.1, 0.9, 0.5)) // [1, 2, 0]
 */
export function removalOrder(saliency: Float32Array): Uint32Array {
  const idx = Uint32Array.from({ length: saliency.length }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(saliency[i]!) ? -Infinity : saliency[i]!);
  return idx.sort((a, b) => key(b) - key(a) || a - b);
}

/**
 * Area under a curve sampled at equal steps over [0, 1], by the trapezoid rule (RISE's `auc`).
 * @example auc([1, 0.5, 0]) === 0.5
 */
export function auc(curve: ArrayLike<number>): number {
  const n = curve.length;
  if (n < 2) return n === 1 ? curve[0]! : 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += curve[i]!;
  return (s - (curve[0]! + curve[n - 1]!) / 2) / (n - 1);
}

/**
 * Deletion and insertion curves of every item of `ctx.x`, removing `units` in order of decreasing
 * `saliency[item][unit]`.
 * @example const m = await deletionInsertion(ctx, [heatmap], pixelUnits(3, 224, 224, 'NCHW'), { probability: 'softmax' })
 */
export async function deletionInsertion(ctx: ExplainContext, saliency: Float32Array[], units: Units, o: CurveOptions = {}): Promise<CausalCurves> {
  const N = ctx.x.shape[0]!, per = ctx.x.data.length / N;
  const steps = Math.max(1, Math.min(o.steps ?? 25, units.count));
  saliency.forEach((s, n) => { if (s.length !== units.count) throw new Error(`item ${n}: ${s.length} saliency values for ${units.count} units`); });
  const orders = saliency.map(removalOrder);
  const blurred = ctx.x.shape.length === 4 ? makeBaseline(ctx, 'blur') : new Float32Array(ctx.x.data.length);
  const P = steps + 1;
  // Units changed after step k: round(k * count / steps), so the last step changes all of them.
  const changed = (k: number): number => Math.round((k * units.count) / steps);
  const probCtx: ExplainContext = o.probability === 'softmax' ? { ...ctx, target: { kind: 'probability', ...(ctx.target.tensor ? { tensor: ctx.target.tensor } : {}) } } : ctx;
  const curves = async (mode: 'deletion' | 'insertion'): Promise<Float32Array[]> => {
    const scores = await scoreVariants(probCtx, N * P, (i, dst) => {
      const n = Math.floor(i / P), k = i % P;
      const x = ctx.x.data.subarray(n * per, (n + 1) * per);
      const start = mode === 'deletion' ? x : blurred.subarray(n * per, (n + 1) * per);
      const put = mode === 'deletion' ? null : x;
      dst.set(start);
      const order = orders[n]!;
      for (let j = 0, m = changed(k); j < m; j++) units.forEach(order[j]!, (flat) => { dst[flat] = put ? put[flat]! : 0; });
    }, (i) => Math.floor(i / P));
    const sig = o.probability === 'sigmoid';
    return Array.from({ length: N }, (_, n) => Float32Array.from(scores.subarray(n * P, (n + 1) * P), (v) => (sig ? 1 / (1 + Math.exp(-v)) : v)));
  };
  const deletion = await curves('deletion');
  const insertion = await curves('insertion');
  return { steps, deletion, insertion, deletionAuc: deletion.map(auc), insertionAuc: insertion.map(auc) };
}
