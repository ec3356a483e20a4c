/**
 * Integrated Gradients (Sundararajan et al. 2017, arXiv:1703.01365, Eq. 1 and its Riemann/Gauss
 * approximation, Eq. 3): attr = (x - x') * sum_i w_i * dF/dx (x' + alpha_i (x - x')).
 * Completeness (Axiom, Sec. 3): sum(attr) = F(x) - F(x'); the error is reported per item.
 * All steps of all items run batched through one compiled forward+backward graph.
 */
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';
import { makeBaseline, type BaselineSpec } from './baselines.ts';
import { variantGradients } from './gradients.ts';
import { quadrature, type IntegrationMethod } from './integration.ts';

export interface IgOptions {
  steps?: number;
  method?: IntegrationMethod;
  baseline?: BaselineSpec;
}

export class IntegratedGradients extends Attribution<IgOptions> {
  readonly name = 'ig';
  readonly displayName = 'Integrated Gradients';
  readonly space = 'input' as const;
  override readonly multipliesByInputs = true;
  override readonly hasConvergenceDelta = true;
  readonly citation = 'Sundararajan et al. 2017, Axiomatic Attribution for Deep Networks (Eq. 1, 3)';

  async attribute(ctx: ExplainContext, o: IgOptions = {}): Promise<AttributionResult> {
    const steps = o.steps ?? 50;
    const { alphas, weights } = quadrature(o.method ?? 'gausslegendre', steps);
    const x = ctx.x.data, N = ctx.x.shape[0]!, per = x.length / N;
    const base = makeBaseline(ctx, o.baseline ?? 'zeros');
    // Variants: for each item, each step; plus the input and the baseline themselves (for the delta).
    const S = steps + 2;
    const { grads, scores } = await variantGradients(ctx, N * S, (i, dst) => {
      const n = Math.floor(i / S), k = i % S;
      const a = k < steps ? alphas[k]! : k === steps ? 1 : 0;
      const off = n * per;
      for (let j = 0; j < per; j++) dst[j] = base[off + j]! + a * (x[off + j]! - base[off + j]!);
    }, (i) => Math.floor(i / S));
    const attr = new Float32Array(x.length), delta = new Float32Array(N), score = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      const off = n * per;
      for (let k = 0; k < steps; k++) {
        const g = grads.subarray((n * S + k) * per, (n * S + k + 1) * per), w = weights[k]!;
        for (let j = 0; j < per; j++) attr[off + j] += w * g[j]!;
      }
      let sum = 0;
      for (let j = 0; j < per; j++) { attr[off + j]! *= x[off + j]! - base[off + j]!; sum += attr[off + j]!; }
      score[n] = scores[n * S + steps]!;
      delta[n] = Math.abs(sum - (scores[n * S + steps]! - scores[n * S + steps + 1]!));
    }
    return { map: f32Array(ctx.x.shape, attr), space: 'input', delta, score, info: { steps, method: o.method ?? 'gausslegendre', baseline: o.baseline ?? 'zeros' } };
  }
}
