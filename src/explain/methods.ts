/**
 * Every attribution method by its `--method` name: one table, so the CLI, the web app and the
 * every-method-runs test matrix list the same methods (STYLE.md 8).
 */
import { NnlensError } from '../errors.ts';
import { Cam } from './cam/cam.ts';
import { EigenCam } from './cam/eigencam.ts';
import { GradCam } from './cam/gradcam.ts';
import { GradCamPlusPlus } from './cam/gradcampp.ts';
import { HiResCam } from './cam/hirescam.ts';
import { LayerCam } from './cam/layercam.ts';
import { ScoreCam } from './cam/scorecam.ts';
import { XGradCam } from './cam/xgradcam.ts';
import { IntegratedGradients } from './gradient/ig.ts';
import { NoiseTunnel } from './gradient/noise-tunnel.ts';
import { GradientXInput, GuidedBackprop, Saliency } from './gradient/saliency.ts';
import type { Attribution } from './method.ts';
import { KernelShap } from './perturbation/kernelshap.ts';
import { Ablation, Occlusion } from './perturbation/occlusion.ts';

/** Method names in the order help and the UI list them. */
export const METHOD_NAMES = [
  'gradcam', 'gradcam++', 'xgradcam', 'layercam', 'hirescam', 'eigencam', 'scorecam', 'cam',
  'saliency', 'gradxinput', 'ig', 'smoothgrad', 'vargrad', 'guided-backprop',
  'occlusion', 'ablation', 'kernelshap',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** Methods that need a tabular (2-D [N, features]) input. */
export const TABULAR_ONLY: ReadonlySet<string> = new Set(['ablation', 'kernelshap']);

/**
 * Creates a method. `smoothgrad`/`vargrad` wrap `noiseOf` (default saliency).
 * @example const m = createMethod('gradcam'); await m.attribute(ctx, {})
 */
export function createMethod(name: string, noiseOf = 'saliency'): Attribution<object> {
  switch (name) {
    case 'gradcam': return new GradCam();
    case 'gradcam++': return new GradCamPlusPlus();
    case 'xgradcam': return new XGradCam();
    case 'layercam': return new LayerCam();
    case 'hirescam': return new HiResCam();
    case 'eigencam': return new EigenCam();
    case 'scorecam': return new ScoreCam();
    case 'cam': return new Cam();
    case 'saliency': return new Saliency();
    case 'gradxinput': return new GradientXInput();
    case 'ig': return new IntegratedGradients() as Attribution<object>;
    case 'guided-backprop': return new GuidedBackprop();
    case 'smoothgrad': case 'vargrad': {
      if (noiseOf === 'smoothgrad' || noiseOf === 'vargrad') throw new NnlensError('', 'a noise tunnel cannot wrap another noise tunnel');
      return new NoiseTunnel(createMethod(noiseOf), name) as Attribution<object>;
    }
    case 'occlusion': return new Occlusion() as unknown as Attribution<object>;
    case 'ablation': return new Ablation() as unknown as Attribution<object>;
    case 'kernelshap': return new KernelShap() as Attribution<object>;
    default: throw new NnlensError('', `unknown method '${name}' (one of: ${METHOD_NAMES.join(', ')})`);
  }
}
