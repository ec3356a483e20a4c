/**
 * Integrated Gradients (Sundararajan et al. 2017, arXiv:1703.01365, Eq. 1 and its Riemann/Gauss
 * approximation, Eq. 3): attr = (x - x') * sum_i w_i * dF/dx (x' + alpha_i (x - x')).
 * Completeness (Axiom, Sec. 3): sum(attr) = F(x) - F(x'); the error is reported per item.
 * All steps of all items run batched through one compiled forward+backward graph.
 */
import { Attribution, f32Array, knownScores, type AttributionResult, type ExplainContext } from '../method.ts';
import { makeBaseline, type BaselineSpec } from './baselines.ts';
import { eachVariantGradient } from './gradients.ts';
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
    // Variants: for each item, each step and, unless a forward pass already gave F(x), the input
    // itself (for the delta); then the baselines. Items whose baseline and target are the same (a
    // zero baseline, one class) share one baseline variant.
    const known = knownScores(ctx);
    const { reps, baseOf } = baselineVariants(ctx, base, N, per);
    const S = known ? steps : steps + 1, B = reps.length;
    const attr = new Float32Array(x.length), score = known ? Float32Array.from(known) : new Float32Array(N), baseScore = new Float32Array(B);
    await eachVariantGradient(ctx, N * S + B, (i, dst) => {
      if (i >= N * S) { const r = reps[i - N * S]!; dst.set(base.subarray(r * per, (r + 1) * per)); return; }
      const n = Math.floor(i / S), k = i % S, a = k < steps ? alphas[k]! : 1, off = n * per;
      for (let j = 0; j < per; j++) dst[j] = base[off + j]! + a * (x[off + j]! - base[off + j]!);
    }, (i) => (i >= N * S ? reps[i - N * S]! : Math.floor(i / S)), (i, g, s) => {
      if (i >= N * S) { baseScore[i - N * S] = s; return; }
      const n = Math.floor(i / S), k = i % S;
      if (k === steps) { score[n] = s; return; }
      // attr accumulates sum_k w_k dF/dx(x' + a_k (x - x')) as the gradients arrive (Eq. 3).
      const w = weights[k]!, off = n * per;
      for (let j = 0; j < per; j++) attr[off + j] += w * g[j]!;
    });
    const delta = new Float32Array(N);
    for (let n = 0; n < N; n++) {
      const off = n * per;
      let sum = 0;
      for (let j = 0; j < per; j++) { attr[off + j]! *= x[off + j]! - base[off + j]!; sum += attr[off + j]!; }
      delta[n] = Math.abs(sum - (score[n]! - baseScore[baseOf[n]!]!));
    }
    return { map: f32Array(ctx.x.shape, attr), space: 'input', delta, score, info: { steps, method: o.method ?? 'gausslegendre', baseline: o.baseline ?? 'zeros' } };
  }
}

/**
 * Which items need their own baseline variant: items with equal baselines and the same class /
 * channel index share one (weighted targets never share). `reps[b]` is the item whose baseline
 * and target variant b uses; `baseOf[n]` is item n's variant.
 */
function baselineVariants(ctx: ExplainContext, base: Float32Array, N: number, per: number): { reps: number[]; baseOf: number[] } {
  const reps: number[] = [], baseOf: number[] = [];
  const index = ctx.values.weights ? undefined : (ctx.values.index ?? [0]);
  const same = (a: number, b: number): boolean => {
    if (!index || index[a % index.length] !== index[b % index.length]) return false;
    for (let j = 0; j < per; j++) if (base[a * per + j] !== base[b * per + j]) return false;
    return true;
  };
  for (let n = 0; n < N; n++) {
    const b = reps.findIndex((r) => same(r, n));
    if (b >= 0) baseOf.push(b);
    else { baseOf.push(reps.length); reps.push(n); }
  }
  return { reps, baseOf };
}
