/**
 * Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391, Eq. 1): channel weights are the gradients
 * of the target averaged over the feature map's spatial positions.
 */
import { CamMethod, spatialMean, type LayerTensors } from './base.ts';

export class GradCam extends CamMethod {
  readonly name = 'gradcam';
  readonly displayName = 'Grad-CAM';
  readonly citation = 'Selvaraju et al. 2017, Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization';
  protected channelWeights(t: LayerTensors): Float32Array {
    return spatialMean(t.G!, t.N, t.C, t.H * t.W);
  }
}
