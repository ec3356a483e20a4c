/**
 * Occlusion (Zeiler & Fergus 2014, arXiv:1311.2901, Sec. 4.2), defined as Captum's Occlusion:
 * a window slides over the input (shape and strides per item dimension; a last window that runs
 * past the end is cropped), each window is replaced by the baseline, and every element gets the
 * mean drop of the target over the windows that covered it. All occluded inputs run batched.
 */
import { NnlensError } from '../../errors.ts';
import { Attribution, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';
import { baseScores, scoreVariants } from '../scores.ts';

export interface OcclusionOptions {
  /** Window per item dimension (e.g. [3, 15, 15] for a CHW image). */
  window: number[];
  /** Stride per item dimension (defaults to the window: no overlap). */
  strides?: number[];
  /** Value(s) put in place of the occluded elements: a number or an array of the input's size. */
  baseline?: number | Float32Array;
}

export class Occlusion extends Attribution<OcclusionOptions> {
  readonly name: string = 'occlusion';
  readonly displayName: string = 'Occlusion';
  readonly space = 'input' as const;
  readonly citation: string = 'Zeiler & Fergus 2014, Visualizing and Understanding Convolutional Networks (Sec. 4.2)';

  async attribute(ctx: ExplainContext, o: OcclusionOptions): Promise<AttributionResult> {
    const dims = ctx.x.shape.slice(1);
    const N = ctx.x.shape[0]!, per = ctx.x.data.length / N;
    const win = o.window, str = o.strides ?? o.window;
    if (win.length !== dims.length || str.length !== dims.length) {
      throw new NnlensError('', `occlusion window [${win.join(', ')}] and strides [${str.join(', ')}] must have one entry per input dimension [${dims.join(', ')}]`);
    }
    win.forEach((w, i) => { if (w < 1 || w > dims[i]!) throw new NnlensError('', `occlusion window ${w} does not fit dimension ${dims[i]}`); });
    const counts = dims.map((d, i) => Math.ceil((d - win[i]!) / str[i]!) + 1);
    const windows = counts.reduce((p, c) => p * c, 1);
    const strides = stridesOf(dims);
    const starts = (k: number): number[] => {
      const s: number[] = new Array(dims.length);
      for (let a = dims.length - 1; a >= 0; a--) { s[a] = (k % counts[a]!) * str[a]!; k = Math.floor(k / counts[a]!); }
      return s;
    };
    const forEachIn = (k: number, f: (flat: number) => void): void => {
      const s = starts(k);
      const ends = s.map((v, a) => Math.min(v + win[a]!, dims[a]!));
      const idx = s.slice();
      for (;;) {
        let flat = 0;
        for (let a = 0; a < dims.length; a++) flat += idx[a]! * strides[a]!;
        f(flat);
        let a = dims.length - 1;
        while (a >= 0 && ++idx[a]! >= ends[a]!) { idx[a] = s[a]!; a--; }
        if (a < 0) break;
      }
    };
    const base = o.baseline ?? 0;
    const original = await baseScores(ctx);
    const scores = await scoreVariants(ctx, N * windows, (i, dst) => {
      const n = Math.floor(i / windows), k = i % windows;
      dst.set(ctx.x.data.subarray(n * per, (n + 1) * per));
      forEachIn(k, (flat) => { dst[flat] = typeof base === 'number' ? base : base[n * per + flat]!; });
    }, (i) => Math.floor(i / windows));
    const total = new Float32Array(N * per), hits = new Float32Array(N * per);
    for (let n = 0; n < N; n++) for (let k = 0; k < windows; k++) {
      const drop = original[n]! - scores[n * windows + k]!;
      forEachIn(k, (flat) => { total[n * per + flat] += drop; hits[n * per + flat] += 1; });
    }
    for (let i = 0; i < total.length; i++) total[i] = hits[i]! > 0 ? total[i]! / hits[i]! : 0;
    return { map: f32Array(ctx.x.shape, total), space: 'input', score: original, info: { window: win, strides: str, windows } };
  }
}

/** Feature ablation for tabular inputs (Captum's FeatureAblation): each feature alone replaced by the baseline. */
export class Ablation extends Occlusion {
  override readonly name = 'ablation';
  override readonly displayName = 'Feature ablation';
  override readonly citation = 'Feature ablation as in Captum (FeatureAblation): f(x) - f(x with feature i set to its baseline)';
  override attribute(ctx: ExplainContext, o: Partial<OcclusionOptions> = {}): Promise<AttributionResult> {
    const dims = ctx.x.shape.slice(1);
    return super.attribute(ctx, { window: dims.map(() => 1), strides: dims.map(() => 1), baseline: o.baseline });
  }
}

function stridesOf(dims: number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let a = dims.length - 1; a >= 0; a--) { s[a] = acc; acc *= dims[a]!; }
  return s;
}
