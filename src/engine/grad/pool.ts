/**
 * Backward rules of pooling.
 * MaxPool: dY is scattered (with addition, so overlapping windows that share a maximum both
 * contribute) through the argmax indices that MaxPool itself returns (ARCHITECTURE.md).
 * The indices make ORT use a slow MaxPool kernel (ResNet-18's stem: ~5.5 ms vs 0.3 ms at one
 * thread), but index-free exact rebuilds from a plain MaxPool (first maximum per window found
 * tap by tap, shares interleaved back) measured slower still with ORT 1.30: SpaceToDepth/
 * DepthToSpace phases ~10 ms, one-hot Conv taps + ConvTranspose placement ~11 ms, against
 * ~7 ms for indices + ScatterElements (64x112x112, 3x3/2): the ~50 data-movement ops cost more.
 * Nor did a separate MaxPool-with-indices next to a plain forward MaxPool help, although it keeps
 * the forward in ORT's NCHWc layout (residual Add+Relu fused into the Convs, 3 fewer reorders):
 * ResNet-18 fwd+bwd median paired ratio 1.07 over 8 alternating rounds (2026-11-22; commit 14e139a,
 * `git checkout 14e139a && node --import tsx bench/dev/ab-env.ts resnet18 8 - NNLENS_POOL2=1`).
 * AveragePool: dY divided by each window's element count, spread back over the window by a
 * depthwise ConvTranspose with a kernel of ones; counts follow the spec's count_include_pad
 * and ceil_mode rules. Global pools broadcast back.
 */
import { attr } from '../../graph/ir.ts';
import { transposeFit, windowOf } from './conv-geometry.ts';
import type { GradRule } from './rule.ts';

export const maxPool: GradRule = {
  ops: ['MaxPool'],
  grad: (c) => [() => {
    const e = c.e, x = c.node.inputs[0]!, xs = c.shape(x);
    if (e.opset < 16) throw new Error(`node '${c.node.name}' (MaxPool): gradient needs opset >= 16 (ScatterElements with reduction)`);
    // The forward MaxPool itself also outputs its argmax indices (one pooling run, not two): the
    // node is replaced in this graph by a copy with a second output; the source model is untouched.
    const nodes = e.b.graph.nodes;
    const at = nodes.indexOf(c.node);
    let idx = c.node.outputs[1];
    if (!idx) {
      idx = e.b.fresh('MaxPool_indices');
      if (at >= 0) nodes[at] = { ...c.node, outputs: [c.node.outputs[0]!, idx] };
      else e.b.graph.nodes.push({ ...c.node, name: e.b.fresh('MaxPool_node'), outputs: [e.b.fresh('MaxPool'), idx] });
    }
    const total = xs.reduce((p, d) => p * d, 1);
    const flatIdx = e.reshape(idx, [-1]);
    const flatDy = e.reshape(c.dy()!, [-1]);
    const zeros = e.zeros([total]);
    const scattered = e.op('ScatterElements', [zeros, flatIdx, flatDy], { axis: 0, reduction: 'add' });
    return e.reshape(scattered, xs);
  }],
};

export const averagePool: GradRule = {
  ops: ['AveragePool'],
  grad: (c) => [() => {
    const e = c.e, x = c.node.inputs[0]!, xs = c.shape(x), ys = c.shape(c.node.outputs[0]!);
    const spatial = xs.slice(2), out = ys.slice(2);
    const win = windowOf(c.node, spatial);
    const includePad = attr(c.node, 'count_include_pad', 'int', 0) === 1;
    const counts = windowCounts(spatial, out, win.kernel, win.strides, win.padsBegin, win.padsEnd, includePad);
    const C = xs[1]!;
    const countT = e.b.constant('float32', [1, 1, ...out], counts, 'poolcount');
    const scaled = e.div(c.dy()!, countT);
    const kSize = win.kernel.reduce((p, d) => p * d, 1);
    const ones = e.b.constant('float32', [C, 1, ...win.kernel], new Float32Array(C * kSize).fill(1), 'ones');
    const fit = transposeFit(win, spatial, out);
    return e.op('ConvTranspose', [scaled, ones], {
      strides: win.strides, group: C, kernel_shape: win.kernel,
      pads: [...win.padsBegin, ...fit.padsEnd], output_padding: fit.outputPadding,
    });
  }],
};

/**
 * Elements averaged by each output position (row-major over `out`): the window clipped to the
 * padded input when count_include_pad, to the real input otherwise (ONNX reference pool_impl).
 */
export function windowCounts(inSize: number[], out: number[], k: number[], s: number[], pb: number[], pe: number[], includePad: boolean): Float32Array {
  const perAxis = out.map((o, a) => {
    const lo = includePad ? -pb[a]! : 0;
    const hi = includePad ? inSize[a]! + pe[a]! : inSize[a]!;
    return Array.from({ length: o }, (_, i) => {
      const start = i * s[a]! - pb[a]!;
      return Math.max(0, Math.min(start + k[a]!, hi) - Math.max(start, lo));
    });
  });
  const total = out.reduce((p, d) => p * d, 1);
  const res = new Float32Array(total);
  for (let flat = 0; flat < total; flat++) {
    let rem = flat, prod = 1;
    for (let a = out.length - 1; a >= 0; a--) {
      const i = rem % out[a]!;
      rem = Math.floor(rem / out[a]!);
      prod *= perAxis[a]![i]!;
    }
    res[flat] = prod;
  }
  return res;
}

export const globalAveragePool: GradRule = {
  ops: ['GlobalAveragePool'],
  grad: (c) => [() => {
    const xs = c.shape(c.node.inputs[0]!);
    const n = xs.slice(2).reduce((p, d) => p * d, 1);
    return c.e.expand(c.e.scale(c.dy()!, 1 / n), xs);
  }],
};

export const globalMaxPool: GradRule = {
  ops: ['GlobalMaxPool'],
  grad: (c) => [() => {
    const e = c.e, x = c.node.inputs[0]!, xs = c.shape(x);
    const mask = e.op('Cast', [e.op('Equal', [x, c.node.outputs[0]!])], { to: 1 });
    const axes = xs.slice(2).map((_, i) => 2 + i);
    const ties = e.reduceSum(mask, axes, true);
    return e.mul(mask, e.div(c.dy()!, ties));
  }],
};

export const RULES: GradRule[] = [maxPool, averagePool, globalAveragePool, globalMaxPool];
