/**
 * Eigen-CAM (Muhammad & Yeasin 2020, arXiv:2008.00299, Eq. 5): the projection of the (channel-
 * centred) activations on their first principal component; no gradients, class-agnostic.
 * The principal direction is found by power iteration on A^T A (hw x C matrix A), which equals the
 * first right singular vector pytorch-grad-cam takes from np.linalg.svd. An SVD's sign is arbitrary,
 * so the direction is oriented to correlate positively with the mean activation (otherwise the
 * final ReLU could erase the whole map).
 */
import { CamMethod, type LayerTensors } from './base.ts';

export class EigenCam extends CamMethod {
  readonly name = 'eigencam';
  readonly displayName = 'Eigen-CAM';
  readonly citation = 'Muhammad & Yeasin 2020, Eigen-CAM: Class Activation Map using Principal Components (Eq. 5)';
  protected override readonly needsGradient = false;
  protected channelWeights(): Float32Array { throw new Error('Eigen-CAM projects activations'); }
  protected override async combine(t: LayerTensors): Promise<Float32Array> {
    const { N, C, A } = t, hw = t.H * t.W;
    const out = new Float32Array(N * hw);
    for (let n = 0; n < N; n++) {
      // M[i, c] = A[n, c, i] - mean_i A[n, c, i]
      const M = new Float64Array(hw * C);
      for (let c = 0; c < C; c++) {
        let mean = 0;
        for (let i = 0; i < hw; i++) mean += A[(n * C + c) * hw + i]!;
        mean /= hw;
        for (let i = 0; i < hw; i++) M[i * C + c] = A[(n * C + c) * hw + i]! - mean;
      }
      const v = topRightSingularVector(M, hw, C);
      const proj = new Float64Array(hw);
      for (let i = 0; i < hw; i++) { let s = 0; for (let c = 0; c < C; c++) s += M[i * C + c]! * v[c]!; proj[i] = s; }
      // Orient: positive correlation with the raw mean activation map.
      let corr = 0;
      for (let i = 0; i < hw; i++) { let m = 0; for (let c = 0; c < C; c++) m += A[(n * C + c) * hw + i]!; corr += m * proj[i]!; }
      const sign = corr < 0 ? -1 : 1;
      for (let i = 0; i < hw; i++) out[n * hw + i] = sign * proj[i]!;
    }
    return out;
  }
}

/** First right singular vector of the hw x C matrix M, by power iteration on M^T M. */
export function topRightSingularVector(M: Float64Array, rows: number, cols: number, iterations = 200): Float64Array {
  let v = new Float64Array(cols).map((_, i) => 1 + ((i * 7919) % 13) / 13); // deterministic, not orthogonal to typical data
  const u = new Float64Array(rows);
  for (let it = 0; it < iterations; it++) {
    for (let i = 0; i < rows; i++) { let s = 0; for (let c = 0; c < cols; c++) s += M[i * cols + c]! * v[c]!; u[i] = s; }
    const next = new Float64Array(cols);
    for (let i = 0; i < rows; i++) { const ui = u[i]!; if (ui === 0) continue; for (let c = 0; c < cols; c++) next[c] += M[i * cols + c]! * ui; }
    let norm = 0;
    for (const x of next) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm === 0) return v;
    let diff = 0;
    for (let c = 0; c < cols; c++) { const nv = next[c]! / norm; diff += Math.abs(nv - v[c]!); next[c] = nv; }
    v = next;
    if (diff < 1e-10) break;
  }
  return v;
}
