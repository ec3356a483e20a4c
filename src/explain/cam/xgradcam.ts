/**
 * XGrad-CAM (Fu et al. 2020, arXiv:2008.02312, Eq. 9): channel weights are the gradients weighted
 * by the normalized activation, sum_ij (A_ij / sum_ab A_ab) * g_ij.
 */
import { CamMethod, type LayerTensors } from './base.ts';

export class XGradCam extends CamMethod {
  readonly name = 'xgradcam';
  readonly displayName = 'XGrad-CAM';
  readonly citation = 'Fu et al. 2020, Axiom-based Grad-CAM: Towards Accurate Visualization and Explanation of CNNs (Eq. 9)';
  protected channelWeights(t: LayerTensors): Float32Array {
    const { N, C, A, G } = t, hw = t.H * t.W;
    const w = new Float32Array(N * C);
    for (let k = 0; k < N * C; k++) {
      let sumA = 0, s = 0;
      for (let i = 0; i < hw; i++) sumA += A[k * hw + i]!;
      for (let i = 0; i < hw; i++) s += G![k * hw + i]! * A[k * hw + i]!;
      w[k] = s / (sumA + 1e-7);
    }
    return w;
  }
}
