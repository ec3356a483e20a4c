/**
 * Grad-CAM++ (Chattopadhyay et al. 2018, arXiv:1710.11063). With g = dY/dA and exponentials
 * replaced by their derivatives as in the paper's Eq. 19, the pixel weights are
 *   alpha = g^2 / (2 g^2 + sum_ab(A) g^3)
 * and the channel weight is sum_ij alpha * ReLU(g) (pytorch-grad-cam's grad_cam_plusplus.py).
 */
import { CamMethod, type LayerTensors } from './base.ts';

export class GradCamPlusPlus extends CamMethod {
  readonly name = 'gradcam++';
  readonly displayName = 'Grad-CAM++';
  readonly citation = 'Chattopadhyay et al. 2018, Grad-CAM++: Improved Visual Explanations for Deep Convolutional Networks (Eq. 19)';
  protected channelWeights(t: LayerTensors): Float32Array {
    const { N, C, A, G } = t, hw = t.H * t.W;
    const w = new Float32Array(N * C);
    for (let k = 0; k < N * C; k++) {
      let sumA = 0;
      for (let i = 0; i < hw; i++) sumA += A[k * hw + i]!;
      let s = 0;
      for (let i = 0; i < hw; i++) {
        const g = G![k * hw + i]!;
        if (g === 0) continue;
        const g2 = g * g, g3 = g2 * g;
        const alpha = g2 / (2 * g2 + sumA * g3 + 1e-7);
        s += alpha * Math.max(g, 0);
      }
      w[k] = s;
    }
    return w;
  }
}
