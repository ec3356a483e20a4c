/**
 * Score-CAM (Wang et al. 2020, arXiv:1910.01279, Eq. 6-8): each channel's activation, upsampled
 * to the input and min-max normalized, masks the input; the channel weight is the softmax over
 * channels of the target score of the masked input. Gradient-free; the masked inputs run in
 * batches. Upsampling follows pytorch-grad-cam (torch UpsamplingBilinear2d: align_corners=True).
 */
import { scoreVariants } from '../scores.ts';
import type { ExplainContext } from '../method.ts';
import { CamMethod, type LayerTensors } from './base.ts';

export class ScoreCam extends CamMethod {
  readonly name = 'scorecam';
  readonly displayName = 'Score-CAM';
  readonly citation = 'Wang et al. 2020, Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks (Eq. 6-8)';
  protected override readonly needsGradient = false;

  protected async channelWeights(t: LayerTensors, ctx: ExplainContext): Promise<Float32Array> {
    const { N, C, H, W, A } = t;
    const layout = ctx.engine.exec.layoutOf(ctx.inputName);
    const xs = ctx.x.shape;
    const [inC, inH, inW] = xs.length === 4 ? (layout === 'NHWC' ? [xs[3]!, xs[1]!, xs[2]!] : [xs[1]!, xs[2]!, xs[3]!]) : [1, xs[1]!, xs[2] ?? 1];
    const per = ctx.x.data.length / N;
    // Upsampled, normalized masks per (n, c), computed on demand.
    const mask = (n: number, c: number): Float32Array => {
      const m = resizeAlignCorners(A.subarray((n * C + c) * H * W, (n * C + c + 1) * H * W), H, W, inH, inW);
      let lo = Infinity, hi = -Infinity;
      for (const v of m) { if (v < lo) lo = v; if (v > hi) hi = v; }
      for (let i = 0; i < m.length; i++) m[i] = (m[i]! - lo) / (hi - lo + 1e-8);
      return m;
    };
    let cached: { key: number; m: Float32Array } = { key: -1, m: new Float32Array(0) };
    const scores = await scoreVariants(ctx, N * C, (i, dst) => {
      const n = Math.floor(i / C), c = i % C;
      if (cached.key !== i) cached = { key: i, m: mask(n, c) };
      const m = cached.m, x = ctx.x.data.subarray(n * per, (n + 1) * per);
      for (let k = 0; k < inC; k++) for (let p = 0; p < inH * inW; p++) {
        const idx = layout === 'NHWC' ? p * inC + k : k * inH * inW + p;
        dst[idx] = x[idx]! * m[p]!;
      }
    }, (i) => Math.floor(i / C));
    // Softmax over channels of each item's scores.
    const w = new Float32Array(N * C);
    for (let n = 0; n < N; n++) {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, scores[n * C + c]!);
      let s = 0;
      for (let c = 0; c < C; c++) { w[n * C + c] = Math.exp(scores[n * C + c]! - mx); s += w[n * C + c]!; }
      for (let c = 0; c < C; c++) w[n * C + c]! /= s;
    }
    return w;
  }
}

/** Bilinear resize with align_corners=True (corner pixels map to corner pixels). */
export function resizeAlignCorners(src: Float32Array, h: number, w: number, H: number, W: number): Float32Array {
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    const fy = H > 1 ? (y * (h - 1)) / (H - 1) : 0;
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), wy = fy - y0;
    for (let x = 0; x < W; x++) {
      const fx = W > 1 ? (x * (w - 1)) / (W - 1) : 0;
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), wx = fx - x0;
      out[y * W + x] = (src[y0 * w + x0]! * (1 - wx) + src[y0 * w + x1]! * wx) * (1 - wy) + (src[y1 * w + x0]! * (1 - wx) + src[y1 * w + x1]! * wx) * wy;
    }
  }
  return out;
}
