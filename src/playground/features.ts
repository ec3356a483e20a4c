/**
 * Input features computed from a point (x1, x2), as in TF Playground's `INPUTS` table. The
 * network's input layer has one neuron per selected feature.
 */

/** One input feature. */
export interface Feature {
  name: FeatureName;
  /** Display label. */
  label: string;
  f(x1: number, x2: number): number;
}

/** Feature names. */
export type FeatureName = 'x1' | 'x2' | 'x1sq' | 'x2sq' | 'x1x2' | 'sinx1' | 'sinx2';

/** Every feature, in display order. */
export const FEATURES: readonly Feature[] = [
  { name: 'x1', label: 'X₁', f: (x1) => x1 },
  { name: 'x2', label: 'X₂', f: (_x1, x2) => x2 },
  { name: 'x1sq', label: 'X₁²', f: (x1) => x1 * x1 },
  { name: 'x2sq', label: 'X₂²', f: (_x1, x2) => x2 * x2 },
  { name: 'x1x2', label: 'X₁X₂', f: (x1, x2) => x1 * x2 },
  { name: 'sinx1', label: 'sin(X₁)', f: (x1) => Math.sin(x1) },
  { name: 'sinx2', label: 'sin(X₂)', f: (_x1, x2) => Math.sin(x2) },
];

/** Feature names in display order. */
export const FEATURE_NAMES = FEATURES.map((f) => f.name) as readonly FeatureName[];

/** The features with these names, in display order (so the input layer order never depends on click order). */
export function selectFeatures(names: readonly FeatureName[]): Feature[] {
  return FEATURES.filter((f) => names.includes(f.name));
}

/**
 * Feature matrix of points, row-major (one row of `features.length` values per point).
 * @example featureRows(selectFeatures(['x1', 'x1sq']), [{ x1: 2, x2: 0 }]) // Float64Array [2, 4]
 */
export function featureRows(features: readonly Feature[], points: readonly { x1: number; x2: number }[]): Float64Array {
  const d = features.length;
  const out = new Float64Array(points.length * d);
  points.forEach((p, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = features[j].f(p.x1, p.x2);
  });
  return out;
}

/**
 * Feature matrix feature-major (`d` rows of `n` values), the layout of {@link forwardBatch}:
 * keeping each feature contiguous makes the inner loop of the batched forward pass run over points.
 */
export function featureColumns(features: readonly Feature[], xs1: ArrayLike<number>, xs2: ArrayLike<number>): Float64Array {
  const n = xs1.length;
  const out = new Float64Array(features.length * n);
  features.forEach((f, j) => {
    for (let p = 0; p < n; p++) out[j * n + p] = f.f(xs1[p], xs2[p]);
  });
  return out;
}
