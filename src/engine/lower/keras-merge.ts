/**
 * Keras merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum (NumPy broadcasting, as
 * Keras's `_Merge`), Concatenate (axis in Keras layout), Dot, and Keras 1's `Merge(mode=...)`.
 * A merged tensor is masked where any input is (Keras `_Merge.compute_mask`: all masks ANDed).
 */
import type { Emit } from '../emit.ts';
import { axisOf, num } from './keras-args.ts';
import type { LayerCall, LayerLowering, LayerResult } from './keras-call.ts';

/** The AND of the inputs' masks (undefined when no input has one). */
function mergedMask(c: LayerCall): string | undefined {
  const ms = c.masks.filter((m): m is string => m !== undefined);
  if (ms.length === 0) return undefined;
  return ms.reduce((a, b) => c.e.op('And', [a, b]));
}

function fold(op: string): LayerLowering {
  return (c): LayerResult => ({ outputs: [c.inputs.slice(1).reduce((a, b) => c.e.op(op, [a, b]), c.inputs[0]!)], masks: [mergedMask(c)] });
}

const average: LayerLowering = (c) => {
  const sum = c.inputs.slice(1).reduce((a, b) => c.e.add(a, b), c.inputs[0]!);
  return { outputs: [c.e.scale(sum, 1 / c.inputs.length)], masks: [mergedMask(c)] };
};

/** Concatenate along `axis` (Keras layout; `concat_axis` in Keras 1). */
function concat(c: LayerCall, axis: number): LayerResult {
  const rank = c.inShapes[0]?.length;
  const a = rank === undefined ? axis : axisOf(axis, rank);
  let mask = mergedMask(c);
  // Concatenating along time joins the masks instead of intersecting them.
  if (mask && rank === 3 && a === 1) {
    if (c.masks.some((m) => m === undefined)) c.fail('concatenating masked and unmasked sequences along time is not supported');
    mask = c.e.op('Concat', c.masks as string[], { axis: 1 });
  }
  return { outputs: [c.e.op('Concat', c.inputs, { axis: a })], masks: [mask] };
}

/** L2-normalizes along `axis` (Keras `l2_normalize`: x / sqrt(max(sum(x^2), 1e-12))). */
function l2normalize(e: Emit, x: string, axis: number): string {
  return e.div(x, e.op('Sqrt', [e.op('Max', [e.reduceSum(e.mul(x, x), [axis]), e.scalar(1e-12)])]));
}

/** Dot(axes, normalize) on two rank-2 or rank-3 tensors (keras/src/layers/merging/dot.py, batch_dot). */
const dot: LayerLowering = (c) => {
  const rank = c.inShapes[0]?.length;
  if ((rank !== 2 && rank !== 3) || c.inShapes[1]?.length !== rank) return c.fail('Dot is supported on two rank-2 or two rank-3 tensors');
  const ax = Array.isArray(c.cfg.axes) ? (c.cfg.axes as number[]) : [num(c.cfg.axes, -1), num(c.cfg.axes, -1)];
  const [a1, a2] = [axisOf(ax[0]!, rank), axisOf(ax[1]!, rank)];
  const e = c.e;
  let [x, y] = c.inputs as [string, string];
  if (c.cfg.normalize === true) { x = l2normalize(e, x, a1); y = l2normalize(e, y, a2); }
  if (rank === 2) return [e.reduceSum(e.mul(x, y), [1], true)];
  const xa = a1 === 2 ? x : e.transpose(x, [0, 2, 1]);
  const yb = a2 === 1 ? y : e.transpose(y, [0, 2, 1]);
  return [e.op('MatMul', [xa, yb])];
};

/** Keras 1 `Merge(mode=...)`. */
const keras1Merge: LayerLowering = (c) => {
  const mode = String(c.cfg.mode ?? 'sum');
  switch (mode) {
    case 'sum': return fold('Add')(c);
    case 'mul': return fold('Mul')(c);
    case 'max': return fold('Max')(c);
    case 'ave': return average(c);
    case 'concat': return concat(c, num(c.cfg.concat_axis, -1));
    default: return c.fail(`Keras 1 Merge mode '${mode}' is not supported`);
  }
};

/** Merge layers by Keras class name. */
export const MERGE_LAYERS: Record<string, LayerLowering> = {
  Add: fold('Add'), Subtract: fold('Sub'), Multiply: fold('Mul'), Maximum: fold('Max'), Minimum: fold('Min'),
  Average: average,
  Concatenate: (c) => concat(c, num(c.cfg.axis ?? c.cfg.concat_axis, -1)),
  Dot: dot,
  Merge: keras1Merge,
};
