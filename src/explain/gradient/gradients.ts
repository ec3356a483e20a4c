/**
 * Input gradients for a batch of inputs, run in chunks: the one primitive the gradient family
 * (saliency, gradient x input, Integrated Gradients, noise tunnels, guided backprop) is made of.
 */
import type { NdArray } from '../../engine/ndarray.ts';
import { chunkSize, feedsOf, valuesFor, type ExplainContext } from '../method.ts';

/** Options passed down to the engine. */
export interface GradOptions {
  /** Guided backpropagation's ReLU rule (Springenberg et al. 2015). */
  guided?: boolean;
}

/**
 * d target / d input for `count` input variants: `fill(i, dst)` writes variant i, `itemOf(i)`
 * names the original item whose target it uses. Returns gradients [count * per] and scores.
 */
export async function variantGradients(ctx: ExplainContext, count: number, fill: (i: number, dst: Float32Array) => void, itemOf: (i: number) => number, opts: GradOptions = {}): Promise<{ grads: Float32Array; scores: Float32Array }> {
  const itemShape = ctx.x.shape.slice(1);
  const per = itemShape.reduce((p, d) => p * d, 1);
  const chunk = chunkSize(ctx, per, count);
  const grads = new Float32Array(count * per), scores = new Float32Array(count);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    const data = new Float32Array(chunk * per);
    for (let i = 0; i < n; i++) fill(start + i, data.subarray(i * per, (i + 1) * per));
    for (let i = n; i < chunk; i++) data.copyWithin(i * per, 0, per); // pad: same session for every chunk
    const x: NdArray = { dtype: 'float32', shape: [chunk, ...itemShape], data };
    const r = await ctx.engine.gradients(feedsOf(ctx, x), { target: ctx.target, wrt: [ctx.inputName], reluBackward: opts.guided ? 'guided' : 'standard' }, valuesFor(ctx, chunk, (i) => itemOf(start + Math.min(i, n - 1))));
    grads.set((r.grads[ctx.inputName]!.data as Float32Array).subarray(0, n * per), start * per);
    scores.set(r.score.subarray(0, n), start);
  }
  return { grads, scores };
}

/** Gradients at the inputs themselves. */
export function inputGradients(ctx: ExplainContext, opts: GradOptions = {}): Promise<{ grads: Float32Array; scores: Float32Array }> {
  const N = ctx.x.shape[0]!, per = ctx.x.data.length / N;
  return variantGradients(ctx, N, (i, dst) => dst.set(ctx.x.data.subarray(i * per, (i + 1) * per)), (i) => i, opts);
}
