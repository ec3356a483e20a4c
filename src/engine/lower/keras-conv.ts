/**
 * Keras convolutions as ONNX Conv / ConvTranspose: Conv1D/2D/3D (and Keras 1 Convolution*,
 * AtrousConvolution*), SeparableConv, DepthwiseConv, Conv*Transpose (and Keras 1 Deconvolution2D).
 *
 * Tensors stay in Keras layout between layers (NHWC unless the layer says channels_first), so each
 * convolution is wrapped in Transpose(NHWC -> NCHW) ... Transpose(back); ONNX Runtime's transpose
 * optimizer cancels the adjacent pairs between consecutive layers. Kernels are re-laid out once, as
 * new constants: Keras stores conv kernels as (spatial..., in, out) and transposed-conv kernels as
 * (spatial..., out, in) (keras/src/layers/convolutional/base_conv.py, base_conv_transpose.py);
 * ONNX wants (out, in/group, spatial...) and (in, out/group, spatial...) respectively.
 *
 * Keras 1 `dim_ordering: 'th'` layers keep NCHW tensors and store kernels as (out, in, rows, cols)
 * already (keras 1.2 `Convolution2D.build`). Kernels are taken as cross-correlation kernels, as
 * TensorFlow (and TF.js) apply them; Keras 1 Theano-trained kernels that Keras itself would flip
 * when changing backends are not flipped.
 */
import type { Shape } from '../../graph/ir.ts';
import type { AttrInput } from '../builder.ts';
import { applyActivation } from './keras-activation.ts';
import {
  channelsFirst, dilationOf, kernelSizeOf, num, paddingOf, permute, spatialDims, stridesOf, windowPads,
} from './keras-args.ts';
import type { LayerCall, LayerLowering } from './keras-call.ts';

/** Permutation from Keras (N, spatial..., C) to ONNX (N, C, spatial...). */
export function toChannelsFirst(rank: number): number[] {
  return [0, rank + 1, ...Array.from({ length: rank }, (_, i) => i + 1)];
}

/** Permutation from (N, C, spatial...) back to (N, spatial..., C). */
export function toChannelsLast(rank: number): number[] {
  return [0, ...Array.from({ length: rank }, (_, i) => i + 2), 1];
}

/** Kernel permutation (spatial..., a, b) -> (b, a, spatial...). */
function kernelPerm(rank: number): number[] {
  return [rank + 1, rank, ...Array.from({ length: rank }, (_, i) => i)];
}

/** Runs `body` on the input in channels-first layout and returns its result in the layer's own layout. */
export function channelsFirstScope(c: LayerCall, rank: number, x: string, body: (xcf: string) => string): string {
  if (channelsFirst(c.cfg)) return body(x);
  return c.e.transpose(body(c.e.transpose(x, toChannelsFirst(rank))), toChannelsLast(rank));
}

/** Window attributes (strides, dilations, pads or auto_pad) of a Keras conv/pool layer call. */
export function windowAttrs(c: LayerCall, rank: number, k: number[], s: number[], d: number[] | undefined): Record<string, AttrInput> {
  const padding = paddingOf(c.cfg);
  const spatial = spatialDims(c.inShapes[0], rank, channelsFirst(c.cfg));
  const pads = windowPads(padding, spatial, k, s, d ?? k.map(() => 1));
  const attrs: Record<string, AttrInput> = { kernel_shape: k, strides: s };
  if (d) attrs.dilations = d;
  if (pads) attrs.pads = pads;
  else if (padding === 'same') attrs.auto_pad = 'SAME_UPPER'; // ONNX puts the odd pixel at the end, as TensorFlow does
  else c.fail(`padding '${padding}' is not supported`);
  return attrs;
}

/** Conv1D / Conv2D / Conv3D and their Keras 1 names. */
function conv(rank: number): LayerLowering {
  return (c) => {
    const cfg = c.cfg;
    const k = kernelSizeOf(cfg, rank);
    const s = stridesOf(cfg, rank, k.map(() => 1));
    const d = dilationOf(cfg, rank);
    const stored = c.w.get('kernel').shape;
    let W: string;
    if (cfg.dim_ordering === 'th' && stored.length === rank + 2) {
      W = c.w.constant('kernel');
    } else {
      // Keras 1 Convolution1D stores (length, 1, in, out): it ran as a 2-D convolution.
      const squeeze1d = rank === 1 && stored.length === 4 && stored[1] === 1;
      W = c.w.constant('kernel', 'onnx', (w) => permute(w.data, squeeze1d ? [w.shape[0]!, w.shape[2]!, w.shape[3]!] : w.shape, kernelPerm(rank)));
    }
    const group = num(cfg.groups, 1);
    const attrs = { ...windowAttrs(c, rank, k, s, d), ...(group > 1 ? { group } : {}) };
    const ins = [W, ...(c.w.has('bias') ? [c.w.constant('bias')] : [])];
    const y = channelsFirstScope(c, rank, c.inputs[0]!, (x) => c.e.op('Conv', [x, ...ins], attrs));
    return [applyActivation(c.e, cfg.activation, y, c.dialect, c.fail)];
  };
}

/** ONNX depthwise weights (C*mult, 1, spatial...) from Keras (spatial..., C, mult): output channel c*mult + m, as TensorFlow orders them. */
function depthwiseWeights(c: LayerCall, rank: number): { W: string; channels: number } {
  const shape = c.w.get('depthwise_kernel').shape;
  const W = c.w.constant('depthwise_kernel', 'onnx', (w) => {
    const p = permute(w.data, w.shape, [rank, rank + 1, ...Array.from({ length: rank }, (_, i) => i)]);
    return { data: p.data, shape: [p.shape[0]! * p.shape[1]!, 1, ...p.shape.slice(2)] };
  });
  return { W, channels: shape[rank]! };
}

