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
 * d target / d input for `count` input variants, handed to `consume(i, grad, score)` chunk by
 * chunk as they are computed (`grad` is only valid during the call): `fill(i, dst)` writes
 * variant i, `itemOf(i)` names the original item whose target it uses. Methods that reduce over
 * variants (IG's weighted sum, noise tunnels) then never hold all gradients at once.
 */
export async function eachVariantGradient(
  ctx: ExplainContext, count: number, fill: (i: number, dst: Float32Array) => void, itemOf: (i: number) => number,
  consume: (i: number, grad: Float32Array, score: number) => void, opts: GradOptions = {},
): Promise<void> {
  const itemShape = ctx.x.shape.slice(1);
  const per = itemShape.reduce((p, d) => p * d, 1);
  const chunk = chunkSize(ctx, per, count);
  const data = new Float32Array(chunk * per);
  for (let start = 0; start < count; start += chunk) {
    const n = Math.min(chunk, count - start);
    for (let i = 0; i < n; i++) fill(start + i, data.subarray(i * per, (i + 1) * per));
    for (let i = n; i < chunk; i++) data.copyWithin(i * per, 0, per); // pad: same session for every chunk
    const x: NdArray = { dtype: 'float32', shape: [chunk, ...itemShape], data };
    const r = await ctx.engine.gradients(feedsOf(ctx, x), { target: ctx.target, wrt: [ctx.inputName], reluBackward: opts.guided ? 'guided' : 'standard' }, valuesFor(ctx, chunk, (i) => itemOf(start + Math.min(i, n - 1))));
    const g = r.grads[ctx.inputName]!.data as Float32Array;
    for (let i = 0; i < n; i++) consume(start + i, g.subarray(i * per, (i + 1) * per), r.score[i]!);
  }
}

/**
 * d target / d input for `count` input variants (see {@link eachVariantGradient}), all kept:
 * gradients [count * per] and scores.
 */
export async function variantGradients(ctx: ExplainContext, count: number, fill: (i: number, dst: Float32Array) => void, itemOf: (i: number) => number, opts: GradOptions = {}): Promise<{ grads: Float32Array; scores: Float32Array }> {
  const per = ctx.x.data.length / ctx.x.shape[0]!;
  const grads = new Float32Array(count * per), scores = new Float32Array(count);
  await eachVariantGradient(ctx, count, fill, itemOf, (i, g, score) => { grads.set(g, i * per); scores[i] = score; }, opts);
  return { grads, scores };
}

/** Gradients at the inputs themselves. */
export function inputGradients(ctx: ExplainContext, opts: GradOptions = {}): Promise<{ grads: Float32Array; scores: Float32Array }> {
  const N = ctx.x.shape[0]!, per = ctx.x.data.length / N;
  return variantGradients(ctx, N, (i, dst) => dst.set(ctx.x.data.subarray(i * per, (i + 1) * per)), (i) => i, opts);
}
