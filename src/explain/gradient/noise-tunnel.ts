/**
 * A noise tunnel around any input-space method (Captum's NoiseTunnel, STYLE.md 5):
 * SmoothGrad (Smilkov et al. 2017, arXiv:1706.03825, Eq. 3) averages the method's attributions
 * over inputs with Gaussian noise; VarGrad (Adebayo et al. 2018, arXiv:1810.03307) takes their
 * variance. The noise's standard deviation is `noise` times the input's value range (Smilkov's
 * "noise level", Sec. 3; 0.15 works well for images).
 */
import { NnlensError } from '../../errors.ts';
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';
import { Random } from '../../data/random.ts';

export interface NoiseOptions {
  samples?: number;
  noise?: number;
  /** Options of the wrapped method. */
  inner?: object;
}

export class NoiseTunnel extends Attribution<NoiseOptions> {
  readonly space = 'input' as const;
  readonly name: string;
  readonly displayName: string;
  readonly citation: string;
  override readonly multipliesByInputs: boolean;

  constructor(readonly inner: Attribution, readonly kind: 'smoothgrad' | 'vargrad') {
    super();
    if (inner.space !== 'input') throw new NnlensError('', `a noise tunnel wraps input-space methods, not ${inner.name}`);
    this.name = kind;
    this.displayName = `${kind === 'smoothgrad' ? 'SmoothGrad' : 'VarGrad'} (${inner.displayName})`;
    this.citation = kind === 'smoothgrad' ? 'Smilkov et al. 2017, SmoothGrad: removing noise by adding noise' : 'Adebayo et al. 2018, Local Explanation Methods for Deep Neural Networks Lack Sensitivity to Parameter Values';
    this.multipliesByInputs = inner.multipliesByInputs;
  }

  async attribute(ctx: ExplainContext, o: NoiseOptions = {}): Promise<AttributionResult> {
    const samples = o.samples ?? 25, level = o.noise ?? 0.15;
    const x = ctx.x.data;
    let lo = Infinity, hi = -Infinity;
    for (const v of x) { if (v < lo) lo = v; if (v > hi) hi = v; }
    const sigma = level * (hi - lo || 1);
    const rng = new Random(ctx.seed ?? 0);
    const sum = new Float64Array(x.length), sumSq = new Float64Array(x.length);
    let score: Float32Array | undefined;
    // Each sample is one noisy copy of the whole batch; the inner method batches its own work.
    for (let s = 0; s < samples; s++) {
      const noisy = Float32Array.from(x, (v) => v + sigma * rng.normal());
      const r = await this.inner.attribute({ ...ctx, x: f32Array(ctx.x.shape, noisy) }, o.inner ?? {});
      for (let i = 0; i < x.length; i++) { const a = r.map.data[i]!; sum[i] += a; sumSq[i] += a * a; }
      score ??= r.score;
    }
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const mean = sum[i]! / samples;
      out[i] = this.kind === 'smoothgrad' ? mean : sumSq[i]! / samples - mean * mean;
    }
    return { map: f32Array(ctx.x.shape, out), space: 'input', score, info: { samples, noise: level, inner: this.inner.name } };
  }
}
