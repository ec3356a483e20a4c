/**
 * HiResCAM (Draelos & Carin 2020, arXiv:2011.08891, Eq. 3): the gradient multiplies the activation
 * elementwise before summing over channels, so the map is faithful to what the model computes
 * for architectures that end in a single fully-connected layer.
 */
import { CamMethod, type LayerTensors } from './base.ts';

export class HiResCam extends CamMethod {
  readonly name = 'hirescam';
  readonly displayName = 'HiResCAM';
  readonly citation = 'Draelos & Carin 2020, Use HiResCAM instead of Grad-CAM for faithful explanations (Eq. 3)';
  protected channelWeights(): Float32Array { throw new Error('HiResCAM weights are per position'); }
  protected override async combine(t: LayerTensors): Promise<Float32Array> {
    return this.positionWeighted(t, (g) => g);
  }
}
