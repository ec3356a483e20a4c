/**
 * Convolution and pooling (ONNX Operators.md: Conv, ConvTranspose, MaxPool, AveragePool, LpPool,
 * Global*Pool, MaxUnpool, RoiAlign). Layout is NCHW-like: `[N, C, D1, ..., Dk]`.
 */
import type { Dim, Node, Shape } from '../ir.ts';
import { attr } from '../ir.ts';
import { dimAdd, dimCeilDiv, dimFloorDiv, dimMul } from './symbolic.ts';
import { ints, like, type Fact, type Rule } from './types.ts';

/** Spatial attributes of a windowed op, defaults filled in for `k` spatial dims. */
interface Window {
  kernel: Dim[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, as in ONNX's `pads` = [x1_begin, x2_begin, ..., x1_end, x2_end, ...]. */
  pads: number[];
  autoPad: string;
}

function windowOf(node: Node, k: number, kernel: Dim[]): Window {
  return {
    kernel,
    strides: attr(node, 'strides', 'ints', new Array(k).fill(1)),
    dilations: attr(node, 'dilations', 'ints', new Array(k).fill(1)),
    pads: attr(node, 'pads', 'ints', new Array(2 * k).fill(0)),
    autoPad: attr(node, 'auto_pad', 'string', 'NOTSET'),
  };
}

/**
 * Output size of one spatial axis of Conv or a pool:
 * NOTSET: floor((in + pad_begin + pad_end - ((k - 1) * d + 1)) / s) + 1 (ceil with ceil_mode);
 * SAME_UPPER / SAME_LOWER: ceil(in / s); VALID: ceil((in - ((k - 1) * d + 1) + 1) / s).
 */
function windowOut(w: Window, i: number, size: Dim, ceilMode: boolean): Dim {
  const s = w.strides[i]!, d = w.dilations[i]!, k = w.kernel[i]!;
  if (w.autoPad === 'SAME_UPPER' || w.autoPad === 'SAME_LOWER') return dimCeilDiv(size, s);
  const span = typeof k === 'number' ? (k - 1) * d + 1 : null;
  if (span === null) return null;
  if (w.autoPad === 'VALID') return dimCeilDiv(dimAdd(size, 1 - span), s);
  const k0 = w.strides.length;
  const padBegin = w.pads[i]!, padded = dimAdd(size, padBegin + w.pads[i + k0]! - span);
  if (!ceilMode) return dimAdd(dimFloorDiv(padded, s), 1);
  let out = dimAdd(dimCeilDiv(padded, s), 1);
  // The last window must start inside the input or its left padding (ONNX pool shape inference
  // since onnx 1.15, as PyTorch does): otherwise it would pool padding only.
  if (typeof out === 'number' && typeof size === 'number' && (out - 1) * s >= size + padBegin) out -= 1;
  return out;
}

function spatial(x: Fact | undefined): Shape | undefined {
  return x?.shape && x.shape.length >= 2 ? x.shape.slice(2) : undefined;
}

/** Conv (and ConvInteger, QLinearConv with their input slots): out channels from W's first dim. */
function conv(xSlot: number, wSlot: number, dtype?: (inputs: (Fact | undefined)[]) => Fact['dtype']): Rule {
  return (node, inputs) => {
    const x = inputs[xSlot], w = inputs[wSlot];
    const sp = spatial(x);
    const out: Fact = { dtype: dtype ? dtype(inputs) : x?.dtype };
    if (!sp || !x?.shape) return [out];
    const kernel = attr(node, 'kernel_shape', 'ints', []);
    const win = windowOf(node, sp.length, kernel.length ? kernel : (w?.shape?.slice(2) ?? new Array(sp.length).fill(null)));
    out.shape = [x.shape[0]!, w?.shape?.[0] ?? null, ...sp.map((d, i) => windowOut(win, i, d, false))];
    return [out];
  };
}

/** ConvTranspose: out = s * (in - 1) + output_padding + ((k - 1) * d + 1) - pad_begin - pad_end. */
const convTranspose: Rule = (node, [x, w]) => {
  const sp = spatial(x);
  const out: Fact = { dtype: x?.dtype };
  if (!sp || !x?.shape) return [out];
  const group = attr(node, 'group', 'int', 1);
  const channels = typeof w?.shape?.[1] === 'number' ? w.shape[1] * group : null;
  const k = sp.length;
  const explicit = attr(node, 'output_shape', 'ints', []);
  if (explicit.length) {
    out.shape = [x.shape[0]!, channels, ...explicit.slice(explicit.length - k)];
    return [out];
  }
  const kernel = attr(node, 'kernel_shape', 'ints', []);
  const win = windowOf(node, k, kernel.length ? kernel : (w?.shape?.slice(2) ?? new Array(k).fill(null)));
  const outPad = attr(node, 'output_padding', 'ints', new Array(k).fill(0));
  out.shape = [x.shape[0]!, channels, ...sp.map((d, i) => {
    const s = win.strides[i]!;
    if (win.autoPad === 'SAME_UPPER' || win.autoPad === 'SAME_LOWER') return dimMul(d, s);
    const kk = win.kernel[i];
    if (typeof kk !== 'number') return null;
    const pads = win.autoPad === 'VALID' ? 0 : win.pads[i]! + win.pads[i + k]!;
    return dimAdd(dimMul(dimAdd(d, -1), s), outPad[i]! + (kk - 1) * win.dilations[i]! + 1 - pads);
  })];
  return [out];
};

/** MaxPool / AveragePool / LpPool; MaxPool's optional second output is int64 indices. */
const pool: Rule = (node, [x]) => {
  const sp = spatial(x);
  const out: Fact = { dtype: x?.dtype };
  if (sp && x?.shape) {
    const win = windowOf(node, sp.length, attr(node, 'kernel_shape', 'ints', []));
    if (win.kernel.length !== sp.length) throw new Error(`kernel_shape has ${win.kernel.length} dims for ${sp.length} spatial dims`);
    const ceilMode = attr(node, 'ceil_mode', 'int', 0) === 1;
    out.shape = [x.shape[0]!, x.shape[1]!, ...sp.map((d, i) => windowOut(win, i, d, ceilMode))];
  }
  return [out, { dtype: 'int64', shape: out.shape && [...out.shape] }];
};

const globalPool: Rule = (_node, [x]) => [{ dtype: x?.dtype, shape: x?.shape && [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)] }];

