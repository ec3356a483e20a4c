/**
 * Shape rules for TensorFlow's neural-network ops as TF.js graph models hold them (domain `tf`):
 * convolutions and pools in NHWC or NCHW, MatMul with transposes, fused batch norm, resizes.
 * Window sizes follow tensorflow/core/framework/kernel_shape_util.cc (GetWindowedOutputSize):
 * VALID: floor((in - k_eff) / s) + 1; SAME: ceil(in / s); EXPLICIT: floor((in + pads - k_eff) / s) + 1,
 * with k_eff = (k - 1) * dilation + 1.
 */
import type { Dim, Node, Shape } from '../ir.ts';
import { attr } from '../ir.ts';
import type { DType } from '../tensor.ts';
import { broadcastShapes } from './broadcast.ts';
import { dimAdd, dimCeilDiv, dimFloorDiv, dimMul } from './symbolic.ts';
import { like, type Fact, type Rule } from './types.ts';

/** A boolean attribute (kept as `json` by the TF.js loader). */
export function flag(node: Node, name: string): boolean {
  const a = node.attributes[name];
  return a?.type === 'json' ? a.value === true : a?.type === 'int' ? a.value !== 0 : false;
}

/** A dtype attribute (`T`, `DstT`, `out_type`...), already mapped to an nnlens dtype name by the loader. */
export function dtypeAttr(node: Node, name: string, fallback?: DType): DType | undefined {
  const a = node.attributes[name];
  return a?.type === 'string' ? (a.value as DType) : fallback;
}

/** Positions of the spatial and channel axes of a 4-D tensor in `data_format`. */
function layout(node: Node): { spatial: [number, number]; channel: number } {
  return attr(node, 'data_format', 'string', 'NHWC').startsWith('NC') ? { spatial: [2, 3], channel: 1 } : { spatial: [1, 2], channel: 3 };
}

function windowed(size: Dim, k: Dim, s: number, d: number, padding: string, pads: [number, number]): Dim {
  if (padding === 'SAME') return dimCeilDiv(size, s);
  if (typeof k !== 'number') return null;
  const eff = (k - 1) * d + 1;
  const extra = padding === 'EXPLICIT' ? pads[0] + pads[1] : 0;
  return dimAdd(dimFloorDiv(dimAdd(size, extra - eff), s), 1);
}

/** Output of a 4-D windowed op over `x`, with kernel dims `k` (H, W) and `channels` output channels. */
function window4(node: Node, x: Fact | undefined, k: [Dim, Dim], channels: Dim): Fact {
  const shape = x?.shape;
  if (!shape || shape.length !== 4) return { dtype: x?.dtype };
  const { spatial, channel } = layout(node);
  const strides = attr(node, 'strides', 'ints', [1, 1, 1, 1]);
  const dilations = attr(node, 'dilations', 'ints', [1, 1, 1, 1]);
  const padding = attr(node, 'padding', 'string', 'VALID');
  const explicit = attr(node, 'explicit_paddings', 'ints', []);
  const out: Dim[] = [...shape];
  spatial.forEach((axis, i) => {
    out[axis] = windowed(shape[axis]!, k[i]!, strides[axis] ?? 1, dilations[axis] ?? 1, padding, [explicit[2 * axis] ?? 0, explicit[2 * axis + 1] ?? 0]);
  });
  out[channel] = channels;
  return { dtype: x!.dtype, shape: out };
}

/** Conv2D and its fused form: filter is [H, W, in, out]. */
const conv2d: Rule = (node, [x, f]) => {
  const fs = f?.shape;
  return [window4(node, x, [fs?.[0] ?? null, fs?.[1] ?? null], fs?.[3] ?? null)];
};

/** DepthwiseConv2dNative: filter is [H, W, in, multiplier]; out channels = in * multiplier. */
const depthwise: Rule = (node, [x, f]) => {
  const fs = f?.shape;
  return [window4(node, x, [fs?.[0] ?? null, fs?.[1] ?? null], fs ? dimMul(fs[2]!, fs[3]!) : null)];
};

/** MaxPool / AvgPool: `ksize` in data-format order; channels unchanged. */
const pool: Rule = (node, [x]) => {
  const { spatial, channel } = layout(node);
  const ksize = attr(node, 'ksize', 'ints', [1, 1, 1, 1]);
  return [window4(node, x, [ksize[spatial[0]]!, ksize[spatial[1]]!], x?.shape?.[channel] ?? null)];
};

/** Conv2DBackpropInput (transposed convolution): the output shape is its first input's value. */
const conv2dBackpropInput: Rule = (_node, [sizes, , dy]) => [{ dtype: dy?.dtype, shape: sizes?.value && [...sizes.value] }];

/** MatMul: [M, K] x [K, N] with transpose_a / transpose_b. */
const matmul: Rule = (node, [a, b]) => {
  const m = a?.shape?.length === 2 ? a.shape[flag(node, 'transpose_a') ? 1 : 0]! : null;
  const n = b?.shape?.length === 2 ? b.shape[flag(node, 'transpose_b') ? 0 : 1]! : null;
  return [{ dtype: a?.dtype, shape: [m, n] }];
};

/** BatchMatMul(V2/V3): batch dims broadcast; adj_x / adj_y transpose the last two dims. */
const batchMatmul: Rule = (node, [a, b]) => {
  const as = a?.shape, bs = b?.shape;
  if (!as || !bs || as.length < 2 || bs.length < 2) return [{ dtype: a?.dtype }];
  const batch = broadcastShapes([as.slice(0, -2), bs.slice(0, -2)])!;
  const m = as[as.length - (flag(node, 'adj_x') ? 1 : 2)]!;
  const n = bs[bs.length - (flag(node, 'adj_y') ? 2 : 1)]!;
  return [{ dtype: a?.dtype, shape: [...batch, m, n] }];
};

/** FusedBatchNorm(V2/V3): y like x, then per-channel statistics. */
const fusedBatchNorm: Rule = (node, [x]) => {
  const c = x?.shape?.length === 4 ? x.shape[layout(node).channel]! : null;
  return node.outputs.map((_, i) => (i === 0 ? like(x) : { dtype: 'float32', shape: [c] as Shape }));
};

/** ResizeBilinear / ResizeNearestNeighbor(images NHWC, size [2]). */
const resize: Rule = (_node, [x, size]) => {
  const s = size?.value;
  const xs = x?.shape;
  return [{ dtype: 'float32', shape: xs?.length === 4 ? [xs[0]!, s?.[0] ?? null, s?.[1] ?? null, xs[3]!] : undefined }];
};

/** Rules of this family, keyed `tf:Op`. */
export const tfNnRules: Record<string, Rule> = {
  'tf:Conv2D': conv2d,
  'tf:_FusedConv2D': conv2d,
  'tf:DepthwiseConv2dNative': depthwise,
  'tf:FusedDepthwiseConv2dNative': depthwise,
  'tf:Conv2DBackpropInput': conv2dBackpropInput,
  'tf:MaxPool': pool,
  'tf:AvgPool': pool,
  'tf:MatMul': matmul,
  'tf:_FusedMatMul': matmul,
  'tf:BatchMatMul': batchMatmul,
  'tf:BatchMatMulV2': batchMatmul,
  'tf:BatchMatMulV3': batchMatmul,
  'tf:FusedBatchNorm': fusedBatchNorm,
  'tf:FusedBatchNormV2': fusedBatchNorm,
  'tf:FusedBatchNormV3': fusedBatchNorm,
  'tf:ResizeBilinear': resize,
  'tf:ResizeNearestNeighbor': resize,
};
