/**
 * Geometry of convolution and pooling windows: explicit pads from `auto_pad`, output sizes, and
 * the `output_padding` a transposed convolution needs to reproduce an input size exactly.
 * Formulas from the ONNX Conv / ConvTranspose / MaxPool specs.
 */
import { attr, type Node } from '../../graph/ir.ts';

/** Normalized window attributes for a node over `spatial` input sizes. */
export interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, as in ONNX `pads`. */
  padsBegin: number[];
  padsEnd: number[];
}

/**
 * Resolves a Conv/Pool node's window. `kernel` comes from `kernel_shape` or the weight shape.
 * @example windowOf(node, [224, 224], [7, 7]).padsBegin // [3, 3]
 */
export function windowOf(node: Node, spatial: number[], kernelFromWeight?: number[]): Window {
  const n = spatial.length;
  const kernel = attr(node, 'kernel_shape', 'ints', kernelFromWeight ?? []);
  if (kernel.length !== n) throw new Error(`node '${node.name}' (${node.op}): kernel_shape rank ${kernel.length} does not fit ${n} spatial dims`);
  const strides = attr(node, 'strides', 'ints', new Array(n).fill(1));
  const dilations = attr(node, 'dilations', 'ints', new Array(n).fill(1));
  const autoPad = attr(node, 'auto_pad', 'string', 'NOTSET');
  let padsBegin: number[], padsEnd: number[];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    padsBegin = []; padsEnd = [];
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(spatial[i]! / strides[i]!);
      const total = Math.max(0, (out - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - spatial[i]!);
      const small = Math.floor(total / 2);
      padsBegin.push(autoPad === 'SAME_UPPER' ? small : total - small);
      padsEnd.push(autoPad === 'SAME_UPPER' ? total - small : small);
    }
  } else if (autoPad === 'VALID') {
    padsBegin = new Array(n).fill(0); padsEnd = new Array(n).fill(0);
  } else {
    const pads = attr(node, 'pads', 'ints', new Array(2 * n).fill(0));
    padsBegin = pads.slice(0, n); padsEnd = pads.slice(n, 2 * n);
  }
  return { kernel, strides, dilations, padsBegin, padsEnd };
}

/**
 * The output_padding that makes ConvTranspose(dY) come out at exactly `inSize` (the forward
 * input), given the forward output size `outSize`: out_T = (out-1)*s - pb - pe + d*(k-1) + 1 + op.
 */
export function outputPadding(w: Window, inSize: number[], outSize: number[]): number[] {
  return inSize.map((x, i) => x - ((outSize[i]! - 1) * w.strides[i]! - w.padsBegin[i]! - w.padsEnd[i]! + w.dilations[i]! * (w.kernel[i]! - 1) + 1));
}

/**
 * End pads and output_padding for a ConvTranspose that spreads a pooled gradient back to exactly
 * `inSize`. With ceil_mode the last window may run past the padded input, which would need a
 * negative output_padding; the excess is absorbed by a larger end pad instead.
 */
export function transposeFit(w: Window, inSize: number[], outSize: number[]): { padsEnd: number[]; outputPadding: number[] } {
  const padsEnd: number[] = [], op: number[] = [];
  inSize.forEach((x, i) => {
    const total = (outSize[i]! - 1) * w.strides[i]! + w.dilations[i]! * (w.kernel[i]! - 1) + 1 - x - w.padsBegin[i]!;
    if (total >= 0) { padsEnd.push(total); op.push(0); } else { padsEnd.push(0); op.push(-total); }
  });
  return { padsEnd, outputPadding: op };
}
