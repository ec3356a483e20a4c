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
    return this.positionWeighted(t, (g) => Math.max(g, 0));
  }
}
