/**
 * Reductions along axes: Reduce* (axes attribute, or input from opset 13 for ReduceSum and 18 for
 * the others), ArgMax/ArgMin, TopK, plus CumSum (ONNX Operators.md). ReduceProd/Sum/Max/Min are
 * folded on small known values (some exporters flatten with `ReduceProd(Shape(x))`).
 */
import type { Dim, Node, Shape } from '../ir.ts';
import { attr } from '../ir.ts';
import { axesOf } from './reshape.ts';
import { dimAdd, dimMul } from './symbolic.ts';
import { like, normAxis, numericShape, scalar, stridesOf, withValue, type Fact, type InferContext, type Rule } from './types.ts';

/** Output shape of reducing `shape` over `axes` (all axes when empty). */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): Shape {
  const all = axes.length === 0;
  const set = new Set(axes.map((a) => normAxis(a, shape.length)));
  return shape.flatMap((d, i) => (all || set.has(i) ? (keepdims ? [1] : []) : [d]));
}

type Combine = (a: Dim, b: Dim) => Dim;

/** Folds a reduction: accumulates each input element into its output slot (keepdims changes only the shape). */
function foldReduce(x: Fact, axes: readonly number[], combine: Combine): Dim[] | undefined {
  const s = numericShape(x.shape);
  if (!s || !x.value) return undefined;
  const outShape = reducedShape(s, axes, true) as number[];
  const outStrides = stridesOf(outShape);
  const inStrides = stridesOf(s);
  const out: (Dim | undefined)[] = new Array(outShape.reduce((a, b) => a * b, 1)).fill(undefined);
  x.value.forEach((v, k) => {
    let o = 0;
    for (let i = 0; i < s.length; i++) {
      const c = Math.floor(k / inStrides[i]!) % s[i]!;
      if (outShape[i] !== 1) o += c * outStrides[i]!;
    }
    out[o] = out[o] === undefined ? v : combine(out[o]!, v);
  });
  return out as Dim[];
}

function reduce(axesInputSince: number, combine?: Combine): Rule {
  return (node: Node, inputs: (Fact | undefined)[], ctx: InferContext) => {
    const x = inputs[0];
    const keepdims = attr(node, 'keepdims', 'int', 1) === 1;
    const axes = axesOf(node, inputs, ctx, axesInputSince);
    if (!x?.shape) return [{ dtype: x?.dtype }];
    if (!axes) return [{ dtype: x.dtype, shape: keepdims ? x.shape.map(() => null) : undefined }];
    if (axes.length === 0 && attr(node, 'noop_with_empty_axes', 'int', 0) === 1) return [withValue(like(x), x.value)];
    const out: Fact = { dtype: x.dtype, shape: reducedShape(x.shape, axes, keepdims) };
    return [withValue(out, combine && foldReduce(x, axes, combine))];
  };
}

const numMax: Combine = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.max(a, b) : null);
const numMin: Combine = (a, b) => (typeof a === 'number' && typeof b === 'number' ? Math.min(a, b) : null);

/** ArgMax / ArgMin: one axis reduced, int64 indices. */
const argReduce: Rule = (node, [x]) => {
  if (!x?.shape) return [{ dtype: 'int64' }];
  const axis = attr(node, 'axis', 'int', 0);
  return [{ dtype: 'int64', shape: reducedShape(x.shape, [normAxis(axis, x.shape.length)], attr(node, 'keepdims', 'int', 1) === 1) }];
};

/** TopK: K from input 1 (opset 10+) or attribute `k`; values and int64 indices with dim `axis` = K. */
const topK: Rule = (node, [x, kIn], ctx) => {
  const k: Dim = ctx.opset >= 10 || kIn ? (scalar(kIn) ?? null) : attr(node, 'k', 'int', 0);
  if (!x?.shape) return [{ dtype: x?.dtype }, { dtype: 'int64' }];
  const axis = normAxis(attr(node, 'axis', 'int', -1), x.shape.length);
  const shape = x.shape.map((d, i) => (i === axis ? k : d));
  return [{ dtype: x.dtype, shape }, { dtype: 'int64', shape: [...shape] }];
};

/** Rules of this family, by ONNX op type. */
export const reduceRules: Record<string, Rule> = {
  ReduceSum: reduce(13, dimAdd),
  ReduceProd: reduce(18, dimMul),
  ReduceMax: reduce(18, numMax),
  ReduceMin: reduce(18, numMin),
  ReduceMean: reduce(18),
  ReduceL1: reduce(18),
  ReduceL2: reduce(18),
  ReduceLogSum: reduce(18),
  ReduceLogSumExp: reduce(18),
  ReduceSumSquare: reduce(18),
  ArgMax: argReduce,
  ArgMin: argReduce,
  TopK: topK,
  CumSum: (_node, [x]) => [like(x)],
};
