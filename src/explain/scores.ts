/**
 * Forward-only target scores: the explained scalar computed from a plain forward run, for the
 * perturbation methods (occlusion, ablation, KernelSHAP), Score-CAM and the deletion/insertion
 * metrics, which only need f(x') for many modified inputs x'. Batches of variants are run in
 * chunks that reuse one compiled session per chunk size.
 */
import type { NdArray } from '../engine/ndarray.ts';
import { NnlensError } from '../errors.ts';
import { chunkSize, feedsOf, valuesFor, type ExplainContext } from './method.ts';

/** The target tensor a spec reads (the model's first output unless it names one). */
function targetTensorRef(ctx: ExplainContext): string | undefined {
  return ctx.target.tensor;
}

/** Computes each item's target value from its target tensor [N, ...] (row `n` of the flat view). */
export function scoreRows(ctx: ExplainContext, t: NdArray, itemOf: (i: number) => number): Float32Array {
  const N = t.shape[0] ?? 1;
  const data = t.data as Float32Array;
  const per = data.length / N;
  const out = new Float32Array(N);
  const spec = ctx.target;
  const vals = valuesFor(ctx, N, itemOf);
  for (let n = 0; n < N; n++) {
    const row = data.subarray(n * per, (n + 1) * per);
    switch (spec.kind) {
      case 'logit': case 'neuron': out[n] = row[vals.index![n]!]!; break;
      case 'probability': case 'logprob': {
        let m = -Infinity;
        for (const v of row) m = Math.max(m, v);
        let s = 0;
        for (const v of row) s += Math.exp(v - m);
        const k = vals.index![n]!;
        out[n] = spec.kind === 'probability' ? Math.exp(row[k]! - m) / s : row[k]! - m - Math.log(s);
        break;
      }
      case 'channel': {
        const nhwc = ctx.target.tensor !== undefined && ctx.engine.exec.layoutOf(ctx.engine.resolve(ctx.target.tensor)[0]!) === 'NHWC';
        const C = nhwc ? t.shape[t.shape.length - 1]! : t.shape[1]!, spatial = per / C, k = vals.index![n]!;
        let s = 0;
        for (let i = 0; i < spatial; i++) s += nhwc ? row[i * C + k]! : row[k * spatial + i]!;
        out[n] = spec.reduce === 'mean' ? s / spatial : s;
        break;
      }
      case 'weighted': {
        const w = vals.weights!.data as Float32Array;
        let s = 0;
        for (let i = 0; i < per; i++) s += row[i]! * w[n * per + i]!;
        out[n] = s;
        break;
      }
    }
  }
  return out;
}

/**
 * Scores of `count` input variants: `fill(i, dst)` writes variant i (one item's worth of input
 * values) into `dst`; `itemOf(i)` says which original item (for its target value) it belongs to.
 */
export async function scoreVariants(ctx: ExplainContext, count: number, fill: (i: number, dst: Float32Array) => void, itemOf: (i: number) => number): Promise<Float32Array> {
  const itemShape = ctx.x.shape.slice(1);
  const per = itemShape.reduce((p, d) => p * d, 1);
  const chunk = chunkSize(ctx, per, count);
  const out = new Float32Array(count);
  const ref = targetTensorRef(ctx);
  for (let start = 0; start < count; start += chunk) {
    // Pad the last chunk to the full chunk size so every run reuses the same compiled session.
    const n = Math.min(chunk, count - start);
    const data = new Float32Array(chunk * per);
    for (let i = 0; i < n; i++) fill(start + i, data.subarray(i * per, (i + 1) * per));
    for (let i = n; i < chunk; i++) data.copyWithin(i * per, 0, per);
    const x: NdArray = { dtype: 'float32', shape: [chunk, ...itemShape], data };
    const extra = batchExtra(ctx, chunk, (i) => itemOf(start + Math.min(i, n - 1)));
    const r = await ctx.engine.run({ ...feedsOf(ctx, x), ...extra }, ref ? [ref] : []);
    const t = ref ? r.captured[ref]![0]! : Object.values(r.outputs)[0]!;
    if (!t) throw new NnlensError(ctx.engine.model.path, 'the model produced no output to score');
    const s = scoreRows(ctx, t, (i) => itemOf(start + Math.min(i, n - 1)));
    out.set(s.subarray(0, n), start);
  }
  return out;
}

/** Other model inputs repeated to a batch of variants (each variant takes its item's values). */
function batchExtra(ctx: ExplainContext, count: number, itemOf: (i: number) => number): Record<string, NdArray> {
  const out: Record<string, NdArray> = {};
  for (const [name, a] of Object.entries(ctx.extraFeeds ?? {})) {
    const N = a.shape[0] ?? 1, per = a.data.length / N;
    const Ctor = (a.data as Float32Array).constructor as new (n: number) => Float32Array;
    const data = new Ctor(count * per);
    for (let i = 0; i < count; i++) data.set((a.data as Float32Array).subarray(itemOf(i) * per, (itemOf(i) + 1) * per), i * per);
    out[name] = { dtype: a.dtype, shape: [count, ...a.shape.slice(1)], data };
  }
  return out;
}

/** The target's value on the unmodified inputs. */
export async function baseScores(ctx: ExplainContext): Promise<Float32Array> {
  const N = ctx.x.shape[0]!, per = ctx.x.data.length / N;
  return scoreVariants(ctx, N, (i, dst) => dst.set(ctx.x.data.subarray(i * per, (i + 1) * per)), (i) => i);
}
