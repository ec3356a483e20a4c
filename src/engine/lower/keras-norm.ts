/**
 * Keras normalization layers at inference: BatchNormalization (moving statistics), LayerNormalization,
 * Normalization and Rescaling (preprocessing layers) and UnitNormalization.
 *
 * BatchNormalization is folded into one Mul and one Add, as TensorFlow's own inference kernel
 * computes it (tf.nn.batch_normalization: inv = gamma * rsqrt(var + eps);
 * y = x * inv + (beta - mean * inv)), on the layer's `axis` of the Keras-layout tensor, which needs
 * no transpose (and covers axis 1 of an NHWC tensor, which some models normalize).
 */
import { axisOf, num } from './keras-args.ts';
import type { LayerCall, LayerLowering } from './keras-call.ts';

/** The normalized axes of a layer (`axis` int or list; Keras 1 `axis` default -1), as non-negative indices. */
function axesOf(c: LayerCall, rank: number): number[] {
  const a = c.cfg.axis ?? -1;
  const list = Array.isArray(a) ? (a as number[]) : [Number(a)];
  return list.map((x) => axisOf(x, rank)).sort((x, y) => x - y);
}

/** Shape that broadcasts a parameter over the given axes of a rank-`rank` tensor. */
function paramShape(rank: number, axes: number[], dims: number[]): number[] {
  const shape = new Array<number>(rank).fill(1);
  axes.forEach((a, i) => { shape[a] = dims[i]!; });
  return shape;
}

function rankOf(c: LayerCall): number {
  const r = c.inShapes[0]?.length;
  if (r === undefined) c.fail('the input rank is unknown');
  return r!;
}

const batchNorm: LayerLowering = (c) => {
  const mode = num(c.cfg.mode, 0);
  if (mode !== 0) c.fail(`Keras 1 BatchNormalization mode ${mode} normalizes with batch statistics at inference, which is not supported`);
  const rank = rankOf(c);
  const axes = axesOf(c, rank);
  const eps = num(c.cfg.epsilon, 1e-3);
  const mean = c.w.get('moving_mean'), variance = c.w.get('moving_variance');
  const n = mean.data.length;
  const gamma = c.w.has('gamma') ? c.w.get('gamma').data : undefined;
  const beta = c.w.has('beta') ? c.w.get('beta').data : undefined;
  const scale = new Float32Array(n), shift = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const inv = (gamma ? gamma[i]! : 1) / Math.sqrt(variance.data[i]! + eps);
    scale[i] = inv;
    shift[i] = (beta ? beta[i]! : 0) - mean.data[i]! * inv;
  }
  const shape = paramShape(rank, axes, mean.shape.length === axes.length ? mean.shape : [n]);
  const e = c.e;
  return [e.add(e.mul(c.inputs[0]!, e.b.constant('float32', shape, scale, `${c.node.name}_scale`)), e.b.constant('float32', shape, shift, `${c.node.name}_shift`))];
};

/** (x - mean) / sqrt(var + eps) * gamma + beta over `axis` (keras/src/layers/normalization/layer_normalization.py). */
const layerNorm: LayerLowering = (c) => {
  const rank = rankOf(c);
  const axes = axesOf(c, rank);
  const eps = num(c.cfg.epsilon, 1e-3);
  const e = c.e, x = c.inputs[0]!;
  let y: string;
  if (c.cfg.rms_scaling === true) {
    // Keras 3 rms_scaling: x * rsqrt(mean(x^2) + eps) * gamma, no centering.
    y = e.div(x, e.op('Sqrt', [e.add(e.reduceMean(e.mul(x, x), axes), e.scalar(eps))]));
  } else {
    const centered = e.sub(x, e.reduceMean(x, axes));
    const variance = e.reduceMean(e.mul(centered, centered), axes);
    y = e.div(centered, e.op('Sqrt', [e.add(variance, e.scalar(eps))]));
  }
  const reshape = (role: string): string => c.w.constant(role, 'bcast', (w) => ({ data: w.data, shape: paramShape(rank, axes, w.shape.length === axes.length ? w.shape : [w.data.length]) }));
  if (c.w.has('gamma')) y = e.mul(y, reshape('gamma'));
  if (c.w.has('beta')) y = e.add(y, reshape('beta'));
  return [y];
};

