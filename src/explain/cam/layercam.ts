/**
 * Layer-CAM (Jiang et al. 2021, IEEE TIP 30, Eq. 5): every position gets its own weight
 * ReLU(g_ij), so the map is ReLU(sum_c ReLU(g) * A).
 */
import { CamMethod, type LayerTensors } from './base.ts';

export class LayerCam extends CamMethod {
  readonly name = 'layercam';
  readonly displayName = 'Layer-CAM';
  readonly citation = 'Jiang et al. 2021, LayerCAM: Exploring Hierarchical Class Activation Maps for Localization (Eq. 5)';
  protected channelWeights(): Float32Array { throw new Error('Layer-CAM weights are per position'); }
  protected override async combine(t: LayerTensors): Promise<Float32Array> {
    const { N, C, A, G } = t, hw = t.H * t.W;
    const out = new Float32Array(N * hw);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const base = (n * C + c) * hw;
      for (let i = 0; i < hw; i++) out[n * hw + i] += Math.max(G![base + i]!, 0) * A[base + i]!;
    }
    return out;
  }
}
