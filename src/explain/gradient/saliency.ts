/**
 * Saliency, the vanilla gradient (Simonyan et al. 2014, arXiv:1312.6034, Sec. 3.1): d target / d x.
 * The raw signed gradient is the attribution (as Captum's Saliency with abs=False); heatmaps show
 * its magnitude, maximized over colour channels, as the paper does.
 */
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';
import { inputGradients } from './gradients.ts';

export class Saliency extends Attribution {
  readonly name = 'saliency';
  readonly displayName = 'Saliency (gradient)';
  readonly space = 'input' as const;
  readonly citation = 'Simonyan et al. 2014, Deep Inside Convolutional Networks: Visualising Image Classification Models and Saliency Maps';
  async attribute(ctx: ExplainContext): Promise<AttributionResult> {
    const { grads, scores } = await inputGradients(ctx);
    return { map: f32Array(ctx.x.shape, grads), space: 'input', score: scores };
  }
}

/** Gradient x input (Shrikumar et al. 2016, arXiv:1605.01713): x * d target / d x. */
export class GradientXInput extends Attribution {
  readonly name = 'gradxinput';
  readonly displayName = 'Gradient x Input';
  readonly space = 'input' as const;
  override readonly multipliesByInputs = true;
  readonly citation = 'Shrikumar et al. 2016, Not Just a Black Box: Learning Important Features Through Propagating Activation Differences';
  async attribute(ctx: ExplainContext): Promise<AttributionResult> {
    const { grads, scores } = await inputGradients(ctx);
    for (let i = 0; i < grads.length; i++) grads[i]! *= ctx.x.data[i]!;
    return { map: f32Array(ctx.x.shape, grads), space: 'input', score: scores };
  }
}

/**
 * Guided backpropagation (Springenberg et al. 2015, arXiv:1412.6806, Sec. 3.4): the gradient with
 * every ReLU passing only positive gradients where its input was positive.
 */
export class GuidedBackprop extends Attribution {
  readonly name = 'guided-backprop';
  readonly displayName = 'Guided Backpropagation';
  readonly space = 'input' as const;
  readonly citation = 'Springenberg et al. 2015, Striving for Simplicity: The All Convolutional Net (Sec. 3.4)';
  async attribute(ctx: ExplainContext): Promise<AttributionResult> {
    const { grads, scores } = await inputGradients(ctx, { guided: true });
    return { map: f32Array(ctx.x.shape, grads), space: 'input', score: scores };
  }
}