/** DepthwiseConv1D/2D: a grouped convolution with one group per input channel. */
function depthwise(rank: number): LayerLowering {
  return (c) => {
    const k = kernelSizeOf(c.cfg, rank);
    const s = stridesOf(c.cfg, rank, k.map(() => 1));
    const d = dilationOf(c.cfg, rank);
    const { W, channels } = depthwiseWeights(c, rank);
    const ins = [W, ...(c.w.has('bias') ? [c.w.constant('bias')] : [])];
    const attrs = { ...windowAttrs(c, rank, k, s, d), group: channels };
    const y = channelsFirstScope(c, rank, c.inputs[0]!, (x) => c.e.op('Conv', [x, ...ins], attrs));
    return [applyActivation(c.e, c.cfg.activation, y, c.dialect, c.fail)];
  };
}

/** SeparableConv1D/2D: depthwise (strided, padded, dilated) then a 1x1 pointwise convolution with the bias. */
function separable(rank: number): LayerLowering {
  return (c) => {
    if (c.cfg.dim_ordering === 'th') c.fail("Keras 1 separable convolutions with dim_ordering 'th' are not supported");
    const k = kernelSizeOf(c.cfg, rank);
    const s = stridesOf(c.cfg, rank, k.map(() => 1));
    const d = dilationOf(c.cfg, rank);
    const { W, channels } = depthwiseWeights(c, rank);
    const P = c.w.constant('pointwise_kernel', 'onnx', (w) => permute(w.data, w.shape, kernelPerm(rank)));
    const ins = [P, ...(c.w.has('bias') ? [c.w.constant('bias')] : [])];
    const attrs = { ...windowAttrs(c, rank, k, s, d), group: channels };
    const ones = k.map(() => 1);
    const y = channelsFirstScope(c, rank, c.inputs[0]!, (x) => {
      const dw = c.e.op('Conv', [x, W], attrs);
      return c.e.op('Conv', [dw, ...ins], { kernel_shape: ones, strides: ones });
    });
    return [applyActivation(c.e, c.cfg.activation, y, c.dialect, c.fail)];
  };
}

/**
 * Conv1DTranspose/2D/3D (and Keras 1 Deconvolution2D). The output size is the one Keras computes
 * (the loader's shape, from `deconv_output_length` or Keras 1's `output_shape`); the cropping is
 * TensorFlow's `conv2d_transpose`, the gradient of a forward convolution from that output size,
 * which pads floor(total / 2) at the beginning. ONNX: out = s (in - 1) + output_padding +
 * (k - 1) d + 1 - pad_begin - pad_end, so whatever the forward padding leaves is cropped at the
 * end, or added back as output_padding.
 */
function convTranspose(rank: number): LayerLowering {
  return (c) => {
    const cfg = c.cfg;
    const cf = channelsFirst(cfg);
    const k = kernelSizeOf(cfg, rank);
    const s = stridesOf(cfg, rank, k.map(() => 1));
    const d = dilationOf(cfg, rank);
    const padding = paddingOf(cfg);
    const ins = spatialDims(c.inShapes[0], rank, cf);
    const outs = spatialDims(c.outShapes[0] as Shape | undefined, rank, cf);
    const begin: number[] = [], end: number[] = [], extra: number[] = [];
    for (let i = 0; i < rank; i++) {
      const n = ins[i], out = outs[i];
      if (n === null || n === undefined || out === null || out === undefined) return c.fail('a transposed convolution needs known input and output sizes');
      const eff = (k[i]! - 1) * d[i]! + 1;
      const full = (n - 1) * s[i]! + eff;
      const pb = padding === 'same' ? Math.floor(Math.max(full - out, 0) / 2) : 0;
      const rest = full - pb - out;
      begin.push(pb);
      end.push(Math.max(rest, 0));
      extra.push(Math.max(-rest, 0));
    }
    const W = c.w.constant('kernel', 'onnx', (w) => permute(w.data, w.shape, kernelPerm(rank)));
    const B = c.w.has('bias') ? [c.w.constant('bias')] : [];
    const attrs: Record<string, AttrInput> = { kernel_shape: k, strides: s, dilations: d, pads: [...begin, ...end] };
    if (extra.some((p) => p > 0)) attrs.output_padding = extra;
    const y = channelsFirstScope(c, rank, c.inputs[0]!, (x) => c.e.op('ConvTranspose', [x, W, ...B], attrs));
    return [applyActivation(c.e, cfg.activation, y, c.dialect, c.fail)];
  };
}

/** Convolution layers by Keras class name (Keras 1, 2 and 3 names). */
export const CONV_LAYERS: Record<string, LayerLowering> = {
  Conv1D: conv(1), Conv2D: conv(2), Conv3D: conv(3),
  Convolution1D: conv(1), Convolution2D: conv(2), Convolution3D: conv(3),
  AtrousConvolution1D: conv(1), AtrousConvolution2D: conv(2),
  DepthwiseConv1D: depthwise(1), DepthwiseConv2D: depthwise(2),
  SeparableConv1D: separable(1), SeparableConv2D: separable(2), SeparableConvolution2D: separable(2),
  Conv1DTranspose: convTranspose(1), Conv2DTranspose: convTranspose(2), Conv3DTranspose: convTranspose(3),
  Deconvolution2D: convTranspose(2), Deconvolution3D: convTranspose(3),
};
