/**
 * The CAM family's shared core (STYLE.md 4, after pytorch-grad-cam's `base_cam.py`): it captures
 * the layer's activation A and, when the method needs it, the gradient dA of the target, in one
 * engine run; methods only say how to weight the channels. The raw map is
 * ReLU(sum_c w[n,c] * A[n,c,:,:]) at the layer's resolution; normalization and resizing to the
 * input are separate steps (postprocess.ts), so `--save-raw` can write the map before them.
 */
import { NnlensError } from '../../errors.ts';
import type { NdArray } from '../../engine/ndarray.ts';
import { Attribution, feedsOf, f32Array, type AttributionResult, type ExplainContext } from '../method.ts';

/** A layer activation (and gradient) in N, C, H, W order, whatever the source layout. */
export interface LayerTensors {
  N: number;
  C: number;
  H: number;
  W: number;
  /** Activation [N, C, H, W]. */
  A: Float32Array;
  /** Gradient of the target w.r.t. the activation, [N, C, H, W] (when requested). */
  G?: Float32Array;
  /** The target's value per item. */
  score?: Float32Array;
}

/** Base of every CAM method. */
export abstract class CamMethod<O extends object = object> extends Attribution<O> {
  readonly space = 'layer' as const;
  /** Whether the method needs dTarget/dA (Eigen-CAM and Score-CAM do not). */
  protected readonly needsGradient: boolean = true;

  /** Channel weights [N, C] from the activation and gradient. */
  protected abstract channelWeights(t: LayerTensors, ctx: ExplainContext, options: O): Promise<Float32Array> | Float32Array;

  /** The map before ReLU, [N, H, W]; default: sum over channels of weight x activation. */
  protected async combine(t: LayerTensors, ctx: ExplainContext, options: O): Promise<Float32Array> {
    const w = await this.channelWeights(t, ctx, options);
    const { N, C, H, W, A } = t;
    const hw = H * W;
    const out = new Float32Array(N * hw);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const wc = w[n * C + c]!;
        if (wc === 0) continue;
        const base = (n * C + c) * hw;
        for (let i = 0; i < hw; i++) out[n * hw + i] += wc * A[base + i]!;
      }
    }
    return out;
  }

  /**
   * The map when every position has its own weight f(g) (HiResCAM: g, Layer-CAM: ReLU(g)):
   * sum over channels of f(G) * A.
   */
  protected positionWeighted(t: LayerTensors, f: (g: number) => number): Float32Array {
    const { N, C, A, G } = t, hw = t.H * t.W;
    const out = new Float32Array(N * hw);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) {
      const base = (n * C + c) * hw;
      for (let i = 0; i < hw; i++) out[n * hw + i] += f(G![base + i]!) * A[base + i]!;
    }
    return out;
  }

  async attribute(ctx: ExplainContext, options: O): Promise<AttributionResult> {
    const t = await captureLayer(ctx, this.needsGradient);
    const raw = await this.combine(t, ctx, options);
    for (let i = 0; i < raw.length; i++) if (!(raw[i]! > 0)) raw[i] = 0; // ReLU; also maps NaN to 0
    return { map: f32Array([t.N, t.H, t.W], raw), space: 'layer', score: t.score, info: { layer: ctx.layer } };
  }
}

/** Runs the model once, capturing the layer's activation and (if asked) its gradient, as NCHW. */
export async function captureLayer(ctx: ExplainContext, withGradient: boolean): Promise<LayerTensors> {
  const layer = ctx.layer;
  if (!layer) throw new NnlensError(ctx.engine.model.path, 'CAM methods need a layer (--layer)');
  const names = ctx.engine.resolve(layer);
  if (names.length !== 1) throw new NnlensError(ctx.engine.model.path, `layer '${layer}' has ${names.length} output tensors; name one of: ${names.join(', ')}`);
  let act: NdArray, grad: NdArray | undefined, score: Float32Array | undefined;
  if (withGradient) {
    const r = await ctx.engine.gradients(feedsOf(ctx), { target: ctx.target, wrt: [layer], capture: [layer] }, ctx.values);
    act = r.captured[layer]![0]!;
    grad = r.grads[layer]!;
    score = r.score;
  } else {
    const r = await ctx.engine.run(feedsOf(ctx), [layer]);
    act = r.captured[layer]![0]!;
  }
  const layout = ctx.engine.exec.layoutOf(names[0]!);
  return toNchw(act, grad, layout, layer, ctx.engine.model.path, score);
}

function toNchw(act: NdArray, grad: NdArray | undefined, layout: 'NCHW' | 'NHWC', layer: string, file: string, score?: Float32Array): LayerTensors {
  const s = act.shape;
  if (s.length !== 4) {
    throw new NnlensError(file, `layer '${layer}' has shape [${s.join(', ')}]; CAM methods need a 4-D feature map (N, C, H, W or N, H, W, C)`);
  }
  const A = Float32Array.from(act.data as Float32Array);
  const G = grad ? Float32Array.from(grad.data as Float32Array) : undefined;
  if (layout === 'NCHW') return { N: s[0]!, C: s[1]!, H: s[2]!, W: s[3]!, A, G, score };
  const [N, H, W, C] = s as [number, number, number, number];
  const tr = (src: Float32Array): Float32Array => {
    const out = new Float32Array(src.length);
    for (let n = 0; n < N; n++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) {
      out[((n * C + c) * H + h) * W + w] = src[((n * H + h) * W + w) * C + c]!;
    }
    return out;
  };
  return { N, C, H, W, A: tr(A), G: G ? tr(G) : undefined, score };
}

/** Mean over H, W of each [n, c] plane of `x` (pytorch-grad-cam's `np.mean(grads, axis=(2, 3))`). */
export function spatialMean(x: Float32Array, N: number, C: number, hw: number): Float32Array {
  const out = new Float32Array(N * C);
  for (let k = 0; k < N * C; k++) {
    let s = 0;
    for (let i = 0; i < hw; i++) s += x[k * hw + i]!;
    out[k] = s / hw;
  }
  return out;
}
