/**
 * The input block of the tabular models: the raw row (dollars, kilometres, counts, as written in a
 * CSV) becomes standardized features inside the ONNX graph itself, so the saved model takes rows as
 * they are and `nnlens run model.onnx --input row.csv` needs no preprocessing flags.
 *
 * Heavy-tailed features (amounts, distances, ratios, counts) are first compressed with
 * log(1 + max(x, 0)): the fraud thresholds ($400, 100 km, 5x the usual amount) sit far in their
 * tails, where a plain z-score would squeeze the bulk of the rows into a sliver near zero.
 */
import type { NetBuilder } from './net.ts';

/** Per-feature scaling fitted on the training rows. */
export interface TabularScaling {
  /** 1 where the feature is log-compressed first. */
  logMask: Float32Array;
  /** What is subtracted (after the log compression): the mean, or a typical row. */
  mean: Float32Array;
  std: Float32Array;
}

/**
 * The transformed value of one feature (what the graph computes before standardizing).
 * @example transformFeature(999, true) // log(1000)
 */
export function transformFeature(v: number, log: boolean): number {
  return log ? Math.log1p(Math.max(v, 0)) : v;
}

/**
 * Fits the scaling on row-major rows `x` [n, F]: standard deviation of each feature after the log
 * compression of the features in `logFeatures`, and as centre either the (transformed) `centre`
 * row or the mean. Centring on a typical row (e.g. `referenceRow`, the median legitimate
 * transaction) makes z = 0 mean "as usual", so that only unusual features carry signal.
 * @example fitScaling(train.x, train.n, FEATURE_NAMES, ['amount', 'distance_from_home_km'], referenceRow(train))
 */
export function fitScaling(x: Float32Array, n: number, names: readonly string[], logFeatures: readonly string[], centre?: ArrayLike<number>): TabularScaling {
  const F = names.length;
  const logMask = Float32Array.from(names, (f) => (logFeatures.includes(f) ? 1 : 0));
  const mean = new Float32Array(F), std = new Float32Array(F);
  for (let j = 0; j < F; j++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = transformFeature(x[i * F + j]!, logMask[j] === 1); s += v; s2 += v * v; }
    const m = s / n;
    mean[j] = centre ? transformFeature(centre[j]!, logMask[j] === 1) : m;
    std[j] = Math.sqrt(Math.max(0, s2 / n - m * m)) || 1; // a constant column stays as it is
  }
  return { logMask, mean, std };
}

/**
 * Appends the scaling to the graph under module `scope`: z = (mask * log(1 + max(x, 0)) + (1 - mask) * x - mean) / std.
 * Every op has a gradient rule, so attributions flow back to the raw row.
 */
export function scalingBlock(n: NetBuilder, scope: string, x: string, s: TabularScaling): string {
  const F = s.mean.length;
  const zero = n.constant(`${scope}.zero`, [], new Float32Array([0]));
  const one = n.constant(`${scope}.one`, [], new Float32Array([1]));
  const mask = n.constant(`${scope}.log_mask`, [F], s.logMask);
  const keep = n.constant(`${scope}.keep_mask`, [F], Float32Array.from(s.logMask, (m) => 1 - m));
  const logged = n.node(scope, 'Log', [n.node(scope, 'Add', [n.node(scope, 'Max', [x, zero]), one])]);
  const mixed = n.node(scope, 'Add', [n.node(scope, 'Mul', [logged, mask]), n.node(scope, 'Mul', [x, keep])]);
  const mean = n.constant(`${scope}.mean`, [F], s.mean);
  const std = n.constant(`${scope}.std`, [F], s.std);
  return n.node(scope, 'Div', [n.node(scope, 'Sub', [mixed, mean]), std]);
}