/** MaxUnpool: the `output_shape` input when given, else (in - 1) * s + k - pad_begin - pad_end. */
const maxUnpool: Rule = (node, [x, , outShape]) => {
  const given = ints(outShape);
  if (given) return [{ dtype: x?.dtype, shape: given }];
  const sp = spatial(x);
  if (!sp || !x?.shape) return [like(x)];
  const win = windowOf(node, sp.length, attr(node, 'kernel_shape', 'ints', []));
  const k = sp.length;
  return [{ dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, ...sp.map((d, i) => dimAdd(dimMul(dimAdd(d, -1), win.strides[i]!), (win.kernel[i] as number) - win.pads[i]! - win.pads[i + k]!))] }];
};

/** RoiAlign(X, rois, batch_indices) and MaxRoiPool(X, rois): [num_rois, C, out_h, out_w]. */
const roiAlign: Rule = (node, [x, rois]) => [{
  dtype: x?.dtype,
  shape: [rois?.shape?.[0] ?? null, x?.shape?.[1] ?? null, attr(node, 'output_height', 'int', 1), attr(node, 'output_width', 'int', 1)],
}];
const maxRoiPool: Rule = (node, [x, rois]) => {
  const [h, w] = attr(node, 'pooled_shape', 'ints', []);
  return [{ dtype: x?.dtype, shape: [rois?.shape?.[0] ?? null, x?.shape?.[1] ?? null, h ?? null, w ?? null] }];
};

/** Rules of this family, by ONNX op type. */
export const convRules: Record<string, Rule> = {
  Conv: conv(0, 1),
  ConvInteger: conv(0, 1, () => 'int32'),
  QLinearConv: conv(0, 3, (inputs) => inputs[7]?.dtype),
  DeformConv: conv(0, 1),
  ConvTranspose: convTranspose,
  MaxPool: pool,
  AveragePool: pool,
  LpPool: pool,
  GlobalAveragePool: globalPool,
  GlobalMaxPool: globalPool,
  GlobalLpPool: globalPool,
  MaxUnpool: maxUnpool,
  RoiAlign: roiAlign,
  MaxRoiPool: maxRoiPool,
};