/** Rescaling: x * scale + offset (scalars or per-channel lists). */
const rescaling: LayerLowering = (c) => {
  const vals = (v: unknown, d: number): number[] => (Array.isArray(v) ? (v as number[]) : [num(v, d)]);
  const scale = vals(c.cfg.scale, 1), offset = vals(c.cfg.offset, 0);
  const e = c.e;
  const s = e.b.floats(scale, scale.length === 1 ? [] : [scale.length]);
  const o = e.b.floats(offset, offset.length === 1 ? [] : [offset.length]);
  return [e.add(e.mul(c.inputs[0]!, s), o)];
};

/** Normalization: (x - mean) / max(sqrt(variance), 1e-7), or its inverse when `invert` (Keras 2.6+ and 3). */
const normalization: LayerLowering = (c) => {
  const e = c.e, x = c.inputs[0]!;
  const mean = c.w.constant('mean'), variance = c.w.get('variance');
  const std = Float32Array.from(variance.data, (v) => Math.max(Math.sqrt(v), 1e-7));
  const s = e.b.constant('float32', variance.shape, std, `${c.node.name}_std`);
  return [c.cfg.invert === true ? e.add(e.mul(x, s), mean) : e.div(e.sub(x, mean), s)];
};

/** UnitNormalization: x / sqrt(max(sum(x^2), 1e-12)) over `axis`. */
const unitNorm: LayerLowering = (c) => {
  const rank = rankOf(c);
  const e = c.e, x = c.inputs[0]!;
  const ss = e.op('Max', [e.reduceSum(e.mul(x, x), axesOf(c, rank)), e.scalar(1e-12)]);
  return [e.div(x, e.op('Sqrt', [ss]))];
};

/**
 * GroupNormalization(groups, axis=-1): channels split into `groups` consecutive groups, each
 * normalized over its channels and all spatial positions (Wu & He 2018, arXiv:1803.08494, eq. 1-3;
 * keras/src/layers/normalization/group_normalization.py), then per-channel gamma and beta.
 */
const groupNorm: LayerLowering = (c) => {
  const shape = c.inShapes[0];
  const rank = rankOf(c);
  if (axisOf(num(c.cfg.axis, -1), rank) !== rank - 1) c.fail('GroupNormalization is supported on the last axis');
  const C = shape?.[rank - 1];
  const G = num(c.cfg.groups, 32);
  if (typeof C !== 'number' || C % G !== 0) return c.fail(`${String(C)} channels cannot be split into ${G} groups`);
  const e = c.e, x = c.inputs[0]!;
  const eps = num(c.cfg.epsilon, 1e-3);
  const grouped = e.reshape(x, [...new Array<number>(rank - 1).fill(0), G, C / G]); // (N, ..., G, C/G)
  const axes = [...Array.from({ length: rank - 2 }, (_, i) => i + 1), rank];
  const centered = e.sub(grouped, e.reduceMean(grouped, axes));
  const variance = e.reduceMean(e.mul(centered, centered), axes);
  let y = e.op('Reshape', [e.div(centered, e.op('Sqrt', [e.add(variance, e.scalar(eps))])), e.op('Shape', [x])]);
  if (c.w.has('gamma')) y = e.mul(y, c.w.constant('gamma'));
  if (c.w.has('beta')) y = e.add(y, c.w.constant('beta'));
  return [y];
};

/** Normalization layers by Keras class name. */
export const NORM_LAYERS: Record<string, LayerLowering> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Rescaling: rescaling,
  Normalization: normalization,
  UnitNormalization: unitNorm,
  GroupNormalization: groupNorm,
};
