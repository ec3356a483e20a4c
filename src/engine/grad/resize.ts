/**
 * Backward rule of Resize (nearest and linear, any number of resized axes). Resize is linear in
 * its input and separable per axis: y = M_h x M_w^T for 2-D images, with M_a the [out, in]
 * interpolation matrix of axis a. The gradient is therefore dx = M_h^T dy M_w, computed with
 * MatMuls against constant matrices built here with the ONNX Resize spec's coordinate transforms
 * and rounding modes (https://onnx.ai/onnx/operators/onnx__Resize.html).
 */
import { attr, type Node } from '../../graph/ir.ts';
import type { GradRule } from './rule.ts';

/** Source coordinate of output index `o` along an axis (ONNX coordinate_transformation_mode). */
function sourceCoord(mode: string, o: number, scale: number, inLen: number, outLen: number): number {
  switch (mode) {
    case 'half_pixel': return (o + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel': return outLen > 1 ? (o + 0.5) / scale - 0.5 : 0;
    case 'align_corners': return outLen > 1 ? (o * (inLen - 1)) / (outLen - 1) : 0;
    case 'asymmetric': return o / scale;
    case 'tf_half_pixel_for_nn': return (o + 0.5) / scale;
    default: throw new Error(`Resize coordinate_transformation_mode '${mode}' is not supported for gradients`);
  }
}

function roundNearest(mode: string, x: number): number {
  switch (mode) {
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round_prefer_ceil': return Math.floor(x + 0.5);
    default: return x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x); // round_prefer_floor
  }
}

/** The [outLen, inLen] interpolation matrix of one axis, row-major. */
export function resizeMatrix(node: Node, inLen: number, outLen: number, scale: number): Float32Array {
  const mode = attr(node, 'mode', 'string', 'nearest');
  const ctm = attr(node, 'coordinate_transformation_mode', 'string', 'half_pixel');
  const nearestMode = attr(node, 'nearest_mode', 'string', 'round_prefer_floor');
  const m = new Float32Array(outLen * inLen);
  for (let o = 0; o < outLen; o++) {
    const x = sourceCoord(ctm, o, scale, inLen, outLen);
    if (mode === 'nearest') {
      const i = Math.min(Math.max(roundNearest(nearestMode, x), 0), inLen - 1);
      m[o * inLen + i] = 1;
    } else if (mode === 'linear') {
      const xc = Math.min(Math.max(x, 0), inLen - 1);
      const i0 = Math.floor(xc), i1 = Math.min(i0 + 1, inLen - 1), w1 = xc - i0;
      m[o * inLen + i0] += 1 - w1;
      m[o * inLen + i1] += w1;
    } else {
      throw new Error(`node '${node.name}' (Resize): gradient of mode '${mode}' is not supported`);
    }
  }
  return m;
}

export const resize: GradRule = {
  ops: ['Resize'],
  grad: (c) => [() => {
    const e = c.e, x = c.node.inputs[0]!, xs = c.shape(x), ys = c.shape(c.node.outputs[0]!);
    const scalesIn = c.node.inputs[2] ? c.constant(c.node.inputs[2]) : undefined;
    let g = c.dy()!;
    const rank = xs.length;
    // Apply M_a^T along each resized axis: move the axis last, MatMul with M_a [out, in], move it back.
    for (let a = 0; a < rank; a++) {
      if (xs[a] === ys[a]) continue;
      const scale = scalesIn && scalesIn.length === rank ? scalesIn[a]! : ys[a]! / xs[a]!;
      const M = e.b.constant('float32', [ys[a]!, xs[a]!], resizeMatrix(c.node, xs[a]!, ys[a]!, scale), 'resize');
      const perm = Array.from({ length: rank }, (_, i) => i);
      perm[a] = rank - 1; perm[rank - 1] = a;
      const moved = a === rank - 1 ? g : e.transpose(g, perm);
      const mm = e.op('MatMul', [moved, M]);
      g = a === rank - 1 ? mm : e.transpose(mm, perm);
    }
    return g;
  }],
};

export const RULES: GradRule[] = [resize];
