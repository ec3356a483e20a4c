/**
 * Backward rules of ops that move elements without arithmetic: reshapes, transposes, concat and
 * split, slice and pad, and gathers. Each sends every element of dy back to where it came from.
 */
import { attr } from '../../graph/ir.ts';
import type { GradContext, GradRule } from './rule.ts';

const x0 = (c: GradContext): string => c.node.inputs[0]!;

/** Ops whose output is the input with another shape: dx = reshape(dy, shape(x)). */
export const reshapeLike: GradRule = {
  ops: ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'],
  grad: (c) => [() => c.e.reshape(c.dy()!, c.shape(x0(c))), undefined],
};

/** Transpose: dx = transpose(dy, inverse(perm)). */
export const transpose: GradRule = {
  ops: ['Transpose'],
  grad: (c) => [() => {
    const rank = c.shape(x0(c)).length;
    const perm = attr(c.node, 'perm', 'ints', Array.from({ length: rank }, (_, i) => rank - 1 - i));
    const inv = new Array<number>(rank);
    perm.forEach((p, i) => { inv[p] = i; });
    return c.e.transpose(c.dy()!, inv);
  }],
};

/** Concat: each input gets its slice of dy along the axis. */
export const concat: GradRule = {
  ops: ['Concat'],
  grad: (c) => {
    const rank = c.shape(c.node.outputs[0]!).length;
    let axis = attr(c.node, 'axis', 'int', 0);
    if (axis < 0) axis += rank;
    let start = 0;
    return c.node.inputs.map((inp) => {
      const s = start, n = c.shape(inp)[axis]!;
      start += n;
      return () => c.e.slice(c.dy()!, [s], [s + n], [axis]);
    });
  },
};

/** Split: dx = concat of the output gradients (zeros where none flows). */
export const split: GradRule = {
  ops: ['Split'],
  grad: (c) => [() => {
    const rank = c.shape(x0(c)).length;
    let axis = attr(c.node, 'axis', 'int', 0);
    if (axis < 0) axis += rank;
    return c.e.op('Concat', c.node.outputs.map((_, i) => c.dyOrZeros(i)), { axis });
  }, undefined],
};

/** Slice (steps of 1): dx = dy zero-padded back to the input's extent. */
export const slice: GradRule = {
  ops: ['Slice'],
  grad: (c) => [() => {
    const xs = c.shape(x0(c));
    const rank = xs.length;
    const legacy = c.node.inputs.length === 1; // opset < 10: attributes
    const get = (i: number, name: string): number[] | undefined => {
      if (legacy) return attr(c.node, name, 'ints', []).length ? attr(c.node, name, 'ints', []) : undefined;
      const inp = c.node.inputs[i];
      if (!inp) return undefined;
      const v = c.constant(inp);
      if (!v) throw new Error(`node '${c.node.name}' (Slice): ${name} must be constant to differentiate`);
      return v;
    };
    const starts = get(1, 'starts')!, ends = get(2, 'ends')!;
    const axes = get(3, 'axes') ?? starts.map((_, i) => i);
    const steps = get(4, 'steps') ?? starts.map(() => 1);
    const pads = new Array<number>(2 * rank).fill(0);
    axes.forEach((a0, k) => {
      const a = a0 < 0 ? a0 + rank : a0;
      if (steps[k] !== 1) throw new Error(`node '${c.node.name}' (Slice): gradient supports step 1 only, got ${steps[k]}`);
      const d = xs[a]!;
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      const s = clamp(starts[k]!), e = Math.max(clamp(ends[k]!), s);
      pads[a] = s;
      pads[a + rank] = d - e;
    });
    return c.e.pad(c.dy()!, pads);
  }],
};

/** Pad (constant mode): dx = the un-padded window of dy. */
export const pad: GradRule = {
  ops: ['Pad'],
  grad: (c) => [() => {
    const mode = attr(c.node, 'mode', 'string', 'constant');
    if (mode !== 'constant') throw new Error(`node '${c.node.name}' (Pad): gradient of mode '${mode}' is not supported`);
    const xs = c.shape(x0(c)), rank = xs.length;
    let pads = attr(c.node, 'pads', 'ints', []);
    if (c.node.inputs[1]) pads = c.constant(c.node.inputs[1]) ?? (() => { throw new Error(`node '${c.node.name}' (Pad): pads must be constant`); })();
    let axes = Array.from({ length: rank }, (_, i) => i);
    if (c.node.inputs[3]) axes = (c.constant(c.node.inputs[3]) ?? axes).map((a) => (a < 0 ? a + rank : a));
    const n = axes.length;
    const starts = axes.map((_, k) => pads[k]!);
    const ends = axes.map((a, k) => pads[k]! + xs[a]!);
    void n;
    return c.e.slice(c.dy()!, starts, ends, axes);
  }],
};

/**
 * Gather with constant indices: dx = dy contracted with the one-hot matrix of the indices,
 * which sums repeated indices correctly (an embedding row used twice gets both gradients).
 */
export const gather: GradRule = {
  ops: ['Gather'],
  grad: (c) => [() => {
    const e = c.e, xs = c.shape(x0(c)), rank = xs.length;
    let axis = attr(c.node, 'axis', 'int', 0);
    if (axis < 0) axis += rank;
    const idx = c.constant(c.node.inputs[1]!);
    if (!idx) throw new Error(`node '${c.node.name}' (Gather): indices must be constant to differentiate`);
    const D = xs[axis]!, K = idx.length;
    const pre = xs.slice(0, axis).reduce((p, d) => p * d, 1);
    const post = xs.slice(axis + 1).reduce((p, d) => p * d, 1);
    const onehot = new Float32Array(K * D);
    idx.forEach((v, k) => { onehot[k * D + (v < 0 ? v + D : v)] = 1; });
    const O = e.b.constant('float32', [K, D], onehot, 'onehot');
    const g = e.reshape(c.dy()!, [pre, K, post]);
    const gt = e.transpose(g, [0, 2, 1]); // [pre, post, K]
    const m = e.op('MatMul', [gt, O]); // [pre, post, D]
    return e.reshape(e.transpose(m, [0, 2, 1]), xs);
  }, undefined],
};


/** GatherElements: dx = dy scattered (with addition) back to the gathered positions. */
export const gatherElements: GradRule = {
  ops: ['GatherElements'],
  grad: (c) => [() => {
    const e = c.e, xs = c.shape(x0(c));
    const axis = attr(c.node, 'axis', 'int', 0);
    return e.op('ScatterElements', [e.zeros(xs), c.node.inputs[1]!, c.dy()!], { axis, reduction: 'add' });
  }, undefined],
};

export const RULES: GradRule[] = [reshapeLike, transpose, concat, split, slice, pad, gather, gatherElements];
